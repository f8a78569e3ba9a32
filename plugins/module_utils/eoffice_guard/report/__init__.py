"""Compliance reports: the result model, the report files of one run, and the national roll-up."""
