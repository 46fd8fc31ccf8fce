"""The writers' markup: parsing, safe HTML, evaluator character counts, Word-safe text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.dossier.markup import (
    Block,
    Run,
    clean_for_word,
    escape,
    inline_text,
    parse,
    parse_inline,
    plain_length,
    plain_text,
    to_html,
)

SAMPLE = """Le projet **réemploie** les *matériaux* du BTP.
Suite du même paragraphe.

- premier point
- second **point**
  qui continue

3. troisième
4. quatrième

### Sous-titre

| Action | Lot |
|---|:---:|
| Collecte | WP2 |
| Formation \\| diagnostic | WP3 |
"""


def test_parse_sample_blocks() -> None:
    blocks = parse(SAMPLE)
    assert [b.kind for b in blocks] == ["paragraph", "bullets", "numbered", "heading", "table"]
    assert blocks[0].runs == (
        Run("Le projet "),
        Run("réemploie", bold=True),
        Run(" les "),
        Run("matériaux", italic=True),
        Run(" du BTP. Suite du même paragraphe."),
    )
    assert [inline_text(i) for i in blocks[1].items] == [
        "premier point",
        "second point qui continue",
    ]
    assert blocks[2].start == 3
    assert [inline_text(i) for i in blocks[2].items] == ["troisième", "quatrième"]
    assert inline_text(blocks[3].runs) == "Sous-titre"
    table = blocks[4]
    assert table.header is True
    assert [[inline_text(c) for c in row] for row in table.rows] == [
        ["Action", "Lot"],
        ["Collecte", "WP2"],
        ["Formation | diagnostic", "WP3"],
    ]


def test_inline_emphasis_rules() -> None:
    assert parse_inline("***les deux***") == (Run("les deux", bold=True, italic=True),)
    assert parse_inline("2 * 3 * 4") == (Run("2 * 3 * 4"),)
    assert parse_inline("**non fermé") == (Run("**non fermé"),)
    assert parse_inline("\\*littéral\\*") == (Run("*littéral*"),)
    assert parse_inline("a **b *c* d** e") == (
        Run("a "),
        Run("b ", bold=True),
        Run("c", bold=True, italic=True),
        Run(" d", bold=True),
        Run(" e"),
    )


def test_table_without_separator_has_no_header_and_short_rows_are_padded() -> None:
    (table,) = parse("| a | b | c |\n| d |")
    assert table.header is False
    assert [[inline_text(c) for c in row] for row in table.rows] == [["a", "b", "c"], ["d", "", ""]]


def test_lists_start_without_blank_line_and_paragraph_after_heading() -> None:
    blocks = parse("Intro :\n- a\n- b\n### Titre\nTexte")
    assert [b.kind for b in blocks] == ["paragraph", "bullets", "heading", "paragraph"]


def test_empty_and_whitespace_text() -> None:
    assert parse("") == ()
    assert parse(None) == ()
    assert parse("\n \n\t\n") == ()
    assert plain_length(None) == 0


def test_to_html_is_escaped() -> None:
    html = to_html(
        parse('<script>alert("x")</script> **<b>**\n\n| <i> | & |\n|---|---|\n| 1 | 2 |')
    )
    assert html == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <strong>&lt;b&gt;</strong></p>\n"
        "<table><thead><tr><th>&lt;i&gt;</th><th>&amp;</th></tr></thead>"
        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
    )
    assert to_html(parse("2. b\n3. c")) == '<ol start="2"><li>b</li><li>c</li></ol>'
    assert to_html(parse("### T"), heading_tag="script") == "<h4>T</h4>"


_OUR_TAGS = re.compile(r"</?(p|strong|em|ul|ol|li|h4|table|thead|tbody|tr|th|td)( start=\"\d+\")?>")


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_to_html_never_lets_input_markup_through(text: str) -> None:
    html = to_html(parse(text))
    assert "<script" not in html.lower()
    assert "<" not in _OUR_TAGS.sub("", html)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab *|-#1.\\\n\t<>&é")))
def test_parse_never_fails_on_marker_soup(text: str) -> None:
    blocks = parse(text)
    assert all(isinstance(b, Block) for b in blocks)
    assert plain_length(text) >= 0


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda s: s.split()))
def test_escape_makes_any_text_one_literal_paragraph(text: str) -> None:
    blocks = parse(escape(text))
    assert len(blocks) == 1
    assert blocks[0].kind == "paragraph"
    assert inline_text(blocks[0].runs) == " ".join(text.split())
    assert not any(r.bold or r.italic for r in blocks[0].runs)


def test_plain_length_counts_text_not_markup() -> None:
    assert plain_length("**abc** *dé*") == len("abc dé")
    assert plain_length("- un\n- deux\n\n1. trois") == len("un") + len("deux") + len("trois")
    assert plain_length("| a | bc |\n|---|---|\n| d | e |") == 5
    assert plain_length("### Titre") == 5
    # "é" typed as e + combining accent counts once
    assert plain_length("e\u0301t\u00e9") == 3
    assert plain_text("Un\ndeux\n\n- x") == "Un deux\nx"


def test_clean_for_word_removes_only_the_control_characters_of_the_one_rule() -> None:
    nasty = "a\x00b\x08c\x0bd\x0ce\x1bf\ud800g\ufffeh\uffffi\x7fj"
    assert clean_for_word(nasty) == "abcdefghij"  # DEL too: forms refuse it as well
    kept = "tab\tnl\ncr\r c1\x85 🌱 ‮שלום‬ ZWJ👩‍🔬 œ ç é"
    assert clean_for_word(kept) == kept
    assert clean_for_word(None) == ""
    assert clean_for_word(12) == "12"
