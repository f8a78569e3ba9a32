"""The project's version, recorded in each host's local fact so audits can tell what applied it."""

VERSION = "0.1.0"
