"""Random booking references from the domain's alphabet."""

import secrets

from domain.booking.reference import ALPHABET, LENGTH


class RandomReferences:
    """27^6 ≈ 387 million references; the database's unique constraint catches the rare clash."""

    def next_reference(self) -> str:
        return "PS-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
