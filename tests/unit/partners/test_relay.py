"""The outbox relay: one lookup per destination, pinned; a failing host held apart."""

from collections.abc import Mapping
from datetime import timedelta
from uuid import UUID

from application.partners.ports import SendResult
from application.partners.sweep_deliveries import DESTINATION_PAUSE, PER_DESTINATION
from application.partners.update_subscription import UpdateSubscriptionCommand
from domain.booking.events import BookingHeld
from domain.partners.delivery import DeliveryStatus
from domain.partners.retry import SCHEDULE
from domain.partners.subscription import DISABLE_AFTER
from tests.unit.partners.builders import a_booking
from tests.unit.partners.partners import HOST, URL, Partners

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "93.184.215.15"


class RebindingResolver:
    """Answers from a script, one answer per lookup (the last one from then on): a DNS
    server that changes its answer between two lookups."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []

    def resolve(self, host: str) -> list[str]:
        self.lookups.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def held(partners: Partners, count: int) -> list[UUID]:
    ids = []
    for number in range(count):
        booking = a_booking(reference=f"PS-AAAA{number:02d}")
        event = BookingHeld(partners.clock.now(), booking.id, booking.reference)
        ids += partners.record([event], {booking.id: booking})
    return ids


def with_resolver(partners: Partners, resolver: RebindingResolver) -> Partners:
    partners.resolver = resolver
    partners.sweep._resolver = resolver
    partners.create._checks._resolver = resolver  # type: ignore[attr-defined]
    return partners


def test_a_batch_resolves_each_destination_once_and_connects_to_the_checked_address(
    partners: Partners,
) -> None:
    # Saved while public; public again when the batch checks it; loopback afterwards.
    resolver = RebindingResolver([PUBLIC], [OTHER_PUBLIC], ["127.0.0.1"])
    with_resolver(partners, resolver).subscribe()
    ids = held(partners, 5)

    assert partners.sweep().attempted == 5

    assert resolver.lookups == [HOST, HOST]  # once when saved, once for the whole batch
    assert partners.sender.addresses == [OTHER_PUBLIC] * 5  # never the second answer
    assert all(partners.stored(i).status is DeliveryStatus.DELIVERED for i in ids)


def test_a_host_that_resolves_to_a_private_address_at_send_time_is_refused(
    partners: Partners,
) -> None:
    resolver = RebindingResolver([PUBLIC], ["169.254.169.254"])  # the metadata service
    with_resolver(partners, resolver).subscribe()
    (delivery_id,) = held(partners, 1)

    assert partners.sweep().attempted == 1

    assert partners.sender.sent == []
    (attempt,) = partners.stored(delivery_id).attempts
    assert attempt.status_code is None
    assert attempt.error.startswith("Refused before sending")
    assert "169.254.169.254" in attempt.error
    # A refusal is a failed attempt: retried on the schedule, in case DNS changes back.
    assert partners.stored(delivery_id).next_attempt_at == partners.clock.now() + SCHEDULE[0]


class HangingHost:
    """No answer from one host (a timeout); 200 at once from every other."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.sent: list[str] = []

    def send(self, url: str, address: str, headers: Mapping[str, str], body: str) -> SendResult:
        self.sent.append(url)
        if self.host in url:
            return SendResult(None, 10_000, "ReadTimeoutError: read timed out")
        return SendResult(200, 1)


def test_a_host_that_does_not_answer_holds_at_most_its_cap_and_the_others_get_all_theirs(
    partners: Partners,
) -> None:
    sender = HangingHost("hangs.example")
    partners.sweep._sender = sender
    partners.subscribe(url=URL)
    partners.subscribe(url="https://hangs.example/hook")
    ids = held(partners, 40)  # 40 events x 2 subscriptions

    attempted = partners.sweep().attempted

    to_hanging = sum("hangs.example" in url for url in sender.sent)
    assert 1 <= to_hanging <= PER_DESTINATION
    assert attempted == 40 + to_hanging
    delivered = [d for d in partners.deliveries() if d.status is DeliveryStatus.DELIVERED]
    assert len(delivered) == 40
    # The rest of that host's batch was given back unsent: no attempt used up, due after
    # the pause, and no longer leased.
    given_back = [d for d in partners.deliveries() if not d.attempts]
    assert len(given_back) == 40 - to_hanging
    for delivery in given_back:
        assert delivery.status is DeliveryStatus.PENDING
        assert delivery.leased_until is None
        assert delivery.next_attempt_at == partners.clock.now() + DESTINATION_PAUSE
    assert len(ids) == 80


# ---------------------------------------------------------------- disabling


def failing_batch(partners: Partners, after: timedelta) -> None:
    """One booking event, answered 500, `after` from now."""
    partners.clock.advance(after)
    held(partners, 1)
    partners.answer(*[500] * 10)  # the new delivery and any retries that are due
    partners.sweep()


def test_a_day_of_nothing_but_failures_disables_the_subscription_until_the_partner_enables_it(
    partners: Partners,
) -> None:
    subscription = partners.subscribe()
    failing_batch(partners, timedelta(0))
    first_failure = partners.clock.now()
    failing_batch(partners, DISABLE_AFTER - timedelta(minutes=1))
    assert partners.uow.subscriptions.subscriptions[subscription.id].is_active

    failing_batch(partners, timedelta(minutes=1))

    stored = partners.uow.subscriptions.subscriptions[subscription.id]
    assert not stored.is_active
    assert stored.failing_since == first_failure
    assert "failed" in stored.disabled_reason
    # Its deliveries wait rather than die: nothing is due for a disabled subscription.
    waiting = [d for d in partners.deliveries() if d.status is DeliveryStatus.PENDING]
    assert waiting
    partners.clock.advance(timedelta(hours=1))
    sent = len(partners.sender.sent)
    assert partners.sweep().attempted == 0
    assert len(partners.sender.sent) == sent

    partners.update(UpdateSubscriptionCommand(1, subscription.id, is_active=True))

    stored = partners.uow.subscriptions.subscriptions[subscription.id]
    assert (stored.is_active, stored.failing_since, stored.disabled_reason) == (True, None, "")
    assert partners.sweep().attempted == len(waiting)


def test_a_success_ends_the_run_of_failures(partners: Partners) -> None:
    subscription = partners.subscribe()
    failing_batch(partners, timedelta(0))
    partners.clock.advance(timedelta(hours=23))
    held(partners, 1)
    partners.answer(200)
    partners.sweep()
    failing_batch(partners, timedelta(hours=2))

    stored = partners.uow.subscriptions.subscriptions[subscription.id]
    assert stored.is_active
    assert stored.failing_since == partners.clock.now()
