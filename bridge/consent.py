"""Recording consent at the start of a phone call, as a pure gate.

With recording on, the caller hears the consent prompt and may key the opt-out digit
while it plays or within the window after it; silence is consent (the prompt says so).
Nothing is recorded before the gate decides, and a refusal is final for the call.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = ("asking", "granted", "declined")
PROMPT_LIMIT_S = 30.0  # the prompt's PlayCompleted may be lost: never hold the decision longer than this


@dataclass(frozen=True)
class ConsentPolicy:
    prompt: str
    opt_out_digit: str
    window_s: float


@dataclass
class ConsentGate:
    opt_out_digit: str
    state: str = "asking"

    def __post_init__(self) -> None:
        if len(self.opt_out_digit) != 1 or self.opt_out_digit not in "0123456789*#":
            raise ValueError("the opt-out key must be one of 0-9, * or #")

    def key(self, digit: str) -> bool:
        """A keyed digit while asking: True when it was the opt-out (consumed: not a caller turn)."""
        if self.state == "asking" and digit == self.opt_out_digit:
            self.state = "declined"
            return True
        return False

    def window_over(self) -> str:
        """The window closed; silence is consent."""
        if self.state == "asking":
            self.state = "granted"
        return self.state
