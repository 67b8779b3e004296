"""Reading a column that repeats a few values (a kind, a country, a currency in every row of a
100 000-row file) once per distinct value instead of once per row."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

# below this many rows, or with more than a quarter of them distinct, the lookup costs more
# than it saves
_FROM_ROWS = 1000
_AT_MOST_DISTINCT = 4


def per_distinct(values: pl.Series, function: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``function(values)``, computed on the distinct values and put back on every row.

    ``function`` must read each value on its own (a lookup, a cleanup): its result for a value
    cannot depend on the other values of the column, nor on how often they come."""
    if values.len() < _FROM_ROWS:
        return function(values)
    distinct = values.unique()
    if distinct.len() * _AT_MOST_DISTINCT > values.len():
        return function(values)
    mapped = function(distinct)
    lookup = pl.DataFrame({"value": distinct, "result": mapped})
    out = pl.DataFrame({"value": values}).join(
        lookup, on="value", how="left", maintain_order="left", nulls_equal=True
    )
    return out["result"].alias(mapped.name)
