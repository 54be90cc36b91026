"""Key presses (DTMF) -> caller turns: an employee or work-order number keyed in is one turn.

Pure: no I/O and no clock of its own (the caller passes ``now``). Keys collect until one of:
- the terminator ``#`` (not part of the turn),
- as many digits as the question expects (``expected``: the slot being asked for, when the
  brain knows its length, e.g. five for ``WO-[0-9]{5}``),
- ``max_digits``,
- a pause longer than ``inter_digit_s`` after the last key (``expire``).
``*`` with digits pending clears them (the caller starts again). ``#`` or ``*`` pressed with
nothing pending is a turn of its own, so "press star to hear that again" style prompts still work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

TERMINATOR = "#"
CLEAR = "*"


@dataclass(frozen=True)
class KeypadConfig:
    inter_digit_s: float = 3.0
    max_digits: int = 16

    def __post_init__(self) -> None:
        if self.inter_digit_s <= 0:
            raise ValueError(f"inter_digit_s must be positive, got {self.inter_digit_s}")
        if self.max_digits < 1:
            raise ValueError(f"max_digits must be at least 1, got {self.max_digits}")


class DigitCollector:
    def __init__(self, config: KeypadConfig) -> None:
        self.config = config
        self._pending = ""
        self._deadline: float | None = None

    @property
    def pending(self) -> str:
        return self._pending

    @property
    def deadline(self) -> float | None:
        """When the pending keys become a turn unless another key comes first (None: nothing pending)."""
        return self._deadline

    def press(self, keys: str, now: float, expected: int | None = None) -> list[str]:
        """Add ``keys`` (one or several, in order); return the turns they complete."""
        turns: list[str] = []
        limit = min(expected, self.config.max_digits) if expected else self.config.max_digits
        for key in keys:
            if key == TERMINATOR:
                turns.append(self._take() if self._pending else TERMINATOR)
            elif key == CLEAR:
                if self._pending:
                    self._take()
                else:
                    turns.append(CLEAR)
            else:
                self._pending += key
                self._deadline = now + self.config.inter_digit_s
                if len(self._pending) >= limit:
                    turns.append(self._take())
        return turns

    def expire(self, now: float) -> str | None:
        """The pending keys as a turn if the inter-digit pause has passed, else None."""
        if self._pending and self._deadline is not None and now >= self._deadline:
            return self._take()
        return None

    def _take(self) -> str:
        keys, self._pending, self._deadline = self._pending, "", None
        return keys


_DIGIT_RUN = re.compile(r"(?:\\d|\[0-9\])(?:\{(\d+)(?:,(\d*))?\}|([+*?]))?")


def digits_expected(schema: Mapping[str, Any]) -> int | None:
    """How many keys a value of this JSON schema takes, when that is fixed: the digits its
    ``pattern`` requires (``^[Ww][Oo]-[0-9]{5}$`` -> 5). None when the count can vary."""
    pattern = schema.get("pattern")
    if not isinstance(pattern, str):
        return None
    total = 0
    for match in _DIGIT_RUN.finditer(pattern):
        low, high, repeat = match.groups()
        if repeat or (high is not None and high != low):
            return None  # +, *, ?, {m,} or {m,n}: the count varies
        total += int(low) if low else 1
    return total or None
