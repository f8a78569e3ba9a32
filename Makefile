# eoffice-guard: `make demo` runs the main job against the lab, `make test` runs every test.
# Both install what they need first (apt packages, podman settings, .venv, lab image) and are safe
# to re-run.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PYTHONDONTWRITEBYTECODE := 1
APT_PACKAGES := podman runc conmon debootstrap nftables iproute2 pamtester uidmap slirp4netns \
                gnupg chromium \
                fuse-overlayfs iptables make git
SCENARIOS := $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))
STAMPS := .cache/stamps

.PHONY: help setup apt podman-conf venv collections image lint pytest molecule test demo bench \
        validate render audit national docs clean

help:
	@echo "make demo    set up, start the lab, run playbooks/site.yml against inventories/lab"
	@echo "make test    set up, then lint, pytest and every Molecule scenario ($(SCENARIOS))"
	@echo "make bench   benchmarks (figures, not pass/fail)"
	@echo "make lint    ansible-lint (production), yamllint, ruff"
	@echo "make validate INVENTORY=inventories/<ministry>   check a ministry's policy"
	@echo "make render INVENTORY=inventories/<ministry>     write firewall configs for review"
	@echo "make audit INVENTORY=inventories/<ministry>      check mode, a report with the drift"
	@echo "make national                                    roll up the ministries' latest reports"
	@echo "make docs    regenerate role READMEs from meta/argument_specs.yml"

setup: apt podman-conf venv collections

$(STAMPS):
	@mkdir -p $@

apt: | $(STAMPS)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

podman-conf:
	@$(SHELL) lab/podman-conf.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

collections: venv
	@$(PY) -m lab.collections requirements.yml

image: setup
	@$(PY) -m lab image

lint: venv
	ruff check .
	yamllint -s .
	ansible-lint --profile production --offline

pytest: image
	$(PY) -m pytest

# molecule probes for a `default` scenario and logs its absence as CRITICAL; we have none on purpose.
molecule: image
	@set -eo pipefail; for s in $(SCENARIOS); do echo "== molecule test -s $$s"; \
	  molecule test -s $$s 2>&1 | grep -v "molecule/default/molecule.yml' glob failed"; done

# pytest and the Molecule scenarios run side by side (tools/test-all.sh): they share no port, container
# or network, and most of their time is spent waiting on devices and hosts.
test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory image lint && SCENARIOS="$(SCENARIOS)" bash tools/test-all.sh; rc=$$?; \
	echo "make test: wall time $$(( $$(date +%s) - start )) s"; exit $$rc

# The lab has no change reviewer: the demo approves its own firewall changes (a real run pauses).
demo: image
	@$(PY) -m lab up
	ansible-playbook -i inventories/lab playbooks/site.yml -e ngfw_policy_auto_approve=true

bench: image
	@set -e; for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b; done

INVENTORY ?= inventories/lab
validate: venv
	ansible-playbook -i $(INVENTORY) playbooks/validate.yml

render: venv
	ansible-playbook -i $(INVENTORY) playbooks/render.yml

# Look only: every control in check mode, a report with the drift since the last one (docs/reporting.md).
audit: venv
	ansible-playbook -i $(INVENTORY) playbooks/audit.yml --check --diff

national: venv
	$(PY) tools/national_report.py --reports reports

docs: venv
	$(PY) tools/role_readme.py

clean:
	-$(PY) -m lab down
	rm -rf .cache rendered
