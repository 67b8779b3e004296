"""Numbers as people type them: ``409.8M``, ``12,5K``, ``1,2 млн``, ``350 тыс``, ``1 234,5``, ``3.4%``.

One implementation: ``parse_number_column`` parses a text column with polars expressions;
``parse_number`` runs it on a one-element column, so the two can never disagree.
"""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl

SPACES = r"[\s\u00a0\u202f\u2009']+"
_MINUS = "\u2212"  # the typographic minus sign (−5)
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
# what a blank cell says in the files people bring: no value, and no error either
EMPTY = ("", "-", "—", "–", "n/a", "na", "nan", "null", "none")
# sign, digits with separators, an optional exponent (1.5E+07 from Excel), a suffix
_GRAMMAR = r"^([+-]?)(\d[\d.,]*|[.,]\d+)(e[+-]?\d+)?(\D*)$"


def _compact(raw: pl.Series) -> pl.Series:
    """A number's text without spaces, in lower case, with a plain minus sign."""
    return (
        raw.str.replace_all(SPACES, "")
        .str.to_lowercase()
        .str.replace_all(_MINUS, "-", literal=True)
        .alias("text")
    )


def _parts(raw: pl.Series, text: pl.Series | None = None) -> pl.DataFrame:
    """The number grammar over a text column: ``plain`` digits ("1234.5", with any exponent),
    ``factor`` of the suffix, ``negative``, and ``empty`` for blank cells; one row per value.
    Built in stages so that each intermediate column is computed once."""
    frame = pl.DataFrame({"text": _compact(raw) if text is None else text})
    frame = frame.with_columns(groups=pl.col("text").str.extract_groups(_GRAMMAR)).select(
        "text",
        negative=pl.col("groups").struct.field("1") == "-",
        digits=pl.col("groups").struct.field("2"),
        exponent=pl.col("groups").struct.field("3").fill_null(""),
        suffix=pl.col("groups").struct.field("4"),
    )
    digits, suffix = pl.col("digits"), pl.col("suffix")
    frame = frame.with_columns(
        commas=digits.str.count_matches(",", literal=True),
        dots=digits.str.count_matches(".", literal=True),
    )
    commas, dots = pl.col("commas"), pl.col("dots")
    both = (commas > 0) & (dots > 0)
    # which separator is a thousands one (dropped), and whether a comma is the decimal one
    drop = (
        pl.when(both & digits.str.contains(r",\d*$"))
        .then(pl.lit("."))  # 1.234,5: whichever separator comes last is the decimal one
        .when(both)
        .then(pl.lit(","))
        # 1,234,567 without a suffix is thousands; 12,5K is a decimal comma
        .when((commas > 0) & (suffix == "") & digits.str.contains(r"^\d{1,3}(,\d{3})+$"))
        .then(pl.lit(","))
        .when((commas == 0) & (dots > 1) & digits.str.contains(r"^\d{1,3}(\.\d{3}){2,}$"))
        .then(pl.lit("."))
    )
    frame = frame.with_columns(drop=drop)
    invalid = pl.col("drop").is_null() & ((commas > 1) | ((commas == 0) & (dots > 1)))
    plain = (
        pl.when(pl.col("drop") == ".")
        .then(digits.str.replace_all(".", "", literal=True))
        .when(pl.col("drop") == ",")
        .then(digits.str.replace_all(",", "", literal=True))
        .otherwise(digits)
        .str.replace(",", ".", literal=True)
    )
    factor = (
        pl.when(suffix == "")
        .then(pl.lit(1.0))
        .otherwise(
            suffix.replace_strict(
                list(_SUFFIXES), list(_SUFFIXES.values()), default=None, return_dtype=pl.Float64
            )
        )
    )
    return frame.select(
        empty=pl.col("text").is_null() | pl.col("text").is_in(EMPTY),
        negative=pl.col("negative"),
        plain=pl.when(~invalid).then(plain + pl.col("exponent")),
        factor=factor,
    )


