"""One contract, two implementations: the partner repositories and unit of work in memory
(what the unit tests trust) and over the Django ORM (what production runs) must behave
alike.

Every test runs once per backend. Reads that check what was stored go through a fresh
unit of work, as a later request or worker would.
"""

import itertools
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from application.partners.ports import PartnerUnitOfWork
from application.shared.pagination import PageRequest
from domain.partners.delivery import Attempt, Delivery, DeliveryStatus
from domain.partners.subscription import Subscription
from tests.fakes.partners import InMemoryPartnerUnitOfWork

NOW = datetime(2030, 6, 1, 9, 0, 0, 123456, tzinfo=UTC)  # microseconds must survive too
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_c2Vjb25kLXNlY3JldC1yb3RhdGlvbiEh"


class Backend:
    name: str

    def uow(self) -> PartnerUnitOfWork:
        raise NotImplementedError

    def partner(self) -> int:
        raise NotImplementedError

    def attempt_rows(self, delivery_id: UUID) -> int:
        """How many attempts are stored for the delivery, counted as stored."""
        raise NotImplementedError


class MemoryBackend(Backend):
    name = "memory"

    def __init__(self) -> None:
        self._uow = InMemoryPartnerUnitOfWork()
        self._partners = itertools.count(1)

    def uow(self) -> PartnerUnitOfWork:
        return self._uow

    def partner(self) -> int:
        return next(self._partners)

    def attempt_rows(self, delivery_id: UUID) -> int:
        return len(self._uow.deliveries.deliveries[delivery_id].attempts)


class DjangoBackend(Backend):
    name = "django"

    def __init__(self) -> None:
        self._partners = itertools.count(1)

    def uow(self) -> PartnerUnitOfWork:
        from adapters.partners.repositories import DjangoPartnerUnitOfWork

        return DjangoPartnerUnitOfWork()

    def partner(self) -> int:
        from adapters.partners import models

        n = next(self._partners)
        row = models.Partner.objects.create(
            name=f"Partner {n}", api_key_hash=f"{n:064x}", api_key_prefix=f"pk_{n}"
        )
        return int(row.pk)

    def attempt_rows(self, delivery_id: UUID) -> int:
        from adapters.partners import models

        return models.DeliveryAttempt.objects.filter(delivery_id=delivery_id).count()


# The mark makes pytest-django create the test database before the test asks for `db`.
@pytest.fixture(params=["memory", pytest.param("django", marks=pytest.mark.django_db)])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "django":
        request.getfixturevalue("db")
        return DjangoBackend()
    return MemoryBackend()


# ---------------------------------------------------------------- helpers


def subscription(
    partner_id: int,
    *,
    event_types: frozenset[str] = frozenset(),
    is_active: bool = True,
    url: str = "https://hooks.example.com/portside",
) -> Subscription:
    return Subscription(
        id=uuid4(),
        partner_id=partner_id,
        url=url,
        event_types=event_types,
        format="cloudevents",
        secret=SECRET,
        is_active=is_active,
    )


def added(backend: Backend, *subscriptions: Subscription) -> None:
    with backend.uow() as uow:
        for each in subscriptions:
            uow.subscriptions.add(each)
        uow.commit()


def a_delivery(
    subscription_id: UUID,
    *,
    created_at: datetime = NOW,
    next_attempt_at: datetime | None = NOW,
    status: DeliveryStatus = DeliveryStatus.PENDING,
) -> Delivery:
    return Delivery(
        id=uuid4(),
        webhook_id=f"msg_{uuid4().hex}",
        subscription_id=subscription_id,
        event_type="booking.held",
        content_type="application/cloudevents+json",
        body='{"specversion":"1.0","data":{"reference":"PS-7K3F9Q","note":"é ✓"}}',
        created_at=created_at,
        status=status,
        next_attempt_at=next_attempt_at,
        delivered_at=created_at if status is DeliveryStatus.DELIVERED else None,
    )


def stored_deliveries(backend: Backend, *deliveries: Delivery) -> None:
    with backend.uow() as uow:
        for each in deliveries:
            uow.deliveries.add(each)
        uow.commit()


def read(backend: Backend, delivery_id: UUID) -> Delivery | None:
    with backend.uow() as uow:
        found = uow.deliveries.get_many_for_update([delivery_id])
    return found[0] if found else None


def read_subscription(backend: Backend, subscription_id: UUID) -> Subscription | None:
    with backend.uow() as uow:
        return uow.subscriptions.get(subscription_id, None)


