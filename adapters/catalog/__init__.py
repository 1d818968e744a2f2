"""The catalogue's Django side: ORM models, repositories, admin and REST API."""
