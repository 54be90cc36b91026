"""Logging set-up: one JSON object per line on stderr.

Personal data is redacted from every record (``Redact``); the agent's telemetry extends
that filter with session and trace ids (``telemetry.LogContext``). Standard library only,
so the separately deployed bridge shares it.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from agent.privacy.redact import redact


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


class Redact(logging.Filter):
    """Formats the message and passes it through ``agent.privacy.redact.redact``, and so the
    traceback, which is pre-formatted into ``exc_text``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def setup_logging(level: str, context: logging.Filter | None = None) -> None:
    """JSON lines on stderr at ``level``; ``context`` (default ``Redact``) fills and cleans each record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(context or Redact())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The agentserver host logs every request at INFO; keep it for warnings only.
    logging.getLogger("azure").setLevel(logging.WARNING)
    # uvicorn logs every connection and request line at INFO: noise, and hostile URLs in the log.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
