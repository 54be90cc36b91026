"""Ticket numbers: a fixed prefix, a dash and five digits (``WO-10234``, ``INC-20017``, ``SR-30005``).

The number is the row's integer key, so the id needs no separate column; each kind
starts in its own ten-thousand block so a number read out alone is still unambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.mcp_servers.errors import RequestError


@dataclass(frozen=True)
class TicketKind:
    prefix: str  # "WO"
    noun: str  # "work order", used in error messages
    first_number: int  # seeded rows start here

    @property
    def pattern(self) -> str:
        """JSON-schema pattern for the id (case-insensitive on the prefix, spaces not allowed)."""
        letters = "".join(f"[{c.upper()}{c.lower()}]" for c in self.prefix)
        return f"^{letters}-[0-9]{{5}}$"

    @property
    def example(self) -> str:
        return f"{self.prefix}-{self.first_number + 233}"

    def format(self, number: int) -> str:
        return f"{self.prefix}-{number:05d}"

    def parse(self, ticket_id: str) -> int:
        """The row number behind ``ticket_id``; RequestError if it is not this kind's format."""
        match = re.fullmatch(rf"{re.escape(self.prefix)}-([0-9]{{5}})", ticket_id.strip(), flags=re.IGNORECASE)
        if match is None:
            raise RequestError(
                f"{_preview(ticket_id)} is not a {self.noun} number. "
                f"{self.noun.capitalize()} numbers look like {self.example}."
            )
        return int(match.group(1))


WORK_ORDER = TicketKind("WO", "work order", 10001)
VISIT = TicketKind("VIS", "visit", 40001)
INCIDENT = TicketKind("INC", "incident", 20001)
SERVICE_REQUEST = TicketKind("SR", "service request", 30001)


def _preview(value: str, limit: int = 24) -> str:
    """A short quoted form of caller data for an error message (never echo 1 MB back)."""
    shown = value if len(value) <= limit else value[:limit] + "..."
    return repr(shown)
