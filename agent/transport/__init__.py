"""The WebSocket hot path under uvicorn and the worker dispatcher: where audio frames enter the container."""
