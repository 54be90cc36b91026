"""Demo data for Northwind Utilities' IT service desk, written into an empty it-ops store once.

Highlights: employee E10482 (Maria Lopez, maria.lopez@northwind.example), open incident
INC-20001, cancellable request SR-30002, already-fulfilled request SR-30001.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

# id, email, name, department, manager id, mobile (last digits are read back on resets)
USERS = [
    ("E10001", "olivia.grant@northwind.example", "Olivia Grant", "Operations", None, "+1 555 010 7731"),
    ("E10482", "maria.lopez@northwind.example", "Maria Lopez", "Field Service", "E10001", "+1 555 014 4821"),
    ("E10517", "dev.patel@northwind.example", "Dev Patel", "Field Service", "E10001", "+1 555 014 9902"),
    ("E10533", "sam.oconnor@northwind.example", "Sam O'Connor", "Field Service", "E10001", "+1 555 014 3317"),
    ("E10620", "aiko.tanaka@northwind.example", "Aiko Tanaka", "Control Room", "E10001", "+1 555 016 2280"),
    ("E10777", "jonas.berg@northwind.example", "Jonas Berg", "Asset Management", "E10850", "+1 555 017 6054"),
    ("E10850", "grace.kim@northwind.example", "Grace Kim", "Asset Management", None, "+1 555 018 1199"),
    ("E11003", "tom.reyes@northwind.example", "Tom Reyes", "Finance", "E11050", "+1 555 011 0412"),
    ("E11050", "hannah.weiss@northwind.example", "Hannah Weiss", "Finance", None, "+1 555 011 8830"),
    ("E11234", "liam.murphy@northwind.example", "Liam Murphy", "IT", "E11300", "+1 555 012 5566"),
    ("E11300", "nora.ali@northwind.example", "Nora Ali", "IT", None, "+1 555 013 0070"),
    ("E11402", "ben.carter@northwind.example", "Ben Carter", "Control Room", "E10620", "+1 555 016 7743"),
]

# caller, summary, category, priority, status, escalation level, days ago
INCIDENTS = [
    ("E10482", "Laptop will not connect to VPN from site 12", "network", "high", "in_progress", 1, 1),
    ("E10620", "SCADA historian trends not updating in control room", "software", "urgent", "in_progress", 2, 0),
    ("E11003", "Outlook keeps asking for password", "email", "medium", "new", 1, 2),
    ("E10517", "Rugged tablet screen cracked", "hardware", "low", "on_hold", 1, 5),
    ("E11402", "Desk phone has no dial tone", "telephony", "medium", "resolved", 1, 8),
    ("E10777", "Maximo work order screen very slow", "software", "medium", "closed", 1, 20),
    ("E10533", "Cannot print to depot printer", "hardware", "low", "closed", 1, 12),
]

# requester, type, summary, system, access level, status, approver, days ago
SERVICE_REQUESTS = [
    ("E10482", "hardware", "Replacement charger for rugged tablet", None, None, "fulfilled", None, 9),
    ("E10517", "software", "Install AutoCAD LT on field laptop", None, None, "submitted", None, 1),
    ("E10777", "access", "Access to GIS editor", "gis", "write", "awaiting_approval", "E10850", 2),
    ("E11003", "password_reset", "Password reset", None, None, "fulfilled", None, 3),
    ("E10620", "hardware", "Second monitor for control room desk 4", None, None, "in_progress", None, 4),
    ("E11234", "access", "Admin access to VPN appliance", "vpn", "admin", "rejected", "E11300", 15),
]


def seed(conn: sqlite3.Connection) -> None:
    now = datetime.now(timezone.utc)
    conn.execute("PRAGMA defer_foreign_keys = ON")  # managers appear after some of their reports
    conn.executemany(
        "INSERT INTO users (id, email, name, department, manager_id, mobile) VALUES (?, ?, ?, ?, ?, ?)", USERS
    )
    for number, (caller, summary, category, priority, status, level, days) in enumerate(INCIDENTS, start=20001):
        stamp = _iso(now - timedelta(days=days, hours=number % 5))
        conn.execute(
            "INSERT INTO incidents (number, caller_id, summary, description, category, priority, status,"
            " escalation_level, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
            (number, caller, summary, category, priority, status, level, stamp, stamp),
        )
    conn.execute(
        "INSERT INTO incident_comments (incident, author, text, created_at) VALUES (20001, 'Liam Murphy',"
        " 'VPN client reinstalled; waiting for the user to test from site.', ?)",
        (_iso(now - timedelta(hours=3)),),
    )
    for number, row in enumerate(SERVICE_REQUESTS, start=30001):
        requester, kind, summary, system, level, status, approver, days = row
        stamp = _iso(now - timedelta(days=days))
        conn.execute(
            "INSERT INTO service_requests (number, requester_id, request_type, summary, details, system,"
            " access_level, status, approver_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
            (number, requester, kind, summary, system, level, status, approver, stamp, stamp),
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
