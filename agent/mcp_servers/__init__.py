"""MCP servers that stand in for the operations back ends the domain agents act on.

``field_ops`` plays a third-party field-service platform (work orders, assets,
technician visits); ``it_ops`` plays ServiceNow / Jira Service Management
(incidents, service requests, password resets, access requests). Each is a
separate process (``switchboard mcp field-ops|it-ops``) over stdio or streamable
HTTP, backed by its own SQLite file with seeded demo data. See docs/mcp-servers.md.
"""
