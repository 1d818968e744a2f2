"""Customer accounts: registration and DRF tokens (the email is the username)."""
