"""Field-ops data: SQL for work orders, assets and technician visits.

Arguments arrive already shape-checked by the tool schemas; this module checks
them against the data (does the asset exist, is it at that site, is the work order
still open) and raises ``RequestError`` with a sentence a caller can act on.
Every statement is parameterised.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from agent.mcp_servers import idempotency
from agent.mcp_servers.authors import from_whom
from agent.mcp_servers.database import Database
from agent.mcp_servers.errors import RequestError
from agent.mcp_servers.ticket_ids import VISIT, WORK_ORDER

SCHEMA = """
CREATE TABLE IF NOT EXISTS sites (
    number INTEGER PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, region TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assets (
    tag TEXT PRIMARY KEY, site INTEGER NOT NULL REFERENCES sites(number), type TEXT NOT NULL,
    make TEXT NOT NULL, model TEXT NOT NULL, description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS technicians (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, phone TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS work_orders (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_tag TEXT NOT NULL REFERENCES assets(tag), site INTEGER NOT NULL REFERENCES sites(number),
    summary TEXT NOT NULL, priority TEXT NOT NULL, status TEXT NOT NULL,
    reported_by TEXT, callback_number TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
-- Tags are looked up ignoring case and dashes ("p4512" finds P-4512), so they must be unique that way.
CREATE UNIQUE INDEX IF NOT EXISTS assets_tag_key ON assets(upper(replace(tag, '-', '')));
CREATE INDEX IF NOT EXISTS work_orders_asset ON work_orders(asset_tag);
CREATE INDEX IF NOT EXISTS work_orders_site ON work_orders(site);
CREATE TABLE IF NOT EXISTS work_order_notes (
    id INTEGER PRIMARY KEY, work_order INTEGER NOT NULL REFERENCES work_orders(number),
    author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS visits (
    number INTEGER PRIMARY KEY AUTOINCREMENT, work_order INTEGER NOT NULL REFERENCES work_orders(number),
    technician INTEGER NOT NULL REFERENCES technicians(id), date TEXT NOT NULL, time_window TEXT NOT NULL,
    status TEXT NOT NULL, created_at TEXT NOT NULL
);
"""

ASSET_TYPES = ("pump", "compressor", "generator", "hvac", "valve", "transformer")
WORK_ORDER_STATUSES = ("open", "scheduled", "in_progress", "on_hold", "completed", "cancelled")
CLOSED_STATUSES = ("completed", "cancelled")
#: Visit windows in site-local time (the demo treats every site as UTC).
TIME_WINDOWS = {"morning": (time(8), time(12)), "afternoon": (time(12), time(17)), "evening": (time(17), time(20))}
#: How far ahead a visit may be booked.
MAX_BOOKING_DAYS = 60
#: Assumed drive time once a technician's window has started.
TRAVEL = timedelta(minutes=30)

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def tag_key(tag: str) -> str:
    """The form tags are compared in: upper case, no dash or space ("p-4512", "P 4512" -> "P4512")."""
    return re.sub(r"[\s-]", "", tag).upper()


class FieldOpsStore:
    def __init__(self, database: Database, clock: Clock = _utcnow) -> None:
        self.db = database
        self._now = clock

    # --- work orders -------------------------------------------------------------
    def create_work_order(
        self,
        site: int,
        asset_tag: str,
        summary: str,
        priority: str,
        reported_by: str | None,
        callback_number: str | None,
        idempotency_key: str | None,
    ) -> dict[str, Any]:
        # The key form, so a retry that writes the tag differently is still the same request.
        payload = {"site": site, "asset_tag": tag_key(asset_tag), "summary": summary, "priority": priority,
                   "reported_by": reported_by, "callback_number": callback_number}

        def insert() -> str:
            tag = self._asset_at_site(conn, asset_tag, site)
            stamp = self._stamp()
            cursor = conn.execute(
                "INSERT INTO work_orders (asset_tag, site, summary, priority, status, reported_by,"
                " callback_number, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                (tag, site, summary, priority, reported_by, callback_number, stamp, stamp),
            )
            return WORK_ORDER.format(cursor.lastrowid)

        with self.db.write() as conn:
            ticket, replayed = idempotency.create_once(conn, idempotency_key, "create_work_order", payload, insert)
            order = self._work_order(conn, WORK_ORDER.parse(ticket))
        order["idempotent_replay"] = replayed
        order["message"] = (
            f"Work order {ticket} is {order['status']} for the {order['asset']['type']} "
            f"{order['asset']['tag']} at site {order['site']['number']}, priority {order['priority']}."
        )
        return order

    def get_work_order(self, work_order_id: str) -> dict[str, Any]:
        number = WORK_ORDER.parse(work_order_id)
        with self.db.read() as conn:
            order = self._work_order(conn, number)
        order["message"] = _status_sentence(order, self._now().date())
        return order

    def update_work_order(
        self, work_order_id: str, status: str | None, priority: str | None, note: str | None, author: str | None
    ) -> dict[str, Any]:
        number = WORK_ORDER.parse(work_order_id)
        if status is None and priority is None and note is None:
            raise RequestError("Nothing to change: give a new status, a new priority or a note.")
        with self.db.write() as conn:
            order = self._open_work_order(conn, number)
            stamp = self._stamp()
            conn.execute(
                "UPDATE work_orders SET status = ?, priority = ?, updated_at = ? WHERE number = ?",
                (status or order["status"], priority or order["priority"], stamp, number),
            )
            if note is not None:
                self._add_note(conn, number, author, note)
            order = self._work_order(conn, number)
        order["message"] = _status_sentence(order, self._now().date())
        return order

    def add_work_order_note(self, work_order_id: str, note: str, author: str | None) -> dict[str, Any]:
        number = WORK_ORDER.parse(work_order_id)
        with self.db.write() as conn:
            self._open_work_order(conn, number)
            self._add_note(conn, number, author, note)
            conn.execute("UPDATE work_orders SET updated_at = ? WHERE number = ?", (self._stamp(), number))
            order = self._work_order(conn, number)
        order["message"] = f"Note added to work order {order['work_order_id']}."
        return order

    def list_work_orders(
        self, site: int | None, asset_tag: str | None, status: str | None, limit: int
    ) -> dict[str, Any]:
        if site is None and asset_tag is None:
            raise RequestError("Give a site number or an asset tag to list work orders for.")
        with self.db.read() as conn:
            if site is not None:
                self._site(conn, site)
            tag = self._asset(conn, asset_tag)["tag"] if asset_tag is not None else None
            rows = conn.execute(
                "SELECT number FROM work_orders WHERE (? IS NULL OR site = ?) AND (? IS NULL OR asset_tag = ?)"
                " ORDER BY created_at DESC, number DESC", (site, site, tag, tag),
            ).fetchall()
            every = [self._work_order(conn, row["number"], detail=False) for row in rows]
            # Whoever plans the work asks who is due where: each job's booked visit, if it has one.
            for row, order in zip(rows, every):
                booked = conn.execute("SELECT number FROM visits WHERE work_order = ? AND status = 'booked'"
                                      " ORDER BY date DESC, number DESC LIMIT 1", (row["number"],)).fetchone()
                if booked:
                    order["visit"] = self._visit(conn, booked["number"])
        # "Open" as callers and crews say it: not finished (open, scheduled, in progress, on hold), each read with its state.
        orders = [o for o in every if status is None or o["status"] == status
                  or (status == "open" and o["status"] not in CLOSED_STATUSES)][:limit]
        where = f"asset {tag}" if tag is not None else f"site {site}"
        return {"count": len(orders), "work_orders": orders,
                "message": _list_sentence(orders, every, where, status, self._now().date())}

    # --- assets ------------------------------------------------------------------
    def lookup_asset(self, asset_tag: str) -> dict[str, Any]:
        with self.db.read() as conn:
            asset = self._asset(conn, asset_tag)
            rows = conn.execute(
                "SELECT number FROM work_orders WHERE asset_tag = ? ORDER BY created_at DESC LIMIT 5",
                (asset["tag"],),
            ).fetchall()
            asset["recent_work_orders"] = [self._work_order(conn, r["number"], detail=False) for r in rows]
            last = conn.execute(
                "SELECT updated_at, summary FROM work_orders WHERE asset_tag = ? AND status = 'completed'"
                " ORDER BY updated_at DESC LIMIT 1", (asset["tag"],)
            ).fetchone()
            open_rows = conn.execute(
                "SELECT number, summary, status FROM work_orders WHERE asset_tag = ?"
                " AND status NOT IN ('completed', 'cancelled') ORDER BY created_at DESC", (asset["tag"],),
            ).fetchall()
            # "Is anyone working on it?" is answered by the open job's state and its newest note.
            note = conn.execute(
                "SELECT text FROM work_order_notes WHERE work_order = ? ORDER BY id DESC LIMIT 1",
                (open_rows[0]["number"],),
            ).fetchone() if open_rows else None
        asset["last_service"] = last["updated_at"][:10] if last else None
        asset["last_service_summary"] = last["summary"] if last else None
        asset["open_work_orders"] = len(open_rows)
        asset["open_summary"] = open_rows[0]["summary"] if open_rows else None
        asset["open_status"] = open_rows[0]["status"] if open_rows else None
        asset["open_note"] = note["text"] if note else None
        asset["message"] = _asset_sentence(asset)
        return asset

    def list_sites(self) -> dict[str, Any]:
        with self.db.read() as conn:
            sites = [dict(r) for r in conn.execute("SELECT number, name, address FROM sites ORDER BY number")]
        return {"count": len(sites), "sites": sites}

    def list_assets(self, site: int, asset_type: str | None) -> dict[str, Any]:
        with self.db.read() as conn:
            site_row = self._site(conn, site)
            rows = conn.execute(
                "SELECT tag FROM assets WHERE site = ? AND (? IS NULL OR type = ?) ORDER BY tag",
                (site, asset_type, asset_type),
            ).fetchall()
            assets = [self._asset(conn, r["tag"], with_site=False) for r in rows]
        return {"site": site_row, "count": len(assets), "assets": assets,
                "message": _assets_sentence(assets, site_row, asset_type)}

    # --- visits ------------------------------------------------------------------
    def schedule_visit(
        self, work_order_id: str, visit_date: date, time_window: str, idempotency_key: str | None,
        *, moving: bool = False,
    ) -> dict[str, Any]:
        """Book a visit; a new booking replaces an earlier one. ``moving``: there must be one to move."""
        number = WORK_ORDER.parse(work_order_id)
        today = self._now().date()
        if visit_date < today:
            raise RequestError(f"{visit_date.isoformat()} is in the past; pick today or a later date.")
        if visit_date > today + timedelta(days=MAX_BOOKING_DAYS):
            raise RequestError(f"Visits can be booked up to {MAX_BOOKING_DAYS} days ahead.")
        payload = {"work_order_id": WORK_ORDER.format(number), "date": visit_date.isoformat(),
                   "time_window": time_window}

        def book() -> str:
            order = self._open_work_order(conn, number)
            if moving and conn.execute(
                "SELECT 1 FROM visits WHERE work_order = ? AND status = 'booked'", (number,)
            ).fetchone() is None:
                raise RequestError(f"No technician visit is booked for work order {WORK_ORDER.format(number)}"
                                   " to move; book one instead.")
            technician = conn.execute(
                "SELECT t.id FROM technicians t JOIN sites s ON s.region = t.region WHERE s.number = ?"
                " ORDER BY t.id LIMIT 1",
                (order["site"]["number"],),
            ).fetchone()
            # A new booking replaces any earlier one for the same work order.
            conn.execute(
                "UPDATE visits SET status = 'rescheduled' WHERE work_order = ? AND status = 'booked'", (number,)
            )
            cursor = conn.execute(
                "INSERT INTO visits (work_order, technician, date, time_window, status, created_at)"
                " VALUES (?, ?, ?, ?, 'booked', ?)",
                (number, technician["id"], visit_date.isoformat(), time_window, self._stamp()),
            )
            conn.execute(
                "UPDATE work_orders SET status = 'scheduled', updated_at = ? WHERE number = ?"
                " AND status IN ('open', 'on_hold')",
                (self._stamp(), number),
            )
            return VISIT.format(cursor.lastrowid)

        with self.db.write() as conn:
            tool = "reschedule_visit" if moving else "schedule_visit"
            ticket, replayed = idempotency.create_once(conn, idempotency_key, tool, payload, book)
            visit = self._visit(conn, VISIT.parse(ticket))
        visit["idempotent_replay"] = replayed
        start, end = TIME_WINDOWS[visit["time_window"]]
        visit["message"] = (
            f"Visit {ticket} booked: {visit['technician']['name']} will come {spoken_day(visit['date'], today, on=True)}, "
            f"between {start:%H:%M} and {end:%H:%M}."
        )
        return visit

    def cancel_visit(self, work_order_id: str, idempotency_key: str | None) -> dict[str, Any]:
        """Cancel the booked visit of a work order; the work order goes back to open. A retry with the
        same key returns the same cancelled visit instead of refusing (nothing is booked any more)."""
        number = WORK_ORDER.parse(work_order_id)
        payload = {"work_order_id": WORK_ORDER.format(number)}

        def cancel() -> str:
            self._open_work_order(conn, number)
            row = conn.execute(
                "SELECT number FROM visits WHERE work_order = ? AND status = 'booked' ORDER BY number DESC LIMIT 1",
                (number,),
            ).fetchone()
            if row is None:
                raise RequestError(f"No technician visit is booked for work order {WORK_ORDER.format(number)}.")
            conn.execute("UPDATE visits SET status = 'cancelled' WHERE number = ?", (row["number"],))
            conn.execute(
                "UPDATE work_orders SET status = 'open', updated_at = ? WHERE number = ? AND status = 'scheduled'",
                (self._stamp(), number),
            )
            return VISIT.format(row["number"])

        with self.db.write() as conn:
            ticket, replayed = idempotency.create_once(conn, idempotency_key, "cancel_visit", payload, cancel)
            visit = self._visit(conn, VISIT.parse(ticket))
        visit["idempotent_replay"] = replayed
        visit["message"] = (f"The visit {spoken_day(visit['date'], self._now().date(), on=True)} is cancelled. "
                            f"Work order {visit['work_order_id']} stays open.")
        return visit

    def get_visit_eta(self, work_order_id: str) -> dict[str, Any]:
        number = WORK_ORDER.parse(work_order_id)
        with self.db.read() as conn:
            order = self._work_order(conn, number, detail=False)
            row = conn.execute(
                "SELECT number FROM visits WHERE work_order = ? AND status = 'booked' ORDER BY number DESC LIMIT 1",
                (number,),
            ).fetchone()
            if row is None:
                return {
                    "work_order_id": order["work_order_id"],
                    "visit": None,
                    "message": f"No technician visit is booked for work order {order['work_order_id']} yet.",
                }
            visit = self._visit(conn, row["number"])
        return {"work_order_id": order["work_order_id"], "visit": visit, **visit_eta(visit, self._now())}

    # --- row helpers -------------------------------------------------------------
    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    def _site(self, conn: sqlite3.Connection, number: int) -> dict[str, Any]:
        row = conn.execute("SELECT number, name, address FROM sites WHERE number = ?", (number,)).fetchone()
        if row is None:
            known = ", ".join(str(r[0]) for r in conn.execute("SELECT number FROM sites ORDER BY number"))
            raise RequestError(f"There is no site {number}. Northwind sites are {known}.")
        return dict(row)

    def _asset(self, conn: sqlite3.Connection, tag: str, with_site: bool = True) -> dict[str, Any]:
        """The asset with ``tag`` written any way ("p4512", "A-123"); its ``tag`` is the stored form."""
        row = conn.execute(
            "SELECT tag, site, type, make, model, description FROM assets WHERE upper(replace(tag, '-', '')) = ?",
            (tag_key(tag),),
        ).fetchone()
        if row is None:
            raise RequestError(f"No asset with tag {tag.strip().upper()}. Tags look like A123 or P-4512.")
        asset = dict(row)
        if with_site:
            asset["site"] = self._site(conn, row["site"])
        return asset

    def _asset_at_site(self, conn: sqlite3.Connection, tag: str, site: int) -> str:
        """The stored form of ``tag``, once it is known to be at ``site``."""
        self._site(conn, site)
        asset = self._asset(conn, tag)
        if asset["site"]["number"] != site:
            raise RequestError(
                f"Asset {asset['tag']} is at site {asset['site']['number']} ({asset['site']['name']}), "
                f"not site {site}."
            )
        return str(asset["tag"])

    def _work_order(self, conn: sqlite3.Connection, number: int, detail: bool = True) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM work_orders WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise RequestError(f"There is no work order {WORK_ORDER.format(number)}.")
        asset = self._asset(conn, row["asset_tag"], with_site=False)
        order: dict[str, Any] = {
            "work_order_id": WORK_ORDER.format(number),
            "status": row["status"],
            "priority": row["priority"],
            "summary": row["summary"],
            "asset": {"tag": asset["tag"], "type": asset["type"], "description": asset["description"]},
            "site": self._site(conn, row["site"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        if detail:
            order["reported_by"] = row["reported_by"]
            order["callback_number"] = row["callback_number"]
            order["notes"] = [
                dict(n)
                for n in conn.execute(
                    "SELECT author, text, created_at FROM work_order_notes WHERE work_order = ? ORDER BY id",
                    (number,),
                )
            ]
            order["visits"] = [
                self._visit(conn, v["number"])
                for v in conn.execute("SELECT number FROM visits WHERE work_order = ? ORDER BY number", (number,))
            ]
        return order

    def _open_work_order(self, conn: sqlite3.Connection, number: int) -> dict[str, Any]:
        order = self._work_order(conn, number, detail=False)
        if order["status"] in CLOSED_STATUSES:
            raise RequestError(
                f"Work order {order['work_order_id']} is already {order['status']} and cannot be changed; "
                "open a new work order instead."
            )
        return order

    def _add_note(self, conn: sqlite3.Connection, number: int, author: str | None, text: str) -> None:
        conn.execute(
            "INSERT INTO work_order_notes (work_order, author, text, created_at) VALUES (?, ?, ?, ?)",
            (number, author or "caller", text, self._stamp()),
        )

    def _visit(self, conn: sqlite3.Connection, number: int) -> dict[str, Any]:
        row = conn.execute(
            "SELECT v.*, t.name AS technician_name, t.phone AS technician_phone FROM visits v"
            " JOIN technicians t ON t.id = v.technician WHERE v.number = ?",
            (number,),
        ).fetchone()
        start, end = TIME_WINDOWS[row["time_window"]]
        return {
            "visit_id": VISIT.format(number),
            "work_order_id": WORK_ORDER.format(row["work_order"]),
            "date": row["date"],
            "time_window": row["time_window"],
            "window_start": f"{start:%H:%M}",
            "window_end": f"{end:%H:%M}",
            "status": row["status"],
            "technician": {"name": row["technician_name"], "phone": row["technician_phone"]},
        }


def _status_sentence(order: dict[str, Any], today: date) -> str:
    """Status first, then when the technician comes: what a caller asking after a job wants to hear."""
    status = (
        f"Work order {order['work_order_id']} for the {order['asset']['type']} {order['asset']['tag']} "
        f"is {order['status'].replace('_', ' ')}, priority {order['priority']}."
    )
    # A job held or under way says why or how far, as its newest note tells ("Waiting for replacement actuator").
    if order["status"] in ("on_hold", "in_progress") and order.get("notes"):
        note = re.split(r"(?<=[.;])\s", str(order["notes"][-1]["text"]).strip(), maxsplit=1)[0].rstrip(".;")
        status += f" Latest note{from_whom(order['notes'][-1].get('author'))}: {note[:1].lower()}{note[1:]}."
    booked = [v for v in order.get("visits", []) if v["status"] == "booked"]
    if booked:
        visit = booked[-1]
        status += (f" {visit['technician']['name']} is booked for {spoken_day(visit['date'], today)} "
                   f"{visit['time_window']}, "
                   f"between {visit['window_start']} and {visit['window_end']}.")
    elif order["status"] not in CLOSED_STATUSES and "visits" in order:
        status += " No technician visit is booked yet."
    return status


def _list_sentence(orders: list[dict[str, Any]], every: list[dict[str, Any]], where: str, status: str | None,
                   today: date) -> str:
    """What a caller asking "any open jobs at ...?" wants first: the jobs found, newest first, each as its
    reference, what it is on and how it stands. None with the status asked for ("open" said for "not finished",
    when the one job there is in progress): the ones not finished instead; none of those: the latest."""
    kind = status.replace("_", " ") if status else "open"
    unfinished = [o for o in every if o["status"] not in CLOSED_STATUSES]
    live = orders if status else unfinished
    if live:
        head = f"One {kind} work order for {where}." if len(live) == 1 else f"{len(live)} {kind} work orders for {where}."
    elif unfinished:  # only with a status asked for: without one, the unfinished are what was looked for
        # (said as one: "none open" then "one not finished" reads as a contradiction to a caller who said "open")
        head = f"Nothing {kind} for {where}, but one job is not finished yet:" if len(unfinished) == 1 else \
            f"Nothing {kind} for {where}, but {len(unfinished)} jobs are not finished yet:"
        live = unfinished
    else:
        return f"No {kind} work orders for {where}." + (
            f" The latest, {every[0]['work_order_id']}, is {every[0]['status'].replace('_', ' ')}." if every else "")
    full = live if len(live) <= 2 else live[:LISTED_IN_FULL]
    items = " ".join(f"{o['work_order_id']}, the {o['asset']['type']} {o['asset']['tag']}: {_gist(o['summary'])}, "
                     f"{o['status'].replace('_', ' ')}." for o in full)
    if len(live) > len(full):
        # More than the ear takes whole: the newest in full, then what each other one is on, so every one is heard
        # and the caller can ask after any ("and the one on A123?").
        rest = [f"the {o['asset']['type']} {o['asset']['tag']}" for o in live[LISTED_IN_FULL:LISTED_ALOUD]]
        more = len(live) - LISTED_ALOUD
        items += f" Also {', '.join(rest[:-1])} and {rest[-1]}." if len(rest) > 1 else f" Also {rest[0]}."
        items += f" And {more} more." if more > 0 else ""
    # Who is due, for the jobs not finished: a visit booked, or that none is.
    due = [o for o in live if o.get("visit")]
    if due:
        items += " " + " ".join(f"{o['visit']['technician']['name']} is booked for "
                                f"{'it' if len(live) == 1 else o['work_order_id']} "
                                f"{spoken_day(o['visit']['date'], today)} {o['visit']['time_window']}." for o in due[:2])
    elif any(o["status"] not in CLOSED_STATUSES for o in live):
        items += " No technician visit is booked for " + ("it." if len(live) == 1 else "any of them.")
    return f"{head} {items}"


#: Most things a list read out names one by one; the rest are counted.
LISTED_ALOUD = 4
#: Of a list of more than two work orders, how many are read with their reference and what is wrong (the newest);
#: the others by what they are on.
LISTED_IN_FULL = 1


def _assets_sentence(assets: list[dict[str, Any]], site: dict[str, Any], asset_type: str | None) -> str:
    """How many there are of the kind asked at the site, then each as its tag and what it is."""
    kind = asset_type or "asset"
    where = f"site {site['number']}, {site['name']}"
    if not assets:
        return f"No {kind}s at {where}."
    head = f"One {kind} at {where}:" if len(assets) == 1 else f"{len(assets)} {kind}s at {where}:"
    items = "; ".join(f"{a['tag']}, {str(a['description']).lower()}" for a in assets[:LISTED_ALOUD])
    more = len(assets) - LISTED_ALOUD
    return f"{head} {items}." + (f" And {more} more." if more > 0 else "")


def _asset_sentence(asset: dict[str, Any]) -> str:
    """What it is and where, how it stands, when it was last serviced: one idea per sentence (make and
    model are in the result for whoever asks)."""
    site = asset["site"]
    count = asset["open_work_orders"]
    # A job under way says how far it got (its state and newest note); "open" is said by "Open:" already.
    status = str(asset.get("open_status") or "open").replace("_", " ")
    underway = "" if status == "open" else f", {status}"
    state = ("No open work orders." if count == 0 else
             f"Open: {_gist(asset['open_summary'])}{underway}." if count == 1 else
             f"{count} open work orders, the latest: {_gist(asset['open_summary'])}{underway}.")
    if underway and asset.get("open_note"):
        state += f" Latest note: {_gist(asset['open_note'])}."
    # (The last job completed on it, said so: "was the borescope ever done?" is answered by it.)
    last = (f"Last service: {_gist(asset['last_service_summary'])}, completed {spoken_day(asset['last_service'])}."
            if asset["last_service"] else "No service on record.")
    return (f"{asset['tag']} is the {asset['description'].lower()}, at site {site['number']}, {site['name']}. "
            f"{state} {last}")


def _gist(summary: str) -> str:
    """A work order's summary up to its first clause, lower case, for a sentence that names it."""
    first = re.split(r"[,;(]", summary, maxsplit=1)[0].strip().rstrip(".")
    return first[:1].lower() + first[1:]


def spoken_day(iso_date: str, today: date | None = None, *, on: bool = False) -> str:
    """"2026-12-03" -> "Thursday 3 December", or "tomorrow" / "today" when it is: a date as people say it.
    ``on``: with its preposition ("on Thursday 3 December", "tomorrow")."""
    day = date.fromisoformat(iso_date[:10])
    if today is not None and day - today in (timedelta(0), timedelta(days=1)):
        return "today" if day == today else "tomorrow"
    return f"{'on ' if on else ''}{day:%A} {day.day} {day:%B}"


def visit_eta(visit: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Where a booked visit stands at ``now``: pure, so it is tested without a clock."""
    start_t, end_t = TIME_WINDOWS[visit["time_window"]]
    day = date.fromisoformat(visit["date"])
    start = datetime.combine(day, start_t, tzinfo=now.tzinfo)
    end = datetime.combine(day, end_t, tzinfo=now.tzinfo)
    name = visit["technician"]["name"]
    if now < start:
        return {
            "eta_status": "booked",
            "eta": None,
            "message": f"{name} is booked for {spoken_day(visit['date'], now.date())} {visit['time_window']}, "
                       f"between {start_t:%H:%M} and {end_t:%H:%M}.",
        }
    if now < end:
        eta = min(now + TRAVEL, end)
        return {
            "eta_status": "en_route",
            "eta": eta.isoformat(timespec="minutes"),
            "message": f"{name} is on the way and should arrive by about {eta:%H:%M}.",
        }
    return {
        "eta_status": "window_passed",
        "eta": None,
        "message": f"The {visit['time_window']} window on {visit['date']} has passed; "
        "the dispatcher will call to rebook.",
    }
