"""Partners of the before shop: API keys, webhook subscriptions, and the webhooks sent
to them when a booking changes.

- `models.py`: partners, subscriptions, deliveries and attempts, with their rules;
- `validators.py`: event types and the SSRF check on target URLs;
- `webhooks.py`: formats, signatures and sending;
- `signals.py`: the booking signal's receiver; `tasks.py`: the retries;
- `authentication.py`, `serializers.py`, `views.py`, `urls.py`: the partner API.
"""
