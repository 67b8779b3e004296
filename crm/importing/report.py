"""The report of refused rows, with their own cells so they can be fixed and imported again."""

from __future__ import annotations

import polars as pl

from crm.importing.read import LINE, RawTable
from crm.importing.results import HasRejects
from crm.parsing.text import csv_bytes, shorten_quoted


def rejects_csv(result: HasRejects, table: RawTable | None = None) -> bytes:
    """The rejected rows as a UTF-8 CSV report with a BOM (so Excel reads it): line, reason (its
    quoted values cut short) and, when the file's table is given, the row's own cells, whole, so
    it can be fixed and imported again (text a spreadsheet would run starts with ')."""
    report = pl.DataFrame(
        {
            "line": [r.line for r in result.rejects],
            "reason": [shorten_quoted(r.reason) for r in result.rejects],
        },
        schema={"line": pl.Int64, "reason": pl.String},
    )
    if table is not None:
        cells = table.frame.with_columns(pl.col(LINE).cast(pl.Int64))
        # a file column named like the report's own columns keeps its cells under a new name
        cells = cells.rename({c: f"{c} (file)" for c in table.columns if c in ("line", "reason")})
        report = report.join(cells, left_on="line", right_on=LINE, how="left")
    return csv_bytes(report)
