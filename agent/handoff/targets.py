"""Hand-over targets: who gets the call, by route and priority (agent/handoff/targets.yaml).

``parse_targets`` validates a loaded mapping and ``Targets.pick`` is the pure lookup;
``load_targets`` is the only part that reads a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from agent.config import ConfigError
from agent.handoff.bundle import PRIORITIES

_TARGET_RE = re.compile(
    r"pstn:\+\d{7,15}|teams:\S{3,200}|acs:8:acs:\S{3,200}|sip:\S{3,200}|queue:[A-Za-z0-9][\w.-]{0,99}")
_ROUTE_KEYS = (*PRIORITIES, "default")
_HOURS_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODES = ("consult", "blind")
QUEUE_ORDERS = ("in_order", "by_hours")
DEFAULT_RING_S = 30.0


@dataclass(frozen=True)
class Hours:
    """When a target takes calls: ``start``-``end`` local time on ``days`` (end may be 24:00)."""

    start: dtime
    end: dtime | None  # None: midnight
    days: tuple[int, ...] = tuple(range(7))

    def open_at(self, when: datetime) -> bool:
        now = when.time()
        return when.weekday() in self.days and self.start <= now and (self.end is None or now < self.end)


@dataclass(frozen=True)
class Queue:
    members: tuple[str, ...]
    order: str = "in_order"  # in_order: every member in turn; by_hours: only those whose hours are open now


class TargetsError(ConfigError):
    """The targets file is missing, malformed, or names a target we cannot dial."""


@dataclass(frozen=True)
class Targets:
    emergency: str
    fallback: str
    routes: dict[str, dict[str, str]]
    names: dict[str, str]
    queues: dict[str, Queue] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)  # target -> consult | blind (default consult)
    rings: dict[str, float] = field(default_factory=dict)  # target -> ring seconds
    hours: dict[str, Hours] = field(default_factory=dict)
    timezone: str = "UTC"

    def legs(self, target: str, when: datetime) -> list[dict[str, Any]]:
        """What the bridge dials for ``target``: itself, or a queue's members in order (open ones, by hours)."""
        if target.startswith("queue:") and target[6:] in self.queues:
            queue = self.queues[target[6:]]
            local = when.astimezone(ZoneInfo(self.timezone))
            members = [m for m in queue.members
                       if queue.order == "in_order" or m not in self.hours or self.hours[m].open_at(local)]
        else:
            members = [target]
        return [{"target": m, "name": self.name_for(m), "mode": self.modes.get(m, "consult"),
                 "ring_s": self.rings.get(m, DEFAULT_RING_S)} for m in members]

    def next_after(self, route: str | None, priority: str, tried: list[str]) -> str | None:
        """The next target to offer once ``tried`` failed: the route's, its default, the service desk, the fallback."""
        table = self.routes.get(route or "human") or {}
        human = self.routes.get("human") or {}
        order = [self.pick(route, priority), table.get("default"), human.get("default"), self.fallback]
        return next((t for t in order if t and t not in tried), None)

    def pick(self, route: str | None, priority: str) -> str:
        """The target for a call last handled by ``route`` at ``priority``."""
        if priority == "emergency":
            return self.emergency
        table = self.routes.get(route or "human") or self.routes.get("human") or {}
        return table.get(priority) or table.get("default") or self.fallback

    def name_for(self, target: str) -> str:
        """What the caller hears for ``target``; a plain description when the file gives no name."""
        if target in self.names:
            return self.names[target]
        if target == self.emergency:
            return "our emergency desk"
        kind, _, rest = target.partition(":")
        if kind == "queue":
            return "the " + rest.replace("-", " ").replace("_", " ")
        return "a colleague"


@dataclass
class _Options:
    names: dict[str, str] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    rings: dict[str, float] = field(default_factory=dict)
    hours: dict[str, Hours] = field(default_factory=dict)


def _hours(value: Any, days: Any, where: str) -> Hours:
    match = _HOURS_RE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise TargetsError(f"{where}: 'hours' must look like 08:00-18:00")
    h1, m1, h2, m2 = map(int, match.groups())
    if (h2, m2) > (24, 0) or (h2, m2) <= (h1, m1):
        raise TargetsError(f"{where}: 'hours' must end after they start, by 24:00")
    day_set = tuple(range(7))
    if days is not None:
        spec = str(days).lower().replace(" ", "")
        first, _, last = spec.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise TargetsError(f"{where}: 'days' must be a day or a range like mon-fri")
        a, b = _DAYS.index(first), _DAYS.index(last or first)
        day_set = tuple(range(a, b + 1)) if a <= b else (*range(a, 7), *range(0, b + 1))
    return Hours(dtime(h1, m1), None if h2 == 24 else dtime(h2, m2), day_set)