def _parse_all(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    text = _compact(raw)
    # "1 234 567": without its spaces a plain number, which the grammar would read the same
    quick = text.cast(pl.Float64, strict=False)
    quick = pl.select(pl.when(quick.is_finite()).then(quick)).to_series()
    todo = quick.is_null().arg_true()
    parts = _parts(raw.gather(todo), text.gather(todo))
    value = pl.col("plain").cast(pl.Float64, strict=False) * pl.col("factor")
    value = pl.when(pl.col("negative")).then(-value).otherwise(value)
    out = parts.with_columns(value=value).select(
        value=pl.when(pl.col("value").is_finite()).then(pl.col("value")),
        invalid=~pl.col("empty") & ~pl.col("value").is_finite().fill_null(False),
    )
    flags = pl.repeat(False, raw.len(), dtype=pl.Boolean, eager=True)
    return quick.scatter(todo, out["value"]), flags.scatter(todo, out["invalid"])


def parse_number_column(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse a text column: (Float64 values, Boolean 'was text but no number') of the same length.

    Blank cells (and ``—``, ``n/a``, ``nan``) give null without an error; infinities and
    numbers too large for a float are errors.
    """
    text = raw.cast(pl.String).alias("raw")
    # most cells are plain numbers: cast those directly and run the grammar on the rest only
    # (the grammar gives the same value for every text the cast accepts), once per distinct text
    direct = text.cast(pl.Float64, strict=False)
    direct = pl.select(pl.when(direct.is_finite()).then(direct)).to_series().alias("direct")
    todo = direct.is_null() & text.is_not_null()
    rest = text.filter(todo)
    if rest.len() == 0:
        flags = pl.repeat(False, raw.len(), dtype=pl.Boolean, eager=True)
        return direct.alias(raw.name), flags.alias(raw.name)
    if int(pl.select(pl.lit(rest).approx_n_unique()).item()) > rest.len() // 2:
        # mostly distinct texts: parsing them in place is cheaper than looking them up
        positions = todo.arg_true()
        values, invalid = _parse_all(rest)
        flags = pl.repeat(False, raw.len(), dtype=pl.Boolean, eager=True)
        return (
            direct.scatter(positions, values).alias(raw.name),
            flags.scatter(positions, invalid).alias(raw.name),
        )
    rest = rest.unique()
    values, invalid = _parse_all(rest)
    lookup = pl.DataFrame({"raw": rest, "value": values, "invalid": invalid})
    out = (
        pl.DataFrame([text, direct])
        .join(lookup, on="raw", how="left", maintain_order="left")
        .select(
            value=pl.coalesce("direct", "value"),
            invalid=pl.col("invalid").fill_null(False),
        )
    )
    return out["value"].alias(raw.name), out["invalid"].alias(raw.name)


def parse_number(text: object) -> float | None:
    """The value of a human-typed number; None for empty; ValueError for text that is no number."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(f"“{text}” is not a number")
    if isinstance(text, float) and math.isnan(text):
        return None
    raw = text if isinstance(text, str) else number_text(text)
    values, invalid = parse_number_column(pl.Series([raw], dtype=pl.String))
    if invalid[0]:
        raise ValueError(f"“{raw.strip()}” is not a number")
    value = values[0]
    return None if value is None else float(value)


def number_text(value: object) -> str:
    """A number given as a Python value, written as text the column parser reads back exactly."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def decimal_column(raw: pl.Series, scale: int = 2) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Money amounts: a text column as Decimal(18, scale) values, 'not a number' flags and
    'too large for the decimal' flags.

    A plain amount (``1250.50``, ``1 250,50``) goes straight from its digits to a decimal, never
    through a float; an abbreviated one (``15K``) is scaled as a float and rounded to ``scale``
    places. Which texts are numbers, and their values, are parse_number_column's.
    """
    text = raw.cast(pl.String).alias("raw")
    dtype = pl.Decimal(18, scale)
    values, invalid = parse_number_column(text)
    # the texts a float cast reads as they are ("1250.5") are cast to a decimal as they are
    plain = text.cast(pl.Float64, strict=False).is_finite().fill_null(False)
    direct = pl.select(pl.when(plain).then(text.cast(dtype, strict=False))).to_series()
    rest = text.filter(direct.is_null() & values.is_not_null()).unique()
    exact = pl.DataFrame({"raw": rest}).with_columns(
        _parts(rest).select(
            exact=pl.when(pl.col("factor") == 1.0)
            .then(
                pl.when(pl.col("negative")).then(pl.lit("-")).otherwise(pl.lit(""))
                + pl.col("plain").str.strip_chars_end(".")
            )
            .cast(dtype, strict=False)
        )
    )
    looked_up = pl.DataFrame({"raw": text}).join(
        exact, on="raw", how="left", maintain_order="left"
    )["exact"]
    scaled = values.round(scale).cast(dtype, strict=False)
    out = pl.select(
        pl.when(values.is_not_null()).then(pl.coalesce(direct, looked_up, scaled))
    ).to_series()
    too_large = (out.is_null() & values.is_not_null()).alias(raw.name)
    return out.alias(raw.name), invalid, too_large
