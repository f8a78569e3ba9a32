"""Delivery of the managed rules to a firewall: look first, change only what differs, verify, undo on failure.

``drivers.driver(platform)`` gives the platform's driver (how to read, diff and push its CLI);
``session.deliver`` runs plan → backup → push → commit → verify → rollback with any of them.
"""
