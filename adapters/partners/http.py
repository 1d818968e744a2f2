"""Sending a webhook over HTTP, and resolving a partner's host name."""

import socket
import time
from collections.abc import Mapping

import requests

from application.partners.ports import SendResult

TIMEOUT = (3.05, 10)  # connect, read (seconds)
EXCERPT = 500  # characters of the partner's answer kept with the attempt


class RequestsWebhookSender:
    """POST once: no redirects, connect and read timeouts, no proxy or .netrc from the
    environment, and only an excerpt of the answer is read."""

    def __init__(self) -> None:
        self._session = requests.Session()
        self._session.trust_env = False

    def send(self, url: str, headers: Mapping[str, str], body: str) -> SendResult:
        started = time.monotonic()
        try:
            with self._session.post(
                url,
                data=body.encode(),
                headers=dict(headers),
                timeout=TIMEOUT,
                allow_redirects=False,
                stream=True,  # read only an excerpt: a partner cannot keep us reading
            ) as response:
                excerpt = response.raw.read(EXCERPT, decode_content=True)
                status = response.status_code
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
