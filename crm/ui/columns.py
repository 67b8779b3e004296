"""Grid columns from the field specification: label, help and kind of value come from
``crm.fields`` (``Field.meta()``), formats follow ``crm.formatting``.

A grid formats its numbers in the browser, so the app's conventions are spelled here as the
printf formats ``st.column_config.NumberColumn`` takes (sprintf-js, as Streamlit 1.67 ships
it): counts grouped by a narrow no-break space (``%'<sep>,d`` puts ``<sep>`` between groups
of thousands), percentages with a fixed number of decimals and a no-break space before the
sign. A printf format cannot scale, so a grid holds ratios as percentage points
(``as_percent_points``).

Widths are pixels: at 1440 px the main column leaves about 980 px to a grid, so each grid
orders its columns by what people compare and sizes them to fit the first screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
import streamlit as st

from crm.fields import ColumnMeta
from crm.metrics import FORMULAS, NAMES

COUNT_FORMAT = "%'\u202f,d"  # 12 345, as crm.formatting.format_count
DATE_FORMAT = "DD.MM.YYYY"
_NBSP = "\u00a0"
# decimals of a percentage, as the profile's metrics show them; others have 1
_PERCENT_DIGITS = {"er": 2, "err": 2}
_SIGNED = {"growth"}  # a change: "+3.4 %"


def _digits(key: str) -> int:
    return _PERCENT_DIGITS.get(key, 1)


def percent_format(digits: int, *, signed: bool = False) -> str:
    """The printf format of a percentage with ``digits`` decimals: '4.51 %' ('+3.4 %')."""
    return f"%{'+' if signed else ''}.{digits}f{_NBSP}%%"


def metric_meta(name: str) -> ColumnMeta:
    """A metric computed for a list (METRICS.md name: ``growth``, ``reach_rate`` …) as a column:
    its name and formula from crm.metrics."""
    return ColumnMeta(NAMES[name], FORMULAS[name], "ratio", name)


def short_label(label: str) -> str:
    """A label without its explanation in brackets ("ER", not "ER (engagement / …)")."""
    return label.split(" (", 1)[0]


def column(
    meta: ColumnMeta,
    name: str = "",
    *,
    width: int | None = None,
    pinned: bool | None = None,
    label: str | None = None,
    help: str | None = None,
) -> Any:
    """The ``st.column_config`` column of one field, by its kind of value; ``name`` is the
    column's name (it fixes a percentage's decimals when the field has no formula key)."""
    text = label or short_label(meta.label)
    tip = help or (FORMULAS[meta.formula] if meta.formula else meta.help) or None
    common: dict[str, Any] = {"width": width, "help": tip, "pinned": pinned}
    if meta.kind in ("count", "number"):
        return st.column_config.NumberColumn(text, format=COUNT_FORMAT, **common)
    if meta.kind == "ratio":
        key = meta.formula or name
        fmt = percent_format(_digits(key), signed=key in _SIGNED)
        return st.column_config.NumberColumn(text, format=fmt, **common)
    if meta.kind == "date":
        return st.column_config.DateColumn(text, format=DATE_FORMAT, **common)
    if meta.kind == "list":
        return st.column_config.ListColumn(text, **common)
    if meta.kind == "link":
        return st.column_config.LinkColumn(text, display_text="open ↗", **common)
    # text, and money a page formats as text with crm.formatting.format_money
    return st.column_config.TextColumn(text, **common)


def grid_config(columns: Mapping[str, tuple[ColumnMeta, int]], pinned: str = "") -> dict[str, Any]:
    """The ``column_config`` of a grid: each column (name → its meta and width in pixels)."""
    return {
        name: column(meta, name, width=width, pinned=True if name == pinned else None)
        for name, (meta, width) in columns.items()
    }


def as_percent_points(
    frame: pl.DataFrame, columns: Mapping[str, tuple[ColumnMeta, int]]
) -> pl.DataFrame:
    """The frame with its ratio columns in percentage points (0.0451 → 4.51), rounded to the
    decimals shown (so a tiny loss reads "+0.0 %", not "-0.0 %"), as the grid's percent
    formats expect."""
    ratios: Iterable[tuple[str, str]] = [
        (name, meta.formula or name)
        for name, (meta, _) in columns.items()
        if meta.kind == "ratio" and name in frame
    ]
    return frame.with_columns((pl.col(name) * 100).round(_digits(key)) for name, key in ratios)
