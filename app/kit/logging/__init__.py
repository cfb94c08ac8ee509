"""Structured logs: one JSON object a line, each carrying the request id of the request it
belongs to (`X-Line-Request-Id`, also in the response), so one request's lines can be found.

Stdlib logging throughout (uvicorn, arq and Kizuna's own loggers); the request id lives in a
context variable that the HTTP middleware sets, so everything a request runs, including tasks
it starts, logs it. Bearer tokens in a message are masked as a last line of defence: Kizuna
itself never logs tokens or secrets (SQL parameters are hidden, see `app.kit.db`).
"""

import json
import logging
import logging.config
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("kizuna_request_id", default=None)

BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\",]+")
# LogRecord attributes that are not extra fields a caller passed.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


def redact(text: str) -> str:
    return BEARER.sub(r"\1***", text)


class RequestIdFilter(logging.Filter):
    """Stamps the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            "requestId": getattr(record, "request_id", None) or request_id.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool) else redact(str(value))
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return redact(super().format(record))


def log_config(level: str, fmt: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the root logger and uvicorn's (which `kizuna serve`
    hands to uvicorn, so its workers log alike)."""
    formatter = "kizuna.json" if fmt == "json" else "kizuna.text"
    handler = {
        "class": "logging.StreamHandler",
        "formatter": formatter,
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "kizuna.json": {"()": JsonFormatter},
            "kizuna.text": {"()": TextFormatter},
        },
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            name: {"handlers": [], "level": level.upper(), "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq")
        }
        # Its DEBUG lines are every statement with its parameters: tokens and secrets.
        | {"aiosqlite": {"level": max(logging.INFO, logging.getLevelName(level.upper()))}},
    }


def configure_logging(level: str, fmt: str) -> None:
    logging.config.dictConfig(log_config(level, fmt))
