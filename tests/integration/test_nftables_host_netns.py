"""Real packets against the host rendering (an e-Office server's own nftables): verdicts equal the flow checker's.

The lab policy's host rendering is loaded with ``nft -f`` into a server namespace holding the
e-Office addresses. All other namespaces sit on the server's own segment (a bridge), so the server
sees their real MACs:

- ``net``: everyone else - internet hosts, the approved VPN peer, the LAN, management, core services;
- ``pc1``: a bound IP with its registered MAC; ``pc2``: a bound IP with a spoofed MAC.

Inbound flows are probed from the clients to the server, outbound ones from the server to ``net``.
The host's chains drop by default, so the flow checker's ``unmanaged`` is a drop here, unlike on the
gateway.
"""

from __future__ import annotations

from collections import Counter

import pytest

from eoffice_guard.flow import UNMANAGED, Flow, check_flow
from eoffice_guard.ir import build_ir
from eoffice_guard.nftables_host import host_ruleset, render_host
from tests.integration.netns import BLOCKED, PASS, RAW_PROTOCOLS, Namespaces, Probe
from tests.integration.test_nftables_netns import RETRY_TIMEOUT, TCP_PORTS, TIMEOUT, UDP_PORTS, lab_policy  # noqa: F401

pytestmark = pytest.mark.integration

SERVER = ("10.10.5.3", "10.10.5.4", "fd00:10:5::3")
OTHERS = ("203.0.113.9", "198.51.100.10", "10.20.7.7", "10.0.50.10", "10.0.60.2", "10.89.83.1", "2001:db8::9",
          "fd00:20::7")
PCS = {"pc1": ("10.20.1.15", "00:1a:2b:3c:4d:5e"), "pc2": ("10.20.1.16", "02:00:5e:00:53:02")}  # pc2 spoofs
LINK = {"srv": "1", "net": "2", "pc1": "3", "pc2": "4"}  # 172.16.9.<n>/24 and fd99:9::<n>/64
SERVICES = [("tcp", p) for p in TCP_PORTS] + [("udp", p) for p in UDP_PORTS] + [(p, None) for p in RAW_PROTOCOLS]


class Segment:
    """The server and its neighbours on one bridge."""

    def __init__(self, nets: Namespaces, text: str):
        self.nets, self.text = nets, text
        self.ns = {role: nets.add(role) for role in ("sw", *LINK)}

    def build(self) -> None:
        macs = {"srv": "02:00:00:00:09:01", "net": "02:00:00:00:09:02", **{r: m for r, (_, m) in PCS.items()}}
        for role, n in LINK.items():
            self.nets.veth(self.ns["sw"], f"p-{role}", self.ns[role], "eth0", macs[role])
            self.nets.address(self.ns[role], "eth0", f"172.16.9.{n}/24")
            self.nets.address(self.ns[role], "eth0", f"fd99:9::{n}/64")
        self.nets.bridge(self.ns["sw"], "br0", "02:00:00:00:09:00", [f"p-{role}" for role in LINK])
        self._addresses("srv", SERVER)
        self._addresses("net", OTHERS)
        for role, (ip, _) in PCS.items():
            self._addresses(role, (ip,))
        self.nets.exec(self.ns["srv"], "nft", "-f", "-", stdin=self.text)
        self.nets.serve(self.ns["srv"], list(SERVER), TCP_PORTS, UDP_PORTS)
        self.nets.serve(self.ns["net"], list(OTHERS), TCP_PORTS, UDP_PORTS)

    def _addresses(self, role: str, addresses: tuple[str, ...]) -> None:
        """Host addresses on the segment; every other test address is reached through its owner."""
        for address in addresses:
            self.nets.address(self.ns[role], "eth0", f"{address}/{128 if ':' in address else 32}")
        owners = {a: "srv" for a in SERVER} | {a: "net" for a in OTHERS} | {ip: r for r, (ip, _) in PCS.items()}
        for address, owner in owners.items():
            if owner != role:
                via = f"fd99:9::{LINK[owner]}" if ":" in address else f"172.16.9.{LINK[owner]}"
                self.nets.route(self.ns[role], f"{address}/{128 if ':' in address else 32}", via)

    def probe(self, flows: list[tuple[str, Flow]], timeout: float) -> list[str]:
        by_ns: dict[str, list[int]] = {}
        for i, (role, _) in enumerate(flows):
            by_ns.setdefault(role, []).append(i)
        results = [""] * len(flows)
        for role, indices in by_ns.items():
            probes = [Probe(flows[i][1].protocol, flows[i][1].src, flows[i][1].dst, flows[i][1].port, timeout)
                      for i in indices]
            for i, result in zip(indices, self.nets.probe(self.ns[role], probes), strict=True):
                results[i] = result
        return results


