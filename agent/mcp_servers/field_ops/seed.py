"""Demo data for Northwind Utilities, written into an empty field-ops store once.

Fixed content (so demo scripts can rely on it), timestamps relative to seeding time
(so "recent" work orders stay recent). Highlights: pump A123 at site 12, pump
P-4512 at site 14, open work orders WO-10001..WO-10006.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

# number, name, address, region
SITES = [
    (3, "Harbor Road Treatment Works", "3 Harbor Road, Port Ellis", "south"),
    (7, "Millbrook Pumping Station", "88 Millbrook Lane, Ashford", "west"),
    (12, "Riverside Pumping Station", "12 River Street, Kingsbridge", "central"),
    (14, "North Ridge Substation", "401 Ridge Road, Northam", "north"),
    (21, "Eastgate Compressor Station", "21 Eastgate Industrial Park, Dunmore", "east"),
    (30, "Cedar Falls Reservoir", "Cedar Falls Road, Hollow Creek", "west"),
    (42, "Westfield Depot", "42 Westfield Avenue, Kingsbridge", "central"),
    (55, "Lakeside Water Treatment Plant", "5 Lakeshore Drive, Marlow", "north"),
    (68, "Stonebridge Generating Station", "68 Quarry Road, Stonebridge", "east"),
    (101, "Northwind Operations Centre", "101 Market Square, Kingsbridge", "central"),
]

# tag, site, type, make, model, description
ASSETS = [
    ("A123", 12, "pump", "Grundfos", "NK 150-400", "Main raw-water intake pump 1"),
    ("A124", 12, "pump", "Grundfos", "NK 150-400", "Main raw-water intake pump 2"),
    ("A125", 12, "generator", "Caterpillar", "C18", "Standby diesel generator"),
    ("A126", 12, "valve", "AVK", "Series 45", "Discharge isolation valve"),
    ("H-2120", 12, "hvac", "Daikin", "VRV IV", "Control room air conditioning"),
    ("P-4512", 14, "pump", "Flowserve", "HPX 6x4", "Transformer cooling oil pump"),
    ("T-1401", 14, "transformer", "Siemens", "GEAFOL 2500", "Main step-down transformer T1"),
    ("T-1402", 14, "transformer", "Siemens", "GEAFOL 2500", "Main step-down transformer T2"),
    ("V-1410", 14, "valve", "Emerson", "Fisher V150", "Cooling loop bypass valve"),
    ("H-1420", 14, "hvac", "Carrier", "AquaForce 30XW", "Switch room chiller"),
    ("A301", 3, "pump", "Xylem", "Flygt NP 3153", "Sludge transfer pump"),
    ("A302", 3, "compressor", "Atlas Copco", "ZS 37", "Aeration blower"),
    ("V-0310", 3, "valve", "AVK", "Series 06", "Outfall penstock valve"),
    ("G-0320", 3, "generator", "Cummins", "C500 D5", "Emergency generator"),
    ("A701", 7, "pump", "KSB", "Omega 200-520", "Booster pump 1"),
    ("A702", 7, "pump", "KSB", "Omega 200-520", "Booster pump 2"),
    ("P-4701", 7, "pump", "Grundfos", "CR 95", "Chemical dosing pump"),
    ("T-0730", 7, "transformer", "ABB", "RESIBLOC 1000", "Station supply transformer"),
    ("C-2101", 21, "compressor", "Ingersoll Rand", "Centac C700", "Gas compressor unit 1"),
    ("C-2102", 21, "compressor", "Ingersoll Rand", "Centac C700", "Gas compressor unit 2"),
    ("C-2103", 21, "compressor", "Atlas Copco", "GA 90", "Instrument air compressor"),
    ("V-2110", 21, "valve", "Cameron", "T31", "Station inlet ball valve"),
    ("G-2120", 21, "generator", "Kohler", "KD800", "Standby generator"),
    ("A3001", 30, "valve", "Rotork", "IQ3 Pro", "Reservoir outlet valve"),
    ("P-4530", 30, "pump", "Sulzer", "SMD 300", "Reservoir transfer pump"),
    ("G-3020", 30, "generator", "Cummins", "C150 D5", "Backup generator"),
    ("H-4201", 42, "hvac", "Trane", "Voyager 3", "Workshop rooftop unit"),
    ("C-4202", 42, "compressor", "Kaeser", "SK 22", "Workshop air compressor"),
    ("G-4203", 42, "generator", "Honda", "EU70is", "Portable generator (fleet)"),
    ("P-4204", 42, "pump", "Godwin", "CD150M", "Portable dewatering pump (fleet)"),
    ("A551", 55, "pump", "Grundfos", "SP 160", "Borehole pump 1"),
    ("A552", 55, "pump", "Grundfos", "SP 160", "Borehole pump 2"),
    ("V-5510", 55, "valve", "Bermad", "700 Series", "Filter backwash valve"),
    ("C-5520", 55, "compressor", "Atlas Copco", "GA 30", "Filter air-scour blower"),
    ("H-5530", 55, "hvac", "Daikin", "Altherma 3", "Lab climate control"),
    ("G-6801", 68, "generator", "GE", "LM6000", "Gas turbine generator 1"),
    ("G-6802", 68, "generator", "GE", "LM6000", "Gas turbine generator 2"),
    ("T-6810", 68, "transformer", "Hitachi Energy", "TXpand", "Generator step-up transformer"),
    ("C-6820", 68, "compressor", "Siemens", "STC-SV", "Fuel gas booster compressor"),
    ("H-1011", 101, "hvac", "Trane", "CenTraVac", "Office chiller plant"),
    ("G-1012", 101, "generator", "Caterpillar", "C15", "Data room standby generator"),
]

# name, region, phone
TECHNICIANS = [
    ("Maria Lopez", "central", "+1 555 0101"),
    ("Dev Patel", "north", "+1 555 0102"),
    ("Sam O'Connor", "east", "+1 555 0103"),
    ("Aiko Tanaka", "west", "+1 555 0104"),
    ("Jonas Berg", "south", "+1 555 0105"),
]

# asset tag, summary, priority, status, reported by, days ago
WORK_ORDERS = [
    ("A123", "Pump vibrating and running hot, bearing noise reported", "high", "open", "Riverside control room", 1),
    ("P-4512", "Oil pump tripping on overload twice a day", "urgent", "scheduled", "North Ridge operator", 2),
    ("C-2101", "Compressor unit 1 low discharge pressure", "medium", "in_progress", "Eastgate shift lead", 3),
    ("H-2120", "Control room too warm, AC short-cycling", "low", "open", "Riverside control room", 4),
    ("V-5510", "Backwash valve slow to close", "medium", "on_hold", "Lakeside operator", 6),
    ("G-0320", "Generator failed weekly test start", "high", "open", "Harbor Road supervisor", 1),
    ("A123", "Replace mechanical seal (leak)", "medium", "completed", "Riverside control room", 40),
    ("T-1401", "Annual transformer oil sample", "low", "completed", "Planned maintenance", 60),
    ("A701", "Booster pump 1 noisy at start-up", "medium", "completed", "Millbrook operator", 21),
    ("C-2103", "Instrument air dryer alarm", "low", "cancelled", "Eastgate shift lead", 15),
    ("G-6801", "Turbine 1 borescope inspection", "medium", "completed", "Planned maintenance", 30),
    ("P-4530", "Transfer pump flow below setpoint", "high", "completed", "Cedar Falls operator", 10),
]

NOTES = [
    (10001, "Riverside control room", "Vibration 9 mm/s on drive-end bearing; standby pump A124 running."),
    (10002, "Dispatcher", "Visit booked; technician to bring spare overload relay."),
    (10003, "Sam O'Connor", "Suction filter cleaned, pressure recovering; monitoring for 24 h."),
    (10005, "Dispatcher", "Waiting for replacement actuator, ETA two weeks."),
    (10007, "Maria Lopez", "Seal replaced and tested, no leak."),
]


def seed(conn: sqlite3.Connection) -> None:
    now = datetime.now(timezone.utc)
    conn.executemany("INSERT INTO sites (number, name, address, region) VALUES (?, ?, ?, ?)", SITES)
    conn.executemany(
        "INSERT INTO assets (tag, site, type, make, model, description) VALUES (?, ?, ?, ?, ?, ?)", ASSETS
    )
    conn.executemany("INSERT INTO technicians (name, region, phone) VALUES (?, ?, ?)", TECHNICIANS)
    site_of = {tag: site for tag, site, *_ in ASSETS}
    for number, (tag, summary, priority, status, reporter, days_ago) in enumerate(WORK_ORDERS, start=10001):
        created = _iso(now - timedelta(days=days_ago, hours=number % 7))
        conn.execute(
            "INSERT INTO work_orders (number, asset_tag, site, summary, priority, status, reported_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (number, tag, site_of[tag], summary, priority, status, reporter, created, created),
        )
    for work_order, author, text in NOTES:
        conn.execute(
            "INSERT INTO work_order_notes (work_order, author, text, created_at) VALUES (?, ?, ?, ?)",
            (work_order, author, text, _iso(now - timedelta(hours=6))),
        )
    # The scheduled work order (P-4512) has a visit tomorrow morning with the north technician.
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    conn.execute(
        "INSERT INTO visits (number, work_order, technician, date, time_window, status, created_at)"
        " VALUES (40001, 10002, 2, ?, 'morning', 'booked', ?)",
        (tomorrow, _iso(now - timedelta(days=1))),
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def vocabulary() -> str:
    """The catalogue's site names and asset kinds, for a recogniser's decoder prompt."""
    kinds = sorted({row[2] for row in ASSETS})
    return ", ".join([name for _, name, _, _ in SITES] + kinds) + "."
