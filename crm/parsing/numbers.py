"""Numbers as people type them: ``409.8M``, ``12,5K``, ``1,2 млн``, ``350 тыс``, ``1 234,5``, ``3.4%``.

One implementation: ``parse_number_column`` parses a text column with polars expressions;
``parse_number`` runs it on a one-element column, so the two can never disagree.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import NamedTuple

import polars as pl

SPACES = r"[\s\u00a0\u202f\u2009']+"
_MINUS = "\u2212"  # the typographic minus sign (−5)
# each suffix as the power of ten it stands for: the decimal point is moved, never multiplied
# in floats (4.1 × 10⁶ is 4099999.9999999995 there; "4.1e6" is read as 4100000 exactly)
_SUFFIXES = {
    "k": 3,
    "к": 3,
    "тыс": 3,
    "тыс.": 3,
    "т": 3,
    "thousand": 3,
    "m": 6,
    "м": 6,
    "млн": 6,
    "млн.": 6,
    "mln": 6,
    "mio": 6,
    "million": 6,
    "b": 9,
    "bn": 9,
    "млрд": 9,
    "млрд.": 9,
    "billion": 9,
    "%": -2,
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
    """The number grammar over a text column: ``plain`` digits ("1234.5", with the exponent of
    the text and of its suffix: "12,5K" is "12.5e3"), ``power`` of ten of the suffix (null: no
    known suffix), ``negative``, and ``empty`` for blank cells; one row per value.
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
    power = (
        pl.when(suffix == "")
        .then(pl.lit(0, pl.Int64))
        .otherwise(
            suffix.replace_strict(
                list(_SUFFIXES), list(_SUFFIXES.values()), default=None, return_dtype=pl.Int64
            )
        )
    )
    frame = frame.with_columns(plain=pl.when(~invalid).then(plain), power=power)
    # "1.5E+07" and "K" together: one exponent, the text's plus the suffix's
    exponent = (
        pl.col("exponent").str.strip_prefix("e").str.strip_prefix("+").cast(pl.Int64, strict=False)
    ).fill_null(0)
    return frame.select(
        empty=pl.col("text").is_null() | pl.col("text").is_in(EMPTY),
        negative=pl.col("negative"),
        plain=pl.col("plain").str.strip_chars_end(".")
        + "e"
        + (exponent + pl.col("power")).cast(pl.String),
        power=pl.col("power"),
    )


# "1234,5": one comma between digits, which the grammar reads as a decimal comma, except in
# "1,234" (one to three digits, then three), which it reads as a thousands separator
_DECIMAL_COMMA = r"^[+-]?\d+,\d+$"
_THOUSANDS_COMMA = r"^[+-]?\d{1,3},\d{3}$"
_DISTINCT_FROM = 1000  # texts left for the grammar: from this many, each distinct one once


