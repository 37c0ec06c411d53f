"""Log records that say which request (or the job it sent) they belong to, in plain text or JSON lines.

The request id middleware (annotator/middleware.py) puts each request's id in ``REQUEST_ID``; the Celery
signals (annotator/celery.py) carry it in the headers of the tasks a request sends and put it back while
a worker runs them. ``RequestIdFilter`` copies it onto every record, so a formatter can print it.

No Django import: settings.py builds its LOGGING from ``logging_config``.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# An incoming X-Request-ID is kept when it is this short and this plain (a proxy's uuid, a trace id):
# anything else is replaced, so a client cannot write what it likes into the logs.
REQUEST_ID_MAX_LENGTH = 128
_SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{REQUEST_ID_MAX_LENGTH}}}")
# The Celery task header that carries the id from the request to the worker.
TASK_HEADER = "request_id"

LOG_FORMATS = ("plain", "json")
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
JSON_RENAMES = {"levelname": "level", "name": "logger"}
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def request_id_valid(value: str | None) -> bool:
    return bool(value) and _SAFE_REQUEST_ID.fullmatch(value) is not None


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_or_new(incoming: str | None) -> str:
    """The caller's id when it is valid, else a new one."""
    return incoming if incoming is not None and request_id_valid(incoming) else request_id_new()


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` to the current request's id ("-" outside any request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get() or "-"
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object a line: timestamp (UTC, ISO 8601), level, logger, message, request_id, exc_info."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(JSON_FIELDS, rename_fields=JSON_RENAMES, timestamp=True)


def log_format(value: str | None) -> str:
    chosen = (value or "plain").strip().lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}.")
    return chosen


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING dict: every record through one stderr handler with the request id filter."""
    formatter: dict[str, Any] = (
        {"()": "annotator.logging_context.json_formatter"}
        if log_format == "json"
        else {"format": PLAIN_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "annotator.logging_context.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


def handlers_to_json(logger: logging.Logger) -> None:
    """Give a logger's handlers the JSON formatter and the request id (a Celery worker's, which Celery
    set up itself)."""
    for handler in logger.handlers:
        handler.setFormatter(json_formatter())
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
