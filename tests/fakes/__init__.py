"""In-memory adapters: the fakes unit tests run against, held to the same contract
tests as the Django adapters (tests/contract). Plain Python, no Django."""
