"""Use case: relay a batch of due deliveries (the outbox relay).

Run by a Celery task that the outbox queues once its transaction commits, and that
beat runs every 30 seconds for retries and anything a queue missed. One run:

1. Claim: in one short transaction, up to BATCH due rows that no other worker holds
   (`FOR UPDATE SKIP LOCKED`), each leased for LEASE. If the batch came back full,
   another run is queued at once, so every worker process takes part in a backlog.
2. Send, outside any transaction, on THREADS threads: each destination (a URL's host)
   is resolved once and checked against SSRF, and the sender connects to that checked
   address over kept-alive connections. At most PER_DESTINATION sends to one host run
   at once, so a slow host holds a few threads, never all of them. A host that gives no
   answer (refused, timed out) gets nothing more in this batch: its other deliveries
   are given back unsent, due again after DESTINATION_PAUSE, with no attempt counted.
   Sends not started after BATCH_SECONDS are given back too, well inside the lease.
3. Record every outcome in one transaction; the retry schedule decides what comes next.
   A subscription whose every attempt has failed for a day is disabled there (its
   deliveries wait; the partner enables it again through the API).

A worker that dies between 1 and 3 loses nothing: the leases end and the deliveries are
due again, with the same `webhook-id` (at-least-once); only the batch it held can arrive
twice. The loop goes on while batches come back full, for at most RUN_SECONDS.
"""

import random
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from application.partners.attempts import log_attempt, next_attempt, send_safely
from application.partners.checks import checked_address
from application.partners.ports import (
    AddressResolver,
    DeliveryQueue,
    DestinationPolicy,
    PartnerUnitOfWork,
    SendResult,
    WebhookSender,
)
from application.shared.ports import Clock
from domain.partners import signing
from domain.partners.delivery import Attempt, Delivery
from domain.partners.destinations import host_of
from domain.partners.errors import InvalidSubscription
from domain.partners.subscription import Subscription

BATCH = 200
# Longer than a send can take (connect and read timeouts), so a lease never ends mid-send.
LEASE = timedelta(seconds=60)
THREADS = 32
PER_DESTINATION = 16
BATCH_SECONDS = 30.0  # half the lease: a batch is recorded long before its lease ends
RUN_SECONDS = 20.0
DESTINATION_PAUSE = timedelta(seconds=30)


@attrs.frozen
class SweepResult:
    attempted: int


@attrs.frozen
class _Send:
    delivery: Delivery
    url: str
    address: str
    headers: dict[str, str]