def _parse_all(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    # two shortcuts past the grammar, which reads these texts the same: "1 234 567" is a plain
    # number without its spaces, "1234,5" with its decimal comma made a point (the float cast
    # reads "1E5" as "1e5": the lower case of _compact is for the grammar only)
    text = raw.str.replace_all(SPACES, "")
    comma = text.str.contains(_DECIMAL_COMMA) & ~text.str.contains(_THOUSANDS_COMMA)
    pointed = pl.select(pl.when(comma).then(text.str.replace(",", ".", literal=True))).to_series()
    quick = pl.select(
        pl.coalesce(
            text.cast(pl.Float64, strict=False),
            pointed.cast(pl.Float64, strict=False),
        )
    ).to_series()
    quick = pl.select(pl.when(quick.is_finite()).then(quick)).to_series()
    todo = quick.is_null().arg_true()
    rest = _compact(raw.gather(todo))
    if rest.len() >= _DISTINCT_FROM and _repeats(rest):
        # "1,2 млн", "350 тыс": few distinct texts, each read once
        distinct = rest.unique()
        lookup = pl.DataFrame({"text": distinct}).with_columns(_grammar(distinct))
        out = pl.DataFrame({"text": rest}).join(
            lookup, on="text", how="left", maintain_order="left", nulls_equal=True
        )
    else:
        out = _grammar(rest)
    flags = pl.repeat(False, raw.len(), dtype=pl.Boolean, eager=True)
    return quick.scatter(todo, out["value"]), flags.scatter(todo, out["invalid"])


def _repeats(texts: pl.Series) -> bool:
    """Whether the texts hold each distinct one twice or more on average."""
    return int(pl.select(pl.lit(texts).approx_n_unique()).item()) <= texts.len() // 2


def _grammar(text: pl.Series) -> pl.DataFrame:
    """``value`` and ``invalid`` of compact texts (``_compact``), read by the grammar."""
    parts = _parts(text, text)
    # an unknown suffix ("12 apples") has no power: no number
    magnitude = pl.when(pl.col("power").is_not_null()).then(
        pl.col("plain").cast(pl.Float64, strict=False)
    )
    value = pl.when(pl.col("negative")).then(-magnitude).otherwise(magnitude)
    return parts.with_columns(value=value).select(
        value=pl.when(pl.col("value").is_finite()).then(pl.col("value")),
        invalid=~pl.col("empty") & ~pl.col("value").is_finite().fill_null(False),
    )


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
    if not _repeats(rest):
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


# DECIMAL(18, 2), the database's type of money: 16 digits before the point, 2 after
MONEY_PRECISION, MONEY_SCALE = 18, 2
# an amount is read with this many decimals before it is rounded to cents (more are cut,
# which cannot change how it rounds)
_READ_SCALE = 12


class Money(NamedTuple):
    """Amounts read from text, with what was wrong with each (one flag column per kind)."""

    values: pl.Series  # Decimal(18, 2); null where blank or refused
    invalid: pl.Series  # text that is no number
    too_large: pl.Series  # beyond DECIMAL(18, 2)
    suffixed: pl.Series  # written with %, K, млн …: not an amount of money
    rounded: pl.Series  # had more than 2 decimals: rounded half up to cents


def decimal_column(raw: pl.Series) -> Money:
    """Money amounts: a text column as Decimal(18, 2) values, straight from the digits, never
    through a float.

    ``1 250,50`` and ``1.5E+03`` are amounts; ``15%``, ``15K`` or ``1,2 млн`` are refused
    (``suffixed``): a price is written in full. More than 2 decimals are rounded half up
    (``1.005`` → 1.01) and flagged so that the plan can say so; an amount beyond DECIMAL(18, 2)
    is ``too_large``. Which texts are numbers is parse_number_column's.
    """
    text = raw.cast(pl.String).alias("raw")
    values, invalid = parse_number_column(text)
    distinct = text.filter(values.is_not_null()).unique()
    wide = pl.Decimal(38, _READ_SCALE)
    # the digits as a decimal ("1250.50e0" → 1250.50, "1.5e3" → 1500), without the sign
    parts = _parts(distinct).select(
        suffixed=pl.col("power") != 0,
        negative=pl.col("negative"),
        hundredfold=pl.col("plain").cast(wide, strict=False) * 100,
    )
    half = pl.Series([Decimal("0.5")], dtype=pl.Decimal(38, 1))[0]
    cents = (pl.col("hundredfold") + half).cast(pl.Int128, strict=False)  # half up
    dtype = pl.Decimal(MONEY_PRECISION, MONEY_SCALE)
    limit = 10**MONEY_PRECISION  # in cents: 10¹⁶ units and more do not fit
    amount = (
        pl.when(pl.col("negative")).then(pl.lit("-")).otherwise(pl.lit(""))
        + (pl.col("cents") // 100).cast(pl.String)
        + "."
        + (pl.col("cents") % 100).cast(pl.String).str.zfill(2)
    )
    exact = (
        parts.with_columns(
            cents=cents,
            rounded=pl.col("hundredfold").cast(pl.Int128, strict=False).cast(wide)
            != pl.col("hundredfold"),
        )
        .with_columns(fits=(pl.col("cents") < limit).fill_null(False))
        .select(
            raw=distinct,
            amount=pl.when(~pl.col("suffixed") & pl.col("fits")).then(
                amount.cast(dtype, strict=False)
            ),
            too_large=~pl.col("suffixed") & ~pl.col("fits"),
            suffixed=pl.col("suffixed"),
            rounded=~pl.col("suffixed") & pl.col("rounded").fill_null(False),
        )
    )
    out = pl.DataFrame({"raw": text}).join(exact, on="raw", how="left", maintain_order="left")
    name = raw.name
    flags = [out[c].fill_null(False).alias(name) for c in ("too_large", "suffixed", "rounded")]
    return Money(out["amount"].alias(name), invalid.alias(name), *flags)


def abbreviated_amounts(raw: pl.Series) -> pl.Series:
    """Amounts written with a thousands or millions word (``1,5 тыс``, ``15K``, ``1,2 млн``)
    written out in full digits (``1500``, ``15000``, ``1200000``), exactly: the decimal point
    is moved, never multiplied in floats. Every other text (``15%``, ``12 000``, ``abc``) is
    left as it was, for ``decimal_column`` to read or refuse."""
    text = raw.cast(pl.String)
    distinct = text.drop_nulls().unique()
    parts = _parts(distinct).with_columns(raw=distinct)
    abbreviated = parts.filter((pl.col("power") > 0) & pl.col("plain").is_not_null())
    full = [
        ("-" if negative else "") + format(Decimal(plain).normalize(), "f")
        for plain, negative in abbreviated.select("plain", "negative").iter_rows()
    ]
    lookup = pl.DataFrame(
        {"raw": abbreviated["raw"], "full": full}, schema={"raw": pl.String, "full": pl.String}
    )
    out = pl.DataFrame({"raw": text}).join(lookup, on="raw", how="left", maintain_order="left")
    return out.select(pl.coalesce("full", "raw")).to_series().alias(raw.name)