def _entry(value: Any, where: str, opts: _Options) -> str:
    if isinstance(value, dict):
        target, name = value.get("target"), value.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise TargetsError(f"{where}: 'name' must be a non-empty string")
        unknown = set(value) - {"target", "name", "mode", "ring_s", "hours", "days"}
        if unknown:
            raise TargetsError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    else:
        target, name, value = value, None, {}
    if not isinstance(target, str) or not _TARGET_RE.fullmatch(target):
        raise TargetsError(
            f"{where}: {str(target)[:80]!r} is not a target "
            "(pstn:+<number>, teams:<id>, acs:8:acs:<id>, sip:<address> or queue:<id>)"
        )
    if name:
        opts.names[target] = name.strip()
    if "mode" in value:
        if value["mode"] not in MODES:
            raise TargetsError(f"{where}: 'mode' must be one of {', '.join(MODES)}")
        opts.modes[target] = value["mode"]
    if "ring_s" in value:
        ring = value["ring_s"]
        if isinstance(ring, bool) or not isinstance(ring, (int, float)) or not 5 <= ring <= 180:
            raise TargetsError(f"{where}: 'ring_s' must be a number of seconds from 5 to 180")
        opts.rings[target] = float(ring)
    if "hours" in value or "days" in value:
        opts.hours[target] = _hours(value.get("hours", "00:00-24:00"), value.get("days"), where)
    return target


def parse_targets(data: Any, source: str = "<targets>") -> Targets:
    """Validate a loaded targets mapping; raises TargetsError naming the bad entry."""
    if not isinstance(data, dict):
        raise TargetsError(f"{source}: expected a mapping with emergency, fallback and routes")
    names = _Options()
    for key in ("emergency", "fallback"):
        if key not in data:
            raise TargetsError(f"{source}: '{key}' is required")
    emergency = _entry(data["emergency"], f"{source}: emergency", names)
    fallback = _entry(data["fallback"], f"{source}: fallback", names)
    queues: dict[str, Queue] = {}
    queues_in = data.get("queues") or {}
    if not isinstance(queues_in, dict):
        raise TargetsError(f"{source}: 'queues' must be a mapping of queue id -> {{members, order}}")
    for qid, spec in queues_in.items():
        where = f"{source}: queues.{qid}"
        if not isinstance(spec, dict) or not isinstance(spec.get("members"), list) or not spec["members"]:
            raise TargetsError(f"{where}: needs a non-empty 'members' list")
        order = spec.get("order", "in_order")
        if order not in QUEUE_ORDERS:
            raise TargetsError(f"{where}: 'order' must be one of {', '.join(QUEUE_ORDERS)}")
        members = tuple(_entry(m, f"{where}.members[{i}]", names) for i, m in enumerate(spec["members"]))
        if any(m.startswith("queue:") for m in members):
            raise TargetsError(f"{where}: a queue cannot contain a queue")
        queues[str(qid)] = Queue(members, order)
    timezone = data.get("timezone", "UTC")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise TargetsError(f"{source}: unknown timezone {str(timezone)[:60]!r}") from None
    routes_in = data.get("routes") or {}
    if not isinstance(routes_in, dict):
        raise TargetsError(f"{source}: 'routes' must be a mapping of route -> priority -> target")
    routes: dict[str, dict[str, str]] = {}
    for route, table in routes_in.items():
        if not isinstance(table, dict):
            raise TargetsError(f"{source}: routes.{route} must be a mapping of priority -> target")
        unknown = set(table) - set(_ROUTE_KEYS)
        if unknown:
            raise TargetsError(
                f"{source}: routes.{route}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                f"use {', '.join(_ROUTE_KEYS)}"
            )
        routes[str(route)] = {k: _entry(v, f"{source}: routes.{route}.{k}", names) for k, v in table.items()}
    for table in (emergency, fallback, *(t for r in routes.values() for t in r.values())):
        if table.startswith("queue:") and queues and table[6:] not in queues:
            raise TargetsError(f"{source}: {table} is not defined under 'queues'")
    return Targets(emergency=emergency, fallback=fallback, routes=routes, names=names.names, queues=queues,
                   modes=names.modes, rings=names.rings, hours=names.hours, timezone=str(timezone))


def load_targets(path: Path) -> Targets:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetsError(f"cannot read hand-over targets file {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TargetsError(f"{path}: not valid YAML ({exc})") from None
    return parse_targets(data, str(path))
