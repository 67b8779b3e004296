"""Output of the `crm` command: exit codes, CSV and plain tables, error lines."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

OK, REJECTED, USAGE = 0, 1, 2


def csv_text(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text, written as every CSV of the application is (crm.parsing.text)."""
    import polars as pl  # imported here: `crm --help` need not load it

    from crm.parsing.text import csv_bytes

    if rows:
        frame = pl.from_dicts(rows, schema=list(columns), infer_schema_length=None)
    else:
        frame = pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    return csv_bytes(frame, bom=False).decode("utf-8")


def table_text(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = [max([len(c), *(len(str(r[c])) for r in rows)]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = (str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def err(message: str) -> None:
    print(f"crm: {message}", file=sys.stderr)