def flows() -> list[tuple[str, Flow]]:
    """Every client to every server address and the server to every other address, per service."""
    clients = [("net", a, None) for a in OTHERS] + [(r, ip, mac) for r, (ip, mac) in PCS.items()]
    out = []
    for role, src, mac in clients:
        for dst in SERVER:
            if (":" in src) == (":" in dst):
                out += [(role, Flow(src, dst, proto, port, mac)) for proto, port in SERVICES]
    for src in SERVER[::2]:  # 10.10.5.3 and fd00:10:5::3
        for dst in OTHERS:
            if (":" in src) == (":" in dst):
                out += [("srv", Flow(src, dst, proto, port)) for proto, port in SERVICES]
    # to and from the server's link address: no managed rule speaks of it, the host drops it
    out += [("net", Flow("172.16.9.2", "172.16.9.1", "tcp", 443, "02:00:00:00:09:02"))]
    return out


@pytest.fixture(scope="module")
def segment(lab_policy, request):  # noqa: F811
    nets = Namespaces()
    request.addfinalizer(nets.close)
    seg = Segment(nets, render_host(build_ir(lab_policy), lab_policy))
    seg.build()
    # neighbour discovery first: IPv6 waits a second for it, longer than a probe's short timeout
    warm = [("net", Flow("10.20.7.7", "10.10.5.3", "tcp", 443)),
            ("net", Flow("fd00:20::7", "fd00:10:5::3", "tcp", 443)),
            ("srv", Flow("10.10.5.3", "10.0.60.2", "udp", 53)),
            ("pc1", Flow("10.20.1.15", "10.10.5.3", "tcp", 443))]
    seg.probe(warm, RETRY_TIMEOUT)
    return seg


def expected(action: str) -> str:
    return PASS if action == "allow" else BLOCKED  # deny and unmanaged alike: the chains drop by default


def test_real_traffic_to_and_from_the_server_matches_the_flow_checker(segment, lab_policy):  # noqa: F811
    ruleset = host_ruleset(build_ir(lab_policy), lab_policy)
    cases = flows()
    verdicts = [check_flow(ruleset, flow) for _, flow in cases]
    real = segment.probe(cases, TIMEOUT)
    again = [i for i, v in enumerate(verdicts) if real[i] != expected(v.action)]
    for i, result in zip(again, segment.probe([cases[i] for i in again], RETRY_TIMEOUT), strict=True):
        real[i] = result
    problems = [f"{v.flow}: real traffic {real[i]}, flow checker {v}" for i, v in enumerate(verdicts)
                if real[i] != expected(v.action)]
    assert not problems, f"{len(problems)} of {len(cases)} flows disagree:\n" + "\n".join(problems)
    assert len(cases) >= 100
    assert sum(":" in f.src for _, f in cases) >= 40, "IPv6 flows"
    deciding = Counter(v.rule.name if v.rule else UNMANAGED for v in verdicts)
    assert {r.name for r in ruleset.rules} <= set(deciding), "a host rule no flow exercised"
    spoofed = [v for v in verdicts if v.flow.src_mac == PCS["pc2"][1] and v.flow.port in (443, 587)]
    assert spoofed and {v.rule.name for v in spoofed} == {"EO-R4-BIND-1"}
    assert PASS in real and BLOCKED in real
