"""Logs as one JSON object per line (`HELPDESK_LOG_FORMAT=json`), each with the id of the request
it belongs to; a job queued by a request carries that id into the worker's lines too."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("helpdesk_request_id", default=None)

# What a proxy may hand us in X-Request-ID: short and plain, so it cannot forge log lines.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id(offered: str | None) -> str:
    """The proxy's X-Request-ID when it looks like an id, else a fresh one."""
    return offered if offered and _ACCEPTABLE.fullmatch(offered) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


def configure(log_format: str, level: str = "INFO") -> None:
    """Send the root logger's records to stderr as JSON lines (`json`) or as text (`text`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_helpdesk", False)]:
        root.removeHandler(old)
    handler._helpdesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def task_id_with_request(task_id: str) -> str:
    """A job's id that carries the current request's id in front (`<request id>~<uuid>`)."""
    rid = request_id.get()
    return f"{rid}~{task_id}" if rid and "~" not in task_id else task_id


def request_of_task(task_id: str | None) -> str | None:
    """The request id a job's id carries, if any."""
    if task_id and "~" in task_id:
        return task_id.split("~", 1)[0]
    return None
