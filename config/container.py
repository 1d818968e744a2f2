"""The dependency-injector container: the one place that chooses an adapter for each port.

How driving adapters reach use cases:
- Views get the *provider* of their use case from `config/urls.py`
  (`View.as_view(list_listings=container.list_listings)`): Django's own way to pass
  arguments to a view, with no lookup inside adapters.
- Admin actions, Celery tasks and management commands have no URLconf, so they ask by
  name through dependency-injector's wiring (`Provide["cancel_booking"]`); the modules
  are wired in `config/apps.py` when Django starts.

Either way a use case is built when it is used, so `container.<provider>.override(...)`
in a test swaps an adapter everywhere, and production swaps one by a setting read here.
"""

from datetime import timedelta

from dependency_injector import containers, providers
from django.conf import settings

from adapters.booking.queries import DjangoBookingReader
from adapters.booking.unit_of_work import DjangoUnitOfWork
from adapters.catalog.repositories import DjangoListingRepository, DjangoSlotRepository
from adapters.clock import SystemClock
from adapters.partners.formatters import FORMATTERS
from adapters.partners.http import PinnedWebhookSender, SocketResolver
from adapters.partners.queue import CeleryDeliveryQueue
from adapters.partners.repositories import (
    DjangoDeliveryRepository,
    DjangoPartnerUnitOfWork,
    DjangoSubscriptionRepository,
)
from adapters.payments.sandbox import SandboxGateway, SandboxWebhookParser
from adapters.payments.stripe import StripeWebhookParser, stripe_gateway
from adapters.references import RandomReferences
from application.booking.cancel_booking import CancelBooking
from application.booking.checkout import Checkout
from application.booking.expire_holds import ExpireHolds
from application.booking.handle_payment_event import HandlePaymentEvent
from application.booking.hold_seats import HoldSeats
from application.booking.queries import GetBooking, ListBookings
from application.catalog.get_listing import GetListing
from application.catalog.list_listings import ListListings
from application.catalog.list_slots import ListSlots
from application.partners.checks import SubscriptionChecks
from application.partners.create_subscription import CreateSubscription
from application.partners.delete_subscription import DeleteSubscription
from application.partners.handlers import booking_event_handlers
from application.partners.list_deliveries import ListDeliveries
from application.partners.list_subscriptions import GetSubscription, ListSubscriptions
from application.partners.ports import DestinationPolicy
from application.partners.record_partner_events import RecordPartnerEvents
from application.partners.redeliver import Redeliver
from application.partners.rotate_secret import RotateSecret
from application.partners.send_test_event import SendTestEvent
from application.partners.sweep_deliveries import SweepDeliveries
from application.partners.update_subscription import UpdateSubscription


def setting(name: str) -> providers.Callable[object]:
    """A setting read when first needed, so tests can change settings before that."""
    return providers.Callable(lambda: getattr(settings, name))


