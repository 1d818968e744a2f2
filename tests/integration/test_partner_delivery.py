"""Reliable partner delivery with real processes: Celery workers, Redis, PostgreSQL, HTTP.

How the pieces meet, and why this way (the simplest arrangement that stays robust):
- The test process writes partners, subscriptions and due deliveries with the ORM;
  `transaction=True` commits them, so other processes see them.
- Each worker is a real `celery -A config worker` subprocess (prefork pool) started from
  the project directory, with `DATABASE_URL` naming the test database pytest-django
  created (`connection.settings_dict["NAME"]`), a Redis database as broker and result
  backend (`CELERY_RESULT_BACKEND`, which Celery reads from the environment), and
  loopback webhooks allowed (`WEBHOOK_ALLOW_HTTP=1`, `WEBHOOK_ALLOWED_HOSTS=127.0.0.1`).
  Each worker consumes a queue of its own, so the test decides which worker runs what.
  A worker is ready when it answers a remote-control ping.
- The test process queues tasks by name with a small Celery client app on the same
  Redis (`send_task("partners.sweep_deliveries", queue=...)`) and waits for their
  results: a sweep returns how many deliveries it attempted. So the test knows when
  the work is done without sleeping, and the attempted counts add up across workers.
  Several sweeps at once, on one worker or two, race for the same due rows: the case
  `SELECT … FOR UPDATE SKIP LOCKED` and the lease must make safe.
- Starting a worker takes seconds, so two workers ("left", "right") serve the whole
  module; the kill test starts its own victim. Each worker runs in its own process
  group: killing the group kills the pool children too, as a crashed machine would. At
  the end of the module every worker is killed the same way (the tests have waited for
  their tasks, and a warm shutdown takes seconds), and the test waits until PostgreSQL
  has ended their sessions (named with PGAPPNAME), so the test database can be dropped.
  The Redis database is flushed before and after the module.
- A local HTTP receiver (`tests/integration/partner_receiver.py`) plays the partner: it
  records each request's `webhook-id`, headers and body on arrival, and can answer 500
  the first time, or slowly.
Every wait is bounded.

PostgreSQL only (SQLite has no `SKIP LOCKED` and serialises writers): skipped on SQLite,
always run in CI. Redis is expected on 127.0.0.1:6379 (database 5; PARTNERINT_REDIS_URL
names another); if nothing answers there, a private `redis-server` is started for the
module.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import redis
from celery import Celery
from celery.result import AsyncResult
from django.db import connection
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from standardwebhooks.webhooks import Webhook

from adapters.partners import models
from application.partners.sweep_deliveries import BATCH, LEASE
from domain.partners.retry import JITTER, SCHEDULE
from domain.partners.signing import new_secret
from tests.integration.partner_receiver import Receiver, always_ok
from tests.integration.postgres import database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several processes claiming rows needs PostgreSQL's SKIP LOCKED",
    ),
    pytest.mark.django_db(transaction=True),
]

PROJECT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PARTNERINT_REDIS_URL", "redis://127.0.0.1:6379/5")
CONCURRENCY = 4  # pool processes per worker
# Sweeps queued at once on a worker. Each walks the whole due list, trying to claim every
# row, so more of them at once race harder but mostly repeat claims already lost.
SWEEPS = 2
READY_TIMEOUT = 30  # seconds for a worker to start
WORK_TIMEOUT = 30  # seconds for a batch to be delivered


# ---------------------------------------------------------------- Redis and the client


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    """The Redis database workers and the client share (flushed before and after); a
    private redis-server when none answers."""
    url = REDIS_URL
    server = None
    if not redis_answers(url):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(f"No Redis at {REDIS_URL} and no redis-server to start one.")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/5"
        wait_until(lambda: redis_answers(url), 10, "a private redis-server to answer")
    store = redis.Redis.from_url(url)
    store.flushdb()
    try:
        yield url
    finally:
        store.flushdb()
        store.close()
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def client(broker_url: str) -> Iterator[Celery]:
    """Queues tasks by name and reads their results; knows nothing of the tasks' code."""
    app = Celery("partnerint-client", broker=broker_url, backend=broker_url, set_as_current=False)
    yield app
    app.close()


# ---------------------------------------------------------------- workers


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def node(self) -> str:
        return f"{self.name}@partnerint"

    @property
    def queue(self) -> str:
        return f"partnerint-{self.name}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and its pool children."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


StartWorkers = Callable[..., list[Worker]]


