"""Logging set-up: one JSON object per line on stderr.

The telemetry module extends the records with trace ids and redaction; this is the
minimal structured set-up every command shares.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from agent.config import Settings
from agent.telemetry import LogContext


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "ts": round(time.time(), 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("session_id", "trace_id", "span_id"):
            value = getattr(record, key, None)
            if value:
                body[key] = value
        if record.exc_info:
            body["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(LogContext())  # session id, trace id, redaction
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # The agentserver host logs every request at INFO; keep it for warnings only.
    logging.getLogger("azure").setLevel(logging.WARNING)
    # uvicorn logs every connection and request line at INFO: noise, and hostile URLs in the log.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
