"""The whole packet space of a managed rule set, decided region by region (header-space style).

A packet here is (source zone, destination zone, address family, source address, destination
address, service, application, to-device, MAC). A ``Box`` is a product of one set per dimension:
zones, applications, to-device and MAC as bit masks, addresses and services as sorted disjoint
integer intervals (a service is ``protocol index * 65536 + port``; a protocol without ports fills its
whole block). Every managed rule is one box per address family, so first-match evaluation of a
region is: intersect with the rule (decided by it), subtract the rule (left for the next ones).
``decide`` splits any domain into disjoint boxes each decided by one rule, or by none (unmanaged);
``witness`` turns a box into one concrete ``Flow`` that ``flow.check_flow`` decides the same way.
"""

from __future__ import annotations

import bisect
import ipaddress
import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .flow import Flow
from .ir import VPN_APPLICATIONS, Rule, RuleSet

PORTS = 65536
BASE_PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "esp", "ah", "gre")
OTHER_PROTOCOL = "other"  # any IP protocol no service names (SCTP, OSPF, ...)
PORT_PROTOCOLS = ("tcp", "udp")
ADDR_MAX = {4: 2**32 - 1, 6: 2**128 - 1}
NO, YES = 1, 2  # to-device bits
LISTED, OTHER = 1, 2  # MAC bits: the MAC the bindings list for the source IP, or any other
BOTH = 3
OTHER_MACS = tuple(f"02:00:5e:00:53:{n:02x}" for n in range(0x99, 0x100))  # locally administered

Intervals = tuple[tuple[int, int], ...]


class Box(NamedTuple):
    family: int
    src_zones: int
    dst_zones: int
    src: Intervals
    dst: Intervals
    svc: Intervals
    apps: int
    device: int
    mac: int


# -- interval sets: sorted, disjoint, inclusive (lo, hi) pairs ------------------------------------
def iv_and(a: Intervals, b: Intervals) -> Intervals:
    if a is b:
        return a
    if not a or not b or a[-1][1] < b[0][0] or b[-1][1] < a[0][0]:
        return ()
    if len(b) == 1 and b[0][0] <= a[0][0] and a[-1][1] <= b[0][1]:  # b holds all of a: the usual case
        return a
    if len(a) == 1 and a[0][0] <= b[0][0] and b[-1][1] <= a[0][1]:
        return b
    if len(a) > len(b):
        a, b = b, a
    if len(b) > 8 * len(a):  # a few intervals against many (one network against the bound IPs): look up
        return _and_by_lookup(a, b)
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _and_by_lookup(small: Intervals, large: Intervals) -> Intervals:
    out = []
    for lo, hi in small:
        k = max(bisect.bisect_right(large, (lo, math.inf)) - 1, 0)
        while k < len(large) and large[k][0] <= hi:
            if large[k][1] >= lo:
                out.append((max(lo, large[k][0]), min(hi, large[k][1])))
            k += 1
    return tuple(out)


def iv_sub(a: Intervals, b: Intervals) -> Intervals:
    out, j = [], 0
    for lo, hi in a:
        while j < len(b) and b[j][1] < lo:
            j += 1
        k = j
        while lo <= hi and k < len(b) and b[k][0] <= hi:
            if b[k][0] > lo:
                out.append((lo, b[k][0] - 1))
            lo = max(lo, b[k][1] + 1)
            k += 1
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


def iv_union(pairs: Iterable[tuple[int, int]]) -> Intervals:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(pairs):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def iv_contains(a: Intervals, value: int) -> bool:
    return any(lo <= value <= hi for lo, hi in a)


def prefix_intervals(prefixes, family: int) -> Intervals:
    return iv_union((int(p.network_address), int(p.broadcast_address)) for p in prefixes if p.version == family)


def full(family: int) -> Intervals:
    return ((0, ADDR_MAX[family]),)


def address_text(family: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if family == 4 else ipaddress.IPv6Address(value))


# -- boxes ----------------------------------------------------------------------------------------
def intersect(a: Box, b: Box) -> Box | None:
    if a.family != b.family:
        return None
    sz, dz = a.src_zones & b.src_zones, a.dst_zones & b.dst_zones
    apps, dev, mac = a.apps & b.apps, a.device & b.device, a.mac & b.mac
    if not (sz and dz and apps and dev and mac):
        return None
    svc = iv_and(a.svc, b.svc)
    if not svc:
        return None
    src = iv_and(a.src, b.src)
    if not src:
        return None
    dst = iv_and(a.dst, b.dst)
    if not dst:
        return None
    return Box(a.family, sz, dz, src, dst, svc, apps, dev, mac)


_MASKS = ("device", "src_zones", "dst_zones", "apps", "mac")
_RANGES = ("src", "dst", "svc")  # addresses first: the first part left keeps every service


