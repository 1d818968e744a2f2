"""Sending a webhook over HTTP to a checked address, and resolving a partner's host."""

import socket
import threading
import time
from collections.abc import Mapping

import certifi
import urllib3
from urllib3.util import parse_url

from application.partners.ports import SendResult

TIMEOUT = urllib3.Timeout(connect=3.05, read=10)
EXCERPT = 500  # characters of the partner's answer kept with the attempt
POOL_SIZE = 16  # kept-alive connections per destination (the relay's per-host cap)
MAX_POOLS = 1000  # destinations kept at once; past that the pools start afresh


class PinnedWebhookSender:
    """POST once to the address the SSRF check passed, never to a fresh DNS answer: the
    connection goes to `address`, while the Host header and the TLS server name (and
    the certificate check) stay the URL's host. No redirects, no retries, no proxy or
    .netrc from the environment, connect and read timeouts, and only an excerpt of the
    answer is read. One connection pool per (scheme, host, address, port), kept alive
    between sends and shared by the relay's threads."""

    def __init__(self) -> None:
        self._pools: dict[tuple[str, str, str, int], urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()

    def _pool(self, scheme: str, host: str, address: str, port: int) -> urllib3.HTTPConnectionPool:
        key = (scheme, host, address, port)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                if len(self._pools) >= MAX_POOLS:
                    for old in self._pools.values():
                        old.close()
                    self._pools.clear()
                if scheme == "https":
                    pool = urllib3.HTTPSConnectionPool(
                        address,
                        port,
                        maxsize=POOL_SIZE,
                        timeout=TIMEOUT,
                        retries=False,
                        server_hostname=host,
                        assert_hostname=host,
                        cert_reqs="CERT_REQUIRED",
                        ca_certs=certifi.where(),
                    )
                else:
                    pool = urllib3.HTTPConnectionPool(
                        address, port, maxsize=POOL_SIZE, timeout=TIMEOUT, retries=False
                    )
                self._pools[key] = pool
            return pool

    def send(self, url: str, address: str, headers: Mapping[str, str], body: str) -> SendResult:
        started = time.monotonic()
        try:
            parts = parse_url(url)
            scheme, host = parts.scheme or "https", parts.host or ""
            port = parts.port or (443 if scheme == "https" else 80)
            default_port = port == (443 if scheme == "https" else 80)
            pool = self._pool(scheme, host, address, port)
            response = pool.urlopen(
                "POST",
                parts.request_uri,
                body=body.encode(),
                headers={"host": host if default_port else f"{host}:{port}", **headers},
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                excerpt = response.read(EXCERPT, decode_content=True)
                status = response.status
            finally:
                # Keep the connection only when the answer has been read to its end: a
                # partner cannot keep us reading.
                if response.length_remaining == 0 and not response.read(1):
                    response.release_conn()
                else:
                    response.close()
        except Exception as error:
            return SendResult(None, _ms_since(started), f"{type(error).__name__}: {error}"[:300])
        text = excerpt.decode("utf-8", errors="replace").replace("\x00", "")
        return SendResult(status, _ms_since(started), "", text[:EXCERPT])


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class SocketResolver:
    def resolve(self, host: str) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            return []
        return sorted({str(info[4][0]) for info in infos})
