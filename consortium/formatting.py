"""Numbers, money, percentages, dates and country names in the reader's language, on Babel.

Why: a grant application is read in Europe. English is written the British way ("4 Dec 2026",
"€820,000", never "12/4/26"), French with its spaces ("820 000 €", "60 %", no-break so a
figure never wraps). Every page, document, e-mail and export formats through this module, and
amounts typed by users are read by :func:`parse_amount` alone.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_percent

from consortium.errors import N_, DomainError

FORMAT_LOCALES = {"en": "en_GB", "fr": "fr_FR"}
CURRENCY = "EUR"
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # 1e12 EUR: far beyond any LIFE project


def locale_of(lang: str | None) -> str:
    """Babel locale used to format for a reader of ``lang`` (British English by default)."""
    return FORMAT_LOCALES.get(lang or "en", FORMAT_LOCALES["en"])


def _quantized(value: Decimal | int | float, decimals: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def format_number(value: Decimal | int | float, lang: str, decimals: int | None = 0) -> str:
    """A number with the language's grouping; ``decimals=None`` keeps up to two, trimmed."""
    if decimals is None:
        number = _quantized(value, 2)
        return format_decimal(number, format="#,##0.##", locale=locale_of(lang))
    number = _quantized(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(
        number, format=pattern, locale=locale_of(lang), decimal_quantization=False
    )


def format_money(value: Decimal | int | float, lang: str, decimals: int = 0) -> str:
    """Euros: fr ``"820 000 €"``, en ``"€820,000"``; ``decimals=2`` shows the cents."""
    number = _quantized(value, decimals)
    return (
        format_currency(
            number,
            CURRENCY,
            locale=locale_of(lang),
            currency_digits=False,
            format_type="standard",
            decimal_quantization=False,
        )
        if decimals
        else _whole_money(number, lang)
    )


def _whole_money(number: Decimal, lang: str) -> str:
    locale = Locale.parse(locale_of(lang))
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    pattern = re.sub(r"0\.0+", "0", pattern)
    return format_currency(
        number,
        CURRENCY,
        format=pattern,
        locale=locale,
        currency_digits=False,
        decimal_quantization=False,
    )


def format_percent(ratio: Decimal | float, lang: str) -> str:
    """A ratio as a percentage, one decimal only when it is not whole: ``0.6`` -> ``"60 %"``."""
    percent = _quantized(Decimal(str(ratio)) * 100, 1)
    locale = Locale.parse(locale_of(lang))
    pattern = locale.percent_formats[None].pattern
    if percent != percent.to_integral_value():
        pattern = pattern.replace("0%", "0.0%").replace("0\u00a0%", "0.0\u00a0%")
    return babel_percent(percent / 100, format=pattern, locale=locale, decimal_quantization=False)


def format_date(value: dt.date | None, lang: str, style: str = "long") -> str:
    """``"4 December 2026"`` / ``"1er décembre 2026"`` (French writes the first day 1er)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    text = babel_date(value, style, locale=locale_of(lang))
    if lang == "fr" and value.day == 1 and style in ("long", "full"):
        text = re.sub(r"\b1 ", "1er ", text, count=1)
    return text


def format_datetime(value: dt.datetime | None, lang: str, style: str = "short") -> str:
    """UTC time of a record, e.g. en ``"04/12/2026, 20:09"``, fr ``"04/12/2026 20:09"``."""
    if value is None:
        return ""
    return babel_datetime(value, style, tzinfo=dt.UTC, locale=locale_of(lang))


def country_name(code: str | None, lang: str) -> str:
    """``"FR"`` -> ``"France"``; an unknown code is shown as given."""
    if not code:
        return ""
    names = Locale.parse(locale_of(lang)).territories
    return names.get(code.strip().upper(), code)


# --------------------------------------------------------------------------- parsing

AMOUNT_TEMPLATES = {
    "empty": N_("Enter an amount."),
    "invalid": N_("“%(value)s” is not an amount: use digits, e.g. 12 500,50 or 12,500.50."),
    "negative": N_("Amounts cannot be negative."),
    "decimals": N_("Use at most two decimals."),
    "ambiguous": N_(
        "“%(value)s” is ambiguous: write %(plain)s, or add the cents (e.g. %(example)s)."
    ),
    "too_large": N_("Amounts above %(maximum)s are not accepted."),
}


class AmountError(DomainError, ValueError):
    """A typed amount was refused; ``template`` and ``params`` say why, for translation."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        super().__init__(AMOUNT_TEMPLATES[code], params)


_SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007']")
_CURRENCY_MARK = re.compile(r"^(?:€|eur|euros?)\s*|\s*(?:€|eur|euros?)$", re.IGNORECASE)
_PLAIN = re.compile(r"\d+", re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+", re.ASCII)
_SPACED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009\u2007']\d{3})+", re.ASCII)


def _integer_part(text: str, original: str) -> str:
    """Digits of an integer part with optional thousands separators (groups of three)."""
    if _PLAIN.fullmatch(text):
        return text
    if _SPACED.fullmatch(text) or _GROUPED.fullmatch(text):
        return _SPACES.sub("", text).replace(",", "").replace(".", "")
    raise AmountError("invalid", value=original)


def parse_amount(text: str, *, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """Read a typed EUR amount, in either language's writing, to a Decimal with two decimals.

    Accepts ``"12 500,50"``, ``"12,500.50"``, ``"1.234,56"``, ``"12500.5"``, ``"€ 1 000"``
    (spaces, no-break and narrow no-break spaces or apostrophes as thousands separators).
    A single ``,`` or ``.`` followed by exactly three digits (``"12,500"``) is refused as
    ambiguous rather than guessed. Negative, more than two decimals and amounts above
    ``maximum`` raise :class:`AmountError`.
    """
    original = text if isinstance(text, str) else str(text)
    s = original.strip()
    if not s:
        raise AmountError("empty")
    s = _CURRENCY_MARK.sub("", s).strip()
    if s[:1] in ("-", "\u2212"):
        raise AmountError("negative")
    if s[:1] == "+":
        s = s[1:].strip()
    last_sep = max(s.rfind(","), s.rfind("."))
    int_text, frac = s, ""
    if last_sep >= 0:
        sep, tail = s[last_sep], s[last_sep + 1 :]
        head = s[:last_sep]
        if sep in head or not (tail.isascii() and tail.isdigit()):
            # "12,500,000" or "1.234.567": every separator groups thousands.
            int_text = s
        elif len(tail) == 3 and not any(c in head for c in ",."):
            plain = _SPACES.sub("", head) + tail
            example = f"{head}{sep}{tail}{'.00' if sep == ',' else ',00'}"
            raise AmountError("ambiguous", value=original, plain=plain, example=example)
        else:
            int_text, frac = head, tail
    digits = _integer_part(int_text or "0", original)
    if len(frac) > 2:
        raise AmountError("decimals")
    try:
        value = Decimal(f"{digits}.{frac or '0'}")
    except InvalidOperation:
        raise AmountError("invalid", value=original) from None
    if value > maximum:
        raise AmountError("too_large", maximum=format_money(maximum, "en", 2))
    return value.quantize(CENT, ROUND_HALF_UP)
