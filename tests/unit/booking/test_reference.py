"""Booking references: `PS-` and six characters that survive a phone call."""

import pytest

from adapters.references import RandomReferences
from domain.booking.reference import ALPHABET, LENGTH, is_valid_reference
from tests.fakes.booking import SequentialReferences


@pytest.mark.parametrize("reference", ["PS-7K3F9Q", "PS-AAAAAA", "PS-ZZZZZZ", "PS-234679"])
def test_valid_references(reference: str) -> None:
    assert is_valid_reference(reference)


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param("", id="empty"),
        pytest.param("PS-7K3F9", id="too short"),
        pytest.param("PS-7K3F9QA", id="too long"),
        pytest.param("ps-7k3f9q", id="lower case"),
        pytest.param("PX-7K3F9Q", id="other prefix"),
        pytest.param("PS7K3F9Q", id="no dash"),
        pytest.param("PS-7K3F9O", id="O looks like 0"),
        pytest.param("PS-7K3F90", id="0"),
        pytest.param("PS-7K3F91", id="1"),
        pytest.param("PS-7K3F9I", id="I"),
        pytest.param("PS-7K3F9L", id="L"),
        pytest.param("PS-7K3F95", id="5"),
        pytest.param("PS-7K3F9S", id="S"),
        pytest.param("PS-7K3F98", id="8"),
        pytest.param("PS-7K3F9B", id="B"),
        pytest.param("PS-7K3F9Q\n", id="trailing newline"),
        pytest.param(" PS-7K3F9Q", id="leading space"),
    ],
)
def test_invalid_references(reference: str) -> None:
    assert not is_valid_reference(reference)


def test_the_alphabet_leaves_out_look_alikes() -> None:
    assert set(ALPHABET).isdisjoint("0O1IL5S8B")
    assert len(set(ALPHABET)) == len(ALPHABET) == 27
    assert LENGTH == 6


def test_random_references_are_valid_and_do_not_repeat_in_practice() -> None:
    references = RandomReferences()

    made = [references.next_reference() for _ in range(500)]

    assert all(is_valid_reference(reference) for reference in made)
    assert len(set(made)) >= 499  # 27^6 codes: a clash in 500 draws is a 1-in-3000 event


def test_sequential_references_are_valid_distinct_and_predictable() -> None:
    references = SequentialReferences()

    made = [references.next_reference() for _ in range(1000)]

    assert made[:3] == ["PS-AAAAAC", "PS-AAAAAD", "PS-AAAAAE"]
    assert all(is_valid_reference(reference) for reference in made)
    assert len(set(made)) == len(made)
