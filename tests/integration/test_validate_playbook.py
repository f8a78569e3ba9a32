"""Bad policy input stops every playbook before any host is contacted, naming file and key path."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = "group_vars/all/eoffice.yml"
# Hosts that cannot be reached: if the run tried to touch one, it would report it unreachable.
HOSTS = """\
all:
  children:
    linux:
      hosts:
        unreachable-host:
          ansible_host: 127.0.0.1
          ansible_port: 1
          ansible_connection: ssh
"""


def make_inventory(tmp_path: Path, old: str, new: str) -> Path:
    inventory = tmp_path / "ministry"
    (inventory / "group_vars/all").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(HOSTS)
    text = (ROOT / "inventories/lab" / POLICY).read_text()
    assert old in text, f"{old!r} is not in the lab policy"
    (inventory / POLICY).write_text(text.replace(old, new, 1))
    return inventory


def run_site(inventory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/site.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    ("old", "new", "key_path", "reason"),
    [
        ("10.20.0.0/16", "10.20.0.0/33", "eoffice.networks.lab-hq-lan[0]", "not an IPv4 or IPv6 network"),
        ('"00:1a:2b:3c:4d:5e"', '"00:1a:2b:3c:4d"', "eoffice.device_bindings[0].mac", "not a MAC address"),
        ("expires: 2027-06-30", "expires: 2025-06-30", "eoffice.approved_vpns[0].expires", "2025-06-30"),
    ],
    ids=["malformed-cidr", "short-mac", "expired-vpn"],
)
def test_bad_policy_stops_the_run_before_any_host(tmp_path, old, new, key_path, reason):
    inventory = make_inventory(tmp_path, old, new)
    result = run_site(inventory)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{inventory / POLICY}: {key_path}: " in output
    assert reason in output
    assert "UNREACHABLE" not in output, "a host was contacted despite the invalid policy"
    assert "Harden the Linux endpoints" not in output


def test_policy_errors_name_every_problem_at_once(tmp_path):
    inventory = make_inventory(tmp_path, "10.20.0.0/16", "10.20.0.0/33")
    policy = inventory / POLICY
    policy.write_text(policy.read_text().replace("internet_zone: outside", "internet_zone: outsde"))
    output = run_site(inventory).stdout
    assert "eoffice.networks.lab-hq-lan[0]" in output
    assert "eoffice.internet_zone" in output


def test_valid_policy_passes_validation(tmp_path):
    inventory = make_inventory(tmp_path, "ministry: lab", "ministry: lab")
    shutil.rmtree(inventory / "group_vars/all", ignore_errors=False)
    (inventory / "group_vars/all").mkdir()
    shutil.copy(ROOT / "inventories/lab" / POLICY, inventory / POLICY)
    result = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/validate.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "valid policy for ministry lab" in result.stdout


def test_a_template_in_the_policy_never_runs(tmp_path):
    """A lookup hidden in a label passed validation and ran on the controller during render.yml."""
    marker = tmp_path / "ran"
    inventory = make_inventory(tmp_path, 'owner: "Registry PC 1"',
                               f"owner: \"{{{{ lookup('pipe', 'touch {marker}; echo PC1') }}}}\"")
    result = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/render.yml",
         "-e", f"eoffice_render_dest={tmp_path / 'rendered'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert f"{inventory / POLICY}: eoffice.device_bindings[0].owner: " in result.stdout
    assert "template marker" in result.stdout
    assert not marker.exists(), "the lookup in the policy ran on the controller"
    assert not (tmp_path / "rendered").exists()


def test_the_example_ministry_validates_and_an_inventory_without_hosts_does_not(tmp_path):
    example = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", "inventories/example-ministry", "playbooks/validate.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert example.returncode == 0, example.stdout
    assert re.search(r"valid policy for ministry\s+example-ministry", example.stdout), example.stdout
    inventory = make_inventory(tmp_path, "ministry: lab", "ministry: lab")
    (inventory / "hosts.yml").write_text("all:\n  hosts: {}\n")
    empty = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/validate.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert empty.returncode != 0
    assert "lists no hosts" in empty.stdout
