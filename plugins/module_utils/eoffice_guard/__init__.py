"""eoffice-guard's Python core: policy model and validation, renderers, parsers, flow checker.

Importable by modules (``ansible.module_utils.eoffice_guard``) and by tests (``eoffice_guard``).
Modules inside this package import each other relatively, so both names work.
"""
