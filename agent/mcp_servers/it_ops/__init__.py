"""The it-ops MCP server: incidents, service requests, password resets and access requests (an ITSM)."""
