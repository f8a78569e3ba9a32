"""Real packets through the rendered nftables file: the verdicts of real traffic equal the flow checker's.

The lab policy's nftables rendering is loaded with ``nft -f`` into a firewall namespace routing
between the namespaces of its three zones (interfaces eth0, eth1, eth2 as the policy names them):

- outside (eth0): the "internet" namespace: internet hosts, the approved VPN peer, another VPN peer;
- inside (eth1): a LAN namespace (approved, non-approved, management and core-services addresses) with
  a bridge to two PC namespaces holding the bound IPs with their listed MACs;
- servers (eth2): the e-Office server namespace.

A TCP connect that completes or is reset, or a UDP datagram that is echoed (or refused), got through;
one that times out was dropped. The table's chains end in ``policy accept`` and the firewall namespace
has no other table, so traffic no managed rule decides (``unmanaged``) gets through as well.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from eoffice_guard.flow import UNMANAGED, Flow, Verdict, check_flow
from eoffice_guard.ir import build_ir
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import parse, render
from tests.integration.netns import BLOCKED, PASS, RAW_PROTOCOLS, Namespaces, Probe

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LAB_POLICY = "inventories/lab/group_vars/all/eoffice.yml"
TODAY = datetime.date(2026, 11, 23)  # fixed, so the lab's VPN approval does not age with the calendar
TIMEOUT = 0.8  # seconds a dropped probe waits; an allowed one answers in well under a millisecond
RETRY_TIMEOUT = 3.0  # a disagreement is probed once more, slowly, before it counts (busy machine)
TCP_PORTS = [22, 25, 80, 443, 587, 1194, 1723, 3389, 8381]  # 8381: the lab ClamAV mirror (egress)
UDP_PORTS = [53, 123, 500, 1194, 1701, 4500, 51820]
SPOOFED_MACS = {"pc1": "02:00:5e:00:53:01", "pc2": "02:00:5e:00:53:02"}


@dataclass(frozen=True)
class Host:
    """A namespace on one zone's segment: link addresses next to the firewall, and test addresses."""

    role: str
    zone: str
    link4: str  # host part of the segment's link networks
    addresses: tuple[str, ...]
    routes: tuple[str, ...]  # prefixes the firewall routes to this host
    mac: str
    behind_bridge: bool = False  # a PC on the LAN's bridge rather than the firewall's veth itself


# link networks per zone: 172.16.<n>.0/24 and fd99:<n>::/64, the firewall is .1 / ::1
SEGMENTS = {"outside": 0, "inside": 1, "servers": 2}
HOSTS = (
    Host("wan", "outside", "2", ("203.0.113.9", "198.51.100.10", "198.51.100.77", "2001:db8::9"),
         ("0.0.0.0/0", "::/0"), "02:00:00:00:00:02"),
    Host("lan", "inside", "2", ("10.20.7.7", "10.0.50.10", "10.30.0.5", "10.0.60.2", "10.89.83.1", "fd00:20::7"),
         ("10.20.0.0/16", "10.0.50.10/32", "10.30.0.0/16", "10.0.60.0/29", "10.89.83.1/32", "fd00:20::/48"),
         "02:00:00:00:01:02"),
    Host("pc1", "inside", "3", ("10.20.1.15",), ("10.20.1.15/32",), "00:1a:2b:3c:4d:5e", True),
    Host("pc2", "inside", "4", ("10.20.1.16",), ("10.20.1.16/32",), "00:1a:2b:3c:4d:5f", True),
    Host("srv", "servers", "2", ("10.10.5.3", "10.10.5.4", "fd00:10:5::3"),
         ("10.10.5.0/28", "fd00:10:5::/64"), "02:00:00:00:02:02"),
)


def link(zone: str, host: str) -> tuple[str, str]:
    n = SEGMENTS[zone]
    return f"172.16.{n}.{host}", f"fd99:{n}::{host}"


@dataclass(frozen=True)
class Endpoint:
    role: str  # namespace role ("fw" for the firewall itself)
    address: str
    zone: str  # for the firewall: the segment the address is on


