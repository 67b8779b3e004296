"""Numbers, percentages and money formatted for people, by babel; '—' for unknown.

One convention for the whole app, set by ``LOCALE``: the patterns of English (CLDR ``en``),
with digits grouped by a narrow no-break space (U+202F) instead of a comma, so that
"12 345" reads the same to someone used to "12,345" and to someone used to "12 345" (a
Russian reader takes "12,345" for twelve and a bit). The decimal mark is a point.

- counts: ``12 345``, ``-1 250``; rounded to whole units
- compact counts: ``950``, ``1.2K``, ``12.3K``, ``409.8M``, ``1M`` (never ``1000K``)
- percentages: a fixed number of decimals and a no-break space before the sign: ``3.4 %``
- money: the currency's own sign before the amount, always 2 decimals: ``₽1 250.00``,
  ``$1 250.50``, ``€99.00``, ``₸99 000.00``; a currency without a sign of its own shows its
  code: ``BYN 5.00``
- unknown (None, NaN, infinite): ``—``
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal, InvalidOperation
from typing import TypeGuard

from babel import Locale, UnknownLocaleError, localedata
from babel.languages import get_official_languages
from babel.numbers import format_compact_decimal, format_currency, format_decimal
from babel.numbers import format_percent as _babel_percent

LOCALE = "en"  # the one locale setting of the app; see the module docstring
UNKNOWN = "—"
_GROUP = "\u202f"  # narrow no-break space between groups of thousands
_NBSP = "\u00a0"

Number = float | int | Decimal


class _AppLocale(Locale):
    """``LOCALE`` with digits grouped by a narrow no-break space."""

    @property
    def number_symbols(self) -> localedata.LocaleDataDict:
        symbols = super().number_symbols
        latin = dict(symbols["latn"])
        latin["group"] = _GROUP
        return localedata.LocaleDataDict({**symbols, "latn": latin})


_BASE = Locale.parse(LOCALE)
_APP = _AppLocale(_BASE.language, _BASE.territory, _BASE.script, _BASE.variant)


@functools.cache
def _sign(code: str) -> str:
    """The sign of a currency: the locale's own, else the one used where it is issued (the
    first two letters of an ISO 4217 code name the country), else the code itself."""
    sign = str(_BASE.currency_symbols.get(code, code))
    if sign != code:
        return sign
    country = code[:2]
    for language in get_official_languages(country, de_facto=True):
        try:
            local = Locale.parse(f"{language}_{country}").currency_symbols.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        # only a true sign (₽, ₸, ₴); a local word or abbreviation (Br, сом) reads worse
        # beside English than the ISO code does
        if local and not any(ch.isalpha() for ch in local):
            return str(local)
    return code


def _known(value: object) -> TypeGuard[Number]:
    """A finite number (None, NaN and infinities are unknown)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int)


def format_count(value: Number | None) -> str:
    """12 345 (narrow no-break spaces between thousands, whole units); '—' for unknown."""
    if not _known(value):
        return UNKNOWN
    return format_decimal(round(value), locale=_APP)


def format_compact(value: Number | None) -> str:
    """950, 1.2K, 409.8M, 1M (one decimal at most, rounded so 999 950 is 1M); '—' for unknown."""
    if not _known(value):
        return UNKNOWN
    return format_compact_decimal(round(value), locale=_APP, fraction_digits=1)


def format_percent(ratio: Number | None, digits: int = 1) -> str:
    """0.034 → '3.4 %' with exactly ``digits`` decimals; '—' for unknown."""
    if not _known(ratio):
        return UNKNOWN
    decimals = "." + "0" * digits if digits > 0 else ""
    return _babel_percent(ratio, f"#,##0{decimals}{_NBSP}%", locale=_APP)


def format_money(amount: object, currency: str | None) -> str:
    """₽1 250.00, $1 250.50, BYN 5.00: the currency's own sign and 2 decimals; '—' for
    unknown (an amount that is not a number included)."""
    try:
        value = Decimal(str(amount)) if amount is not None else None
    except InvalidOperation:
        return UNKNOWN
    if not _known(value):
        return UNKNOWN
    code = (currency or "").strip().upper()
    if not code:
        return format_decimal(value, "#,##0.00", locale=_APP)
    sign = _sign(code).replace("'", "")
    # CLDR puts a space between a sign ending in a letter (BYN, CN¥ does not) and the digits;
    # babel leaves it out
    space = _NBSP if sign[-1:].isalpha() else ""
    return format_currency(
        value, code, f"'{sign}{space}'#,##0.00", locale=_APP, currency_digits=False
    )


def format_hours(hours: float | None) -> str:
    """A waiting time for people: '45 min', '5 h', '2 d 4 h'; '—' for unknown."""
    if hours is None or hours != hours or hours < 0:
        return "—"
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    whole = round(hours)
    if whole < 24:
        return f"{whole} h"
    days, rest = divmod(whole, 24)
    return f"{days} d {rest} h" if rest else f"{days} d"
