"""Numbers as people type them: ``409.8M``, ``12,5K``, ``1,2 млн``, ``350 тыс``, ``1 234,5``, ``3.4%``."""

from __future__ import annotations

import math
import re

import polars as pl

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_SUFFIXES = {
    "k": 1e3,
    "к": 1e3,
    "тыс": 1e3,
    "тыс.": 1e3,
    "т": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "м": 1e6,
    "млн": 1e6,
    "млн.": 1e6,
    "mln": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "млрд": 1e9,
    "млрд.": 1e9,
    "billion": 1e9,
    "%": 0.01,
}
_NUMBER = re.compile(r"^([+-]?)(\d[\d.,]*|[.,]\d+)([^\d]*)$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3}){2,}$")


def parse_number(text: object) -> float | None:
    """The value of a human-typed number; None for empty; ValueError for text that is no number."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(f"“{text}” is not a number")
    if isinstance(text, int | float):
        if isinstance(text, float) and math.isnan(text):
            return None
        return float(text)
    raw = str(text)
    s = _SPACES.sub("", raw).lower()
    if s in {"", "-", "—", "–", "n/a", "na", "nan", "null", "none"}:
        return None
    match = _NUMBER.match(s)
    if not match:
        raise ValueError(f"“{raw.strip()}” is not a number")
    sign, digits, suffix = match.groups()
    factor = 1.0
    if suffix:
        if suffix not in _SUFFIXES:
            raise ValueError(f"“{raw.strip()}” is not a number")
        factor = _SUFFIXES[suffix]
    value = float(_plain_digits(digits, has_suffix=bool(suffix)))
    return -value * factor if sign == "-" else value * factor


def _plain_digits(digits: str, *, has_suffix: bool) -> str:
    if "," in digits and "." in digits:
        # whichever separator comes last is the decimal one
        if digits.rfind(",") > digits.rfind("."):
            return digits.replace(".", "").replace(",", ".")
        return digits.replace(",", "")
    if "," in digits:
        if not has_suffix and _THOUSANDS_COMMA.match(digits):
            return digits.replace(",", "")
        if digits.count(",") > 1:
            raise ValueError(f"“{digits}” is not a number")
        return digits.replace(",", ".")
    if digits.count(".") > 1:
        if _THOUSANDS_DOT.match(digits):
            return digits.replace(".", "")
        raise ValueError(f"“{digits}” is not a number")
    return digits


def _parse_each(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    # parse_number once per distinct value: (values, 'was text but no number')
    mapping: dict[str, float | None] = {}
    bad: list[str] = []
    for item in values.drop_nulls().unique().to_list():
        try:
            mapping[item] = parse_number(item)
        except ValueError:
            mapping[item] = None
            bad.append(item)
    parsed = values.replace_strict(mapping, default=None, return_dtype=pl.Float64)
    return parsed, values.is_in(bad).fill_null(False)


_FAST_NUMBER = (
    r"^(-?)(\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d+)?)(k|к|тыс\.?|т|m|м|млн\.?|mln|b|bn|млрд\.?|%)?$"
)


def parse_number_column(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse a text column: (Float64 values, Boolean 'was text but no number') of the same length.

    The usual shapes (``1 234 567``, ``12,5K``, ``1,2 млн``, ``3,4%``) are parsed with polars
    expressions; anything else goes through ``parse_number`` once per distinct value.
    """
    direct = raw.str.strip_chars().cast(pl.Float64, strict=False)
    direct = pl.select(pl.when(direct.is_finite()).then(direct)).to_series()
    todo = (direct.is_null() & raw.is_not_null()).arg_true()
    if todo.len() == 0:
        return direct.alias(raw.name), pl.Series(raw.name, [False] * raw.len())
    sub = raw.gather(todo)
    compact = sub.str.replace_all(r"[\s\u00a0\u202f\u2009']+", "").str.to_lowercase()
    parts = compact.str.extract_groups(_FAST_NUMBER)
    frame = pl.DataFrame(
        {
            "sign": parts.struct.field("1"),
            "digits": parts.struct.field("2"),
            "suffix": parts.struct.field("3"),
        }
    )
    thousands = pl.col("digits").str.contains(r"^\d{1,3}(,\d{3})+$")
    number = (
        pl.when(pl.col("suffix").is_null() & thousands)
        .then(pl.col("digits").str.replace_all(",", ""))
        .otherwise(pl.col("digits").str.replace(",", "."))
        .cast(pl.Float64, strict=False)
    )
    factor = pl.col("suffix").replace_strict(
        list(_SUFFIXES), list(_SUFFIXES.values()), default=1.0, return_dtype=pl.Float64
    )
    fast = frame.select(
        pl.when(pl.col("sign") == "-").then(-number * factor).otherwise(number * factor)
    ).to_series()
    rest = pl.select(pl.when(fast.is_null()).then(sub)).to_series()
    slow, bad = _parse_each(rest)
    values = direct.scatter(todo, pl.select(pl.coalesce(fast, slow)).to_series())
    invalid = pl.Series(raw.name, [False] * raw.len()).scatter(todo, bad)
    return values.alias(raw.name), invalid
