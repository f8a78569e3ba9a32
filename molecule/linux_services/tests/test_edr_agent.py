"""EO-END-1 behaviour: the lab agent runs, is enabled and the lab enrolment server lists the host; a
stopped and disabled agent comes back with the drift reported; apt refuses a package signed with
another key; a host that cannot enrol is non-compliant with the reason."""

from __future__ import annotations

import json
import urllib.request

from conftest import AGENT, fact, flat

from lab import endpoint_services


def enrolled_hostnames() -> list[str]:
    # the lab network is local: no proxy between this machine and its own bridge
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(endpoint_services.url("lab-edr-server") + "/api/hosts", timeout=5) as answer:
        return [entry["hostname"] for entry in json.load(answer)]


def test_agent_runs_enabled_and_the_enrolment_server_lists_the_host(node):
    assert node.package("eoffice-lab-edr-agent").is_installed
    assert node.service(AGENT).is_running and node.service(AGENT).is_enabled
    assert node.run("eoffice-edr-agent status").rc == 0
    assert node.check_output("hostname") in enrolled_hostnames()
    assert fact(node, "EO-END-1")["settings"]["compliant"] is True


def test_a_stopped_and_disabled_agent_is_restored_and_the_drift_reported(name, drift_run):
    run, after = drift_run
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"drift corrected on {name}: the service was stopped and the service was disabled" in flat(run.stdout)
    assert after[name]["agent_running"] and after[name]["agent_enabled"]
    assert after[name]["facts"]["EO-END-1"]["settings"]["drift_corrected"] == [
        "the service was stopped", "the service was disabled"]


def test_apt_refuses_a_repository_signed_with_another_key(node):
    """The same package, served from a copy of the repository signed with a key apt was not given."""
    rogue = endpoint_services.url("lab-apt-repo") + "/rogue"
    node.check_output(
        "printf 'Types: deb\\nURIs: %s\\nSuites: lab\\nComponents: main\\nSigned-By: %s\\n' "
        f"{rogue} /etc/apt/keyrings/eoffice-edr-eoffice-lab.asc > /tmp/rogue.sources")
    update = node.run("apt-get update -o Dir::Etc::sourcelist=/tmp/rogue.sources -o Dir::Etc::sourceparts=- "
                      "-o APT::Get::List-Cleanup=0")
    output = update.stdout + update.stderr
    assert update.rc != 0, output
    assert "NO_PUBKEY" in output or "not signed" in output or "couldn't be verified" in output, output
    assert rogue not in node.check_output("apt-cache policy eoffice-lab-edr-agent")


def test_a_host_that_cannot_enrol_is_non_compliant_with_the_reason(name, outage_run):
    run, facts = outage_run
    assert f"EO-END-1 non-compliant on {name}" in flat(run.stdout)
    assert "not-the-lab-token" not in run.stdout
    entry = facts[name]["EO-END-1"]["settings"]
    assert entry["compliant"] is False and entry["enrolled"] is False
    assert "HTTP 403" in entry["reason"], entry["reason"]
