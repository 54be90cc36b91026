"""The it-ops tools: thin, schema-typed wrappers over ``ItOpsStore``.

Each parameter's ``description`` is the question a domain agent asks the caller for
it, so it is phrased as one. Tool names are a stable interface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from agent.mcp_servers.audited_server import AuditedServer
from agent.mcp_servers.database import Database
from agent.mcp_servers.fields import FreeText, IdempotencyKey, Priority, ShortText
from agent.mcp_servers.it_ops.seed import seed
from agent.mcp_servers.it_ops.store import SCHEMA, ItOpsStore
from agent.mcp_servers.ticket_ids import INCIDENT, SERVICE_REQUEST

UserRef = Annotated[
    str,
    Field(
        pattern=r"^(?:[Ee][0-9]{5}|[^@\s]{1,64}@[^@\s]{1,190})$",
        max_length=254,
        examples=["E10482", "maria.lopez@northwind.example"],
    ),
]
IncidentId = Annotated[str, Field(pattern=INCIDENT.pattern, max_length=9, examples=[INCIDENT.example])]
RequestId = Annotated[str, Field(pattern=SERVICE_REQUEST.pattern, max_length=8, examples=[SERVICE_REQUEST.example])]
Category = Literal["network", "email", "hardware", "software", "access", "telephony", "other"]
IncidentStatus = Literal["new", "in_progress", "on_hold", "resolved", "closed", "cancelled"]
RequestType = Literal["hardware", "software", "access", "password_reset", "other"]
System = Literal["sap", "maximo", "scada_historian", "vpn", "sharepoint", "gis", "power_bi"]
AccessLevel = Literal["read", "write", "admin"]

_WHO = "What is your employee ID (like E10482) or your work email address?"

INSTRUCTIONS = (
    "Northwind Utilities IT service desk: incidents (INC-20001 style numbers), service requests "
    "(SR-30001 style; password resets and access requests are service requests too). Users are "
    "named by employee ID (E10482) or work email. Confirm with the caller before any create or "
    "change; pass an idempotency_key on creates so retries never duplicate."
)

# What each choice covers, after the question (which is all the caller hears): a model and the embedded
# brain tell a caller's own words apart by these, where the bare names ("hardware", "telephony") are
# too short to mean much. Categories as a service desk defines them, not phrases from any call.
_CATEGORIES = (
    "Network: Wi-Fi, wireless, VPN, internet, network connection, slow or dropping connection. "
    "Email: Outlook, mailbox, sending mail, receiving mail, calendar. "
    "Hardware: laptop, desktop computer, monitor, screen, keyboard, mouse, printer, scanner, docking station, "
    "tablet, battery, charger, cable, a broken device. "
    "Software: an application that crashes, a program on my computer that freezes, an error message in an "
    "application, software that will not install, an update. "
    "Access: login, account, permissions, shared folder, shared drive, locked out of a system. "
    "Telephony: desk phone, phone line, dial tone, voicemail, call quality, Teams calls, headset."
)
_REQUEST_TYPES = (
    "Hardware: a new device, a replacement device, laptop, monitor, keyboard, mouse, headset, phone, printer, "
    "docking station, tablet, charger, cable, other equipment. "
    "Software: an application installed on my computer, a program put on my laptop, installing software, "
    "a licence, an upgrade. "
    "Access: permission to a system, an application, a folder, a mailbox. "
    "Password reset: a forgotten password, an expired password, a locked account."
)

_SYSTEMS = (
    "SAP: finance, purchasing, purchase orders, invoices, timesheets, HR. "
    "Maximo: work management, work orders, asset register, maintenance planning. "
    "SCADA historian: historian, plant trends, historical process data, tag history. "
    "VPN: remote access, working from home, connecting from outside. "
    "SharePoint: documents, team sites, shared files, the intranet. "
    "GIS: maps, network maps, mapping, pipe and cable records. "
    "Power BI: reports, dashboards, business intelligence."
)


def build_server(db_path: Path) -> AuditedServer:
    """The it-ops server over the store at ``db_path`` (created and seeded on first use)."""
    store = ItOpsStore(Database(db_path, SCHEMA, seed).open())
    server = AuditedServer("it-ops", INSTRUCTIONS, store.db)

    @server.tool()
    def create_incident(
        user: Annotated[UserRef, Field(description=_WHO)],
        summary: Annotated[FreeText, Field(description="What is not working? Describe the problem briefly.")],
        category: Annotated[
            Category,
            Field(description="What kind of problem is it: network, email, hardware, software, access, "
                  "telephony or other? " + _CATEGORIES),
        ] = "other",
        priority: Annotated[
            Priority, Field(description="How badly does it affect your work: low, medium, high or urgent?")
        ] = "medium",
        description: Annotated[
            FreeText | None, Field(description="Optional. Anything else the engineer should know?")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Report an IT incident (something broken) for a user; returns the new incident number."""
        return store.create_incident(user, summary, category, priority, description, idempotency_key)

    @server.tool()
    def get_incident(
        incident_id: Annotated[IncidentId, Field(description="What is the incident number? It looks like INC-20234.")],
    ) -> dict[str, Any]:
        """Look up an incident: status, priority, assignment group and comments."""
        return store.get_incident(incident_id)

    @server.tool()
    def update_incident(
        incident_id: Annotated[
            IncidentId, Field(description="Which incident should change? It looks like INC-20234.")
        ],
        status: Annotated[
            IncidentStatus | None,
            Field(description="Optional. What should the status be: new, in progress, on hold, resolved, "
                  "closed or cancelled?"),
        ] = None,
        priority: Annotated[
            Priority | None, Field(description="Optional. What should the priority be: low, medium, high or urgent?")
        ] = None,
        comment: Annotated[
            FreeText | None, Field(description="Optional. Why is it changing? Added as a comment.")
        ] = None,
        author: Annotated[ShortText | None, Field(description="Optional. Who is making the change?")] = None,
    ) -> dict[str, Any]:
        """Change the status and/or priority of an open incident, optionally with a comment."""
        return store.update_incident(incident_id, status, priority, comment, author)

    @server.tool()
    def escalate_incident(
        incident_id: Annotated[
            IncidentId, Field(description="Which incident should be escalated? It looks like INC-20234.")
        ],
        reason: Annotated[FreeText, Field(description="Why does it need escalating?")],
        author: Annotated[ShortText | None, Field(description="Optional. Who is asking for the escalation?")] = None,
    ) -> dict[str, Any]:
        """Escalate an open incident one level: raises its priority and moves it to a higher support tier."""
        return store.escalate_incident(incident_id, reason, author)

    @server.tool()
    def add_incident_comment(
        incident_id: Annotated[
            IncidentId, Field(description="Which incident is the comment for? It looks like INC-20234.")
        ],
        comment: Annotated[FreeText, Field(description="What should the comment say?")],
        author: Annotated[ShortText | None, Field(description="Optional. Who is adding the comment?")] = None,
    ) -> dict[str, Any]:
        """Add a comment to an open incident."""
        return store.add_incident_comment(incident_id, comment, author)

    @server.tool()
    def create_service_request(
        user: Annotated[UserRef, Field(description=_WHO)],
        request_type: Annotated[
            RequestType,
            Field(description="What do you need: hardware, software, access, a password reset or something else? "
                  + _REQUEST_TYPES),
        ],
        summary: Annotated[FreeText, Field(description="What exactly are you asking for?")],
        details: Annotated[FreeText | None, Field(description="Optional. Any details that help fulfil it?")] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Submit a service request (something new you need); returns the request number."""
        return store.create_service_request(user, request_type, summary, details, idempotency_key)

    @server.tool()
    def get_service_request(
        request_id: Annotated[
            RequestId, Field(description="What is the request number? It looks like SR-30234.")
        ],
    ) -> dict[str, Any]:
        """Look up a service request (including password resets and access requests) and its status."""
        return store.get_service_request(request_id)

    @server.tool()
    def cancel_service_request(
        request_id: Annotated[
            RequestId, Field(description="Which request should be cancelled? It looks like SR-30234.")
        ],
        reason: Annotated[FreeText, Field(description="Why are you cancelling it?")],
    ) -> dict[str, Any]:
        """Cancel a service request that is not yet fulfilled, cancelled or rejected."""
        return store.cancel_service_request(request_id, reason)

    @server.tool()
    def request_password_reset(
        user: Annotated[UserRef, Field(description="Whose password needs resetting? " + _WHO)],
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Start a password reset for a user; returns a reference and what happens next."""
        return store.request_password_reset(user, idempotency_key)

    @server.tool()
    def request_access(
        user: Annotated[UserRef, Field(description="Who needs the access? " + _WHO)],
        system: Annotated[
            System,
            Field(description="Which system: SAP, Maximo, SCADA historian, VPN, SharePoint, GIS or Power BI? "
                  + _SYSTEMS),
        ],
        access_level: Annotated[AccessLevel, Field(description="What level of access: read, write or admin?")],
        justification: Annotated[FreeText, Field(description="Why do you need this access?")],
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Request access to a system for a user; it goes to their manager for approval."""
        return store.request_access(user, system, access_level, justification, idempotency_key)

    return server