class Gateway:
    """The firewall namespace with the rendered table loaded, and its zones' namespaces."""

    def __init__(self, nets: Namespaces, policy, text: str):
        self.nets, self.policy, self.text = nets, policy, text
        self.ns: dict[str, str] = {}
        self.iface = {z.name: z.interface("nftables") for z in policy.zones}

    def build(self) -> None:
        self.ns["fw"] = self.nets.add("fw")
        for host in HOSTS:
            self.ns[host.role] = self.nets.add(host.role)
        for zone, n in SEGMENTS.items():
            self._segment(zone, n)
        self.nets.sysctl(self.ns["fw"], "net.ipv4.ip_forward", "1")
        self.nets.sysctl(self.ns["fw"], "net.ipv6.conf.all.forwarding", "1")
        self.nets.exec(self.ns["fw"], "nft", "-f", "-", stdin=self.text)
        self._listeners()
        self.warm_up()

    def _segment(self, zone: str, n: int) -> None:
        fw, dev = self.ns["fw"], self.iface[zone]
        on_link = [h for h in HOSTS if h.zone == zone and not h.behind_bridge]
        (first,) = on_link  # one namespace on the firewall's veth; PCs hang off its bridge
        self.nets.veth(fw, dev, self.ns[first.role], "uplink", first.mac)
        self.nets.address(fw, dev, f"172.16.{n}.1/24")
        self.nets.address(fw, dev, f"fd99:{n}::1/64")
        pcs = [h for h in HOSTS if h.zone == zone and h.behind_bridge]
        if pcs:
            for pc in pcs:
                self.nets.veth(self.ns[first.role], pc.role, self.ns[pc.role], "eth0", pc.mac)
            self.nets.bridge(self.ns[first.role], "br0", first.mac, ["uplink", *(pc.role for pc in pcs)])
        self._host(first, "br0" if pcs else "uplink", n)  # a bridge port carries no address itself
        for pc in pcs:
            self._host(pc, "eth0", n)

    def _host(self, host: Host, dev: str, n: int) -> None:
        ns, fw = self.ns[host.role], self.ns["fw"]
        v4, v6 = link(host.zone, host.link4)
        self.nets.address(ns, dev, f"{v4}/24")
        self.nets.address(ns, dev, f"{v6}/64")
        for address in host.addresses:
            self.nets.address(ns, dev, f"{address}/{128 if ':' in address else 32}")
        self.nets.route(ns, "default", f"172.16.{n}.1")
        self.nets.route(ns, "default", f"fd99:{n}::1")
        for prefix in host.routes:
            self.nets.route(fw, prefix, v6 if ":" in prefix else v4)

    def _listeners(self) -> None:
        for host in HOSTS:
            self.nets.serve(self.ns[host.role], list(host.addresses), TCP_PORTS, UDP_PORTS)
        self.nets.serve(self.ns["fw"], [], TCP_PORTS, [])

    def warm_up(self) -> None:
        """Every host reaches the firewall once, so neighbour discovery (IPv6 waits a second for it)
        is done before a probe's short timeout could mistake its delay for a drop."""
        checks = [(Endpoint(h.role, a, h.zone), Flow(a, b, "tcp", 80, to_device=True))
                  for h in HOSTS for a, b in zip(link(h.zone, h.link4), link(h.zone, "1"), strict=True)]
        results = self.probe(checks, RETRY_TIMEOUT)
        assert results == [PASS] * len(checks), list(zip((str(f) for _, f in checks), results, strict=True))

    def probe(self, flows: list[tuple[Endpoint, Flow]], timeout: float) -> list[str]:
        """The real verdict (PASS, BLOCKED or an error) of each flow, probed from its source namespace."""
        by_ns: dict[str, list[int]] = {}
        for i, (src, _) in enumerate(flows):
            by_ns.setdefault(src.role, []).append(i)
        results: list[str] = [""] * len(flows)
        for role, indices in by_ns.items():
            probes = [Probe(f.protocol, f.src, f.dst, f.port, timeout) for f in (flows[i][1] for i in indices)]
            for i, result in zip(indices, self.nets.probe(self.ns[role], probes), strict=True):
                results[i] = result
        return results

    def spoof(self, macs: dict[str, str]) -> None:
        """Give PCs other MACs; the firewall forgets the old ones (as after a device swap)."""
        for role, mac in macs.items():
            self.nets.set_mac(self.ns[role], "eth0", mac)
        self.nets.ip(self.ns["fw"], "neigh", "flush", "dev", self.iface["inside"])
        self.warm_up()


def endpoints() -> tuple[list[Endpoint], list[Endpoint]]:
    """Sources and destinations: every test address, plus the firewall's own addresses as destinations."""
    hosts = [Endpoint(h.role, a, h.zone) for h in HOSTS for a in h.addresses]
    firewall = [Endpoint("fw", address, zone) for zone in SEGMENTS for address in link(zone, "1")]
    destinations = [e for e in hosts if e.address not in ("198.51.100.77", "10.30.0.5", "10.0.50.10")]
    return hosts, destinations + firewall


