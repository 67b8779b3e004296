"""Dates as files and forms give them: ``2024-03-01``, ``01.03.2024``, ``01/03/2024``, ``01.03.24``.

One implementation: ``parse_date_column`` over a text column; ``parse_date`` runs it on one value.
A date written with slashes or dashes (``03/04/2024``) is day first in most of the world and
month first in the United States: ``day_month_order`` decides it once per column, from values
such as ``25/04/2024`` that can be read one way only. Dotted dates are day first everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from crm.errors import ValidationError

DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS: tuple[DateOrder, ...] = ("dmy", "mdy")
ORDER_WORDS = {"dmy": "day first", "mdy": "month first"}

_BOTH_WAYS = r"^(\d{1,2})[/\-](\d{1,2})[/\-](\d{2}|\d{4})$"  # 03/04/2024, 3-4-24
_FORMATS: dict[DateOrder, tuple[str, ...]] = {
    "dmy": ("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y", "%d-%m-%y"),
    "mdy": ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y"),
}
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class OrderFinding:
    """What a column's values say about day and month: the order they settle (None: they
    settle nothing), the value that settles it, and a value that reads both ways."""

    order: DateOrder | None = None
    settled_by: str | None = None
    both_ways: str | None = None


def day_month_order(raw: pl.Series) -> OrderFinding:
    """The day/month order of a column's dates written with slashes or dashes: a first part
    above 12 settles day first, a second part above 12 month first (the more frequent wins
    when a column has both); otherwise a value such as 03/04/2024 reads both ways."""
    text = raw.cast(pl.String).str.strip_chars()
    parts = pl.DataFrame({"text": text}).select(
        "text", groups=pl.col("text").str.extract_groups(_BOTH_WAYS)
    )
    parts = parts.select(
        "text",
        first=pl.col("groups").struct.field("1").cast(pl.Int32),
        second=pl.col("groups").struct.field("2").cast(pl.Int32),
    ).drop_nulls()
    day_first = parts.filter((pl.col("first") > 12) & (pl.col("second") <= 12))
    month_first = parts.filter((pl.col("second") > 12) & (pl.col("first") <= 12))
    if day_first.height or month_first.height:
        settled = day_first if day_first.height >= month_first.height else month_first
        order: DateOrder = "dmy" if settled is day_first else "mdy"
        return OrderFinding(order, str(settled["text"][0]))
    either = parts.filter(pl.col("first") != pl.col("second"))
    return OrderFinding(both_ways=str(either["text"][0]) if either.height else None)


def read_as(text: str, order: DateOrder) -> str:
    """How a date that reads both ways reads in one order: ``03/04/2024`` → "3 April" (day
    first) or "March 4" (month first)."""
    first, second = (int(p) for p in text.replace("-", "/").split("/")[:2])
    if order == "dmy":
        return f"{first} {_MONTHS[second - 1]}"
    return f"{_MONTHS[first - 1]} {second}"


def parse_date_column(raw: pl.Series, order: DateOrder = "dmy") -> tuple[pl.Series, pl.Series]:
    """(Date values, Boolean 'was text but no date') for a text column; dates written with
    slashes or dashes are read in ``order`` (day first unless told otherwise)."""
    text = raw.cast(pl.String).str.strip_chars()
    # an ISO date, also the date part of an ISO timestamp (Excel cells, exports)
    value = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    # then each other format where none before it read the text (a file holds one or two)
    for form in ("%d.%m.%Y", "%Y/%m/%d", *_FORMATS[order], "%d.%m.%y"):
        unread = value.is_null() & text.is_not_null()
        if not unread.any():
            break
        value = pl.select(pl.coalesce(value, text.str.to_date(form, strict=False))).to_series()
    invalid = (value.is_null() & text.is_not_null() & (text != "")).fill_null(False)
    return value.alias(raw.name), invalid.alias(raw.name)


def date_text(value: object) -> str | None:
    """A date given as a Python value (date, datetime or text), as text the column parser reads."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_date(value: object) -> dt.date | None:
    """One date typed by a person or given as a date; None for empty; refuses other text."""
    text = date_text(value)
    values, invalid = parse_date_column(pl.Series([text], dtype=pl.String))
    if invalid[0]:
        raise ValidationError(f"“{text}” is not a date (use YYYY-MM-DD or DD.MM.YYYY).")
    day = values[0]
    return day if isinstance(day, dt.date) else None
