"""Partner use cases: subscriptions, the outbox of deliveries, and sending them."""
