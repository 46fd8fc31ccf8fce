"""Numbers typed by users or read from files: ASCII digits only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.identifiers import parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("007", 7),
        ("99999999999", 99_999_999_999),
        ("999999999999", None),  # 12 digits: not an id of this application
        ("²", None),  # isdigit() is true, int() refuses it
        ("٣", None),  # Arabic-Indic three: int() would read 3
        ("1²", None),
        ("", None),
        (" 4", None),
        ("-4", None),
        ("4.0", None),
        (None, None),
        (4, None),
    ],
)
def test_parse_id(text, expected) -> None:
    assert parse_id(text) == expected


def test_a_shorter_limit() -> None:
    assert parse_id("123456789", max_digits=9) == 123456789
    assert parse_id("1234567890", max_digits=9) is None


@given(st.text(max_size=15))
def test_any_text_gives_an_int_or_none_never_an_error(text: str) -> None:
    found = parse_id(text)
    if found is not None:
        assert text.isascii() and text.isdigit() and int(text) == found
