"""The sandbox payment provider: a stand-in for a real provider that ships with Portside.

It is an *outside system*. It has its own tables, its own URL prefix (`/sandbox/`) and
its own API key, and Portside reaches it only over HTTP (adapters/payments/sandbox.py),
exactly as it reaches Stripe; an import-linter contract keeps the two apart. That is
why the before version can use it too.

What it does, like a real provider:
- `POST /sandbox/api/payments/` creates a payment (idempotent by `Idempotency-Key`)
  and returns a `pay_url` for the customer;
- the pay page has **Pay** and **Decline** buttons; `POST /sandbox/api/payments/{id}/pay/`
  is its API twin for tests;
- `POST /sandbox/api/refunds/` refunds part or all of a payment;
- each outcome becomes an event, signed (`Sandbox-Signature: t=…,v1=…`, HMAC-SHA256
  of `"{t}.{body}"`) and posted to the payment's `webhook_url` in the background,
  retried with backoff until a 2xx answer;
- `POST /sandbox/api/payments/{id}/resend/` sends a payment's events again, in order
  or reversed, for demos and tests of duplicate and out-of-order delivery.
"""
