"""Booking references people can read aloud: `PS-` and six characters without look-alikes."""

import re

# No 0/O, 1/I/L, 5/S or 8/B, so a reference survives a phone call and a bad font.
ALPHABET = "ACDEFGHJKMNPQRTUVWXYZ234679"
LENGTH = 6
PATTERN = re.compile(rf"^PS-[{ALPHABET}]{{{LENGTH}}}$")


def is_valid_reference(reference: str) -> bool:
    return PATTERN.fullmatch(reference) is not None
