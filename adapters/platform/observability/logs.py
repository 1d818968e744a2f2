"""Log formatting: one JSON object per line in production, readable lines in development.

`ContextFilter` stamps every record with the current request id (and task id and name
in a Celery worker); put it on the handlers. `JsonFormatter` writes the record's
standard fields, those, and whatever the call passed in `extra=`."""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from adapters.platform.observability import context

CONTEXT_FIELDS = ("request_id", "task_id", "task_name")
# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    *CONTEXT_FIELDS,
}


class ContextFilter(logging.Filter):
    """Copies the unit of work's fields onto the record ("-" when there are none), so
    both formatters can name them."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = context.current()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, fields.get(name, "-"))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the
    context fields that are set, the call's `extra=` fields, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)  # stamped by ContextFilter
            if value and value != "-":
                line[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: `json` or `plain` lines on stderr, at `level`."""
    if log_format not in {"json", "plain"}:
        raise ValueError(f"LOG_FORMAT is json or plain, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "adapters.platform.observability.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "adapters.platform.observability.logs.JsonFormatter"},
            "plain": {"format": PLAIN_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Django's own request logger repeats what the request line says, without the id.
        "loggers": {"django.server": {"level": "WARNING"}},
    }
