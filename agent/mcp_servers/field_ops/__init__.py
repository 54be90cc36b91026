"""The field-ops MCP server: work orders, assets and technician visits (a field-service platform)."""
