"""Booking references: whatever six characters of the alphabet, a valid reference."""

from hypothesis import given
from hypothesis import strategies as st

from domain.booking.reference import ALPHABET, LENGTH, is_valid_reference


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_every_six_characters_of_the_alphabet_make_a_reference(code: str) -> None:
    assert is_valid_reference(f"PS-{code}")
