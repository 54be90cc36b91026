"""FinOps: what a call used and what it cost, from a price table.

``PriceTable.load(path)`` reads a YAML table (default ``agent/observability/prices.yaml``; override
with ``Settings.price_file`` / ``SWITCHBOARD_PRICE_FILE``) and refuses a malformed one
with a ``PriceError`` that names the problem. ``usage_of(state)`` and
``PriceTable.cost(usage, channel)`` are pure.

Usage keys a call accumulates in ``CallState.usage`` (``state.count(key, amount)``):
``audio_in_s`` / ``audio_out_s`` (caller / agent audio seconds, the conversation),
``tts_chars`` (characters synthesised, ``agent.observability.telemetry.synthesis``),
``llm_tokens`` (the LLM agent, per model call; token counts by type also go to the
``gen_ai.client.token.usage`` metric).
``call_s`` (the call's duration) is derived here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from agent.config import REPO_ROOT, ConfigError, Settings

DEFAULT_PRICE_FILE = REPO_ROOT / "agent" / "observability" / "prices.yaml"
MAX_PRICE_FILE_BYTES = 1024 * 1024


class PriceError(ConfigError):
    """The price table cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class PriceItem:
    name: str
    usage: str
    price: float
    per: float = 1.0
    channels: tuple[str, ...] = ()

    def cost(self, usage: Mapping[str, float], channel: str) -> float:
        if self.channels and channel not in self.channels:
            return 0.0
        return float(usage.get(self.usage, 0.0)) * self.price / self.per


@dataclass(frozen=True)
class PriceTable:
    currency: str
    items: tuple[PriceItem, ...]

    @classmethod
    def for_settings(cls, settings: Settings) -> "PriceTable":
        return cls.load(settings.price_file or DEFAULT_PRICE_FILE)

    @classmethod
    def load(cls, path: Path) -> "PriceTable":
        try:
            if path.stat().st_size > MAX_PRICE_FILE_BYTES:
                raise PriceError(f"{path}: larger than {MAX_PRICE_FILE_BYTES} bytes; not a price table")
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PriceError(f"{path}: cannot read the price table: {exc.strerror or exc}") from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise PriceError(f"{path}: not valid YAML: {exc}") from exc
        return cls.parse(raw, source=str(path))

    @classmethod
    def parse(cls, raw: Any, *, source: str = "price table") -> "PriceTable":
        """Validate a decoded table (pure)."""
        if not isinstance(raw, dict):
            raise PriceError(f"{source}: must be a mapping with 'currency' and 'items'")
        currency = raw.get("currency", "USD")
        if not isinstance(currency, str) or not 1 <= len(currency) <= 8:
            raise PriceError(f"{source}: 'currency' must be a short code like USD")
        items = raw.get("items")
        if not isinstance(items, dict) or not items:
            raise PriceError(f"{source}: 'items' must be a non-empty mapping of name -> {{usage, price, per}}")
        return cls(currency, tuple(_item(str(name), body, source) for name, body in items.items()))

    def cost(self, usage: Mapping[str, float], channel: str) -> dict[str, Any]:
        """``{"currency", "total", "items": {name: amount}}`` for one call's usage (pure)."""
        items = {i.name: round(i.cost(usage, channel), 6) for i in self.items}
        return {"currency": self.currency, "total": round(sum(items.values()), 6), "items": items}


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise PriceError(f"{what} must be a finite number >= 0, got {str(value)[:40]!r}")
    return float(value)


def _item(name: str, body: Any, source: str) -> PriceItem:
    where = f"{source}: item {name[:40]!r}"
    if not isinstance(body, dict):
        raise PriceError(f"{where} must be a mapping with usage, price and per")
    usage = body.get("usage")
    if not isinstance(usage, str) or not usage:
        raise PriceError(f"{where}: 'usage' must name a usage counter such as audio_in_s")
    price = _number(body.get("price"), f"{where}: 'price'")
    per = _number(body.get("per", 1), f"{where}: 'per'")
    if per == 0:
        raise PriceError(f"{where}: 'per' must be above 0")
    channels = body.get("channels") or ()
    if not isinstance(channels, (list, tuple)) or not all(isinstance(c, str) for c in channels):
        raise PriceError(f"{where}: 'channels' must be a list of channel names")
    return PriceItem(name, usage, price, per, tuple(channels))


def usage_of(state: Any) -> dict[str, float]:
    """The call's usage counters plus its duration as ``call_s`` (pure)."""
    usage = {k: round(float(v), 3) for k, v in (state.usage or {}).items()}
    if state.ended_at is not None:
        usage["call_s"] = round(max(0.0, state.ended_at - state.started_at), 3)
    return usage
