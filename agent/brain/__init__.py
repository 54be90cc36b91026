"""The switchboard brain: routing turns to the domain agents, slot filling, entities, tool runs over MCP."""
