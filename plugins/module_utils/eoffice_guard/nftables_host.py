"""nftables on an e-Office server itself (EO-NET-1, EO-NET-3, EO-NET-4): defence in depth behind the NGFW.

The same managed rules as the gateway, same order and names, cut to what a server can enforce on its
own traffic: the rules that reach the e-Office servers go to the ``input`` chain, those that leave
them to ``output``, the VPN port block to both. A server has no zones, so zone matches are dropped;
rules that concern neither the servers nor the VPN ports (the gateway's own management, approved VPN
peers to the inside, application matches) are not the server's business. Loopback, established and
related traffic and the ICMPv6 that IPv6 needs pass first; anything else is logged and dropped
(the chains' policy is drop).

``host_ruleset`` gives the rule set the flow checker judges the host rendering by: its ``unmanaged``
verdicts are drops here.
"""

from __future__ import annotations

import dataclasses

from .common import header
from .flow import Flow, check_flow
from .ir import Rule, RuleSet, net_name
from .nftables import _address_sets, _rule_lines, _service_set
from .policy import Policy

PLATFORM = "nftables-host"
TABLE = "eoffice_guard_host"
BINDINGS_SET = "EO-BIND-HOST"
LIMITS = (
    "IP+MAC binding sees the MAC of the last hop: effective for devices on the server's own segment",
    "no application identification: VPN applications are blocked by port only",
    "only this table is managed; the host's other tables stay and may drop more",
)
# Neighbour discovery and path MTU: without them IPv6 does not work at all (RFC 4890).
ICMPV6_NEEDED = ("destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem",
                 "nd-router-solicit", "nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert")
VPN_PORTS = "EO-R3-VPN-PORTS"


def host_ruleset(rs: RuleSet, policy: Policy) -> RuleSet:
    """The gateway's rules that concern the servers, in order, without zones (a host has none)."""
    servers = net_name(policy.eoffice_servers.network)
    rules = tuple(dataclasses.replace(r, src_zones=(), dst_zones=())
                  for r in rs.rules if _chains(r, servers))
    used_addresses = {a for r in rules for a in (*r.sources, *r.destinations)}
    used_services = {s for r in rules for s in r.services}
    return dataclasses.replace(
        rs, zones=(), rules=rules,
        addresses=tuple(a for a in rs.addresses if a.name in used_addresses),
        services=tuple(s for s in rs.services if s.name in used_services))


def _chains(rule: Rule, servers: str) -> tuple[str, ...]:
    """The host chains a rule belongs in: input for traffic to the servers, output for traffic from them."""
    if rule.to_device or rule.applications:
        return ()
    if rule.name == VPN_PORTS:
        return ("input", "output")
    return tuple(chain for chain, side in (("input", rule.destinations), ("output", rule.sources))
                 if servers in side)


def render_host(rs: RuleSet, policy: Policy) -> str:
    """A complete ``nft -f`` file replacing only table ``inet eoffice_guard_host``."""
    host = host_ruleset(rs, policy)
    servers = net_name(policy.eoffice_servers.network)
    lines = ["#!/usr/sbin/nft -f", *header(host, PLATFORM, "#", LIMITS), "",
             f"table inet {TABLE} {{}}", f"delete table inet {TABLE}", "", f"table inet {TABLE} {{"]
    for addr in host.addresses:
        lines += _address_sets(addr)
    for svc in host.services:
        lines += _service_set(svc)
    if host.bindings:
        items = [f'{b.ip} . {b.mac} comment "{b.owner}"' if b.owner else f"{b.ip} . {b.mac}"
                 for b in host.bindings]
        lines += [f"\tset {BINDINGS_SET} {{", "\t\ttype ipv4_addr . ether_addr",
                  f"\t\telements = {{ {', '.join(items)} }}", "\t}"]
    for chain, iface in (("input", "iif"), ("output", "oif")):
        lines += [f"\tchain {chain} {{", f"\t\ttype filter hook {chain} priority filter; policy drop;",
                  f'\t\t{iface} "lo" accept', "\t\tct state established,related accept",
                  "\t\tct state invalid drop",
                  f"\t\ticmpv6 type {{ {', '.join(ICMPV6_NEEDED)} }} accept"]
        for rule in host.rules:
            if chain in _chains(rule, servers):
                lines += _host_rule_lines(host, rule)
        direction = "IN" if chain == "input" else "OUT"
        lines += [f"\t\t# EO-HOST-DENY-{direction} EO-NET-1: anything else is logged and dropped",
                  f'\t\tlog prefix "EO-HOST-DENY-{direction} " drop comment "EO-HOST-DENY-{direction} EO-NET-1"',
                  "\t}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _host_rule_lines(rs: RuleSet, rule: Rule) -> list[str]:
    if not rule.mac_mismatch:
        return _rule_lines(rs, rule)
    # a bound IP with another MAC: one set for the server's segment instead of one per zone interface
    match = " ".join([*(f"ip saddr @{s}-4" for s in rule.sources), *(f"ip daddr @{d}-4" for d in rule.destinations)])
    return [f"\t\t# {rule.name} {rule.control}: {rule.why}",
            f"\t\t{match} ip saddr . ether saddr != @{BINDINGS_SET} "
            f'log prefix "{rule.name} " drop comment "{rule.name} {rule.control}"']


def lockout_flows(policy: Policy, addresses: list[str], controller: str | None) -> list[Flow]:
    """Flows the host firewall must let in: the controller's SSH session and every management flow."""
    flows = [Flow(controller, a, "tcp", 22) for a in addresses if controller and _same_family(controller, a)]
    for entry in policy.management:
        sources = [str(next(iter(p.hosts()), p.network_address)) for p in policy.network(entry.network).prefixes]
        flows += [Flow(src, a, svc.protocol, port) for src in sources for a in addresses if _same_family(src, a)
                  for svc in entry.services for port in (svc.ports or (None,))]
    return flows


def lockout_problems(rs: RuleSet, policy: Policy, addresses: list[str], controller: str | None) -> list[str]:
    """Each flow the host rendering would drop, named with the rule that drops it (empty: safe to load)."""
    host = host_ruleset(rs, policy)
    problems = []
    for flow in lockout_flows(policy, addresses, controller):
        verdict = check_flow(host, flow)
        if verdict.action != "allow":
            what = "the controller's SSH session" if flow.src == controller and flow.port == 22 else "management"
            by = f"rule {verdict.rule.name} ({verdict.rule.why})" if verdict.rule else "the default deny"
            problems.append(f"{what} {flow.src} -> {flow.dst} {flow.protocol}/{flow.port} would be dropped by {by}")
    return problems


def _same_family(a: str, b: str) -> bool:
    return (":" in a) == (":" in b)
