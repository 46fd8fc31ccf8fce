"""The one character rule (consortium/characters.py), as forms, imports and figures use it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from consortium.characters import (
    has_control_characters,
    short_label,
    single_line,
    without_control_characters,
)


def test_control_characters_are_found_and_removed_but_tab_and_line_breaks_are_text():
    assert has_control_characters("a\x00b") is True
    assert has_control_characters("a\tb\nc\rd") is False
    assert without_control_characters("a\x07b\x7fc\ufffe") == "abc"
    assert single_line("a\tb\nc") == "abc"


def test_short_label_is_one_line_and_cut_with_an_ellipsis():
    assert short_label("  Ville\nde  Marseille\x00 ", 40) == "Ville de Marseille"
    assert short_label("Métropole Aix-Marseille-Provence", 10) == "Métropole…"
    assert short_label("abcdefghij", 10) == "abcdefghij"


@given(st.text(), st.integers(min_value=2, max_value=60))
def test_a_short_label_never_holds_a_control_character_or_a_line_break(text, limit):
    label = short_label(text, limit)
    assert len(label) <= limit
    assert not has_control_characters(label)
    assert "\n" not in label and "\r" not in label