def with_subscription(backend: Backend) -> tuple[int, Subscription]:
    partner = backend.partner()
    mine = subscription(partner)
    added(backend, mine)
    return partner, mine


# ---------------------------------------------------------------- subscriptions


def test_an_added_subscription_reads_back_whole(backend: Backend) -> None:
    partner = backend.partner()
    new = subscription(partner, event_types=frozenset({"booking.held", "booking.cancelled"}))
    new.rotate_secret(OTHER_SECRET, NOW)

    added(backend, new)

    assert read_subscription(backend, new.id) == new
    with backend.uow() as uow:
        assert uow.subscriptions.get(new.id, partner) == new


def test_a_subscription_is_not_found_for_another_partner_but_is_for_any(
    backend: Backend,
) -> None:
    mine, other = backend.partner(), backend.partner()
    new = subscription(mine)
    added(backend, new)

    with backend.uow() as uow:
        assert uow.subscriptions.get(new.id, other) is None
        assert uow.subscriptions.get(new.id, None) == new
        assert uow.subscriptions.get(uuid4(), None) is None


def test_a_saved_subscription_keeps_every_change(backend: Backend) -> None:
    _, mine = with_subscription(backend)
    mine.url = "https://new.example.com/hooks"
    mine.event_types = frozenset({"booking.expired"})
    mine.is_active = False
    mine.format = "legacy-xml"
    mine.rotate_secret(OTHER_SECRET, NOW)

    with backend.uow() as uow:
        uow.subscriptions.save(mine)
        uow.commit()

    assert read_subscription(backend, mine.id) == mine


def test_a_subscription_without_a_previous_secret_reads_back_without_one(
    backend: Backend,
) -> None:
    _, mine = with_subscription(backend)

    stored = read_subscription(backend, mine.id)

    assert stored is not None
    assert (stored.previous_secret, stored.previous_secret_expires_at) == (None, None)


def test_a_deleted_subscription_takes_its_deliveries_with_it(backend: Backend) -> None:
    partner, mine = with_subscription(backend)
    _, kept = with_subscription(backend)
    gone, staying = a_delivery(mine.id), a_delivery(kept.id)
    stored_deliveries(backend, gone, staying)

    with backend.uow() as uow:
        uow.subscriptions.delete(mine.id)
        uow.commit()

    assert read_subscription(backend, mine.id) is None
    assert read(backend, gone.id) is None
    assert read(backend, staying.id) == staying
    with backend.uow() as uow:
        assert uow.deliveries.due_ids(NOW, 10) == [staying.id]
        assert uow.deliveries.for_partner(partner, None, PageRequest()).total == 0


def test_a_partner_lists_its_subscriptions_in_creation_order(backend: Backend) -> None:
    mine, other = backend.partner(), backend.partner()
    first, second, third = subscription(mine), subscription(mine), subscription(mine)
    for each in (first, subscription(other), second, third):
        added(backend, each)

    with backend.uow() as uow:
        page = uow.subscriptions.for_partner(mine, PageRequest(1, 2))
        rest = uow.subscriptions.for_partner(mine, PageRequest(2, 2))
        none = uow.subscriptions.for_partner(backend.partner(), PageRequest())

    assert [s.id for s in page.items] == [first.id, second.id]
    assert [s.id for s in rest.items] == [third.id]
    assert (page.total, rest.total, none.total) == (3, 3, 0)
    assert page.items[0] == first


def test_active_for_finds_active_subscriptions_that_want_the_event(backend: Backend) -> None:
    partner = backend.partner()
    every = subscription(partner)
    held_only = subscription(partner, event_types=frozenset({"booking.held"}))
    expired_only = subscription(partner, event_types=frozenset({"booking.expired"}))
    paused = subscription(partner, is_active=False)
    added(backend, every, held_only, expired_only, paused)

    with backend.uow() as uow:
        held = {s.id for s in uow.subscriptions.active_for("booking.held")}
        confirmed = {s.id for s in uow.subscriptions.active_for("booking.confirmed")}

    assert held == {every.id, held_only.id}
    assert confirmed == {every.id}


# ---------------------------------------------------------------- deliveries


def test_an_added_delivery_reads_back_whole(backend: Backend) -> None:
    partner, mine = with_subscription(backend)
    new = a_delivery(mine.id)

    stored_deliveries(backend, new)

    assert read(backend, new.id) == new
    with backend.uow() as uow:
        assert uow.deliveries.get(new.id, partner) == new
        assert uow.deliveries.get_for_update(new.id, partner) == new


