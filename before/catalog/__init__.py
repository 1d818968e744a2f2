"""The catalogue: listings, their timed slots and each slot's seat counters."""