def subtract(a: Box, b: Box) -> list[Box]:
    """``a`` without ``b``: disjoint boxes, one per dimension where a part of ``a`` lies outside ``b``."""
    if intersect(a, b) is None:
        return [a]
    out, cur = [], a
    for dim in _MASKS:
        mine, theirs = getattr(cur, dim), getattr(b, dim)
        if mine & ~theirs:
            out.append(cur._replace(**{dim: mine & ~theirs}))
        cur = cur._replace(**{dim: mine & theirs})
    for dim in _RANGES:
        mine, theirs = getattr(cur, dim), getattr(b, dim)
        rest = iv_sub(mine, theirs)
        if rest:
            out.append(cur._replace(**{dim: rest}))
        cur = cur._replace(**{dim: iv_and(mine, theirs)})
    return out


def subtract_all(boxes: list[Box], cuts: Iterable[Box]) -> list[Box]:
    for cut in cuts:
        boxes = [piece for box in boxes for piece in subtract(box, cut)]
    return boxes


class Space:
    """The dimensions' universes for one rule set (and the policy's zones), and its rules as boxes."""

    def __init__(self, rs: RuleSet, zones: Iterable[str] = ()):
        self.rs = rs
        names = set(zones) | {z for r in rs.rules for z in (*r.src_zones, *r.dst_zones)}
        self.zones = tuple(sorted(names))
        self.zone_bit = {z: 1 << i for i, z in enumerate(self.zones)}
        self.all_zones = (1 << len(self.zones)) - 1
        extra = {rs.service(s).protocol for r in rs.rules for s in r.services} - set(BASE_PROTOCOLS)
        self.protocols = (*BASE_PROTOCOLS, *sorted(extra), OTHER_PROTOCOL)
        self.apps = (None, *sorted(set(VPN_APPLICATIONS) | {a for r in rs.rules for a in r.applications}))
        self.app_bit = {a: 1 << i for i, a in enumerate(self.apps)}
        self.all_apps = (1 << len(self.apps)) - 1
        self.all_svc: Intervals = ((0, len(self.protocols) * PORTS - 1),)
        self._addr: dict[tuple[tuple[str, ...], int], Intervals] = {}
        self._hints: dict[tuple[tuple[str, ...], int], list[int]] = {}
        self.macs: dict[str, set[str]] = {}  # bound IP -> its listed MACs
        self._bound: list[tuple[str, int, int]] = []  # (zone, family, address) of every binding
        for b in rs.bindings:
            ip = ipaddress.ip_address(b.ip)
            self.macs.setdefault(str(ip), set()).add(b.mac.lower())
            self._bound.append((b.zone, ip.version, int(ip)))
        self.bound_all = {v: self.bound_in((), v) for v in (4, 6)}
        self.rules = [(rule, tuple(self.rule_boxes(rule))) for rule in rs.rules]

    # universes --------------------------------------------------------------------------------
    def zone_mask(self, names: Iterable[str] | None) -> int:
        return self.all_zones if names is None else sum(self.zone_bit[z] for z in set(names) if z in self.zone_bit)

    def app_mask(self, names: Iterable[str | None] | None) -> int:
        return self.all_apps if names is None else sum(self.app_bit[a] for a in set(names) if a in self.app_bit)

    def services(self, services) -> Intervals:
        """Service objects (protocol, ports) as intervals of the service dimension."""
        pairs = []
        for svc in services:
            base = self.protocols.index(svc.protocol) * PORTS if svc.protocol in self.protocols else None
            if base is None:
                continue
            if svc.ports and svc.protocol in PORT_PROTOCOLS:
                pairs += [(base + p, base + p) for p in svc.ports if 0 <= p < PORTS]
            else:
                pairs.append((base, base + PORTS - 1))
        return iv_union(pairs)

    def addresses(self, names: tuple[str, ...], family: int) -> Intervals:
        """Address objects of the rule set as intervals of one family; no names: the whole family."""
        if not names:
            return full(family)
        key = (names, family)
        if key not in self._addr:
            self._addr[key] = prefix_intervals([p for n in names for p in self.rs.address(n).prefixes], family)
        return self._addr[key]

    def bound_in(self, zones: tuple[str, ...], family: int) -> Intervals:
        """The bound IPs listed for ``zones`` (any zone when empty)."""
        return iv_union((ip, ip) for zone, fam, ip in self._bound if fam == family and (not zones or zone in zones))

    def box(self, family: int, src_zones=None, dst_zones=None, src: Intervals | None = None,
            dst: Intervals | None = None, svc: Intervals | None = None, apps=None, device: int = NO,
            mac: int = BOTH) -> Box | None:
        """A box from names and intervals (None: the whole dimension); None when it holds no packet."""
        b = Box(family, self.zone_mask(src_zones), self.zone_mask(dst_zones),
                full(family) if src is None else src, full(family) if dst is None else dst,
                self.all_svc if svc is None else svc, self.app_mask(apps), device, mac)
        return b if all((b.src_zones, b.dst_zones, b.src, b.dst, b.svc, b.apps, b.device, b.mac)) else None

    def rule_boxes(self, rule: Rule) -> Iterator[Box]:
        for family in (4, 6):
            src = self.addresses(rule.sources, family)
            dst = full(family) if rule.to_device else self.addresses(rule.destinations, family)
            mac = BOTH
            if rule.mac_mismatch:  # only a listed IP arriving with another MAC
                src, mac = iv_and(src, self.bound_in(rule.src_zones, family)), OTHER
            box = self.box(family, rule.src_zones or None, None if rule.to_device else rule.dst_zones or None,
                           src, dst, self.services(self.rs.service(s) for s in rule.services) if rule.services
                           else None, rule.applications or None, YES if rule.to_device else NO, mac)
            if box is not None:
                yield box

    # first-match evaluation -------------------------------------------------------------------
    def decide(self, domain: Iterable[Box]) -> Iterator[tuple[Box, Rule | None]]:
        """Disjoint parts of ``domain``, each with the first rule matching all its packets (None: no rule)."""
        pending = [b for b in domain if b is not None]
        for rule, boxes in self.rules:
            if not pending:
                return
            for rb in boxes:
                rest = []
                for box in pending:
                    hit = intersect(box, rb)
                    if hit is None:
                        rest.append(box)
                        continue
                    yield hit, rule
                    rest += subtract(box, rb)
                pending = rest
        for box in pending:
            yield box, None

    def real(self, box: Box) -> Box | None:
        """``box`` without packets that cannot exist: a 'listed MAC' for an IP no binding lists."""
        if box.mac != LISTED:
            return box
        src = iv_and(box.src, self.bound_all[box.family])
        return box._replace(src=src) if src else None

    # witnesses --------------------------------------------------------------------------------
    def witness(self, box: Box, hints: Hints | None = None) -> Flow | None:
        """One real packet of ``box`` as a Flow, preferring the hinted values; None if the box holds none."""
        box = self.real(box)
        if box is None:
            return None
        hints = hints or Hints()
        fam = box.family
        preferred = self._hinted(hints.addresses, fam)
        src = _pick(box.src, preferred)
        src_text = address_text(fam, src)
        mac = None
        listed = self.macs.get(src_text)
        if box.mac & LISTED and listed:
            mac = min(listed)
        elif listed:  # a listed IP with a MAC the bindings do not list
            taken = {m for ms in self.macs.values() for m in ms}
            mac = next(m for m in OTHER_MACS if m not in taken)
        svc = _pick(box.svc, [self.protocols.index(p) * PORTS + (port or 0) for p, port in hints.services
                              if p in self.protocols])
        protocol = self.protocols[svc // PORTS]
        device = box.device == YES
        dst = _pick(box.dst, [v for v in preferred if v != src])
        return Flow(src_text, address_text(fam, dst), protocol, svc % PORTS if protocol in PORT_PROTOCOLS else None,
                    mac, self.apps[_lowest_bit(box.apps)], self._zone(box.src_zones, hints.zones),
                    None if device else self._zone(box.dst_zones, hints.zones), device)

    def _hinted(self, addresses: tuple[str, ...], family: int) -> list[int]:
        key = (addresses, family)
        if key not in self._hints:
            self._hints[key] = [int(ipaddress.ip_address(a)) for a in addresses if _family(a) == family]
        return self._hints[key]

    def _zone(self, mask: int, preferred: tuple[str, ...]) -> str:
        return next((z for z in preferred if self.zone_bit.get(z, 0) & mask), None) or \
            self.zones[_lowest_bit(mask)]

    def point(self, flow: Flow) -> Box | None:
        """The one-packet box of a concrete flow (a flow of an unknown zone covers every zone)."""
        src, dst = ipaddress.ip_address(flow.src), ipaddress.ip_address(flow.dst)
        proto = flow.protocol if flow.protocol in self.protocols else OTHER_PROTOCOL
        value = self.protocols.index(proto) * PORTS + (flow.port or 0 if proto in PORT_PROTOCOLS else 0)
        listed = (flow.src_mac or "").lower() in self.macs.get(str(src), ())
        return self.box(src.version, None if flow.src_zone is None else (flow.src_zone,),
                        None if flow.dst_zone is None or flow.to_device else (flow.dst_zone,),
                        ((int(src), int(src)),), ((int(dst), int(dst)),), ((value, value),),
                        (flow.application,), YES if flow.to_device else NO, LISTED if listed else OTHER)


class Hints(NamedTuple):
    """Values a witness prefers when its box holds them: readable packets in reports."""

    addresses: tuple[str, ...] = ()
    services: tuple[tuple[str, int | None], ...] = ()
    zones: tuple[str, ...] = ()


def _family(address: str) -> int:
    return 6 if ":" in address else 4


def _pick(intervals: Intervals, preferred: list[int]) -> int:
    for value in preferred:
        if iv_contains(intervals, value):
            return value
    lo, hi = intervals[0]
    return lo + 1 if hi - lo >= 2 else lo  # a prefix's first host rather than its network address


def _lowest_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


__all__ = ["Box", "Hints", "Space", "intersect", "iv_and", "iv_sub", "iv_union", "prefix_intervals",
           "subtract", "subtract_all"]
