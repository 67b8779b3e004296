"""The report of refused rows, with their own cells so they can be fixed and imported again."""

from __future__ import annotations

import io

import polars as pl

from crm.importing.read import LINE, RawTable
from crm.importing.results import HasRejects


def rejects_csv(result: HasRejects, table: RawTable | None = None) -> bytes:
    """The rejected rows as a UTF-8 CSV report with a BOM (so Excel reads it): line, reason and,
    when the file's table is given, the row's own cells so it can be fixed and imported again."""
    report = pl.DataFrame(
        {
            "line": [r.line for r in result.rejects],
            "reason": [r.reason for r in result.rejects],
        },
        schema={"line": pl.Int64, "reason": pl.String},
    )
    if table is not None:
        cells = table.frame.with_columns(pl.col(LINE).cast(pl.Int64))
        # a file column named like the report's own columns keeps its cells under a new name
        cells = cells.rename({c: f"{c} (file)" for c in table.columns if c in ("line", "reason")})
        report = report.join(cells, left_on="line", right_on=LINE, how="left")
    buffer = io.BytesIO()
    buffer.write(b"\xef\xbb\xbf")
    report.write_csv(buffer)
    return buffer.getvalue()
