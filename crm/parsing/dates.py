"""Dates as files and forms give them: ``2024-03-01``, ``01.03.2024``, ``01/03/2024``, ``01.03.24``.

One implementation: ``parse_date_column`` over a text column; ``parse_date`` runs it on one value.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from crm.errors import ValidationError


def parse_date_column(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(Date values, Boolean 'was text but no date') for a text column; day first, never month."""
    text = raw.cast(pl.String).str.strip_chars()
    value = pl.select(
        pl.coalesce(
            # an ISO date, also the date part of an ISO timestamp (Excel cells, exports)
            text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
            text.str.to_date("%d.%m.%Y", strict=False),
            text.str.to_date("%d/%m/%Y", strict=False),
            text.str.to_date("%Y/%m/%d", strict=False),
            text.str.to_date("%d.%m.%y", strict=False),
        )
    ).to_series()
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
