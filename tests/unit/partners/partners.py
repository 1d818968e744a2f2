"""The partner use cases wired to the in-memory adapters, and a shop whose bookings feed
them through the booking unit of work's event handlers (the outbox), registered
as production registers them (application/partners/handlers.py)."""

from datetime import datetime
from uuid import UUID

from adapters.partners.formatters import FORMATTERS
from application.booking.cancel_booking import CancelBooking
from application.booking.expire_holds import ExpireHolds
from application.booking.hold_seats import HoldSeats
from application.partners.checks import SubscriptionChecks
from application.partners.create_subscription import (
    CreateSubscription,
    CreateSubscriptionCommand,
)
from application.partners.delete_subscription import DeleteSubscription
from application.partners.handlers import booking_event_handlers
from application.partners.list_deliveries import ListDeliveries
from application.partners.ports import DestinationPolicy
from application.partners.record_partner_events import RecordPartnerEvents
from application.partners.redeliver import Redeliver
from application.partners.rotate_secret import RotateSecret
from application.partners.send_test_event import SendTestEvent, SendTestEventCommand
from application.partners.sweep_deliveries import SweepDeliveries
from application.partners.update_subscription import UpdateSubscription
from domain.partners.delivery import Delivery, DeliveryStatus
from domain.partners.payload_options import PayloadOptions
from domain.partners.subscription import Subscription
from tests.fakes.booking import InMemoryUnitOfWork
from tests.fakes.clock import FixedClock
from tests.fakes.partners import (
    FixedResolver,
    InMemoryPartnerUnitOfWork,
    RecordingQueue,
    ScriptedSender,
)
from tests.unit.booking.builders import HOLD_FOR
from tests.unit.booking.shop import Shop
from tests.unit.partners.builders import NOW

HOST = "hooks.example.com"
URL = f"https://{HOST}/portside"


class Partners:
    """The stores, the fakes and the partner use cases of one test."""

    def __init__(
        self,
        now: datetime = NOW,
        spread: float = 0.0,
        policy: DestinationPolicy | None = None,
    ) -> None:
        self.clock = FixedClock(now)
        self.uow = InMemoryPartnerUnitOfWork()
        self.queue = RecordingQueue()
        self.resolver = FixedResolver()
        self.sender = ScriptedSender()
        self.policy = policy or DestinationPolicy()
        self.webhook_ids = (f"msg_{n:032x}" for n in range(1, 1000))
        self.record = RecordPartnerEvents(
            self.uow.subscriptions,
            self.uow.deliveries,
            FORMATTERS,
            self.queue,
            self.clock,
            lambda: next(self.webhook_ids),
        )
        checks = SubscriptionChecks(FORMATTERS, self.resolver, self.policy)
        self.create = CreateSubscription(self.uow, checks)
        self.update = UpdateSubscription(self.uow, checks)
        self.delete = DeleteSubscription(self.uow)
        self.rotate = RotateSecret(self.uow, self.clock)
        self.send_test_event = SendTestEvent(self.uow, FORMATTERS, self.queue, self.clock)
        self.list_deliveries = ListDeliveries(self.uow.deliveries, self.uow.subscriptions)
        self.redeliver = Redeliver(self.uow, self.queue, self.clock)
        self.sweep = SweepDeliveries(
            self.uow,
            self.sender,
            self.resolver,
            self.policy,
            self.queue,
            self.clock,
            lambda: spread,
        )

    def answer(self, *status_codes: int | None) -> None:
        """What the partner's server answers next, in order (then 200)."""
        self.sender.script = list(status_codes)

    def relay(self, delivery_id: UUID) -> DeliveryStatus | None:
        """One relay run (`sweep`) while `delivery_id` is the only delivery that may be
        due: its status if the run attempted it, None if it was not due."""
        attempts = len(self.stored(delivery_id).attempts)
        attempted = self.sweep().attempted
        assert attempted <= 1, f"{attempted} deliveries were due, not one"
        delivery = self.stored(delivery_id)
        return delivery.status if len(delivery.attempts) > attempts else None

    def subscribe(
        self,
        partner_id: int = 1,
        *,
        url: str = URL,
        event_types: frozenset[str] = frozenset(),
        format: str = "standard-webhooks",
        is_active: bool = True,
        options: PayloadOptions | None = None,
    ) -> Subscription:
        return self.create(
            CreateSubscriptionCommand(
                partner_id, url, event_types, format, is_active, options or PayloadOptions()
            )
        )

    def test_event(self, subscription: Subscription) -> Delivery:
        return self.send_test_event(SendTestEventCommand(subscription.partner_id, subscription.id))

    def stored(self, delivery_id: UUID) -> Delivery:
        return self.uow.deliveries.deliveries[delivery_id]

    def deliveries(self) -> list[Delivery]:
        return list(self.uow.deliveries.deliveries.values())

    def sent_ids(self) -> list[str]:
        """The `webhook-id` of each request sent, in order."""
        return [headers["webhook-id"] for _, headers, _ in self.sender.sent]


def shop_feeding(partners: Partners) -> Shop:
    """A booking shop whose unit of work records partner deliveries before it commits,
    as the container wires the Django one."""
    shop = Shop()
    shop.clock = partners.clock
    shop.uow = InMemoryUnitOfWork(
        shop.listings,
        shop.slot_store,
        shop.bookings,
        handlers=booking_event_handlers(partners.record),
        published=shop.published,
    )
    shop.hold_seats = HoldSeats(shop.uow, shop.clock, shop.references, HOLD_FOR)
    shop.cancel_booking = CancelBooking(shop.uow, shop.payments, shop.clock)
    shop.expire_holds = ExpireHolds(shop.uow, shop.clock)
    return shop
