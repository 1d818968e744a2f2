"""Structured logs: the request id (from `X-Request-ID` or generated, echoed in the
response) on every line a request writes and in the Celery tasks it queues; one line per
inbound payment event and per outbound delivery attempt; JSON lines and plain ones."""

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from dependency_injector import providers
from django.conf import settings
from kombu import Connection
from rest_framework.test import APIClient

from adapters.partners.auth import new_partner
from adapters.platform.observability import context
from adapters.platform.observability.celery import HEADER
from adapters.platform.observability.logs import ContextFilter, JsonFormatter, logging_config
from config.celery import app as celery_app
from config.container import container
from tests.api.test_payment_webhooks import deliver, encode, event, post_raw
from tests.fakes.partners import FixedResolver, ScriptedSender

SUBSCRIPTIONS = "/api/v1/partners/subscriptions/"


@celery_app.task(name="tests.observability.log_inside")
def log_inside() -> None:
    logging.getLogger("tests.observability").info("inside the task")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog with the context filter the console handler has."""
    context_filter = ContextFilter()
    caplog.handler.addFilter(context_filter)
    caplog.set_level(logging.DEBUG)
    yield caplog
    caplog.handler.removeFilter(context_filter)


def records(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == logger]


# ---------------------------------------------------------------- the request id


@pytest.mark.django_db
def test_the_request_id_sent_is_echoed_and_on_the_request_line(
    logs: pytest.LogCaptureFixture,
) -> None:
    response = APIClient().get("/api/v1/listings/", headers={"X-Request-ID": "req-abc.123"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abc.123"
    (line,) = records(logs, "portside.request")
    assert line.request_id == "req-abc.123"  # type: ignore[attr-defined]
    assert line.method == "GET"  # type: ignore[attr-defined]
    assert line.path == "/api/v1/listings/"  # type: ignore[attr-defined]
    assert line.status_code == 200  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [None, "", "x" * 129, 'bad"id', "two\nlines"])
def test_a_missing_or_unfit_request_id_is_replaced_by_a_new_one(sent: str | None) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    first = APIClient().get("/health/live", headers=headers)["X-Request-ID"]
    second = APIClient().get("/health/live", headers=headers)["X-Request-ID"]
    assert len(first) == 32
    assert int(first, 16) >= 0
    assert first != second


def test_the_request_id_is_unbound_after_the_request() -> None:
    with context.bound(request_id="outer"):
        with context.bound(request_id="inner", task_id=None):
            assert context.current() == {"request_id": "inner"}
        assert context.request_id() == "outer"
    assert context.request_id() is None


# ---------------------------------------------------------------- formats


def make_record(**extra: Any) -> logging.LogRecord:
    record = logging.LogRecord(
        "portside.test", logging.INFO, __file__, 1, "hello %s", ("you",), None
    )
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_json_lines_carry_the_context_and_the_extra_fields() -> None:
    with context.bound(request_id="req-1"):
        record = make_record(outcome="delivered", duration_ms=12.5)
        ContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "INFO"
    assert line["logger"] == "portside.test"
    assert line["message"] == "hello you"
    assert line["request_id"] == "req-1"
    assert line["outcome"] == "delivered"
    assert line["duration_ms"] == 12.5
    assert line["time"].endswith("+00:00")
    assert "task_id" not in line  # not in a task: left out rather than "-"


def test_json_lines_carry_the_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert "RuntimeError: boom" in line["exception"]


def test_development_lines_are_plain_and_name_the_request() -> None:
    config = logging_config("plain", "INFO")
    formatter = logging.Formatter(config["formatters"]["plain"]["format"])
    with context.bound(request_id="req-2"):
        record = make_record()
        ContextFilter().filter(record)
    assert formatter.format(record).endswith("INFO portside.test [req-2] hello you")
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("xml", "INFO")


def test_the_settings_choose_json_with_debug_off_and_plain_with_it_on() -> None:
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == settings.LOG_FORMAT
    assert handler["filters"] == ["context"]


# ---------------------------------------------------------------- inbound payment events


@pytest.mark.django_db
def test_one_line_per_payment_event_with_its_outcome(logs: pytest.LogCaptureFixture) -> None:
    payload = event(None)  # a booking Portside does not know: filed for review
    response = deliver(payload)
    assert response.status_code == 200
    (line,) = records(logs, "adapters.payments.webhooks")
    assert line.levelno == logging.INFO
    assert line.provider == "sandbox"  # type: ignore[attr-defined]
    assert line.event_id == payload["id"]  # type: ignore[attr-defined]
    assert line.event_type == "payment.succeeded"  # type: ignore[attr-defined]
    assert line.outcome == response.json()["outcome"]  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert line.request_id == response["X-Request-ID"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_refused_payment_event_writes_its_line_too(logs: pytest.LogCaptureFixture) -> None:
    response = post_raw(encode(event(None)), "t=1,v1=00")
    assert response.status_code == 400
    (line,) = records(logs, "adapters.payments.webhooks")
    assert line.levelno == logging.WARNING
    assert line.outcome == "invalid-signature"  # type: ignore[attr-defined]
    assert line.provider == "sandbox"  # type: ignore[attr-defined]


# ---------------------------------------------------------------- deliveries and Celery


@pytest.fixture
def sender() -> Iterator[ScriptedSender]:
    fake = ScriptedSender(503)
    with (
        container.webhook_sender.override(providers.Object(fake)),
        container.address_resolver.override(providers.Object(FixedResolver())),
    ):
        yield fake


@pytest.mark.django_db(transaction=True)
def test_a_delivery_attempt_writes_a_line_in_a_task_that_names_the_request(
    logs: pytest.LogCaptureFixture, sender: ScriptedSender
) -> None:
    """The test event's delivery leaves when the view's transaction commits, in a task run
    eagerly: its line names the request, the task, the delivery and what came of it."""
    _, key = new_partner(f"Partner {uuid4().hex[:6]}")
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {"url": "https://partner.example/hook", "format": "standard-webhooks"}
    subscription = partner.post(SUBSCRIPTIONS, body, format="json").json()
    logs.clear()

    response = partner.post(
        f"{SUBSCRIPTIONS}{subscription['id']}/test/", headers={"X-Request-ID": "req-test-event"}
    )
    assert response.status_code in {200, 201, 202}, response.content
    (sent,) = sender.sent
    (line,) = records(logs, "application.partners.attempts")
    assert line.request_id == "req-test-event"  # type: ignore[attr-defined]
    assert line.task_name == "partners.sweep_deliveries"  # type: ignore[attr-defined]
    assert line.task_id  # type: ignore[attr-defined]
    assert line.webhook_id == sent[1]["webhook-id"]  # type: ignore[attr-defined]
    assert line.delivery_id  # type: ignore[attr-defined]
    assert line.status_code == 503  # type: ignore[attr-defined]
    assert line.outcome == "rejected"  # type: ignore[attr-defined]
    assert line.delivery_status == "pending"  # type: ignore[attr-defined]
    assert line.duration_ms == 3  # type: ignore[attr-defined]
    assert line.levelno == logging.WARNING
    json_line = json.loads(JsonFormatter().format(line))
    assert json_line["request_id"] == "req-test-event"
    assert json_line["task_name"] == "partners.sweep_deliveries"


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_task_queued_during_a_request_carries_its_id_in_a_header() -> None:
    with Connection("memory://") as broker:
        with context.bound(request_id="req-queued"):
            celery_app.send_task("tests.observability.log_inside", connection=broker)
        celery_app.send_task("tests.observability.log_inside", connection=broker)
        queue = broker.SimpleQueue(celery_app.conf.task_default_queue)
        first, second = queue.get(timeout=1), queue.get(timeout=1)
        queue.close()
    assert first.headers[HEADER] == "req-queued"
    assert HEADER not in second.headers


def test_the_worker_binds_the_request_id_the_message_carried(
    logs: pytest.LogCaptureFixture,
) -> None:
    log_inside.apply(headers={HEADER: "req-from-the-message"})
    (line,) = records(logs, "tests.observability")
    assert line.request_id == "req-from-the-message"  # type: ignore[attr-defined]
    assert line.task_name == "tests.observability.log_inside"  # type: ignore[attr-defined]
    assert context.current() == {}  # unbound once the task is done


def test_an_eager_task_inherits_the_request_id_of_the_code_that_queued_it(
    logs: pytest.LogCaptureFixture,
) -> None:
    with context.bound(request_id="req-eager"):
        log_inside.delay()
    (line,) = records(logs, "tests.observability")
    assert line.request_id == "req-eager"  # type: ignore[attr-defined]
