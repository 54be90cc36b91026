"""IT-ops data: SQL for users, incidents and service requests.

Password resets and access requests are service requests of their own type (as in
ServiceNow's catalogue), so ``get_service_request``/``cancel_service_request`` work
on them too. Arguments arrive shape-checked by the tool schemas; this module checks
them against the data and raises ``RequestError`` with a sentence a caller can act on.
"""

from __future__ import annotations

import re

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from agent.mcp_servers import idempotency
from agent.mcp_servers.authors import from_whom
from agent.mcp_servers.database import Database
from agent.mcp_servers.errors import RequestError
from agent.mcp_servers.ticket_ids import INCIDENT, SERVICE_REQUEST

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, department TEXT NOT NULL,
    manager_id TEXT REFERENCES users(id), mobile TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS incidents (
    number INTEGER PRIMARY KEY AUTOINCREMENT, caller_id TEXT NOT NULL REFERENCES users(id),
    summary TEXT NOT NULL, description TEXT, category TEXT NOT NULL, priority TEXT NOT NULL,
    status TEXT NOT NULL, escalation_level INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS incident_comments (
    id INTEGER PRIMARY KEY, incident INTEGER NOT NULL REFERENCES incidents(number),
    author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS service_requests (
    number INTEGER PRIMARY KEY AUTOINCREMENT, requester_id TEXT NOT NULL REFERENCES users(id),
    request_type TEXT NOT NULL, summary TEXT NOT NULL, details TEXT, system TEXT, access_level TEXT,
    status TEXT NOT NULL, approver_id TEXT REFERENCES users(id), cancel_reason TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""

PRIORITIES = ("low", "medium", "high", "urgent")
INCIDENT_CLOSED = ("closed", "cancelled")
REQUEST_CLOSED = ("fulfilled", "cancelled", "rejected")
ASSIGNMENT_GROUPS = {
    "network": "Network Operations",
    "email": "Messaging",
    "hardware": "Desktop Support",
    "software": "Application Support",
    "access": "Identity and Access",
    "telephony": "Unified Communications",
    "other": "Service Desk",
}
MAX_ESCALATION = 3
SYSTEM_NAMES = {
    "sap": "SAP",
    "maximo": "Maximo",
    "scada_historian": "SCADA historian",
    "vpn": "VPN",
    "sharepoint": "SharePoint",
    "gis": "GIS",
    "power_bi": "Power BI",
}
#: How long a password reset link stays valid (told to the caller).
RESET_LINK_MINUTES = 30

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ItOpsStore:
    def __init__(self, database: Database, clock: Clock = _utcnow) -> None:
        self.db = database
        self._now = clock

    # --- incidents ---------------------------------------------------------------
    def create_incident(
        self,
        user: str,
        summary: str,
        category: str,
        priority: str,
        description: str | None,
        idempotency_key: str | None,
    ) -> dict[str, Any]:
        payload = {"user": user.lower(), "summary": summary, "category": category, "priority": priority,
                   "description": description}

        def insert() -> str:
            caller = self._user(conn, user)
            stamp = self._stamp()
            cursor = conn.execute(
                "INSERT INTO incidents (caller_id, summary, description, category, priority, status,"
                " escalation_level, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'new', 1, ?, ?)",
                (caller["id"], summary, description, category, priority, stamp, stamp),
            )
            return INCIDENT.format(cursor.lastrowid)

        with self.db.write() as conn:
            ticket, replayed = idempotency.create_once(conn, idempotency_key, "create_incident", payload, insert)
            incident = self._incident(conn, INCIDENT.parse(ticket))
        incident["idempotent_replay"] = replayed
        incident["message"] = (
            f"Incident {ticket} is logged with {incident['assignment_group']}, priority {incident['priority']}."
        )
        return incident

    def get_incident(self, incident_id: str) -> dict[str, Any]:
        number = INCIDENT.parse(incident_id)
        with self.db.read() as conn:
            incident = self._incident(conn, number)
        incident["message"] = _incident_sentence(incident)
        return incident

    def update_incident(
        self, incident_id: str, status: str | None, priority: str | None, comment: str | None, author: str | None
    ) -> dict[str, Any]:
        number = INCIDENT.parse(incident_id)
        if status is None and priority is None and comment is None:
            raise RequestError("Nothing to change: give a new status, a new priority or a comment.")
        with self.db.write() as conn:
            incident = self._open_incident(conn, number)
            conn.execute(
                "UPDATE incidents SET status = ?, priority = ?, updated_at = ? WHERE number = ?",
                (status or incident["status"], priority or incident["priority"], self._stamp(), number),
            )
            if comment is not None:
                self._add_comment(conn, number, author, comment)
            incident = self._incident(conn, number)
        incident["message"] = _incident_sentence(incident)
        return incident

    def escalate_incident(self, incident_id: str, reason: str, author: str | None) -> dict[str, Any]:
        number = INCIDENT.parse(incident_id)
        with self.db.write() as conn:
            incident = self._open_incident(conn, number)
            if incident["escalation_level"] >= MAX_ESCALATION:
                raise RequestError(
                    f"Incident {incident['incident_id']} is already with Major Incident Management, "
                    "the highest escalation level."
                )
            raised = PRIORITIES[min(PRIORITIES.index(incident["priority"]) + 1, len(PRIORITIES) - 1)]
            conn.execute(
                "UPDATE incidents SET escalation_level = escalation_level + 1, priority = ?,"
                " status = CASE WHEN status = 'new' THEN 'in_progress' ELSE status END, updated_at = ?"
                " WHERE number = ?",
                (raised, self._stamp(), number),
            )
            self._add_comment(conn, number, author, f"Escalated: {reason}")
            incident = self._incident(conn, number)
        incident["message"] = (
            f"Incident {incident['incident_id']} is escalated to {incident['assignment_group']}, "
            f"priority {incident['priority']}."
        )
        return incident

    def add_incident_comment(self, incident_id: str, comment: str, author: str | None) -> dict[str, Any]:
        number = INCIDENT.parse(incident_id)
        with self.db.write() as conn:
            self._open_incident(conn, number)
            self._add_comment(conn, number, author, comment)
            conn.execute("UPDATE incidents SET updated_at = ? WHERE number = ?", (self._stamp(), number))
            incident = self._incident(conn, number)
        incident["message"] = f"Comment added to incident {incident['incident_id']}."
        return incident

    # --- service requests --------------------------------------------------------
    def create_service_request(
        self, user: str, request_type: str, summary: str, details: str | None, idempotency_key: str | None
    ) -> dict[str, Any]:
        payload = {"user": user.lower(), "request_type": request_type, "summary": summary, "details": details}
        request = self._create_request(
            "create_service_request", idempotency_key, payload, user, request_type, summary, details, None, None
        )
        request["message"] = f"Service request {request['request_id']} is submitted."
        return request

    def request_password_reset(self, user: str, idempotency_key: str | None) -> dict[str, Any]:
        payload = {"user": user.lower()}
        request = self._create_request(
            "request_password_reset", idempotency_key, payload, user, "password_reset", "Password reset",
            None, None, None,
        )
        with self.db.read() as conn:
            mobile = self._user(conn, user)["mobile"]
        request["next_steps"] = (
            f"A one-time reset link has been sent by text message to the mobile number ending {mobile[-4:]}. "
            f"It expires in {RESET_LINK_MINUTES} minutes. If it does not arrive, call the service desk back "
            f"and quote {request['request_id']}."
        )
        request["message"] = f"Password reset {request['request_id']} is under way. {request['next_steps']}"
        return request

    def request_access(
        self, user: str, system: str, access_level: str, justification: str, idempotency_key: str | None
    ) -> dict[str, Any]:
        payload = {"user": user.lower(), "system": system, "access_level": access_level,
                   "justification": justification}
        request = self._create_request(
            "request_access", idempotency_key, payload, user, "access",
            f"{access_level.capitalize()} access to {SYSTEM_NAMES[system]}", justification, system, access_level,
        )
        approver = request["approver"]["name"] if request["approver"] else "the service desk"
        request["next_steps"] = (
            f"{approver[0].upper()}{approver[1:]} must approve it first; you will get an email when the access is "
            "granted, usually within one working day."
        )
        # Whom it waits for comes first: it is what a caller chases, and the ear may take only one sentence.
        request["message"] = (
            f"Access request {request['request_id']} is waiting for approval from {approver}. You will get an "
            "email when the access is granted, usually within one working day."
        )
        return request

    def get_service_request(self, request_id: str) -> dict[str, Any]:
        number = SERVICE_REQUEST.parse(request_id)
        with self.db.read() as conn:
            request = self._request(conn, number)
        # Waiting on someone, or turned down by them: who, so the caller knows whom to chase or ask why.
        approver = request["approver"]["name"] if request["approver"] else ""
        waiting = f" from {approver}" if approver and request["status"] == "awaiting_approval" else \
            f" by {approver}" if approver and request["status"] == "rejected" else ""
        request["message"] = (
            f"Service request {request['request_id']} ({request['summary']}) is "
            f"{request['status'].replace('_', ' ')}{waiting}."
        )
        return request

    def cancel_service_request(self, request_id: str, reason: str) -> dict[str, Any]:
        number = SERVICE_REQUEST.parse(request_id)
        with self.db.write() as conn:
            request = self._request(conn, number)
            if request["status"] in REQUEST_CLOSED:
                raise RequestError(
                    f"Service request {request['request_id']} is already {request['status']} "
                    "and cannot be cancelled."
                )
            conn.execute(
                "UPDATE service_requests SET status = 'cancelled', cancel_reason = ?, updated_at = ?"
                " WHERE number = ?",
                (reason, self._stamp(), number),
            )
            request = self._request(conn, number)
        request["message"] = f"Service request {request['request_id']} is cancelled."
        return request

    # --- row helpers -------------------------------------------------------------
    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    def _create_request(
        self,
        tool: str,
        idempotency_key: str | None,
        payload: dict[str, Any],
        user: str,
        request_type: str,
        summary: str,
        details: str | None,
        system: str | None,
        access_level: str | None,
    ) -> dict[str, Any]:
        def insert() -> str:
            requester = self._user(conn, user)
            # Access needs the requester's manager; other requests go straight to the desk.
            approver = requester["manager_id"] if request_type == "access" else None
            status = "awaiting_approval" if request_type == "access" else (
                "in_progress" if request_type == "password_reset" else "submitted"
            )
            stamp = self._stamp()
            cursor = conn.execute(
                "INSERT INTO service_requests (requester_id, request_type, summary, details, system, access_level,"
                " status, approver_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (requester["id"], request_type, summary, details, system, access_level, status, approver,
                 stamp, stamp),
            )
            return SERVICE_REQUEST.format(cursor.lastrowid)

        with self.db.write() as conn:
            ticket, replayed = idempotency.create_once(conn, idempotency_key, tool, payload, insert)
            request = self._request(conn, SERVICE_REQUEST.parse(ticket))
        request["idempotent_replay"] = replayed
        return request

    def _user(self, conn: sqlite3.Connection, ref: str) -> dict[str, Any]:
        """A user by employee id (E10482) or email, matched case-insensitively."""
        ref = ref.strip()
        by_email = "@" in ref
        if by_email:
            row = conn.execute("SELECT * FROM users WHERE lower(email) = ?", (ref.lower(),)).fetchone()
        else:
            row = conn.execute("SELECT * FROM users WHERE upper(id) = ?", (ref.upper(),)).fetchone()
        if row is None:
            if by_email:
                raise RequestError("No user with that email address. Work emails end in @northwind.example.")
            raise RequestError(f"No user with employee ID {ref.upper()}. Employee IDs look like E10482.")
        return dict(row)

    def _person(self, conn: sqlite3.Connection, user_id: str | None) -> dict[str, Any] | None:
        """Id and name only: a phone caller must not learn someone's email from a ticket."""
        if user_id is None:
            return None
        row = conn.execute("SELECT id, name FROM users WHERE id = ?", (user_id,)).fetchone()
        return dict(row)

    def _incident(self, conn: sqlite3.Connection, number: int) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM incidents WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise RequestError(f"There is no incident {INCIDENT.format(number)}.")
        return {
            "incident_id": INCIDENT.format(number),
            "status": row["status"],
            "priority": row["priority"],
            "category": row["category"],
            "summary": row["summary"],
            "description": row["description"],
            "caller": self._person(conn, row["caller_id"]),
            "assignment_group": _assignment_group(row["category"], row["escalation_level"]),
            "escalation_level": row["escalation_level"],
            "comments": [
                dict(c)
                for c in conn.execute(
                    "SELECT author, text, created_at FROM incident_comments WHERE incident = ? ORDER BY id",
                    (number,),
                )
            ],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def _open_incident(self, conn: sqlite3.Connection, number: int) -> dict[str, Any]:
        incident = self._incident(conn, number)
        if incident["status"] in INCIDENT_CLOSED:
            raise RequestError(
                f"Incident {incident['incident_id']} is already {incident['status']} and cannot be changed; "
                "report a new incident instead."
            )
        return incident

    def _add_comment(self, conn: sqlite3.Connection, number: int, author: str | None, text: str) -> None:
        conn.execute(
            "INSERT INTO incident_comments (incident, author, text, created_at) VALUES (?, ?, ?, ?)",
            (number, author or "caller", text, self._stamp()),
        )

    def _request(self, conn: sqlite3.Connection, number: int) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM service_requests WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise RequestError(f"There is no service request {SERVICE_REQUEST.format(number)}.")
        return {
            "request_id": SERVICE_REQUEST.format(number),
            "request_type": row["request_type"],
            "status": row["status"],
            "summary": row["summary"],
            "details": row["details"],
            "system": row["system"],
            "access_level": row["access_level"],
            "requester": self._person(conn, row["requester_id"]),
            "approver": self._person(conn, row["approver_id"]),
            "cancel_reason": row["cancel_reason"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }


def _assignment_group(category: str, level: int) -> str:
    if level >= MAX_ESCALATION:
        return "Major Incident Management"
    group = ASSIGNMENT_GROUPS[category]
    return group if level == 1 else f"{group} (tier {level})"


def _sentence_inside(text: str) -> str:
    """``text`` said after a colon: its first letter small, unless it opens an acronym ("VPN client reinstalled")."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _incident_sentence(incident: dict[str, Any]) -> str:
    said = (
        f"Incident {incident['incident_id']} ({incident['summary']}) is {incident['status'].replace('_', ' ')}, "
        f"priority {incident['priority']}, with {incident['assignment_group']}."
    )
    # One held or under way says how far it got, as its newest comment tells ("Waiting for the user to test").
    if incident["status"] in ("on_hold", "in_progress") and incident.get("comments"):
        comment = re.split(r"(?<=[.!?])\s", str(incident["comments"][-1]["text"]).strip(), maxsplit=1)[0].rstrip(".;")
        said += f" Latest comment{from_whom(incident['comments'][-1].get('author'))}: {_sentence_inside(comment)}."
    return said
