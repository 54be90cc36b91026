"""Pure parts of the MCP servers: ticket ids, argument error wording, audit shortening, idempotency, ETA."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from agent.mcp_servers import audit, idempotency
from agent.mcp_servers.argument_errors import describe, unknown_arguments
from agent.mcp_servers.errors import RequestError
from agent.mcp_servers.field_ops.store import tag_key, visit_eta
from agent.mcp_servers.ticket_ids import INCIDENT, SERVICE_REQUEST, WORK_ORDER


def test_ticket_ids_round_trip_and_refuse_other_kinds() -> None:
    assert WORK_ORDER.format(10234) == "WO-10234"
    assert WORK_ORDER.parse(" wo-10234 ") == 10234
    assert INCIDENT.pattern == "^[Ii][Nn][Cc]-[0-9]{5}$"
    with pytest.raises(RequestError, match=r"^'INC-20017' is not a service request number\. .*SR-30234\.$"):
        SERVICE_REQUEST.parse("INC-20017")
    with pytest.raises(RequestError, match=r"'xxxxxxxxxxxxxxxxxxxxxxxx\.\.\.'"):
        WORK_ORDER.parse("x" * 100_000)


@pytest.mark.parametrize("written,key", [
    ("P-4512", "P4512"), ("p4512", "P4512"), (" p - 4512 ", "P4512"), ("A-123", "A123"), ("a123", "A123"),
])
def test_asset_tags_compare_without_case_dashes_or_spaces(written: str, key: str) -> None:
    assert tag_key(written) == key


SCHEMA = {
    "properties": {
        "site": {"type": "integer", "minimum": 1, "maximum": 999, "description": "Which site?"},
        "tag": {"anyOf": [{"type": "string", "pattern": "^A[0-9]+$", "examples": ["A123"]}, {"type": "null"}]},
    }
}


def test_argument_errors_read_as_sentences() -> None:
    errors = [
        {"type": "missing", "loc": ("site",), "msg": "Field required", "input": {}},
        {"type": "string_pattern_mismatch", "loc": ("tag", "str"), "msg": "...", "input": "B" * 50, "ctx": {}},
        {"type": "none_required", "loc": ("tag", "none"), "msg": "...", "input": "B" * 50},
    ]
    assert describe(errors, SCHEMA) == (
        "Invalid arguments: site is required (Which site?). "
        "tag 'BBBBBBBBBBBBBBBBBBBBBBBB...' is not in the right format; it looks like A123."
    )
    bound = [{"type": "less_than_equal", "loc": ("site",), "msg": "...", "input": 1000, "ctx": {"le": 999}}]
    assert describe(bound, SCHEMA) == "Invalid arguments: site must be a whole number from 1 to 999; got 1000."


def test_unknown_arguments_are_named_briefly() -> None:
    assert unknown_arguments({"site": 1}, SCHEMA) is None
    many = {f"x{i}": 1 for i in range(8)}
    assert unknown_arguments(many, SCHEMA) == (
        "Unknown argument(s): x0, x1, x2, x3, x4 and 3 more. This tool takes: site, tag."
    )


def test_audit_arguments_are_cut_to_size() -> None:
    logged = json.loads(audit.arguments_json({"a": "y" * 2_000_000, "b": [[[[["deep"]]]]], "c": 3}))
    assert logged == {"a": "y" * 100 + "...[2000000 characters]", "b": [[["...[nested list]"]]], "c": 3}


def _conn() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute(idempotency.DDL)
    return conn


def test_idempotency_key_replays_and_refuses_a_different_payload() -> None:
    conn, made = _conn(), []

    def create() -> str:
        made.append(1)
        return f"WO-{10000 + len(made)}"

    assert idempotency.create_once(conn, "k", "t", {"a": 1}, create) == ("WO-10001", False)
    assert idempotency.create_once(conn, "k", "t", {"a": 1}, create) == ("WO-10001", True)
    assert idempotency.create_once(conn, None, "t", {"a": 1}, create) == ("WO-10002", False)
    with pytest.raises(RequestError, match="already used for a different request"):
        idempotency.create_once(conn, "k", "t", {"a": 2}, create)
    assert len(made) == 2


VISIT = {"date": "2026-12-01", "time_window": "morning", "technician": {"name": "Maria Lopez"}}


@pytest.mark.parametrize(
    "now,status,eta",
    [
        (datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc), "booked", None),
        (datetime(2026, 12, 1, 7, 59, tzinfo=timezone.utc), "booked", None),
        (datetime(2026, 12, 1, 9, 10, tzinfo=timezone.utc), "en_route", "2026-12-01T09:40+00:00"),
        (datetime(2026, 12, 1, 11, 50, tzinfo=timezone.utc), "en_route", "2026-12-01T12:00+00:00"),
        (datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc), "window_passed", None),
    ],
)
def test_visit_eta_follows_the_booked_window(now: datetime, status: str, eta: str | None) -> None:
    result = visit_eta(VISIT, now)
    assert (result["eta_status"], result["eta"]) == (status, eta)
    assert result["message"]
