"""The database connection cut while requests run: clean 503s, nothing half-written,
and the app recovers by itself once the database is reachable again.

How the pieces meet:
- The after version runs under gunicorn (2 workers x 4 threads, `DJANGO_DEBUG=0`),
  started by the acceptance suite's `started()`, with `DATABASE_URL` naming the test
  database through `Proxy`: a small threaded TCP proxy on a loopback port that this
  test controls. `cut()` closes every connection it carries (mid-query, mid-commit,
  whatever they were doing) and refuses new ones until `restore()`.
- Client threads, each a customer of its own, hold one seat at a time (each with an
  Idempotency-Key of its own) and read the slot list, all along: a second before the
  cut, two seconds of cut, and three seconds after.
- The test reads the database directly, not through the proxy, to check what the
  outage left: every booking whole, the seat counters equal to the held lines, no
  idempotency claim left half-done. Then it retries every hold answered 503 with the
  same key: each ends with exactly one booking, whether its first try had committed
  (the connection died during the commit) or not.
Every wait is bounded.

PostgreSQL only (a TCP connection to cut); skipped on SQLite, always run in CI.
"""

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from rest_framework.authtoken.models import Token

from adapters.api.models import IdempotencyKey
from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from tests.acceptance.conftest import Server, started
from tests.factories.orm import SlotRowFactory
from tests.integration.postgres import database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="cuts a TCP connection to PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 6  # client threads, a customer each
BEFORE, CUT, AFTER = 1.0, 2.0, 3.0  # seconds of each phase
SETTLE = 1.0  # seconds after restore() by which every request must succeed again
PAUSE = 0.02  # seconds between a client's requests
HTTP_TIMEOUT = 10.0


