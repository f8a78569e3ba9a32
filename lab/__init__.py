"""The eoffice-guard lab: Debian hosts in podman, NGFW SSH simulators, WinRM endpoints.

Run ``python -m lab --help`` for the commands.
"""
