"""A partner's inbox, for demos and tests: an outside system that receives Portside's
webhooks, verifies them with the `standardwebhooks` library (as any partner would), and
shows each one with its format and verification result at `/partner-inbox/`.

It knows nothing of Portside's code (an import-linter contract says so). Register an
endpoint with the secret Portside gave the subscription, then point the subscription
at `/partner-inbox/<slug>/`.
"""
