"""The dependency-injector container: the one place that chooses an adapter for each port.

Views do not import it. `config/urls.py` hands each view the *provider* of its use
case (`as_view(list_listings=container.list_listings)`), so there is no wiring magic
and no global lookup inside adapters. Tests swap an adapter with
`container.<provider>.override(...)`; production swaps one by a setting read here.
"""

from dependency_injector import containers, providers

from adapters.catalog.repositories import DjangoListingRepository, DjangoSlotRepository
from adapters.clock import SystemClock
from application.catalog.get_listing import GetListing
from application.catalog.list_listings import ListListings
from application.catalog.list_slots import ListSlots


class Container(containers.DeclarativeContainer):
    # Driven adapters (ports' implementations)
    clock = providers.Singleton(SystemClock)
    listing_repository = providers.Singleton(DjangoListingRepository)
    slot_repository = providers.Singleton(DjangoSlotRepository)

    # Use cases: cheap objects, built per request with the adapters above
    list_listings = providers.Factory(ListListings, listings=listing_repository)
    get_listing = providers.Factory(GetListing, listings=listing_repository)
    list_slots = providers.Factory(
        ListSlots, listings=listing_repository, slots=slot_repository, clock=clock
    )


container = Container()