@pytest.fixture(scope="module")
def start_workers(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    client: Celery,
    broker_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[StartWorkers]:
    """Start workers, each on its own queue, together; return when all answer a ping.
    They run until the module ends (or a test kills one)."""
    logs = tmp_path_factory.mktemp("workers")
    started: list[Worker] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",  # as in production; DEBUG would also keep every query
        "DJANGO_SECRET_KEY": "partnerint-" + uuid4().hex,
        "DATABASE_URL": database_url(),  # after django_db_setup: the test database
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,  # Celery reads it from the environment
        "WEBHOOK_ALLOW_HTTP": "1",
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SANDBOX_DATABASE_URL", None)

    def start(*names: str, concurrency: int = CONCURRENCY) -> list[Worker]:
        workers = []
        for name in names:
            log = logs / f"{name}.log"
            command = [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool=prefork", f"--concurrency={concurrency}", "-O", "fair",
                "--loglevel=INFO", "-n", f"{name}@partnerint", "-Q", f"partnerint-{name}",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
            ]  # fmt: skip
            with log.open("wb") as output:
                process = subprocess.Popen(
                    command,
                    cwd=PROJECT,
                    # PGAPPNAME names its database sessions, to find them in pg_stat_activity.
                    env={**env, "PGAPPNAME": f"partnerint-{name}"},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, pool children included
                )
            workers.append(Worker(name, process, log))
        started.extend(workers)
        for worker in workers:
            wait_ready(client, worker)
        return workers

    yield start
    # Every test has waited for its tasks, so nothing is lost by killing the workers
    # outright (a warm shutdown takes seconds each). Their database sessions must be
    # gone before pytest-django drops the test database.
    for worker in started:
        worker.kill()
    with django_db_blocker.unblock():
        wait_until(lambda: not sessions_of(*started), 10, "the workers' sessions to end")


@pytest.fixture(scope="module")
def pair(start_workers: StartWorkers) -> list[Worker]:
    """Two long-lived workers the tests share."""
    return start_workers("left", "right")


def wait_ready(client: Celery, worker: Worker) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not client.control.ping(destination=[worker.node], timeout=0.3):
        if worker.process.poll() is not None:
            pytest.fail(f"worker {worker.name} exited:\n{worker.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"worker {worker.name} not ready in {READY_TIMEOUT}s:\n{worker.log_tail()}")


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(0.02)


def results(pending: list[AsyncResult], timeout: float = WORK_TIMEOUT) -> list[Any]:
    deadline = time.monotonic() + timeout
    return [result.get(timeout=max(deadline - time.monotonic(), 0.1)) for result in pending]


def sweep(client: Celery, worker: Worker, times: int = 1) -> list[AsyncResult]:
    return [client.send_task("partners.sweep_deliveries", queue=worker.queue) for _ in range(times)]


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Print past pytest's capture, so CI logs show the figures."""
    with capsys.disabled():
        print(f"\n{line}")  # noqa: T201


def sessions_of(*workers: Worker) -> list[int]:
    """The workers' database sessions (named with PGAPPNAME when they started)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = ANY(%s)",
            [[f"partnerint-{worker.name}" for worker in workers]],
        )
        return [pid for (pid,) in cursor.fetchall()]


# ---------------------------------------------------------------- data


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    partner = Receiver()
    yield partner
    partner.close()


def subscription_for(receiver: Receiver) -> models.Subscription:
    partner = models.Partner.objects.create(
        name=f"Partner {uuid4().hex[:8]}", api_key_hash=uuid4().hex * 2, api_key_prefix="pk_test"
    )
    return models.Subscription.objects.create(
        partner=partner, url=receiver.url, format="standard-webhooks", secret=new_secret()
    )


def due_deliveries(subscription: models.Subscription, count: int) -> list[models.Delivery]:
    """`count` committed deliveries, pending and due now, as the outbox writes them."""
    now = timezone.now()
    rows = []
    for number in range(count):
        webhook_id = f"msg_{uuid4().hex}"
        body = {"type": "booking.confirmed", "timestamp": now.isoformat(), "data": {"n": number}}
        rows.append(
            models.Delivery(
                webhook_id=webhook_id,
                subscription=subscription,
                event_type="booking.confirmed",
                content_type="application/json",
                body=json.dumps(body),
                status="pending",
                next_attempt_at=now,
                created_at=now,
            )
        )
    return models.Delivery.objects.bulk_create(rows)


def delivered_count() -> int:
    return models.Delivery.objects.filter(status="delivered").count()


def attempts_of(delivery: models.Delivery) -> list[models.DeliveryAttempt]:
    return list(models.DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))


def assert_each_delivered_once(receiver: Receiver, rows: list[models.Delivery]) -> None:
    counts = receiver.counts()
    assert set(counts) == {row.webhook_id for row in rows}
    assert sum(counts.values()) == len(rows), {wid: n for wid, n in counts.items() if n > 1}
    assert models.Delivery.objects.exclude(status="delivered").count() == 0
    attempts = models.DeliveryAttempt.objects.all()
    assert attempts.count() == len(rows)
    assert set(attempts.values_list("number", "status_code")) == {(1, 200)}


# ---------------------------------------------------------------- the tests


def test_a_worker_delivers_a_committed_delivery_once_and_signed(
    pair: list[Worker], client: Celery, receiver: Receiver
) -> None:
    worker = pair[0]
    subscription = subscription_for(receiver)
    (row,) = due_deliveries(subscription, 1)

    assert results(sweep(client, worker)) == [1]

    (request,) = receiver.received
    assert request.webhook_id == row.webhook_id
    assert request.body == row.body
    assert request.headers["content-type"] == "application/json"
    verified = Webhook(subscription.secret).verify(request.body, request.headers)
    assert verified == json.loads(row.body)
    row.refresh_from_db()
    assert row.status == "delivered"
    assert row.delivered_at is not None
    assert row.next_attempt_at is None
    (attempt,) = attempts_of(row)
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")


def test_two_workers_sweeping_at_once_send_each_delivery_exactly_once(
    pair: list[Worker], client: Celery, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    left, right = pair
    rows = due_deliveries(subscription_for(receiver), 500)

    started = time.monotonic()
    # Both workers sweep the same 500 due rows, each with several sweeps at once.
    sweeps = {worker.name: sweep(client, worker, SWEEPS) for worker in pair}
    attempted = {name: sum(results(pending)) for name, pending in sweeps.items()}
    elapsed = time.monotonic() - started

    assert sum(attempted.values()) == 500
    assert all(attempted.values()), f"both workers should take part: {attempted}"
    assert_each_delivered_once(receiver, rows)
    report(
        capsys,
        f"two workers x {SWEEPS} sweeps: 500 deliveries in {elapsed:.1f}s = "
        f"{500 / elapsed:.0f}/s ({attempted[left.name]} + {attempted[right.name]}), "
        "each received exactly once",
    )


def test_one_worker_throughput(
    pair: list[Worker], client: Celery, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """What one relay run sends on one worker: batches until the backlog is gone (the
    `make bench-relay` figure is the one as compose runs it)."""
    worker = pair[0]
    total = 1000
    rows = due_deliveries(subscription_for(receiver), total)

    started = time.monotonic()
    (attempted,) = results(sweep(client, worker))
    elapsed = time.monotonic() - started

    assert attempted == total
    assert_each_delivered_once(receiver, rows)
    report(
        capsys,
        f"one relay run: {total} deliveries in {elapsed:.1f}s = {total / elapsed:.0f}/s "
        f"(batches of {BATCH}, sent on threads)",
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_what_was_in_flight(
    start_workers: StartWorkers,
    pair: list[Worker],
    client: Celery,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    TOTAL = 1000  # several batches: the kill lands after some are recorded
    (victim,) = start_workers("victim")
    rescuer = pair[1]  # another worker, with no part in the batch until the kill
    receiver.script = lambda webhook_id, seen: (200, 0.05)  # a slow partner: sends overlap
    rows = due_deliveries(subscription_for(receiver), TOTAL)

    sweep(client, victim, CONCURRENCY)
    wait_until(lambda: delivered_count() >= BATCH, WORK_TIMEOUT, "a batch to be recorded")
    victim.kill()
    # Once PostgreSQL has ended the dead worker's sessions (rolling back whatever they
    # had open), the rows are final.
    wait_until(lambda: not sessions_of(victim), 10, "the killed worker's sessions to end")

    now = timezone.now()
    received_before = receiver.total()
    delivered_before = delivered_count()
    pending = models.Delivery.objects.filter(status="pending")
    # Claimed and leased, never recorded: the sends the kill cut short.
    in_flight = set(pending.filter(next_attempt_at__gt=now).values_list("webhook_id", flat=True))
    assert 0 < delivered_before < TOTAL, "the kill should land in the middle of the run"
    # In flight: the batches the worker processes had claimed and not yet recorded.
    assert 0 < len(in_flight) <= BATCH * CONCURRENCY, len(in_flight)

    # The lease (60 s) keeps a delivery a live worker is sending from being sent again;
    # the kill left it on the in-flight rows, and in production the sweep picks them up
    # when it ends. Rather than wait a minute, end it now.
    assert timedelta(seconds=60) == LEASE
    pending.update(next_attempt_at=now)
    receiver.script = always_ok
    attempted = sum(results(sweep(client, rescuer, SWEEPS)))

    assert attempted == TOTAL - delivered_before
    counts = receiver.counts()
    duplicated = {webhook_id for webhook_id, n in counts.items() if n > 1}
    assert set(counts) == {row.webhook_id for row in rows}, "every delivery arrives"
    assert max(counts.values()) <= 2
    assert duplicated <= in_flight, "only deliveries in flight at the kill arrive twice"
    assert delivered_count() == TOTAL
    # The attempts the kill cut short were never recorded: one attempt each.
    assert models.DeliveryAttempt.objects.count() == TOTAL
    assert set(models.DeliveryAttempt.objects.values_list("number", "status_code")) == {(1, 200)}
    report(
        capsys,
        f"kill test: SIGKILL after {received_before} requests arrived; "
        f"{delivered_before} delivered before the kill, {len(in_flight)} in flight; "
        f"after another worker swept: all {TOTAL} delivered, {len(duplicated)} received twice "
        f"(at most the batches in flight, {BATCH} x {CONCURRENCY}), none more",
    )


def test_the_relay_resumes_by_itself_when_its_database_sessions_are_cut(
    pair: list[Worker],
    client: Celery,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What a PostgreSQL restart does to a worker, without restarting the shared server:
    every session of the worker is terminated mid-run (pg_terminate_backend). The same
    worker, not restarted, relays everything afterwards."""
    worker = pair[0]
    total = 1000
    receiver.script = lambda webhook_id, seen: (200, 0.02)  # runs overlap the cut
    rows = due_deliveries(subscription_for(receiver), total)

    runs = sweep(client, worker, CONCURRENCY)
    wait_until(lambda: receiver.total() >= 100, WORK_TIMEOUT, "the relay to be under way")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [f"partnerint-{worker.name}"],
        )
        cut = cursor.rowcount
    assert cut >= 1, "the worker should have had sessions to cut"
    failed = 0
    for run in runs:  # a run whose session was cut fails; the others finish
        try:
            run.get(timeout=WORK_TIMEOUT)
        except Exception:
            failed += 1

    # A run cut short left its batch leased (60 s); end the leases now rather than wait.
    models.Delivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    receiver.script = always_ok
    results(sweep(client, worker, SWEEPS))  # the same worker: it reconnects by itself

    assert delivered_count() == total
    counts = receiver.counts()
    assert set(counts) == {row.webhook_id for row in rows}, "every delivery arrives"
    assert max(counts.values()) <= 2
    report(
        capsys,
        f"sessions cut: {cut} of the worker's sessions terminated mid-run, {failed} of "
        f"{len(runs)} runs failed; the same worker then delivered all {total}, "
        f"{sum(1 for n in counts.values() if n > 1)} received twice",
    )


def test_a_failed_attempt_is_retried_with_the_same_webhook_id(
    pair: list[Worker], client: Celery, receiver: Receiver
) -> None:
    worker = pair[1]
    receiver.script = lambda webhook_id, seen: (500 if seen == 1 else 200, 0.0)
    subscription = subscription_for(receiver)
    (row,) = due_deliveries(subscription, 1)

    assert results(sweep(client, worker)) == [1]
    row.refresh_from_db()
    (failed,) = attempts_of(row)
    assert (failed.number, failed.status_code) == (1, 500)
    assert row.status == "pending"
    assert row.next_attempt_at is not None
    wait = (row.next_attempt_at - failed.attempted_at).total_seconds()
    first_delay = SCHEDULE[0].total_seconds()
    assert first_delay == 5
    assert first_delay * (1 - JITTER) <= wait <= first_delay * (1 + JITTER), wait

    # The retry is due in about 5 s: make it due now rather than wait.
    models.Delivery.objects.filter(id=row.id).update(next_attempt_at=timezone.now())
    assert results(sweep(client, worker)) == [1]

    first, second = receiver.received
    assert first.webhook_id == second.webhook_id == row.webhook_id
    for request in (first, second):
        Webhook(subscription.secret).verify(request.body, request.headers)
    row.refresh_from_db()
    assert row.status == "delivered"
    assert [(a.number, a.status_code) for a in attempts_of(row)] == [(1, 500), (2, 200)]