def flows_between(sources: list[Endpoint], destinations: list[Endpoint], macs: dict[str, str]):
    """Every source to every destination of another zone (or the firewall), of its family, per port."""
    services = [("tcp", p) for p in TCP_PORTS] + [("udp", p) for p in UDP_PORTS] + [
        (proto, None) for proto in RAW_PROTOCOLS]
    out = []
    for src in sources:
        for dst in destinations:
            to_device = dst.role == "fw"
            # forwarded traffic crosses zones; the firewall itself is reached on the source's own segment
            if (":" in src.address) != (":" in dst.address) or (src.zone == dst.zone) != to_device:
                continue
            for proto, port in services:
                if to_device and proto != "tcp":
                    continue
                out.append((src, Flow(src.address, dst.address, proto, port, macs.get(src.role), None,
                                      src.zone, None if to_device else dst.zone, to_device)))
    return out


def expected(verdict: Verdict) -> str:
    """What real traffic shows for a verdict: the table drops only what a managed rule denies."""
    return BLOCKED if verdict.action == "deny" else PASS


def compare(gateway: Gateway, parsed, flows) -> tuple[list[Verdict], list[str]]:
    """Probe every flow; a disagreement is probed once more with a long timeout before it is reported."""
    verdicts = [check_flow(parsed, flow) for _, flow in flows]
    real = gateway.probe(flows, TIMEOUT)
    again = [i for i, v in enumerate(verdicts) if real[i] != expected(v)]
    if again:
        for i, result in zip(again, gateway.probe([flows[i] for i in again], RETRY_TIMEOUT), strict=True):
            real[i] = result
    problems = [f"{flows[i][1]}: real traffic {real[i]}, flow checker {v.action} by "
                f"{v.rule.name + ' (' + v.rule.why + ')' if v.rule else 'no managed rule'}"
                for i, v in enumerate(verdicts) if real[i] != expected(v)]
    return verdicts, problems


@pytest.fixture(scope="module")
def lab_policy():
    raw = yaml.safe_load((ROOT / LAB_POLICY).read_text())["eoffice"]
    return validate_policy(raw, LAB_POLICY, today=TODAY)


@pytest.fixture(scope="module")
def gateway(lab_policy, request):
    text = render("nftables", build_ir(lab_policy))
    nets = Namespaces()
    request.addfinalizer(nets.close)  # every namespace and listener goes, whatever happens next
    gw = Gateway(nets, lab_policy, text)
    gw.build()
    return gw


@pytest.fixture(scope="module")
def parsed(lab_policy, gateway):
    return parse("nftables", gateway.text, lab_policy.zones)


def test_real_traffic_matches_the_flow_checker(gateway, parsed):
    sources, destinations = endpoints()
    macs = {h.role: h.mac for h in HOSTS}
    flows = flows_between(sources, destinations, macs)
    verdicts, problems = compare(gateway, parsed, flows)
    assert not problems, f"{len(problems)} of {len(flows)} flows disagree:\n" + "\n".join(problems)
    assert len(flows) >= 200
    assert sum(":" in f.src for _, f in flows) >= 50, "IPv6 flows"
    deciding = Counter(v.rule.name if v.rule else UNMANAGED for v in verdicts)
    rendered = {r.name for r in parsed.ruleset.rules} - {"EO-R4-BIND-1"}  # needs another MAC: next test
    assert rendered <= set(deciding), f"rules no flow exercised: {sorted(rendered - set(deciding))}"
    assert deciding[UNMANAGED] > 0


def test_bound_ips_with_another_mac_are_dropped(gateway, parsed):
    sources = [e for e in endpoints()[0] if e.role in SPOOFED_MACS]
    destinations = endpoints()[1]
    flows = flows_between(sources, destinations, SPOOFED_MACS)
    try:
        gateway.spoof(SPOOFED_MACS)
        verdicts, problems = compare(gateway, parsed, flows)
    finally:
        gateway.spoof({h.role: h.mac for h in HOSTS if h.role in SPOOFED_MACS})
    assert not problems, f"{len(problems)} of {len(flows)} flows disagree:\n" + "\n".join(problems)
    to_servers = [v for v in verdicts if v.flow.dst_zone == "servers"]
    assert to_servers and all(v.action == "deny" for v in to_servers)
    assert {v.rule.name for v in to_servers if v.flow.port in (443, 587)} == {"EO-R4-BIND-1"}