def test_another_partners_delivery_is_not_found(backend: Backend) -> None:
    _, theirs = with_subscription(backend)
    delivery = a_delivery(theirs.id)
    stored_deliveries(backend, delivery)
    me = backend.partner()

    with backend.uow() as uow:
        assert uow.deliveries.get(delivery.id, me) is None
        assert uow.deliveries.get_for_update(delivery.id, me) is None
        assert uow.deliveries.get(uuid4(), me) is None


def test_a_partner_lists_its_deliveries_newest_first(backend: Backend) -> None:
    partner = backend.partner()
    first, second = subscription(partner), subscription(partner)
    _, theirs = with_subscription(backend)
    added(backend, first, second)
    deliveries = [
        a_delivery(first.id, created_at=NOW),
        a_delivery(second.id, created_at=NOW + timedelta(minutes=1)),
        a_delivery(first.id, created_at=NOW + timedelta(minutes=2)),
        a_delivery(theirs.id, created_at=NOW + timedelta(minutes=3)),
    ]
    stored_deliveries(backend, *deliveries)

    with backend.uow() as uow:
        every = uow.deliveries.for_partner(partner, None, PageRequest())
        of_first = uow.deliveries.for_partner(partner, first.id, PageRequest())
        page = uow.deliveries.for_partner(partner, None, PageRequest(2, 2))

    assert [d.id for d in every.items] == [deliveries[2].id, deliveries[1].id, deliveries[0].id]
    assert every.total == 3
    assert [d.id for d in of_first.items] == [deliveries[2].id, deliveries[0].id]
    assert of_first.total == 2
    assert [d.id for d in page.items] == [deliveries[0].id]
    assert (page.total, page.has_next, page.has_previous) == (3, False, True)
    assert every.items[0] == deliveries[2]


def test_a_claim_takes_only_due_pending_deliveries_and_leases_them(backend: Backend) -> None:
    _, mine = with_subscription(backend)
    due = a_delivery(mine.id, next_attempt_at=NOW)
    later = a_delivery(mine.id, next_attempt_at=NOW + timedelta(microseconds=1))
    delivered = a_delivery(mine.id, next_attempt_at=None, status=DeliveryStatus.DELIVERED)
    dead = a_delivery(mine.id, next_attempt_at=None, status=DeliveryStatus.DEAD)
    never_scheduled = a_delivery(mine.id, next_attempt_at=None)
    stored_deliveries(backend, due, later, delivered, dead, never_scheduled)
    lease = timedelta(seconds=60)

    with backend.uow() as uow:
        claimed = uow.deliveries.claim_due(NOW, 10, lease)
        uow.commit()

    assert {d.id for d in claimed} == {due.id, never_scheduled.id}
    for delivery in claimed:
        assert delivery.leased_until == delivery.next_attempt_at == NOW + lease
        assert read(backend, delivery.id) == delivery
    with backend.uow() as uow:  # leased: not due again until the lease ends
        next_claim = uow.deliveries.claim_due(NOW + timedelta(microseconds=1), 10, lease)
        assert [d.id for d in next_claim] == [later.id]
        uow.commit()
    with backend.uow() as uow:  # the leases ended; delivered and dead are never due
        a_day_later = uow.deliveries.claim_due(NOW + timedelta(days=1), 10, lease)
        assert {d.id for d in a_day_later} == {due.id, later.id, never_scheduled.id}


def test_a_delivery_is_read_for_update_by_id_whoever_owns_it(backend: Backend) -> None:
    _, theirs = with_subscription(backend)
    delivery = a_delivery(theirs.id, status=DeliveryStatus.DEAD, next_attempt_at=None)
    stored_deliveries(backend, delivery)

    assert read(backend, delivery.id) == delivery
    assert read(backend, uuid4()) is None


def test_saving_appends_attempts_once_and_keeps_the_state(backend: Backend) -> None:
    _, mine = with_subscription(backend)
    delivery = a_delivery(mine.id)
    stored_deliveries(backend, delivery)

    delivery.record_attempt(
        Attempt(1, NOW, None, 3050, "ConnectTimeout: no answer", ""), spread=0.5
    )
    with backend.uow() as uow:
        uow.deliveries.save(delivery)
        uow.commit()
    later = NOW + timedelta(seconds=6)
    delivery.record_attempt(Attempt(2, later, 503, 41, "", "Service Unavailable"), spread=0)
    with backend.uow() as uow:
        uow.deliveries.save(delivery)
        uow.deliveries.save(delivery)  # saved twice: still one row per attempt
        uow.commit()

    stored = read(backend, delivery.id)
    assert stored == delivery
    assert stored is not None
    assert [(a.number, a.status_code) for a in stored.attempts] == [(1, None), (2, 503)]
    assert stored.attempts[0].error == "ConnectTimeout: no answer"
    assert stored.next_attempt_at == later + timedelta(minutes=5)
    assert backend.attempt_rows(delivery.id) == 2


