"""The request id across the broker: a task queued while a request id is bound carries
it in a message header (`before_task_publish`); the worker binds it, with the task's id
and name, while the task runs (`task_prerun`/`task_postrun`), so its log lines name the
request that started the work. Eager tasks run inside the request's own context.

`connect()` also hands the worker's logging to Django's LOGGING setting, so the
worker writes the same lines (JSON in production) as the web process."""

import logging.config
from contextlib import ExitStack
from typing import Any

from celery import Task, signals
from django.conf import settings

from adapters.platform.observability import context

HEADER = "request_id"
_running: dict[str, ExitStack] = {}


def attach_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = context.request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def request_id_of(task: Task) -> str | None:
    """The request id the task's message carried (a worker promotes message headers to
    the request; an eager `apply` keeps them under `headers`)."""
    request = task.request
    found = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return str(found) if found else None


def bind_task(task_id: str | None = None, task: Task | None = None, **_: Any) -> None:
    if task is None or task_id is None:
        return
    stack = ExitStack()
    stack.enter_context(
        context.bound(
            request_id=request_id_of(task) or context.request_id(),
            task_id=task_id,
            task_name=task.name,
        )
    )
    _running[task_id] = stack


def unbind_task(task_id: str | None = None, **_: Any) -> None:
    stack = _running.pop(task_id or "", None)
    if stack is not None:
        stack.close()


def configure_logging(**_: Any) -> None:
    logging.config.dictConfig(settings.LOGGING)


def connect() -> None:
    signals.before_task_publish.connect(attach_request_id, weak=False)
    signals.task_prerun.connect(bind_task, weak=False)
    signals.task_postrun.connect(unbind_task, weak=False)
    # A receiver here tells Celery not to set up logging of its own.
    signals.setup_logging.connect(configure_logging, weak=False)
