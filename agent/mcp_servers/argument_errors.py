"""Turn argument problems into one plain sentence per field, using the tool's input schema.

Pydantic's own text ("String should match pattern '^[A-Za-z]-?[0-9]{3,5}$' [type=...]")
is for programmers; the domain agent reads our text to a caller or feeds it to a model,
so we say which field, what was wrong and what a good value looks like. Caller
values are quoted only in short form, never echoed whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_MAX_REPORTED = 3


def unknown_arguments(arguments: Mapping[str, Any], schema: Mapping[str, Any]) -> str | None:
    """A message naming arguments the tool does not take, or None if all are known."""
    known = schema.get("properties", {})
    unknown = sorted(str(name)[:40] for name in arguments if name not in known)
    if not unknown:
        return None
    shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    return f"Unknown argument(s): {shown}. This tool takes: {', '.join(known) or 'nothing'}."


def describe(errors: Sequence[Mapping[str, Any]], schema: Mapping[str, Any]) -> str:
    """One message for a list of pydantic error dicts (``ValidationError.errors()``)."""
    properties = schema.get("properties", {})
    lines: list[str] = []
    seen: set[str] = set()
    for error in errors:
        field = str(error["loc"][0]) if error.get("loc") else "arguments"
        if field in seen:  # a union type reports each arm; one line per field is enough
            continue
        seen.add(field)
        lines.append(_describe_one(field, error, properties.get(field, {})))
        if len(lines) == _MAX_REPORTED:
            break
    return "Invalid arguments: " + " ".join(lines)


def _describe_one(field: str, error: Mapping[str, Any], prop: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    examples = _examples(prop)
    if kind == "missing":
        question = prop.get("description")
        return f"{field} is required" + (f" ({question})" if question else "") + "."
    if kind == "string_pattern_mismatch":
        return f"{field} {_preview(value)} is not in the right format" + (
            f"; it looks like {examples}." if examples else "."
        )
    if kind == "string_too_long":
        size = len(value) if isinstance(value, str) else "too many"
        return f"{field} is too long ({size} characters); the limit is {ctx.get('max_length')}."
    if kind == "string_too_short":
        return f"{field} must not be empty."
    if kind in ("literal_error", "enum"):
        return f"{field} must be one of: {ctx.get('expected')}."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(prop)
        return f"{field} must be a whole number from {low} to {high}; got {_preview(value)}."
    if kind.startswith(("date_", "datetime_")):
        return f"{field} must be a date like 2026-12-01; got {_preview(value)}."
    if kind.startswith("int_"):
        return f"{field} must be a whole number; got {_preview(value)}."
    if kind == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return f"{field} {message}."
    return f"{field}: {error.get('msg', 'invalid value')}."


def _examples(prop: Mapping[str, Any]) -> str:
    found = prop.get("examples")
    if not found:  # optional fields nest their constraints under anyOf
        found = next((arm.get("examples") for arm in prop.get("anyOf", []) if arm.get("examples")), None)
    return " or ".join(str(e) for e in found[:3]) if found else ""


def _bounds(prop: Mapping[str, Any]) -> tuple[Any, Any]:
    arms = [prop, *prop.get("anyOf", [])]
    low = next((a["minimum"] for a in arms if "minimum" in a), "?")
    high = next((a["maximum"] for a in arms if "maximum" in a), "?")
    return low, high


def _preview(value: Any, limit: int = 24) -> str:
    if not isinstance(value, str):
        return repr(value)[:limit]
    return repr(value if len(value) <= limit else value[:limit] + "...")
