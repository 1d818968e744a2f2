"""The booking ports over the Django ORM."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from adapters.booking import models
from adapters.booking.mapping import (
    booking_from_row,
    changing_fields,
    event_from_json,
    event_to_json,
)
from adapters.catalog import models as catalog_models
from adapters.catalog.mapping import policy_from_json, slot_from_row
from application.booking.ports import DuplicateReference
from domain.booking.booking import Booking, BookingStatus
from domain.booking.payments import PaymentEvent
from domain.catalog.policy import CancellationPolicy
from domain.catalog.slot import Slot

LINES = Prefetch("lines", queryset=models.BookingLine.objects.order_by("id"))
PAYMENTS = Prefetch("payments", queryset=models.BookingPayment.objects.order_by("created_at", "id"))


def _to_domain(row: models.Booking) -> Booking:
    return booking_from_row(row, list(row.lines.all()), list(row.payments.all()))


class DjangoBookingRepository:
    def __init__(self) -> None:
        self._seen: dict[UUID, Booking] = {}

    def _remember(self, booking: Booking | None) -> Booking | None:
        if booking is not None:
            self._seen[booking.id] = booking
        return booking

    def add(self, booking: Booking) -> None:
        try:
            with transaction.atomic():  # a savepoint: a clash must not spoil the work
                row = models.Booking.objects.create(
                    id=booking.id,
                    reference=booking.reference,
                    customer_id=booking.customer_id,
                    currency=booking.total.currency,
                    total_amount=booking.total.amount,
                    created_at=booking.created_at,
                    expires_at=booking.expires_at,
                    **changing_fields(booking),
                )
        except IntegrityError as error:
            if models.Booking.objects.filter(reference=booking.reference).exists():
                raise DuplicateReference(booking.reference) from error
            raise
        models.BookingLine.objects.bulk_create(
            models.BookingLine(
                booking=row,
                slot_id=line.slot_id,
                seats=line.seats,
                unit_price_amount=line.unit_price.amount,
            )
            for line in booking.lines
        )
        self._save_attempts(booking)
        self._remember(booking)

    def save(self, booking: Booking) -> None:
        models.Booking.objects.filter(id=booking.id).update(
            **changing_fields(booking),
            updated_at=timezone.now(),  # update() skips auto_now
        )
        self._save_attempts(booking)
        self._remember(booking)

    def _save_attempts(self, booking: Booking) -> None:
        if booking.attempts:  # new attempts are inserted, known ones get their status
            models.BookingPayment.objects.bulk_create(
                [
                    models.BookingPayment(
                        booking_id=booking.id,
                        provider=attempt.provider,
                        payment_id=attempt.payment_id,
                        amount=attempt.amount.amount,
                        pay_url=attempt.pay_url,
                        status=attempt.status.value,
                        created_at=attempt.created_at,
                    )
                    for attempt in booking.attempts
                ],
                update_conflicts=True,
                unique_fields=["provider", "payment_id"],
                update_fields=["status"],
            )

    def _locked(self) -> QuerySet[models.Booking]:
        return models.Booking.objects.select_for_update().prefetch_related(LINES, PAYMENTS)

    def get_for_update(self, reference: str, customer_id: int | None) -> Booking | None:
        rows = self._locked().filter(reference=reference)
        if customer_id is not None:
            rows = rows.filter(customer_id=customer_id)
        row = rows.first()
        return self._remember(_to_domain(row)) if row else None

    def get_by_id_for_update(self, booking_id: UUID) -> Booking | None:
        row = self._locked().filter(id=booking_id).first()
        return self._remember(_to_domain(row)) if row else None

    def get_by_payment_for_update(self, payment_id: str) -> Booking | None:
        if not payment_id:  # an unpaid booking's payment_id column is "": never match that
            return None
        started_for = models.BookingPayment.objects.filter(payment_id=payment_id).values(
            "booking_id"
        )
        row = self._locked().filter(Q(id__in=started_for) | Q(payment_id=payment_id)).first()
        return self._remember(_to_domain(row)) if row else None

    def lapsed_hold_ids(self, now: datetime, limit: int) -> list[UUID]:
        return list(
            models.Booking.objects.filter(status=BookingStatus.HELD.value, expires_at__lte=now)
            .order_by("expires_at", "id")
            .values_list("id", flat=True)[:limit]
        )

    def seen(self) -> Iterable[Booking]:
        return self._seen.values()


class DjangoSlotInventory:
    """Seat counters on the slot rows, locked with SELECT … FOR UPDATE in id order."""

    def __init__(self) -> None:
        self._policies: dict[UUID, CancellationPolicy] = {}

    def lock(self, slot_ids: Iterable[UUID]) -> dict[UUID, Slot]:
        rows = (
            catalog_models.Slot.objects.select_for_update(of=("self",))
            .select_related("listing")
            .filter(id__in=set(slot_ids))
            .order_by("id")
        )
        slots = {}
        for row in rows:
            slots[row.id] = slot_from_row(row, row.listing.currency, row.listing.is_published)
            self._policies[row.id] = policy_from_json(row.listing.cancellation_policy)
        return slots

    def policies(self, slot_ids: Iterable[UUID]) -> dict[UUID, CancellationPolicy]:
        """Read from what `lock()` already loaded with the slots; a query only for slots
        it did not lock."""
        slot_ids = list(slot_ids)
        missing = [slot_id for slot_id in slot_ids if slot_id not in self._policies]
        if missing:
            for row in catalog_models.Slot.objects.select_related("listing").filter(id__in=missing):
                self._policies[row.id] = policy_from_json(row.listing.cancellation_policy)
        return {slot_id: self._policies[slot_id] for slot_id in slot_ids}

    def save(self, slots: Iterable[Slot]) -> None:
        rows = [
            catalog_models.Slot(
                id=slot.id, seats_held=slot.seats_held, seats_booked=slot.seats_booked
            )
            for slot in slots
        ]
        catalog_models.Slot.objects.bulk_update(rows, ["seats_held", "seats_booked"])


class DjangoPaymentInbox:
    """Provider events in the `ProviderEvent` table, unique per provider and event id."""

    def record(self, event: PaymentEvent) -> bool:
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not spoil the work
                models.ProviderEvent.objects.create(
                    provider=event.provider,
                    event_id=event.event_id,
                    kind=event.kind.value if event.kind else "",
                    payment_id=event.payment_id,
                    event=event_to_json(event),
                )
        except IntegrityError:
            return False
        return True

    def resolve(
        self, event: PaymentEvent, outcome: str, note: str = "", booking_id: UUID | None = None
    ) -> None:
        changes: dict[str, object] = {
            "outcome": outcome,
            "note": note[:300],
            "resolved_at": timezone.now(),
        }
        if booking_id is not None:
            changes["booking_id"] = booking_id
        models.ProviderEvent.objects.filter(
            provider=event.provider, event_id=event.event_id
        ).update(**changes)

    def deferred_for(self, provider: str, payment_id: str) -> list[PaymentEvent]:
        rows = models.ProviderEvent.objects.filter(
            provider=provider, payment_id=payment_id, outcome="deferred"
        ).order_by("id")
        return [event_from_json(row.event) for row in rows]
