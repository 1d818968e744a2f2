"""A partner's webhook endpoint, for tests: a `ThreadingHTTPServer` on loopback.

It records every request when it arrives (before answering), so a request counts as
received even when the sender dies before reading the answer: that is what a partner
sees, and what at-least-once delivery is about. A script decides each answer from the
`webhook-id` and how many times that id has been seen (1 the first time): a status code
and a delay before answering, to play a failing or a slow partner.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (webhook-id, times seen including this one) -> (status code, seconds to wait first)
Script = Callable[[str, int], tuple[int, float]]


def always_ok(webhook_id: str, seen: int) -> tuple[int, float]:
    return 200, 0.0


@dataclass(frozen=True)
class Received:
    webhook_id: str
    headers: dict[str, str]  # lower-case names
    body: str
    at: float  # time.monotonic() on arrival


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog (5) drops connections under load

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A sender killed mid-request leaves a broken socket behind: expected here.
        pass


class Receiver:
    def __init__(self, script: Script = always_ok) -> None:
        self.script = script
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._seen: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                headers = {name.lower(): value for name, value in self.headers.items()}
                webhook_id = headers.get("webhook-id", "")
                status, delay = receiver._record(
                    Received(webhook_id, headers, body, time.monotonic())
                )
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/portside"

    def _record(self, received: Received) -> tuple[int, float]:
        with self._lock:
            self._received.append(received)
            self._seen[received.webhook_id] += 1
            seen = self._seen[received.webhook_id]
        return self.script(received.webhook_id, seen)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def counts(self) -> Counter[str]:
        """How many times each webhook-id arrived."""
        with self._lock:
            return Counter(self._seen)

    def total(self) -> int:
        with self._lock:
            return len(self._received)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
