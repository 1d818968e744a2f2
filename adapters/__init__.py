"""Everything that touches the world: Django ORM, DRF, admin, clocks, payment and HTTP clients.

Adapters implement the application's ports (driven side) or call its use cases
(driving side). `config/container.py` decides which adapter serves which port.
"""
