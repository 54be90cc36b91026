"""Call scripts: a YAML list of what the caller does, parsed and checked before any call.

    name: IT password reset
    steps:
      - say: "Hi, I'm locked out of my laptop."   # spoken (synthesised) audio
      - wav: recordings/caller.wav                 # a recording, streamed in real time
      - type: "My employee number is 48213"       # a typed turn (input.text)
      - dtmf: "1"                                  # keyed digits
      - wait: 1.5                                  # seconds of caller silence
      - hangup: true                               # session.end

``parse_script`` is pure and raises ``ScriptError`` naming the step at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

MAX_TEXT = 4000
MAX_WAIT_S = 120.0
_DTMF = re.compile(r"[0-9*#A-D]{1,64}\Z")

StepKind = Literal["say", "wav", "type", "dtmf", "wait", "hangup"]


class ScriptError(ValueError):
    pass


@dataclass(frozen=True)
class Step:
    kind: StepKind
    text: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class CallScript:
    name: str
    steps: tuple[Step, ...]


def parse_script(data: Any, default_name: str = "call") -> CallScript:
    """A script from already-loaded YAML (a mapping with ``steps``, or a bare list of steps)."""
    if isinstance(data, list):
        data = {"steps": data}
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise ScriptError("a call script is a mapping with a non-empty 'steps' list")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ScriptError("'name' must be a short string")
    return CallScript(name.strip(), tuple(_step(i, raw) for i, raw in enumerate(data["steps"], 1)))


def load_script(path: Path) -> CallScript:
    """Read and check a script file; ``wav`` paths are taken relative to the script's folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScriptError(f"{path}: not valid YAML ({str(exc)[:200]})") from None
    try:
        script = parse_script(data, path.stem)
    except ScriptError as exc:
        raise ScriptError(f"{path}: {exc}") from None
    steps = tuple(Step("wav", text=str(path.parent / s.text)) if s.kind == "wav" else s for s in script.steps)
    return CallScript(script.name, steps)


def _step(i: int, raw: Any) -> Step:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ScriptError(f"step {i}: must be one of say/wav/type/dtmf/wait/hangup, like '- say: \"hello\"'")
    (kind, value), = raw.items()
    if kind in ("say", "type"):
        if not isinstance(value, str) or not value.strip():
            raise ScriptError(f"step {i}: '{kind}' needs non-empty text")
        if len(value) > MAX_TEXT:
            raise ScriptError(f"step {i}: '{kind}' text is {len(value)} characters; at most {MAX_TEXT}")
        return Step(kind, text=value.strip())
    if kind == "wav":
        if not isinstance(value, str) or not value.strip() or len(value) > 1000:
            raise ScriptError(f"step {i}: 'wav' needs a file path")
        return Step("wav", text=value.strip())
    if kind == "dtmf":
        digits = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not _DTMF.match(digits):
            raise ScriptError(f"step {i}: 'dtmf' must be 1-64 of 0-9 * # A-D")
        return Step("dtmf", text=digits)
    if kind == "wait":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_WAIT_S:
            raise ScriptError(f"step {i}: 'wait' must be seconds between 0 and {MAX_WAIT_S:.0f}")
        return Step("wait", seconds=float(value))
    if kind == "hangup":
        return Step("hangup")
    raise ScriptError(f"step {i}: unknown step {str(kind)[:40]!r}; use say, wav, type, dtmf, wait or hangup")
