"""What every log line of the current unit of work says about it: the request id (an
HTTP request's, or the one a Celery task was queued with), the task's id and name.

Context variables, so each gunicorn thread and each eager task sees its own."""

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

REQUEST_ID_HEADER = "X-Request-ID"
# What a client or proxy may hand us as a request id; anything else gets a fresh one,
# so a header cannot smuggle newlines, JSON or megabytes into the logs.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

_fields: ContextVar[Mapping[str, str]] = ContextVar(
    "portside_log_context", default=MappingProxyType({})
)


def current() -> Mapping[str, str]:
    """The fields bound to the current unit of work (request_id, task_id, task_name)."""
    return _fields.get()


def request_id() -> str | None:
    return _fields.get().get("request_id")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_or_new(candidate: str | None) -> str:
    """The request id a client sent, if it is a sane one; a new one otherwise."""
    if candidate and ACCEPTED_REQUEST_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


@contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    """Add `fields` (None values are left out) for the duration of the block."""
    token = _fields.set({**_fields.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _fields.reset(token)