class Container(containers.DeclarativeContainer):
    # ---- driven adapters: what implements each port
    clock = providers.Singleton(SystemClock)
    listing_repository = providers.Singleton(DjangoListingRepository)
    slot_repository = providers.Singleton(DjangoSlotRepository)
    booking_reader = providers.Singleton(DjangoBookingReader)
    # ---- partner webhooks
    subscription_repository = providers.Singleton(DjangoSubscriptionRepository)
    delivery_repository = providers.Singleton(DjangoDeliveryRepository)
    partner_unit_of_work = providers.Factory(DjangoPartnerUnitOfWork)
    payload_formatters = providers.Object(FORMATTERS)
    delivery_queue = providers.Singleton(CeleryDeliveryQueue)
    address_resolver = providers.Singleton(SocketResolver)
    webhook_sender = providers.Singleton(PinnedWebhookSender)
    destination_policy = providers.Callable(
        lambda: DestinationPolicy(
            allow_http=settings.WEBHOOK_ALLOW_HTTP,
            allowed_hosts=frozenset(settings.WEBHOOK_ALLOWED_HOSTS),
        )
    )
    # The outbox: runs inside every booking unit of work, before it commits.
    record_partner_events = providers.Factory(
        RecordPartnerEvents,
        subscriptions=subscription_repository,
        deliveries=delivery_repository,
        formatters=payload_formatters,
        queue=delivery_queue,
        clock=clock,
    )
    unit_of_work = providers.Factory(
        DjangoUnitOfWork,
        handlers=providers.Callable(booking_event_handlers, record_partner_events),
    )
    references = providers.Singleton(RandomReferences)
    # ---- payment providers: PAYMENT_PROVIDER picks the gateway; every provider's
    # webhook parser stays available so late events from a previous provider still land.
    sandbox_gateway = providers.Singleton(
        SandboxGateway,
        base_url=setting("PAYMENTS_SANDBOX_URL"),
        api_key=setting("PAYMENTS_SANDBOX_API_KEY"),
        webhook_url=providers.Callable(
            lambda: settings.PAYMENTS_WEBHOOK_URL.format(provider="sandbox")
        ),
        return_url=setting("PAYMENTS_RETURN_URL"),
    )
    stripe_gateway = providers.Singleton(
        stripe_gateway,
        secret_key=setting("STRIPE_SECRET_KEY"),
        api_base=setting("STRIPE_API_BASE"),
        pay_url=setting("STRIPE_PAY_URL"),
    )
    payment_gateway = providers.Selector(
        providers.Callable(lambda: settings.PAYMENT_PROVIDER),
        sandbox=sandbox_gateway,
        stripe=stripe_gateway,
    )
    known_webhook_parsers = providers.Dict(
        sandbox=providers.Singleton(
            SandboxWebhookParser, secret=setting("PAYMENTS_SANDBOX_WEBHOOK_SECRET")
        ),
        stripe=providers.Singleton(StripeWebhookParser, secret=setting("STRIPE_WEBHOOK_SECRET")),
    )
    # Only the enabled providers' parsers: a Stripe shop must not accept events signed
    # with the sandbox's well-known development secret.
    webhook_parsers = providers.Callable(
        lambda known: {name: known[name] for name in settings.PAYMENT_WEBHOOK_PROVIDERS},
        known_webhook_parsers,
    )
    hold_for = providers.Callable(lambda: timedelta(minutes=settings.HOLD_MINUTES))

    # ---- use cases: cheap objects, built per call with the adapters above
    list_listings = providers.Factory(ListListings, listings=listing_repository)
    get_listing = providers.Factory(GetListing, listings=listing_repository)
    list_slots = providers.Factory(
        ListSlots, listings=listing_repository, slots=slot_repository, clock=clock
    )

    hold_seats = providers.Factory(
        HoldSeats, uow=unit_of_work, clock=clock, references=references, hold_for=hold_for
    )
    get_booking = providers.Factory(GetBooking, reader=booking_reader)
    list_bookings = providers.Factory(ListBookings, reader=booking_reader)
    # The storefront's reads: each line with the listing and slot it booked.
    cancel_booking = providers.Factory(
        CancelBooking, uow=unit_of_work, payments=payment_gateway, clock=clock
    )
    expire_holds = providers.Factory(ExpireHolds, uow=unit_of_work, clock=clock)
    checkout = providers.Factory(Checkout, uow=unit_of_work, payments=payment_gateway, clock=clock)
    handle_payment_event = providers.Factory(
        HandlePaymentEvent, uow=unit_of_work, payments=payment_gateway, clock=clock
    )

    # ---- partner use cases
    list_subscriptions = providers.Factory(ListSubscriptions, subscriptions=subscription_repository)
    get_subscription = providers.Factory(GetSubscription, subscriptions=subscription_repository)
    subscription_checks = providers.Factory(
        SubscriptionChecks,
        formats=payload_formatters,
        resolver=address_resolver,
        policy=destination_policy,
    )
    create_subscription = providers.Factory(
        CreateSubscription, uow=partner_unit_of_work, checks=subscription_checks
    )
    update_subscription = providers.Factory(
        UpdateSubscription, uow=partner_unit_of_work, checks=subscription_checks
    )
    delete_subscription = providers.Factory(DeleteSubscription, uow=partner_unit_of_work)
    rotate_secret = providers.Factory(RotateSecret, uow=partner_unit_of_work, clock=clock)
    send_test_event = providers.Factory(
        SendTestEvent,
        uow=partner_unit_of_work,
        formatters=payload_formatters,
        queue=delivery_queue,
        clock=clock,
    )
    list_deliveries = providers.Factory(
        ListDeliveries, deliveries=delivery_repository, subscriptions=subscription_repository
    )
    redeliver = providers.Factory(
        Redeliver, uow=partner_unit_of_work, queue=delivery_queue, clock=clock
    )
    sweep_deliveries = providers.Factory(
        SweepDeliveries,
        uow=partner_unit_of_work,
        sender=webhook_sender,
        resolver=address_resolver,
        policy=destination_policy,
        queue=delivery_queue,
        clock=clock,
    )


container = Container()
