"""`make bench-relay`: how fast the partner relay drains the outbox, as compose runs it.

A loopback receiver (its own process, asyncio, HTTP/1.1 keep-alive) plays 50 partners:
50 subscriptions of 50 partners, all pointing at it. The bench writes N deliveries
across them in one transaction and hands them to the delivery queue as the outbox does
(`CeleryDeliveryQueue.enqueue_after_commit`), then times from that commit until the
receiver has seen every one and the database says every one is delivered. Workers are
started as docker-compose.yml starts them (`celery --app config.celery worker
--concurrency 2`), one and then two, on a Redis database of the bench's own.

Rows: deliveries/s for 1,000 and 10,000 deliveries with 1 and 2 workers; the same with a
receiver that takes 50 ms per request; and commit-to-receipt latency (p50, p99) with one
worker at a steady 200 events/s, each event its own transaction.

Environment: DATABASE_URL (PostgreSQL; default postgres://postgres@127.0.0.1:5432/
portside_bench_relay, created and migrated if missing), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/8, flushed), BENCH_SIZES (default 1000,10000),
BENCH_WORKERS (default 1,2), BENCH_LATENCY_SECONDS (default 10), BENCH_RATE (events/s,
default 200).
"""

import asyncio
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

PROJECT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portside_bench_relay"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",") if n]
WORKERS = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",")]
LATENCY_SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "10"))
RATE = float(os.environ.get("BENCH_RATE", "200"))
WRITERS = 4
SUBSCRIPTIONS = 50
SLOW = 0.05
TIMEOUT = 600.0

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-relay-" + uuid4().hex,
    "DATABASE_URL": DATABASE_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "WEBHOOK_ALLOW_HTTP": "1",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}
ENV.pop("SANDBOX_DATABASE_URL", None)


# ---------------------------------------------------------------- the receiver


def _receive(port_out: Any, delay: Any) -> None:
    """An HTTP/1.1 server: POST records (webhook-id, arrival time) and answers 200 after
    `delay` seconds; GET /stats answers the arrivals as JSON; GET /reset forgets them."""
    arrivals: dict[str, float] = {}
    duplicates = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal duplicates
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                length = int(headers.get("content-length", 0))
                if length:
                    await reader.readexactly(length)
                if method == "POST":
                    webhook_id = headers.get("webhook-id", "")
                    if webhook_id in arrivals:
                        duplicates += 1
                    else:
                        arrivals[webhook_id] = time.time()
                    if delay.value:
                        await asyncio.sleep(delay.value)
                    body = b"ok"
                elif path == "/reset":
                    arrivals.clear()
                    duplicates = 0
                    body = b"{}"
                else:
                    body = json.dumps({"arrivals": arrivals, "duplicates": duplicates}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port_out.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


class Receiver:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.delay = ctx.Value("d", 0.0)
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=_receive, args=(child, self.delay), daemon=True)
        self.process.start()
        self.port = parent.recv()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/portside"

    def _get(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as r:
            return json.loads(r.read())  # type: ignore[no-any-return]

    def stats(self) -> dict[str, Any]:
        return self._get("/stats")

    def reset(self, delay: float) -> None:
        self.delay.value = delay
        self._get("/reset")

    def close(self) -> None:
        self.process.terminate()


# ---------------------------------------------------------------- database and workers


def prepare_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=PROJECT,
        env=ENV,
        check=True,
    )


