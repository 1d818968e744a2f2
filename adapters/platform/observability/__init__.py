"""Observability at the edge: a request id for every request and the work it starts,
JSON log lines that carry it, and the Celery signals that pass it to the worker."""
