"""The lab Windows inventories are exactly what ``python -m lab.windows inventory`` generates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lab.windows import inventory
from lab.windows.fleet import fleet

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("path", "count"), [("inventories/lab/windows.yml", 3),
                                             ("inventories/lab-fleet/windows.yml", 50)])
def test_inventory_matches_the_fleet(path, count):
    assert (ROOT / path).read_text() == inventory.render(count)


def test_lab_estate_mixes_transports_and_validates_certificates():
    data = yaml.safe_load(inventory.render(3))["all"]["children"]["windows"]
    hosts = data["hosts"]
    assert [h["ansible_winrm_scheme"] for h in hosts.values()] == ["https", "https", "http"]
    assert hosts["lab-win-03"]["ansible_winrm_message_encryption"] == "always"
    assert data["vars"]["ansible_winrm_server_cert_validation"] == "validate"
    assert data["vars"]["ansible_winrm_ca_trust_path"].endswith("/windows/lab-ca.pem")


def test_fleet_ports_do_not_collide():
    endpoints = fleet(50).values()
    ports = [p for e in endpoints for p in (e.http_port, e.https_port)]
    assert len(ports) == len(set(ports)) == 100
    assert not set(ports) & set(range(2201, 2300))
