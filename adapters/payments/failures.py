"""What a payment provider's failure means for the caller, by its HTTP status."""

from application.shared.errors import PaymentRefused, ServiceUnavailable

TOO_MANY_REQUESTS = 429


def provider_failure(provider: str, status: int | None, detail: str) -> Exception:
    """A 4xx answer (but 429) is a refusal; no answer, a 429 or a 5xx, a service to retry."""
    if status is not None and 400 <= status < 500 and status != TOO_MANY_REQUESTS:
        return PaymentRefused(f"{provider} refused the request ({status}): {detail}")
    return ServiceUnavailable(f"{provider} did not answer: {detail}")