class Proxy:
    """A loopback TCP proxy to `target` that the test can cut and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.carried: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.connections = 0  # accepted and forwarded
        self.refused = 0  # accepted and closed at once while cut
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                if not self.open:
                    self.refused += 1
                    client.close()
                    continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.connections += 1
                self.carried |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the pump blocked in recv()
            sock.close()
            with self.lock:
                self.carried.discard(sock)

    def cut(self) -> None:
        """Drop every connection now and refuse new ones."""
        with self.lock:
            self.open = False
            carried = list(self.carried)
        self._drop(*carried)

    def restore(self) -> None:
        with self.lock:
            self.open = True

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    settings = connection.settings_dict
    running = Proxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    yield running
    running.close()


@pytest.fixture
def server(proxy: Proxy, tmp_path: Path) -> Iterator[Server]:
    """The after version on the test database, reached only through the proxy."""
    with started(
        "after",
        tmp_path,
        DATABASE_URL=database_url(host="127.0.0.1", port=proxy.port),
        THROTTLE_ANON_RATE="off",
        THROTTLE_CUSTOMER_RATE="off",
    ) as running:
        yield running


@dataclass
class Call:
    kind: str  # "hold" or "read"
    started: float
    ended: float
    status: int  # 0: no HTTP answer at all
    content_type: str = ""
    body: Any = None
    retry_after: str | None = None
    key: str = ""


@dataclass
class Client:
    url: str
    token: str
    slot: catalog_models.Slot
    calls: list[Call] = field(default_factory=list)
    http: requests.Session = field(default_factory=requests.Session)

    def hold(self, key: str) -> requests.Response:
        return self.http.post(
            f"{self.url}/api/v1/bookings/",
            json={"lines": [{"slot_id": str(self.slot.id), "seats": 1}]},
            headers={"Authorization": f"Token {self.token}", "Idempotency-Key": key},
            timeout=HTTP_TIMEOUT,
        )

    def read(self) -> requests.Response:
        return self.http.get(
            f"{self.url}/api/v1/listings/{self.slot.listing_id}/slots/",
            params={"from": self.slot.starts_at.isoformat()},
            timeout=HTTP_TIMEOUT,
        )

    def run(self, stop: threading.Event) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            kind, key = ("hold", uuid.uuid4().hex) if number % 2 else ("read", "")
            began = time.monotonic()
            try:
                response = self.hold(key) if kind == "hold" else self.read()
            except requests.RequestException:
                self.calls.append(Call(kind, began, time.monotonic(), 0, key=key))
            else:
                try:
                    body = response.json()
                except ValueError:
                    body = response.text
                self.calls.append(
                    Call(
                        kind,
                        began,
                        time.monotonic(),
                        response.status_code,
                        response.headers.get("Content-Type", ""),
                        body,
                        response.headers.get("Retry-After"),
                        key,
                    )
                )
            time.sleep(PAUSE)


def clients(url: str, slot: catalog_models.Slot) -> list[Client]:
    users = [
        get_user_model().objects.create_user(username=f"outage{index}@example.com")
        for index in range(CLIENTS)
    ]
    return [Client(url, Token.objects.create(user=user).key, slot) for user in users]


def test_a_cut_database_answers_503_writes_nothing_half_and_recovers_by_itself(
    proxy: Proxy, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    slot = SlotRowFactory(capacity=5000)
    crowd = clients(server.url, slot)
    stop = threading.Event()
    threads = [threading.Thread(target=client.run, args=(stop,)) for client in crowd]
    for thread in threads:
        thread.start()
    try:
        time.sleep(BEFORE)
        cut_at = time.monotonic()
        proxy.cut()
        time.sleep(CUT)
        restored_at = time.monotonic()
        proxy.restore()
        time.sleep(AFTER)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=HTTP_TIMEOUT + 5)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    calls = sorted((call for client in crowd for call in client.calls), key=lambda c: c.started)

    # Every answer is a success or a clean 503 problem; never a 500, never no answer.
    assert {call.status for call in calls} <= {200, 201, 503}, sorted(
        {call.status for call in calls}
    )
    failed = [call for call in calls if call.status == 503]
    for call in failed:
        assert call.content_type == "application/problem+json"
        assert call.body["type"] == "/problems/service-unavailable", call.body
        assert call.retry_after is not None
    # All through the cut, nothing succeeds; shortly after it, everything does.
    during = [call for call in calls if cut_at + 0.1 < call.started and call.ended < restored_at]
    assert during, "requests ran during the cut"
    assert {call.status for call in during} == {503}
    settled = [call for call in calls if call.started > restored_at + SETTLE]
    assert settled, "requests ran after the restore"
    assert {call.status for call in settled} <= {200, 201}
    recovered = min(
        call.ended - restored_at
        for call in calls
        if call.started > restored_at and call.status < 300
    )

    # Nothing half-written: every booking whole, the counters equal the held lines.
    bookings = booking_models.Booking.objects.filter(lines__slot=slot).distinct()
    assert not booking_models.Booking.objects.filter(lines__isnull=True).exists()
    slot.refresh_from_db()
    lines = booking_models.BookingLine.objects.filter(slot=slot)
    assert (slot.seats_held, slot.seats_booked) == (
        lines.aggregate(seats=Sum("seats"))["seats"] or 0,
        0,
    )
    assert not IdempotencyKey.objects.filter(status_code=0).exists()  # no claim left open
    answered = {call.body["reference"] for call in calls if call.status == 201}
    stored = set(bookings.values_list("reference", flat=True))
    assert answered <= stored
    ghosts = stored - answered  # committed, but the answer was a 503

    # Retrying every hold answered 503 with its key ends with one booking per key.
    retried = [call for call in failed if call.kind == "hold"]
    by_customer = {client.token: client for client in crowd}
    replayed = 0
    for client in by_customer.values():
        for call in client.calls:
            if call.kind == "hold" and call.status == 503:
                response = client.hold(call.key)
                assert response.status_code == 201, response.text
                replayed += response.headers.get("Idempotent-Replayed") == "true"
    holds = [call for call in calls if call.kind == "hold"]
    assert bookings.count() == len(holds)
    assert replayed == len(ghosts)
    slot.refresh_from_db()
    assert slot.seats_held == len(holds)

    with capsys.disabled():
        print(  # noqa: T201
            f"\ndatabase cut for {CUT:.0f}s under {CLIENTS} clients: {len(calls)} requests, "
            f"{len(failed)} answered 503 ({len(during)} during the cut), no other error; "
            f"first success {recovered:.2f}s after the restore; "
            f"{len(retried)} holds retried with their key, {len(ghosts)} of them had "
            f"committed before the cut; {len(holds)} holds = {bookings.count()} bookings; "
            f"proxy: {proxy.connections} connections carried, {proxy.refused} refused"
        )
