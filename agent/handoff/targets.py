"""Hand-over targets: who gets the call, by route and priority (agent/handoff/targets.yaml).

``parse_targets`` validates a loaded mapping and ``Targets.pick`` is the pure lookup;
``load_targets`` is the only part that reads a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent.config import ConfigError
from agent.handoff.bundle import PRIORITIES

_TARGET_RE = re.compile(r"pstn:\+\d{7,15}|teams:\S{3,200}|sip:\S{3,200}|queue:[A-Za-z0-9][\w.-]{0,99}")
_ROUTE_KEYS = (*PRIORITIES, "default")


class TargetsError(ConfigError):
    """The targets file is missing, malformed, or names a target we cannot dial."""


@dataclass(frozen=True)
class Targets:
    emergency: str
    fallback: str
    routes: dict[str, dict[str, str]]
    names: dict[str, str]

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


def _entry(value: Any, where: str, names: dict[str, str]) -> str:
    if isinstance(value, dict):
        target, name = value.get("target"), value.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise TargetsError(f"{where}: 'name' must be a non-empty string")
    else:
        target, name = value, None
    if not isinstance(target, str) or not _TARGET_RE.fullmatch(target):
        raise TargetsError(
            f"{where}: {str(target)[:80]!r} is not a target (pstn:+<number>, teams:<id>, sip:<address> or queue:<id>)"
        )
    if name:
        names[target] = name.strip()
    return target


def parse_targets(data: Any, source: str = "<targets>") -> Targets:
    """Validate a loaded targets mapping; raises TargetsError naming the bad entry."""
    if not isinstance(data, dict):
        raise TargetsError(f"{source}: expected a mapping with emergency, fallback and routes")
    names: dict[str, str] = {}
    for key in ("emergency", "fallback"):
        if key not in data:
            raise TargetsError(f"{source}: '{key}' is required")
    emergency = _entry(data["emergency"], f"{source}: emergency", names)
    fallback = _entry(data["fallback"], f"{source}: fallback", names)
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
    return Targets(emergency=emergency, fallback=fallback, routes=routes, names=names)


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
