"""factory-boy factories for the catalogue's domain objects. Plain Python: no Django.

`import factory` also imports `factory.django` (and with it most of Django) whenever
Django is installed. The unit suite runs without Django, so when nothing has loaded
Django yet, that one eager import is blocked while factory-boy loads; `factory.django`
stays importable afterwards for `tests/factories/orm.py`.
"""

import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.money import Money

if "factory" not in sys.modules and "django" not in sys.modules:
    sys.modules["factory.django"] = None  # a None entry makes that import fail, harmlessly
    try:
        import factory
    finally:
        del sys.modules["factory.django"]
else:
    import factory

# Well in the future and on the hour, whatever day the suite runs.
FUTURE = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=30)


class MoneyFactory(factory.Factory):
    class Meta:
        model = Money

    amount = Decimal("25.00")
    currency = "EUR"


class RefundTierFactory(factory.Factory):
    class Meta:
        model = RefundTier

    hours_before = 48
    refund_percent = 100


class CancellationPolicyFactory(factory.Factory):
    """100% more than 48 h ahead, 50% more than 24 h ahead, nothing after."""

    class Meta:
        model = CancellationPolicy

    tiers = factory.LazyFunction(lambda: (RefundTier(48, 100), RefundTier(24, 50)))

    class Params:
        non_refundable = factory.Trait(tiers=())


class ListingFactory(factory.Factory):
    class Meta:
        model = Listing

    id = factory.LazyFunction(uuid4)
    title = factory.Sequence(lambda n: f"Tour {n:04d}")
    description = "Small groups, local hosts."
    location = "Lisbon"
    currency = "EUR"
    cancellation_policy = factory.SubFactory(CancellationPolicyFactory)
    is_published = True


class SlotFactory(factory.Factory):
    """A two-hour slot of ten seats, an hour after the previous one, 30 days from now.

    `SlotFactory(listing=listing)` takes the listing's id and prices in its currency.
    """

    class Meta:
        model = Slot

    class Params:
        listing = None
        currency = factory.LazyAttribute(lambda o: o.listing.currency if o.listing else "EUR")

    id = factory.LazyFunction(uuid4)
    listing_id = factory.LazyAttribute(lambda o: o.listing.id if o.listing else uuid4())
    starts_at = factory.Sequence(lambda n: FUTURE + timedelta(hours=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    price = factory.LazyAttribute(lambda o: Money(Decimal("25.00"), o.currency))
    seats_held = 0
    seats_booked = 0
