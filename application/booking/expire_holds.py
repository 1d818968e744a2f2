"""Use case: release the seats of holds that lapsed unpaid.

Each booking expires in its own unit of work, so one failure does not undo the rest
and locks stay short. Running it twice changes nothing the second time.
"""

import logging
from datetime import datetime
from uuid import UUID

import attrs

from application.booking.ports import BookingUnitOfWork
from application.shared.ports import Clock

logger = logging.getLogger(__name__)


@attrs.frozen
class ExpireHoldsCommand:
    batch_size: int = 500


@attrs.frozen
class ExpireHoldsResult:
    expired: int


class ExpireHolds:
    def __init__(self, uow: BookingUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, command: ExpireHoldsCommand) -> ExpireHoldsResult:
        now = self._clock.now()
        with self._uow as uow:
            candidates = uow.bookings.lapsed_hold_ids(now, command.batch_size)
        expired = 0
        for booking_id in candidates:
            try:
                expired += self._expire(booking_id, now)
            except Exception:  # one bad booking must not keep every later one's seats
                logger.exception(
                    "Could not expire booking %s; the next sweep retries it.", booking_id
                )
        return ExpireHoldsResult(expired)

    def _expire(self, booking_id: UUID, now: datetime) -> bool:
        with self._uow as uow:
            booking = uow.bookings.get_by_id_for_update(booking_id)
            # Paid or cancelled since we looked: nothing to do.
            if booking is None or not booking.hold_has_lapsed(now):
                return False
            slots = uow.slots.lock(booking.slot_ids)
            booking.expire(slots, now)
            uow.slots.save(slots.values())
            uow.bookings.save(booking)
            uow.commit()
        return True
