"""Constrained argument types shared by both servers.

The MCP SDK turns these ``Annotated`` types into each tool's JSON input schema
(pattern, length limits, enums, examples), and validates calls against them before
the tool body runs. Tools add the caller-facing ``description`` at the use site,
because the domain agents speak it as the question ("Which site is the asset at?").
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

#: Longest free-text value we store (a spoken problem description is far shorter).
MAX_TEXT = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


FreeText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_clean_text)]
ShortText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean_text)]

IdempotencyKey = Annotated[
    Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")] | None,
    Field(
        description=(
            "Optional. A unique key for this request (letters, digits, . _ : -); "
            "retrying with the same key returns the original ticket instead of a duplicate."
        ),
    ),
]

Priority = Literal["low", "medium", "high", "urgent"]

#: Limit for list tools.
Limit = Annotated[int, Field(ge=1, le=50)]
