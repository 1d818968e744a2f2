"""The scaffolding a production service needs and the lesson does not: rate limits
(throttles, failed sign-ins), request body limits and strict JSON, observability,
health checks, the read-replica router and zero-downtime migration operations.
Read domain/, application/ and the context adapters first; come here when running it."""
