"""The partners context's Django side: partners and their API keys, subscriptions, the
delivery outbox, payload formats, the HTTP sender, API, admin, tasks and commands."""