def test_a_delivered_then_redelivered_delivery_round_trips(backend: Backend) -> None:
    _, mine = with_subscription(backend)
    delivery = a_delivery(mine.id)
    stored_deliveries(backend, delivery)
    delivery.record_attempt(Attempt(1, NOW, 200, 12, "", "ok"), spread=0)
    with backend.uow() as uow:
        uow.deliveries.save(delivery)
        uow.commit()
    assert read(backend, delivery.id) == delivery

    delivery.redeliver(NOW + timedelta(hours=1))
    with backend.uow() as uow:
        uow.deliveries.save(delivery)
        uow.commit()

    stored = read(backend, delivery.id)
    assert stored == delivery
    assert stored is not None
    assert (stored.status, stored.round_starts_at) == (DeliveryStatus.PENDING, 1)
    assert stored.delivered_at == NOW  # when it last landed


def test_due_ids_are_the_due_pending_ones_soonest_first_up_to_the_limit(
    backend: Backend,
) -> None:
    _, mine = with_subscription(backend)
    soonest = a_delivery(mine.id, next_attempt_at=NOW - timedelta(hours=1))
    tied = [a_delivery(mine.id, next_attempt_at=NOW - timedelta(minutes=1)) for _ in range(3)]
    now_exactly = a_delivery(mine.id, next_attempt_at=NOW)
    not_yet = a_delivery(mine.id, next_attempt_at=NOW + timedelta(seconds=1))
    delivered = a_delivery(mine.id, next_attempt_at=None, status=DeliveryStatus.DELIVERED)
    dead = a_delivery(mine.id, next_attempt_at=None, status=DeliveryStatus.DEAD)
    stored_deliveries(backend, not_yet, *tied, delivered, now_exactly, dead, soonest)
    tied_in_order = sorted((d.id for d in tied), key=str)  # ties broken by id

    with backend.uow() as uow:
        every = uow.deliveries.due_ids(NOW, 100)
        first_two = uow.deliveries.due_ids(NOW, 2)

    assert every == [soonest.id, *tied_in_order, now_exactly.id]
    assert first_two == [soonest.id, tied_in_order[0]]


# ---------------------------------------------------------------- the unit of work


def test_work_left_without_commit_is_rolled_back(backend: Backend) -> None:
    _, mine = with_subscription(backend)
    delivery = a_delivery(mine.id)
    stored_deliveries(backend, delivery)
    forgotten = subscription(mine.partner_id)

    with backend.uow() as uow:
        uow.subscriptions.add(forgotten)
        mine.is_active = False
        uow.subscriptions.save(mine)
        (changed,) = uow.deliveries.get_many_for_update([delivery.id])
        changed.record_attempt(Attempt(1, NOW, 500, 5), spread=0)
        uow.deliveries.save(changed)
        uow.deliveries.add(a_delivery(mine.id))

    assert read_subscription(backend, forgotten.id) is None
    stored = read_subscription(backend, mine.id)
    assert stored is not None
    assert stored.is_active
    assert read(backend, delivery.id) == delivery
    assert backend.attempt_rows(delivery.id) == 0
    with backend.uow() as uow:
        assert uow.deliveries.due_ids(NOW, 10) == [delivery.id]


def test_work_that_raises_is_rolled_back_even_after_commit_was_called(
    backend: Backend,
) -> None:
    _, mine = with_subscription(backend)

    def delete_then_die() -> None:
        with backend.uow() as uow:
            uow.subscriptions.delete(mine.id)
            uow.commit()
            raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        delete_then_die()

    assert read_subscription(backend, mine.id) == mine


def test_a_rolled_back_delete_keeps_the_deliveries(backend: Backend) -> None:
    _, mine = with_subscription(backend)
    delivery = a_delivery(mine.id)
    stored_deliveries(backend, delivery)

    with backend.uow() as uow:
        uow.subscriptions.delete(mine.id)

    assert read_subscription(backend, mine.id) == mine
    assert read(backend, delivery.id) == delivery
