"""Reading typed values from environment variables, with errors that name the variable.

Shared by the agent's ``Settings`` (``agent/config.py``) and the bridge's
(``bridge/config.py``); standard library only, so the bridge ships it alone.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Mapping, TypeVar

from agent.transport.peers import parse_networks

_S = TypeVar("_S", bound="SettingsBase")


class ConfigError(ValueError):
    """A configuration variable has a value we cannot use."""


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def env_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = env_float(env, name, default)
    if not 0 <= value <= 1e6:  # also refuses nan and inf
        raise ConfigError(f"{name} must be between 0 and 1000000 seconds (0 turns it off), got {env.get(name)!r}")
    return value


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def env_choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw


def env_networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of IPs or CIDRs, each checked (kept as text: settings stay plain values)."""
    values = tuple(v.strip() for v in (env.get(name) or "").split(",") if v.strip())
    try:
        parse_networks(values)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return values


class SettingsBase:
    """What both settings dataclasses share: a checked copy, and the data directory."""

    data_dir: Path

    def with_(self: _S, **changes: object) -> _S:
        """A copy with some fields changed (tests and commands use this)."""
        known = {f.name for f in fields(self)}  # type: ignore[arg-type]
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **changes)  # type: ignore[type-var]

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