@contextmanager
def workers(count: int) -> Iterator[None]:
    """`count` workers as compose starts them, each in its own process group."""
    from config.celery import app

    started = []
    for number in range(count):
        command = [sys.executable, "-m", "celery", "--app", "config.celery", "worker",
                   "--loglevel", "WARNING", "--concurrency", "2",
                   "-n", f"bench{number}@%h"]  # fmt: skip
        started.append(
            subprocess.Popen(
                command,
                cwd=PROJECT,
                env=ENV,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline:
            raise SystemExit("workers did not answer a ping within 60 s")
    try:
        yield
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


def subscriptions(receiver: Receiver) -> list[Any]:
    from adapters.partners import models
    from domain.partners.signing import new_secret

    models.Subscription.objects.all().delete()
    models.Partner.objects.all().delete()
    found = []
    for number in range(SUBSCRIPTIONS):
        partner = models.Partner.objects.create(
            name=f"Bench partner {number}",
            api_key_hash=uuid4().hex * 2,
            api_key_prefix="pk_bench",
        )
        found.append(
            models.Subscription.objects.create(
                partner=partner,
                url=f"{receiver.url}/{number}",
                format="standard-webhooks",
                secret=new_secret(),
            )
        )
    return found


def write_deliveries(subs: list[Any], count: int) -> tuple[float, dict[str, float]]:
    """`count` due deliveries over the subscriptions, in one transaction that queues them
    as the outbox does; the commit's wall-clock time and each webhook-id's."""
    from django.db import transaction
    from django.utils import timezone

    from adapters.partners import models
    from adapters.partners.queue import CeleryDeliveryQueue

    now = timezone.now()
    rows = []
    for number in range(count):
        body = {"type": "booking.confirmed", "timestamp": now.isoformat(), "data": {"n": number}}
        rows.append(
            models.Delivery(
                webhook_id=f"msg_{uuid4().hex}",
                subscription=subs[number % len(subs)],
                event_type="booking.confirmed",
                content_type="application/json",
                body=json.dumps(body),
                status="pending",
                next_attempt_at=now,
                created_at=now,
            )
        )
    committed: list[float] = []
    with transaction.atomic():
        models.Delivery.objects.bulk_create(rows)
        CeleryDeliveryQueue().enqueue_after_commit([row.id for row in rows])
        transaction.on_commit(lambda: committed.append(time.time()), robust=False)
    at = committed[0] if committed else time.time()
    return at, {row.webhook_id: at for row in rows}


def clear() -> None:
    from adapters.partners import models
    from config.celery import app

    models.DeliveryAttempt.objects.all().delete()
    models.Delivery.objects.all().delete()
    app.control.purge()


def drain(receiver: Receiver, subs: list[Any], count: int) -> tuple[float, int]:
    """Deliveries/s from the commit to the last arrival, and duplicates received."""
    from adapters.partners import models

    clear()
    started, _ = write_deliveries(subs, count)
    deadline = time.monotonic() + TIMEOUT
    while True:
        stats = receiver.stats()
        if len(stats["arrivals"]) >= count:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(stats['arrivals'])} of {count} arrived in {TIMEOUT}s")
        time.sleep(0.2)
    last = max(stats["arrivals"].values())
    while models.Delivery.objects.exclude(status="delivered").exists():
        if time.monotonic() > deadline:
            raise SystemExit("arrived, but not all recorded as delivered")
        time.sleep(0.2)
    return count / (last - started), stats["duplicates"]


def latency(receiver: Receiver, subs: list[Any]) -> tuple[float, float, float]:
    """Commit-to-receipt p50 and p99 (ms) at a steady RATE, one event per transaction
    (WRITERS threads, as several web processes would), and the rate reached."""
    from django.db import connection

    clear()
    receiver.reset(0.0)
    committed: dict[str, float] = {}
    interval = WRITERS / RATE
    started = time.monotonic()

    def write(offset: int) -> None:
        sent = 0
        try:
            while time.monotonic() - started < LATENCY_SECONDS:
                due = started + (sent + offset / WRITERS) * interval
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                _, ids = write_deliveries([subs[(sent * WRITERS + offset) % len(subs)]], 1)
                committed.update(ids)
                sent += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = len(committed)
    deadline = time.monotonic() + TIMEOUT
    while len(arrivals := receiver.stats()["arrivals"]) < sent:
        if time.monotonic() > deadline:
            raise SystemExit(f"latency: only {len(arrivals)} of {sent} arrived")
        time.sleep(0.2)
    waits = sorted((arrivals[wid] - at) * 1000 for wid, at in committed.items())
    p50 = statistics.median(waits)
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    return p50, p99, sent / LATENCY_SECONDS


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    prepare_database()
    setup_django()
    receiver = Receiver()
    subs = subscriptions(receiver)
    rows: list[tuple[str, str]] = []
    try:
        for count in WORKERS:
            with workers(count):
                for delay in (0.0, SLOW):
                    for size in SIZES:
                        receiver.reset(delay)
                        rate, duplicates = drain(receiver, subs, size)
                        label = f"{count} worker{'s' * (count > 1)}, " + (
                            f"receiver {delay * 1000:.0f} ms" if delay else "receiver at once"
                        )
                        rows.append((f"{label}, {size:,} deliveries", f"{rate:,.0f}/s"))
                        say(f"  {rows[-1][0]}: {rows[-1][1]}  (duplicates {duplicates})")
                if count == 1:
                    p50, p99, rate = latency(receiver, subs)
                    rows.append(
                        (
                            f"1 worker, commit to receipt at {rate:.0f} events/s",
                            f"p50 {p50:.0f} ms, p99 {p99:.0f} ms",
                        )
                    )
                    say(f"  {rows[-1][0]}: {rows[-1][1]}")
    finally:
        clear()
        receiver.close()
    width = max(len(name) for name, _ in rows)
    say("")
    say(f"| {'case'.ljust(width)} | result |")
    say(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        say(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
