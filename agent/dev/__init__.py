"""Developer tools, not part of the container's call path: the call client, benchmarks, demo, local server."""
