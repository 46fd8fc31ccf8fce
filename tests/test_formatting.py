"""The one formatting module: numbers, money, percentages, dates and country names in the
reader's language (Babel), and the one parser of typed amounts."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.formatting import (
    AMOUNT_TEMPLATES,
    AmountError,
    country_name,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    parse_amount,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # French groups digits with a narrow no-break space
amounts = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)


def test_english_is_written_the_european_way_never_us_style() -> None:
    moment = dt.datetime(2026, 12, 4, 20, 9, tzinfo=dt.UTC)
    assert format_datetime(moment, "en") == "04/12/2026, 20:09"
    assert format_date(moment.date(), "en", "medium") == "4 Dec 2026"
    assert format_date(moment.date(), "en") == "4 December 2026"
    assert format_money(D("820000"), "en") == "€820,000"


def test_french_spaces_are_no_break_and_the_first_day_is_1er() -> None:
    assert format_money(D("820000"), "fr") == f"820{NNBSP}000{NBSP}€"
    assert format_percent(D("0.6"), "fr") == f"60{NBSP}%"
    assert format_date(dt.date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert format_date(dt.date(2026, 12, 1), "fr", "short") == "01/12/2026"


def test_country_names_in_the_readers_language() -> None:
    assert (country_name("FR", "en"), country_name("IT", "fr")) == ("France", "Italie")
    assert country_name("xx", "fr") == "xx"
    assert country_name("", "en") == ""


@settings(max_examples=100, deadline=None)
@given(amounts)
def test_format_and_parse_round_trip(value: D) -> None:
    fr = format_money(value, "fr", 2)
    en = format_money(value, "en", 2)
    assert parse_amount(fr) == value
    assert parse_amount(en) == value
    assert parse_amount(f"{value:f}") == value


# -- amounts in and out ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 500,50", "12500.50"),
        ("12,500.50", "12500.50"),
        ("12500.5", "12500.50"),
        ("€ 1 000", "1000.00"),
        ("1 000 €", "1000.00"),
        ("12\u202f500,5\u00a0€", "12500.50"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567", "1234567.00"),
        ("1'000.25", "1000.25"),
        ("0,5", "0.50"),
        (",75", "0.75"),
        ("+42", "42.00"),
        ("  7 EUR ", "7.00"),
        ("0", "0.00"),
        ("1 000 000 000 000", "1000000000000.00"),
    ],
)
def test_parse_amount_accepts(text: str, expected: str) -> None:
    assert parse_amount(text) == D(expected)
    assert str(parse_amount(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("-5", "negative"),
        ("\u2212 5", "negative"),
        ("€ -1 000", "negative"),
        ("NaN", "invalid"),
        ("nan", "invalid"),
        ("inf", "invalid"),
        ("-Infinity", "negative"),
        ("Infinity", "invalid"),
        ("1e5", "invalid"),
        ("12 50", "invalid"),
        ("1.5.5", "invalid"),
        ("1,234.567,50", "invalid"),
        ("\u0661\u0662\u0663", "invalid"),
        ("12.", "invalid"),
        ("abc", "invalid"),
        ("12,500", "ambiguous"),
        ("1.234", "ambiguous"),
        ("1,5555", "decimals"),
        ("1 000 000 000 000,01", "too_large"),
        ("99999999999999", "too_large"),
    ],
)
def test_parse_amount_rejects(text: str, code: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.template == AMOUNT_TEMPLATES[code]
    assert isinstance(caught.value, ValueError)


def test_parse_amount_messages() -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount("12,500")
    assert str(caught.value) == (
        "“12,500” is ambiguous: write 12500, or add the cents (e.g. 12,500.00)."
    )
    with pytest.raises(AmountError) as caught:
        parse_amount("2e12")
    assert caught.value.params == {"value": "2e12"}
    with pytest.raises(AmountError) as caught:
        parse_amount("2 000 000 000 000")
    assert str(caught.value) == "Amounts above €1,000,000,000,000.00 are not accepted."


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (D("12500"), f"12{NNBSP}500,00{NBSP}€", "€12,500.00"),
        (D("0.005"), f"0,01{NBSP}€", "€0.01"),
        (D("1234567.891"), f"1{NNBSP}234{NNBSP}567,89{NBSP}€", "€1,234,567.89"),
        (D("-3.456"), f"-3,46{NBSP}€", "-€3.46"),
    ],
)
def test_format_amount(value: D, fr: str, en: str) -> None:
    assert (format_money(value, "fr", 2), format_money(value, "en", 2)) == (fr, en)


def test_format_number_and_percent() -> None:
    assert (format_number(D("3.50"), "fr", None), format_number(D("3.5"), "en", None)) == (
        "3,5",
        "3.5",
    )
    assert format_number(D("12"), "en", None) == "12"
    assert [format_percent(D(r), "en") for r in ("0.6", "0.075", "1")] == ["60%", "7.5%", "100%"]
    assert [format_percent(D(r), "fr") for r in ("0.6", "0.075")] == [f"60{NBSP}%", f"7,5{NBSP}%"]