class SweepDeliveries:
    def __init__(
        self,
        uow: PartnerUnitOfWork,
        sender: WebhookSender,
        resolver: AddressResolver,
        policy: DestinationPolicy,
        queue: DeliveryQueue,
        clock: Clock,
        spread: Callable[[], float] = lambda: random.uniform(-1, 1),  # noqa: S311 - jitter
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._resolver = resolver
        self._policy = policy
        self._queue = queue
        self._clock = clock
        self._spread = spread

    def __call__(self, limit: int = BATCH) -> SweepResult:
        """Relay batches while they come back full (at most RUN_SECONDS)."""
        started = time.monotonic()
        attempted = 0
        while True:
            claimed, sent = self._relay_batch(limit)
            attempted += sent
            if claimed < limit or time.monotonic() - started > RUN_SECONDS:
                return SweepResult(attempted)

    def _relay_batch(self, limit: int) -> tuple[int, int]:
        """One batch: (deliveries claimed, attempts recorded)."""
        with self._uow as uow:
            now = self._clock.now()
            claimed = uow.deliveries.claim_due(now, limit, LEASE)
            subscriptions = uow.subscriptions.get_many({d.subscription_id for d in claimed})
            uow.commit()
        if not claimed:
            return 0, 0
        if len(claimed) == limit:
            self._queue.relay_more()
        outcomes = self._send_all(claimed, subscriptions, now)
        return len(claimed), self._record(claimed, outcomes, now)

    def _send_all(
        self, claimed: list[Delivery], subscriptions: dict[UUID, Subscription], now: datetime
    ) -> dict[UUID, SendResult]:
        """Send what can be sent; the outcome of each send, by delivery id (a delivery
        with no outcome is given back unsent)."""
        outcomes: dict[UUID, SendResult] = {}
        queues: dict[str, deque[_Send]] = {}
        addresses: dict[str, str | InvalidSubscription] = {}
        for delivery in claimed:
            subscription = subscriptions.get(delivery.subscription_id)
            if subscription is None:  # deleted meanwhile: its deliveries went with it
                continue
            host = host_of(subscription.url)
            if host not in addresses:  # one lookup per destination per batch
                try:
                    addresses[host] = checked_address(
                        subscription.url, self._resolver, self._policy
                    )
                except InvalidSubscription as refused:
                    addresses[host] = refused
            address = addresses[host]
            if isinstance(address, InvalidSubscription):
                outcomes[delivery.id] = SendResult(None, 0, f"Refused before sending: {address}")
                continue
            headers = signing.headers(
                subscription.signing_secrets(now),
                delivery.webhook_id,
                int(now.timestamp()),
                delivery.body,
            )
            queues.setdefault(host, deque()).append(
                _Send(delivery, subscription.url, address, headers)
            )
        deadline = time.monotonic() + BATCH_SECONDS
        running: dict[Future[SendResult], tuple[str, _Send]] = {}
        busy: Counter[str] = Counter()
        with ThreadPoolExecutor(THREADS, thread_name_prefix="relay") as pool:

            def start_more() -> None:
                if time.monotonic() > deadline:
                    return
                for host, waiting in queues.items():
                    while waiting and busy[host] < PER_DESTINATION and len(running) < THREADS:
                        send = waiting.popleft()
                        future = pool.submit(
                            send_safely,
                            self._sender,
                            send.url,
                            send.address,
                            send.delivery.content_type,
                            send.headers,
                            send.delivery.body,
                        )
                        running[future] = (host, send)
                        busy[host] += 1

            start_more()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    host, send = running.pop(future)
                    busy[host] -= 1
                    result = future.result()
                    outcomes[send.delivery.id] = result
                    if result.status_code is None:  # no answer: nothing more to it now
                        queues[host].clear()
                start_more()
        return outcomes

    def _record(
        self, claimed: list[Delivery], outcomes: dict[UUID, SendResult], now: datetime
    ) -> int:
        leases = {delivery.id: delivery.leased_until for delivery in claimed}
        recorded: list[tuple[Delivery, Attempt]] = []
        with self._uow as uow:
            current = uow.deliveries.get_many_for_update(leases)
            for delivery in current:
                result = outcomes.get(delivery.id)
                if result is None:
                    delivery.release(leases[delivery.id], now + DESTINATION_PAUSE)
                    continue
                attempt = next_attempt(delivery, result, now)
                delivery.record_attempt(attempt, self._spread(), leases[delivery.id])
                recorded.append((delivery, attempt))
            uow.deliveries.save_many(current)
            self._note_attempts(uow, recorded, now)
            uow.commit()
        for delivery, attempt in recorded:
            log_attempt(delivery.id, delivery.webhook_id, attempt, delivery.status)
        return len(recorded)

    def _note_attempts(
        self, uow: PartnerUnitOfWork, recorded: list[tuple[Delivery, Attempt]], now: datetime
    ) -> None:
        """Each subscription learns whether any of its attempts succeeded: a day of
        nothing but failures disables it (see Subscription.note_attempts)."""
        succeeded: dict[UUID, bool] = {}
        for delivery, attempt in recorded:
            succeeded[delivery.subscription_id] = (
                succeeded.get(delivery.subscription_id, False) or attempt.succeeded
            )
        if not succeeded:
            return
        for subscription in uow.subscriptions.get_many(succeeded, for_update=True).values():
            if subscription.note_attempts(succeeded[subscription.id], now):
                uow.subscriptions.save(subscription)
