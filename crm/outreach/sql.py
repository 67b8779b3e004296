"""The one way outreach queries return a polars frame."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl


def frame(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
    """The rows of a query (values bound as ``params``) as a polars DataFrame."""
    rows: pl.DataFrame = cur.sql(sql, params=list(params)).pl()  # duckdb types .pl() as Any
    return rows
