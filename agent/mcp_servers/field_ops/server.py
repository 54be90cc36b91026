"""The field-ops tools: thin, schema-typed wrappers over ``FieldOpsStore``.

Each parameter's ``description`` is the question a domain agent asks the caller for
it, so it is phrased as one. Tool names are a stable interface: agents and demo
scripts call them by name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from agent.mcp_servers.audited_server import AuditedServer
from agent.mcp_servers.database import Database
from agent.mcp_servers.field_ops.seed import seed
from agent.mcp_servers.field_ops.store import MAX_BOOKING_DAYS, SCHEMA, FieldOpsStore
from agent.mcp_servers.fields import FreeText, IdempotencyKey, Limit, Priority, ShortText
from agent.mcp_servers.ticket_ids import WORK_ORDER

#: Any case, with or without the dash (or a space): the store finds "p4512" and "A-123" as P-4512 and A123.
AssetTag = Annotated[str, Field(pattern=r"^[A-Za-z][- ]?[0-9]{3,5}$", max_length=8, examples=["A123", "P-4512"])]
SiteNumber = Annotated[int, Field(ge=1, le=999, examples=[12, 14])]
WorkOrderId = Annotated[str, Field(pattern=WORK_ORDER.pattern, max_length=8, examples=[WORK_ORDER.example])]
WorkOrderStatus = Literal["open", "scheduled", "in_progress", "on_hold", "completed", "cancelled"]
AssetType = Literal["pump", "compressor", "generator", "hvac", "valve", "transformer"]
TimeWindow = Literal["morning", "afternoon", "evening"]
VisitWindow = Annotated[
    TimeWindow, Field(description="Which time window: morning (8 to 12), afternoon (12 to 5) or evening (5 to 8)?")
]
PhoneNumber = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ()-]{5,19}$", examples=["+1 555 0142"])]

INSTRUCTIONS = (
    "Northwind Utilities field service: work orders (WO-10001 style numbers), assets (tags like A123 "
    "or P-4512) at numbered sites (1 to 999), and technician visits (VIS-40001 style). Confirm with the "
    "caller before any create or update; pass an idempotency_key on creates so retries never duplicate."
)


def build_server(db_path: Path) -> AuditedServer:
    """The field-ops server over the store at ``db_path`` (created and seeded on first use)."""
    store = FieldOpsStore(Database(db_path, SCHEMA, seed).open())
    server = AuditedServer("field-ops", INSTRUCTIONS, store.db)

    @server.tool()
    def create_work_order(
        site: Annotated[SiteNumber, Field(description="Which site is the asset at? Site number 1 to 999.")],
        asset_tag: Annotated[
            AssetTag, Field(description="What is the asset tag on the equipment? It looks like A123 or P-4512.")
        ],
        summary: Annotated[FreeText, Field(description="What is wrong with it? Describe the problem briefly.")],
        priority: Annotated[
            Priority, Field(description="How urgent is it: low, medium, high or urgent?")
        ] = "medium",
        reported_by: Annotated[ShortText | None, Field(description="Optional. Who is reporting the problem?")] = None,
        callback_number: Annotated[
            PhoneNumber | None, Field(description="Optional. What number can the technician call you back on?")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Open a work order for a faulty asset at a site; returns the new work order number."""
        return store.create_work_order(
            site, asset_tag, summary, priority, reported_by, callback_number, idempotency_key
        )

    @server.tool()
    def get_work_order(
        work_order_id: Annotated[
            WorkOrderId, Field(description="What is the work order number? It looks like WO-10234.")
        ],
    ) -> dict[str, Any]:
        """Look up a work order: status, priority, asset, site, notes and booked visits."""
        return store.get_work_order(work_order_id)

    @server.tool()
    def update_work_order(
        work_order_id: Annotated[
            WorkOrderId, Field(description="Which work order should change? It looks like WO-10234.")
        ],
        status: Annotated[
            WorkOrderStatus | None,
            Field(description="Optional. What should the status be: open, scheduled, in progress, on hold, "
                  "completed or cancelled?"),
        ] = None,
        priority: Annotated[
            Priority | None, Field(description="Optional. What should the priority be: low, medium, high or urgent?")
        ] = None,
        note: Annotated[FreeText | None, Field(description="Optional. Why is it changing? Added as a note.")] = None,
        author: Annotated[ShortText | None, Field(description="Optional. Who is making the change?")] = None,
    ) -> dict[str, Any]:
        """Change the status and/or priority of an open work order, optionally with a note."""
        return store.update_work_order(work_order_id, status, priority, note, author)

    @server.tool()
    def add_work_order_note(
        work_order_id: Annotated[
            WorkOrderId, Field(description="Which work order is the note for? It looks like WO-10234.")
        ],
        note: Annotated[FreeText, Field(description="What should the note say?")],
        author: Annotated[ShortText | None, Field(description="Optional. Who is adding the note?")] = None,
    ) -> dict[str, Any]:
        """Add a note to an open work order."""
        return store.add_work_order_note(work_order_id, note, author)

    @server.tool()
    def list_work_orders(
        site: Annotated[
            SiteNumber | None, Field(description="Which site? Site number 1 to 999 (give a site or an asset tag).")
        ] = None,
        asset_tag: Annotated[
            AssetTag | None, Field(description="Which asset? A tag like A123 or P-4512 (give a site or an asset tag).")
        ] = None,
        status: Annotated[
            WorkOrderStatus | None,
            Field(description="Optional. Only work orders with this status ('open': every one not finished)."),
        ] = None,
        limit: Annotated[Limit, Field(description="How many to return at most, newest first (1 to 50).")] = 10,
    ) -> dict[str, Any]:
        """List work orders for a site or an asset, newest first."""
        return store.list_work_orders(site, asset_tag, status, limit)

    @server.tool()
    def lookup_asset(
        asset_tag: Annotated[
            AssetTag, Field(description="What is the asset tag on the equipment? It looks like A123 or P-4512.")
        ],
    ) -> dict[str, Any]:
        """Look up an asset by its tag: type, model, site and its five most recent work orders."""
        return store.lookup_asset(asset_tag)

    @server.tool()
    def list_sites() -> dict[str, Any]:
        """List every site: its number, name and address (callers name a site, its street or town, not its number)."""
        return store.list_sites()

    @server.tool()
    def list_assets(
        site: Annotated[SiteNumber, Field(description="Which site? Site number 1 to 999.")],
        asset_type: Annotated[
            AssetType | None,
            Field(description="Optional. What kind of equipment: pump, compressor, generator, HVAC, valve "
                  "or transformer?"),
        ] = None,
    ) -> dict[str, Any]:
        """List the assets at a site, optionally only one type of equipment."""
        return store.list_assets(site, asset_type)

    @server.tool()
    def schedule_visit(
        work_order_id: Annotated[
            WorkOrderId, Field(description="Which work order is the visit for? It looks like WO-10234.")
        ],
        date: Annotated[dt.date, Field(description="What day should the technician come? A date like 2026-12-01, "
                                                  f"up to {MAX_BOOKING_DAYS} days ahead.")],
        time_window: VisitWindow,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Book a technician visit for an open work order on a date and time window."""
        return store.schedule_visit(work_order_id, date, time_window, idempotency_key)

    @server.tool()
    def reschedule_visit(
        work_order_id: Annotated[
            WorkOrderId, Field(description="Which work order's visit should move? It looks like WO-10234.")
        ],
        date: Annotated[dt.date, Field(description="Which day should the technician come instead? A date like "
                                                  f"2026-12-01, up to {MAX_BOOKING_DAYS} days ahead.")],
        time_window: VisitWindow,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Move the booked technician visit of a work order to another date and time window."""
        return store.schedule_visit(work_order_id, date, time_window, idempotency_key, moving=True)

    @server.tool()
    def cancel_visit(
        work_order_id: Annotated[
            WorkOrderId, Field(description="Which work order's visit should be cancelled? It looks like WO-10234.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Cancel the booked technician visit of a work order; the work order stays open."""
        return store.cancel_visit(work_order_id, idempotency_key)

    @server.tool()
    def get_visit_eta(
        work_order_id: Annotated[
            WorkOrderId, Field(description="Which work order is the visit for? It looks like WO-10234.")
        ],
    ) -> dict[str, Any]:
        """When the technician for a work order will arrive: booked window, or ETA if on the way."""
        return store.get_visit_eta(work_order_id)

    return server
