"""The field-ops and it-ops MCP servers as real processes over stdio, with real SQLite stores."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from pathlib import Path

import pytest

from mcp_servers_harness import (
    REPO,
    audit_rows,
    call_error,
    call_ok,
    rows,
    server_command,
    snapshot,
    stdio_session,
)

FIELD_OPS_TOOLS = {
    "create_work_order", "get_work_order", "update_work_order", "add_work_order_note", "list_work_orders",
    "lookup_asset", "list_sites", "list_assets", "schedule_visit", "reschedule_visit", "cancel_visit", "get_visit_eta",
}
IT_OPS_TOOLS = {
    "create_incident", "get_incident", "update_incident", "escalate_incident", "add_incident_comment",
    "create_service_request", "get_service_request", "cancel_service_request", "request_password_reset",
    "request_access",
}


@pytest.fixture
def field_db(tmp_path: Path) -> Path:
    return tmp_path / "mcp" / "field_ops.sqlite"


@pytest.fixture
def it_db(tmp_path: Path) -> Path:
    return tmp_path / "mcp" / "it_ops.sqlite"


@pytest.mark.parametrize("server,expected", [("field-ops", FIELD_OPS_TOOLS), ("it-ops", IT_OPS_TOOLS)])
async def test_tools_are_listed_with_described_schemas(tmp_path: Path, server: str, expected: set[str]) -> None:
    async with stdio_session(server, tmp_path / "store.sqlite") as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == expected
    for tool in tools.values():
        assert tool.description and "\n" not in tool.description.strip(), tool.name
        properties = tool.input_schema["properties"]
        undescribed = [name for name, prop in properties.items() if not prop.get("description")]
        assert undescribed == [], f"{tool.name}: {undescribed}"
        if tool.name.startswith(("create_", "request_", "schedule_")):
            assert "idempotency_key" in properties, tool.name
            assert "idempotency_key" not in tool.input_schema.get("required", [])


async def test_field_ops_schema_constraints(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        tools = {tool.name: tool.input_schema for tool in (await session.list_tools()).tools}
    create = tools["create_work_order"]
    assert sorted(create["required"]) == ["asset_tag", "site", "summary"]
    props = create["properties"]
    assert (props["site"]["minimum"], props["site"]["maximum"], props["site"]["type"]) == (1, 999, "integer")
    assert props["priority"]["enum"] == ["low", "medium", "high", "urgent"]
    assert props["summary"]["maxLength"] == 2000
    assert props["asset_tag"]["pattern"] and props["asset_tag"]["examples"] == ["A123", "P-4512"]
    assert props["site"]["description"].startswith("Which site")
    assert tools["get_work_order"]["properties"]["work_order_id"]["pattern"] == "^[Ww][Oo]-[0-9]{5}$"
    assert sorted(tools["schedule_visit"]["required"]) == ["date", "time_window", "work_order_id"]
    assert tools["schedule_visit"]["properties"]["time_window"]["enum"] == ["morning", "afternoon", "evening"]


async def test_it_ops_schema_constraints(it_db: Path) -> None:
    async with stdio_session("it-ops", it_db) as session:
        tools = {tool.name: tool.input_schema for tool in (await session.list_tools()).tools}
    assert sorted(tools["request_access"]["required"]) == ["access_level", "justification", "system", "user"]
    assert tools["request_password_reset"]["required"] == ["user"]
    assert tools["get_incident"]["properties"]["incident_id"]["pattern"] == "^[Ii][Nn][Cc]-[0-9]{5}$"
    assert tools["cancel_service_request"]["properties"]["request_id"]["pattern"] == "^[Ss][Rr]-[0-9]{5}$"
    assert "urgent" in tools["create_incident"]["properties"]["priority"]["enum"]


async def test_work_order_created_read_back_and_stored(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        created = await call_ok(
            session, "create_work_order", site=12, asset_tag="a123", summary="Pump is leaking at the seal",
            priority="high", reported_by="Dana from Riverside",
        )
        read = await call_ok(session, "get_work_order", work_order_id=created["work_order_id"])
    assert created["work_order_id"] == "WO-10013"  # seeded WO-10001..WO-10012
    assert read["status"] == "open" and read["priority"] == "high"
    assert read["asset"]["tag"] == "A123" and read["site"]["number"] == 12
    assert "WO-10013" in read["message"]
    [row] = rows(field_db, "SELECT asset_tag, site, summary, status FROM work_orders WHERE number = 10013")
    assert tuple(row) == ("A123", 12, "Pump is leaking at the seal", "open")


async def test_a_held_or_running_job_says_its_newest_note_and_an_open_one_does_not(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        held = await call_ok(session, "get_work_order", work_order_id="WO-10005")
        running = await call_ok(session, "get_work_order", work_order_id="WO-10003")
        opened = await call_ok(session, "get_work_order", work_order_id="WO-10001")
    # (Who wrote it, when a person did: "who's the engineer on it?" is answered by it; "Dispatcher" is a role.)
    assert "on hold" in held["message"] and "Latest note: waiting for replacement actuator, ETA two weeks." \
        in held["message"], held["message"]
    assert "Latest note from Sam O'Connor: suction filter cleaned, pressure recovering" in running["message"]
    assert "Latest note" not in opened["message"]  # open: what is wrong is the summary, no note needed


async def test_an_incident_under_way_says_its_newest_comment_and_a_new_one_does_not(it_db: Path) -> None:
    async with stdio_session("it-ops", it_db) as session:
        running = await call_ok(session, "get_incident", incident_id="INC-20001")
        await call_ok(session, "add_incident_comment", incident_id="INC-20003", comment="SMTP relay restarted.")
        fresh = await call_ok(session, "get_incident", incident_id="INC-20003")
    # The whole first sentence, its acronym kept in capitals.
    assert "Latest comment from Liam Murphy: VPN client reinstalled; waiting for the user to test from site." \
        in running["message"]
    assert "Latest comment" not in fresh["message"]  # new: nobody has started on it, a comment is no progress


def test_a_note_names_its_writer_only_when_a_person_wrote_it() -> None:
    from agent.mcp_servers.authors import from_whom

    assert from_whom("Sam O'Connor") == " from Sam O'Connor" and from_whom("Ana de la Cruz") == " from Ana de la Cruz"
    assert from_whom("caller") == from_whom(None) == from_whom("switchboard agent") == ""


async def test_work_order_lifecycle_notes_lists_and_visits(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        await call_ok(session, "add_work_order_note", work_order_id="WO-10001", note="Standby pump started")
        updated = await call_ok(session, "update_work_order", work_order_id="wo-10001", priority="urgent")
        by_asset = await call_ok(session, "list_work_orders", asset_tag="A123")
        by_site = await call_ok(session, "list_work_orders", site=14, status="scheduled")
        asset = await call_ok(session, "lookup_asset", asset_tag="P-4512")
        pumps = await call_ok(session, "list_assets", site=12, asset_type="pump")
        eta_before = await call_ok(session, "get_visit_eta", work_order_id="WO-10001")
        visit = await call_ok(session, "schedule_visit", work_order_id="WO-10001", date=_days_ahead(2),
                              time_window="afternoon")
        eta_after = await call_ok(session, "get_visit_eta", work_order_id="WO-10001")
        order = await call_ok(session, "get_work_order", work_order_id="WO-10001")
    assert updated["priority"] == "urgent"
    assert [n["text"] for n in order["notes"]][-1] == "Standby pump started"
    assert {o["work_order_id"] for o in by_asset["work_orders"]} >= {"WO-10001", "WO-10007"}
    assert [o["work_order_id"] for o in by_site["work_orders"]] == ["WO-10002"]
    # Who is due where, for whoever plans the work: each job's booked visit, and the list says it.
    assert by_site["work_orders"][0]["visit"]["technician"]["name"] == "Dev Patel" and "Dev Patel is booked" in by_site["message"]
    assert by_asset["work_orders"][0].get("visit") is None and "No technician visit is booked" in by_asset["message"]
    assert asset["site"]["number"] == 14 and asset["type"] == "pump" and asset["recent_work_orders"]
    assert [a["tag"] for a in pumps["assets"]] == ["A123", "A124"]
    assert eta_before["visit"] is None
    assert visit["visit_id"].startswith("VIS-") and visit["technician"]["name"] == "Maria Lopez"
    assert eta_after["visit"]["visit_id"] == visit["visit_id"] and eta_after["eta_status"] == "booked"
    assert order["status"] == "scheduled"


async def test_visits_are_booked_moved_and_cancelled_once_each(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        no_visit = await call_error(session, "reschedule_visit", work_order_id="WO-10001", date=_days_ahead(3),
                                    time_window="morning")
        booked = await call_ok(session, "schedule_visit", work_order_id="WO-10001", date=_days_ahead(2),
                               time_window="afternoon", idempotency_key="book-1")
        moved = await call_ok(session, "reschedule_visit", work_order_id="WO-10001", date=_days_ahead(4),
                              time_window="morning", idempotency_key="move-1")
        moved_again = await call_ok(session, "reschedule_visit", work_order_id="WO-10001", date=_days_ahead(4),
                                    time_window="morning", idempotency_key="move-1")
        status = await call_ok(session, "get_work_order", work_order_id="WO-10001")
        cancelled = await call_ok(session, "cancel_visit", work_order_id="WO-10001", idempotency_key="cancel-1")
        cancelled_again = await call_ok(session, "cancel_visit", work_order_id="WO-10001", idempotency_key="cancel-1")
        nothing_left = await call_error(session, "cancel_visit", work_order_id="WO-10001", idempotency_key="cancel-2")
        after = await call_ok(session, "get_work_order", work_order_id="WO-10001")
    assert "No technician visit is booked for work order WO-10001 to move" in no_visit
    assert moved["visit_id"] != booked["visit_id"] and moved_again["visit_id"] == moved["visit_id"]
    assert moved_again["idempotent_replay"] is True and cancelled_again["idempotent_replay"] is True
    assert cancelled["visit_id"] == moved["visit_id"] and "is cancelled" in cancelled["message"]
    # The status read-out says when the technician comes, as a day people say.
    from agent.mcp_servers.field_ops.store import spoken_day
    assert f"is booked for {spoken_day(_days_ahead(4))} morning, between 08:00 and 12:00" in status["message"]
    assert "No technician visit is booked" in nothing_left
    assert after["status"] == "open" and "No technician visit is booked yet." in after["message"]
    visits = rows(field_db, "SELECT status FROM visits WHERE work_order = 10001 ORDER BY number")
    assert [v[0] for v in visits] == ["rescheduled", "cancelled"]
    audited = [(a["tool"], a["ok"]) for a in audit_rows(field_db)]
    assert ("reschedule_visit", 1) in audited and ("cancel_visit", 1) in audited and ("cancel_visit", 0) in audited


async def test_asset_lookup_reads_out_what_where_status_and_last_service(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        asset = await call_ok(session, "lookup_asset", asset_tag="A123")
    message = asset["message"]
    assert "main raw-water intake pump 1" in message and "site 12, Riverside Pumping Station" in message
    # Seeded: WO-10001 (open, "Pump vibrating and running hot, ...") and WO-10007 (completed seal replacement).
    assert "Open: pump vibrating and running hot." in message
    assert "Last service: replace mechanical seal, " in message
    assert len(message.split()) <= 30
    assert all(len(sentence.split()) <= 15 for sentence in message.split(". "))
    # A job under way says how far it got: WO-10003 is in progress with a note from the technician.
    async with stdio_session("field-ops", field_db) as session:
        busy = (await call_ok(session, "lookup_asset", asset_tag="C-2101"))["message"]
    assert "Open: compressor unit 1 low discharge pressure, in progress. Latest note: suction filter cleaned." in busy
    assert len(busy.split()) <= 35


async def test_asset_tags_are_found_whatever_the_dash_or_case(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        p = await call_ok(session, "create_work_order", site=14, asset_tag="P4512", summary="Oil pump tripped")
        a = await call_ok(session, "create_work_order", site=12, asset_tag="a-123", summary="Seal leaking")
        looked_up = [(await call_ok(session, "lookup_asset", asset_tag=t))["tag"] for t in ("p-4512", "A 123", "g0320")]
        listed = await call_ok(session, "list_work_orders", asset_tag="p4512")
        keyed = {"site": 14, "summary": "Pump tripped twice", "idempotency_key": "tag-forms"}
        first = await call_ok(session, "create_work_order", asset_tag="P-4512", **keyed)
        retry = await call_ok(session, "create_work_order", asset_tag="p4512", **keyed)
        wrong_site = await call_error(session, "create_work_order", site=12, asset_tag="p4512", summary="Noise")
        unknown = await call_error(session, "lookup_asset", asset_tag="z-999")
        double_dash = await call_error(session, "lookup_asset", asset_tag="P--4512")
    assert (p["asset"]["tag"], a["asset"]["tag"]) == ("P-4512", "A123")
    assert looked_up == ["P-4512", "A123", "G-0320"]
    assert p["work_order_id"] in {o["work_order_id"] for o in listed["work_orders"]}
    assert retry["idempotent_replay"] is True and retry["work_order_id"] == first["work_order_id"]
    assert wrong_site == "Asset P-4512 is at site 14 (North Ridge Substation), not site 12."
    assert unknown == "No asset with tag Z-999. Tags look like A123 or P-4512."
    assert double_dash.startswith("Invalid arguments: asset_tag 'P--4512' is not in the right format")
    stored = rows(field_db, "SELECT asset_tag, site FROM work_orders WHERE number > 10012 ORDER BY number")
    assert [tuple(r) for r in stored] == [("P-4512", 14), ("A123", 12), ("P-4512", 14)]


async def test_sites_are_listed_by_number_name_and_address(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        listed = await call_ok(session, "list_sites")
        extra = await call_error(session, "list_sites", region="north")
    assert listed["count"] == len(listed["sites"]) == 10
    # (The address lets a caller name the street or the town: "the River Street pump station".)
    assert {"number": 12, "name": "Riverside Pumping Station", "address": "12 River Street, Kingsbridge"} in listed["sites"]
    assert all(set(site) == {"number", "name", "address"} for site in listed["sites"])  # no regions
    assert [s["number"] for s in listed["sites"]] == sorted(s["number"] for s in listed["sites"])
    assert extra.startswith("Unknown argument(s): region.")


async def test_idempotent_retry_returns_the_original_ticket(field_db: Path, it_db: Path) -> None:
    args = {"site": 14, "asset_tag": "P-4512", "summary": "Oil pump tripped again", "idempotency_key": "call-7f3a"}
    async with stdio_session("field-ops", field_db) as session:
        first = await call_ok(session, "create_work_order", **args)
        again = await call_ok(session, "create_work_order", **args)
        clash = await call_error(session, "create_work_order", **{**args, "summary": "Something else"})
    assert first["work_order_id"] == again["work_order_id"]
    assert (first["idempotent_replay"], again["idempotent_replay"]) == (False, True)
    assert "already used for a different request" in clash and first["work_order_id"] in clash
    assert rows(field_db, "SELECT COUNT(*) FROM work_orders WHERE summary = ?", args["summary"])[0][0] == 1

    async with stdio_session("it-ops", it_db) as session:
        one = await call_ok(session, "request_password_reset", user="E10482", idempotency_key="reset-1")
        two = await call_ok(session, "request_password_reset", user="e10482", idempotency_key="reset-1")
    assert one["request_id"] == two["request_id"] and two["idempotent_replay"] is True
    assert rows(it_db, "SELECT COUNT(*) FROM service_requests WHERE request_type = 'password_reset'")[0][0] == 2


async def test_every_call_is_audited(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        await call_ok(session, "lookup_asset", asset_tag="A123")
        await call_error(session, "get_work_order", work_order_id="WO-99999")
        await call_error(session, "lookup_asset", asset_tag="not a tag")
        no_tool = await call_error(session, "drop_everything" * 1000)
    audit = audit_rows(field_db)
    assert [(a["tool"], a["ok"]) for a in audit] == [
        ("lookup_asset", 1), ("get_work_order", 0), ("lookup_asset", 0), (("drop_everything" * 7)[:100], 0),
    ]
    assert no_tool == f"There is no tool named {('drop_everything' * 3)[:40]!r} on the field-ops server."
    assert audit[0]["arguments"] == {"asset_tag": "A123"} and audit[0]["error"] is None
    assert audit[1]["error"] == "There is no work order WO-99999."
    assert all(a["latency_ms"] >= 0 for a in audit)


async def test_validation_errors_are_clear_tool_errors(field_db: Path, it_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        unknown_tag = await call_error(session, "create_work_order", site=12, asset_tag="A999", summary="Noise")
        wrong_site = await call_error(session, "create_work_order", site=14, asset_tag="A123", summary="Noise")
        no_site = await call_error(session, "list_assets", site=500)
        bad_id = await call_error(session, "get_work_order", work_order_id="10234")
        missing = await call_error(session, "create_work_order", site=12)
        out_of_range = await call_error(session, "list_assets", site=1000)
        closed = await call_error(session, "update_work_order", work_order_id="WO-10007", status="open")
        nothing = await call_error(session, "update_work_order", work_order_id="WO-10001")
        past = await call_error(session, "schedule_visit", work_order_id="WO-10001", date="2020-01-01",
                                time_window="morning")
        spoken_date = await call_error(session, "schedule_visit", work_order_id="WO-10001", date="tomorrow",
                                       time_window="morning")
    assert unknown_tag == "No asset with tag A999. Tags look like A123 or P-4512."
    assert wrong_site == "Asset A123 is at site 12 (Riverside Pumping Station), not site 14."
    assert no_site.startswith("There is no site 500.") and "12, 14" in no_site
    assert bad_id == ("Invalid arguments: work_order_id '10234' is not in the right format; "
                      "it looks like WO-10234.")
    assert "asset_tag is required (What is the asset tag" in missing and "summary is required" in missing
    assert out_of_range == "Invalid arguments: site must be a whole number from 1 to 999; got 1000."
    assert closed.startswith("Work order WO-10007 is already completed and cannot be changed")
    assert nothing.startswith("Nothing to change")
    assert "in the past" in past
    assert spoken_date == "Invalid arguments: date must be a date like 2026-12-01; got 'tomorrow'."

    async with stdio_session("it-ops", it_db) as session:
        fulfilled = await call_error(session, "cancel_service_request", request_id="SR-30001", reason="Not needed")
        cancelled = await call_ok(session, "cancel_service_request", request_id="SR-30002", reason="Not needed")
        twice = await call_error(session, "cancel_service_request", request_id="SR-30002", reason="Not needed")
        no_user = await call_error(session, "request_password_reset", user="E99999")
        bad_system = await call_error(session, "request_access", user="E10482", system="mainframe",
                                      access_level="read", justification="Reports")
    assert fulfilled == "Service request SR-30001 is already fulfilled and cannot be cancelled."
    assert cancelled["status"] == "cancelled"
    assert twice == "Service request SR-30002 is already cancelled and cannot be cancelled."
    assert no_user == "No user with employee ID E99999. Employee IDs look like E10482."
    assert bad_system.startswith("Invalid arguments: system must be one of: 'sap', 'maximo'")


async def test_hostile_arguments_are_refused_and_nothing_changes(field_db: Path) -> None:
    megabyte = "x" * (1024 * 1024)
    async with stdio_session("field-ops", field_db) as session:
        await call_ok(session, "lookup_asset", asset_tag="A123")  # store created and seeded
        before = snapshot(field_db)
        huge = await call_error(session, "create_work_order", site=12, asset_tag="A123", summary=megabyte)
        injected_tag = await call_error(session, "create_work_order", site=12, asset_tag="A1' OR 1",
                                        summary="Noise")
        injected_id = await call_error(session, "get_work_order", work_order_id="WO-1; DROP TABLE work_orders")
        nul = await call_error(session, "add_work_order_note", work_order_id="WO-10001", note="a\x00b")
        extra = await call_error(session, "get_work_order", work_order_id="WO-10001", sql="DELETE FROM assets")
        huge_key = await call_error(session, "create_work_order", site=12, asset_tag="A123", summary="Noise",
                                    idempotency_key=megabyte)
        after = snapshot(field_db)
        # SQL in free text is just text: stored verbatim, every table intact.
        text = "Robert'); DROP TABLE work_orders;--"
        stored = await call_ok(session, "create_work_order", site=12, asset_tag="A123", summary=text)
    assert before == after
    assert huge == "Invalid arguments: summary is too long (1048576 characters); the limit is 2000."
    assert injected_tag.startswith("Invalid arguments: asset_tag \"A1' OR 1\" is not in the right format")
    assert injected_id == "Invalid arguments: work_order_id is too long (28 characters); the limit is 8."
    assert nul == "Invalid arguments: note must not contain control characters."
    assert extra.startswith("Unknown argument(s): sql.")
    assert "idempotency_key is too long" in huge_key
    number = int(stored["work_order_id"].removeprefix("WO-"))
    assert rows(field_db, "SELECT summary FROM work_orders WHERE number = ?", number)[0][0] == text
    assert rows(field_db, "SELECT COUNT(*) FROM assets")[0][0] == 41
    logged = [a["arguments"].get("summary") for a in audit_rows(field_db) if a["tool"] == "create_work_order"]
    assert logged[0].endswith("...[1048576 characters]") and len(logged[0]) < 200


async def test_store_survives_a_restart_without_reseeding(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        created = await call_ok(session, "create_work_order", site=3, asset_tag="G-0320", summary="Will not start",
                                idempotency_key="restart-1")
    async with stdio_session("field-ops", field_db) as session:
        read = await call_ok(session, "get_work_order", work_order_id=created["work_order_id"])
        replay = await call_ok(session, "create_work_order", site=3, asset_tag="G-0320", summary="Will not start",
                               idempotency_key="restart-1")
    assert read["summary"] == "Will not start" and replay["work_order_id"] == created["work_order_id"]
    assert rows(field_db, "SELECT COUNT(*) FROM work_orders")[0][0] == 13
    assert rows(field_db, "SELECT COUNT(*) FROM sites")[0][0] == 10


async def test_two_server_processes_share_one_store(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as a, stdio_session("field-ops", field_db) as b:
        def create(session, n: int, key: str):
            return call_ok(session, "create_work_order", site=21, asset_tag="C-2101", summary=f"Check {n}",
                           idempotency_key=key)

        results = await asyncio.gather(
            *(create(a if n % 2 else b, n, f"k{n}") for n in range(10)),
            create(a, 99, "shared"), create(b, 99, "shared"),
        )
    ids = [r["work_order_id"] for r in results]
    assert len(set(ids[:10])) == 10 and ids[10] == ids[11]
    assert rows(field_db, "SELECT COUNT(*) FROM work_orders")[0][0] == 12 + 11


def _days_ahead(days: int) -> str:
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) + timedelta(days=days)).date().isoformat()


@pytest.mark.parametrize("problem", ["corrupt", "unwritable"])
def test_an_unusable_store_stops_the_server_with_a_clear_error(tmp_path: Path, problem: str) -> None:
    if problem == "corrupt":
        db = tmp_path / "field_ops.sqlite"
        db.write_bytes(b"not a database " * 100)
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        db = blocker / "field_ops.sqlite"  # its parent is a file, so nothing can be created there
    before = db.read_bytes() if db.exists() else None
    done = subprocess.run(server_command("field-ops", db), cwd=REPO, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"switchboard mcp field-ops: cannot use store {db}: ")
    assert "Traceback" not in done.stderr
    assert (db.read_bytes() if db.exists() else None) == before


async def test_a_store_locked_by_another_process_gives_a_retryable_error(
    field_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process server, real SQLite; a short busy timeout keeps the test quick.
    from agent.mcp_servers import database
    from agent.mcp_servers.field_ops.server import build_server
    from mcp.server.mcpserver.exceptions import ToolError

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    server = build_server(field_db)
    holder = sqlite3.connect(field_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer sits on the lock
    try:
        with pytest.raises(ToolError, match=r"^The store is busy; try the same request again"):
            await server.call_tool("create_work_order", {"site": 12, "asset_tag": "A123", "summary": "Leak"})
        read = await server.call_tool("get_work_order", {"work_order_id": "WO-10001"})  # WAL: readers go on
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert read.structured_content["work_order_id"] == "WO-10001"
    created = await server.call_tool("create_work_order", {"site": 12, "asset_tag": "A123", "summary": "Leak"})
    assert created.structured_content["work_order_id"] == "WO-10013"


async def test_a_request_waiting_for_approval_says_who_approves_it(it_db: Path) -> None:
    async with stdio_session("it-ops", it_db) as session:
        request = await call_ok(session, "get_service_request", request_id="SR-30003")
    # Seeded: SR-30003, access to the GIS editor, waiting for Grace Kim.
    assert request["message"].endswith("is awaiting approval from Grace Kim.")


async def test_a_work_order_list_says_the_unfinished_jobs_for_the_ear(field_db: Path) -> None:
    async with stdio_session("field-ops", field_db) as session:
        at_site = await call_ok(session, "list_work_orders", site=21)
        # Nothing at Eastgate has the status "open", but WO-10003 is in progress: "open" as callers say it
        # is not finished, so the caller who asked for "open jobs" hears that one, with its state.
        open_only = await call_ok(session, "list_work_orders", site=21, status="open")
        # Any other status is exact: none on hold, and the unfinished one said instead of "none".
        held = await call_ok(session, "list_work_orders", site=21, status="on_hold")
        done_only = await call_ok(session, "list_work_orders", asset_tag="A701", status="cancelled")
    assert at_site["message"].startswith("One open work order for site 21.") and "WO-10003" in at_site["message"]
    assert "in progress" in at_site["message"]
    assert open_only["count"] == 1 and open_only["message"].startswith("One open work order for site 21.")
    assert "WO-10003" in open_only["message"] and "in progress" in open_only["message"]
    assert held["count"] == 0 and held["message"].startswith("Nothing on hold for site 21, but one job is not finished yet:")
    assert "WO-10003" in held["message"]
    assert done_only["count"] == 0 and "No cancelled work orders for asset A701." in done_only["message"]


async def test_a_long_work_order_list_names_every_job_by_what_it_is_on(field_db: Path) -> None:
    # Three open jobs at one site: the newest in full, the others by their thing, so the ear hears each one.
    async with stdio_session("field-ops", field_db) as session:
        await call_ok(session, "create_work_order", site=12, asset_tag="A124", summary="Gland packing weeping")
        listed = await call_ok(session, "list_work_orders", site=12)
    message = listed["message"]
    assert message.startswith("3 open work orders for site 12.") and "Gland packing weeping".lower() in message.lower()
    assert "Also the pump A123 and the hvac H-2120." in message, message
