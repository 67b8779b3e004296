"""Export a table of the workspace to CSV, XLSX or Parquet, with the field names of DESIGN.md."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import duckdb
import polars as pl

from crm import metrics
from crm.errors import ValidationError
from crm.fields import CHANNEL_FIELDS
from crm.registry import LATEST_SQL, ChannelFilter, filter_sql

FORMATS = (".csv", ".xlsx", ".parquet")
TABLES = (
    "channels", "owners", "snapshots", "prices", "campaigns", "shortlist", "events",
    "placements", "audiences",
)  # fmt: skip
AVAILABLE = ("channels", "owners", "snapshots", "prices")

OWNER_FIELDS = ("name", "email", "telegram", "phone", "other_contact", "notes", "channels")
SNAPSHOT_FIELDS = (
    "channel", "measured_on", "followers", "avg_reach", "avg_views", "avg_engagement",
    "avg_likes", "avg_comments", "avg_shares", "provenance", "source",
)  # fmt: skip
PRICE_FIELDS = ("channel", "format", "kind", "amount", "currency", "date", "source", "note")

# The latest snapshot of each channel joined to the channel; its metric columns keep their
# own names, so ER and ERR are exactly the METRICS.md expressions of crm.metrics.
_CHANNELS_SQL = """
    with {latest},
    rows as (
        select c.platform, c.handle, c.url, c.title, c.kind, o.name as owner,
               nullif(array_to_string(c.niches, ', '), '') as niche,
               c.country, c.city, c.language,
               coalesce(c.email, o.email) as email,
               coalesce(c.telegram, o.telegram) as telegram,
               coalesce(c.phone, o.phone) as phone,
               nullif(array_to_string(c.tags, ', '), '') as tags,
               c.notes, l.followers, l.avg_reach, l.avg_views, l.avg_engagement,
               l.avg_likes, l.avg_comments, l.avg_shares, l.measured_on
        from channels c
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        where {where}
    )
    select *, {er} as er, {err} as err
    from rows
    order by platform, handle
"""

_OWNERS_SQL = """
    select o.name, o.email, o.telegram, o.phone, o.other_contact, o.notes,
           count(c.id) as channels
    from owners o
    left join channels c on c.owner_id = o.id and not c.archived
    group by o.id, o.name, o.email, o.telegram, o.phone, o.other_contact, o.notes
    order by o.name, o.id
"""

_SNAPSHOTS_SQL = """
    select c.platform || ':' || c.handle as channel, s.measured_on, s.followers, s.avg_reach,
           s.avg_views, s.avg_engagement, s.avg_likes, s.avg_comments, s.avg_shares,
           s.provenance, s.source
    from snapshots s
    join channels c on c.id = s.channel_id
    order by c.platform, c.handle, s.measured_on, s.id
"""

_PRICES_SQL = """
    select c.platform || ':' || c.handle as channel, p.format, p.kind, p.amount, p.currency,
           p.date, p.source, p.note
    from prices p
    join channels c on c.id = p.channel_id
    order by c.platform, c.handle, p.date, p.id
"""

_QUERIES = {
    "channels": (
        _CHANNELS_SQL.format(
            latest=LATEST_SQL, where="true", er=metrics.ER_SQL, err=metrics.ERR_SQL
        ),
        CHANNEL_FIELDS,
    ),
    "owners": (_OWNERS_SQL, OWNER_FIELDS),
    "snapshots": (_SNAPSHOTS_SQL, SNAPSHOT_FIELDS),
    "prices": (_PRICES_SQL, PRICE_FIELDS),
}


def check_export(table: str, out: Path) -> tuple[str, str]:
    """The normalised table name and file format, or a clear refusal (nothing is written)."""
    name = (table or "").strip().lower()
    if name not in TABLES:
        raise ValidationError(
            f"There is no table “{table}” to export. Tables: {', '.join(TABLES)}."
        )
    if name not in AVAILABLE:
        raise ValidationError(
            f"Exporting “{name}” is not available yet in this version. "
            f"Available now: {', '.join(AVAILABLE)}."
        )
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(
            f"Cannot tell the format of “{out}”: the file name must end in "
            f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}."
        )
    return name, suffix


def table_frame(cur: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """The rows of an export table, columns named and ordered as the field names of DESIGN.md."""
    name, _ = check_export(table, Path("x.csv"))
    sql, columns = _QUERIES[name]
    return cur.sql(sql).pl().select(columns)


def channels_frame(cur: duckdb.DuckDBPyConnection, flt: ChannelFilter) -> pl.DataFrame:
    """The channels export (DESIGN.md field names) narrowed by the Channels page's filter."""
    where, params = filter_sql(flt)
    sql = _CHANNELS_SQL.format(
        latest=LATEST_SQL, where=where, er=metrics.ER_SQL, err=metrics.ERR_SQL
    )
    return cur.sql(sql, params=params).pl().select(CHANNEL_FIELDS)


def frame_bytes(
    frame: pl.DataFrame, suffix: str, sheet: str = "channels", *, bom: bool = True
) -> bytes:
    """A frame as the bytes of a .csv (with a BOM by default, so Excel reads Cyrillic), .xlsx
    or .parquet file."""
    buffer = io.BytesIO()
    if suffix == ".csv":
        if bom:
            buffer.write(b"\xef\xbb\xbf")
        frame.write_csv(buffer)
    elif suffix == ".parquet":
        frame.write_parquet(buffer)
    elif suffix == ".xlsx":
        _write_xlsx(frame, buffer, sheet)
    else:
        raise ValidationError(f"Cannot write “{suffix}”: use {', '.join(FORMATS)}.")
    return buffer.getvalue()


def export_table(cur: duckdb.DuckDBPyConnection, table: str, out: Path) -> int:
    """Write a table to ``out`` (.csv, .xlsx or .parquet by its suffix); returns rows written."""
    out = Path(out)
    name, suffix = check_export(table, out)
    frame = table_frame(cur, name)
    out.parent.mkdir(parents=True, exist_ok=True)
    # write beside the target, then move it into place: a failed export leaves no half file
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(frame_bytes(frame, suffix, name, bom=False))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return frame.height


def _write_xlsx(frame: pl.DataFrame, path: Path | io.BytesIO, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in frame.columns:
        cell = WriteOnlyCell(ws, value=column)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    dates = {i for i, dtype in enumerate(frame.dtypes) if dtype == pl.Date or dtype == pl.Datetime}
    for row in frame.iter_rows():
        if dates:
            row = tuple(_excel_date(v) if i in dates else v for i, v in enumerate(row))
        ws.append(row)
    book.save(path)


def _excel_date(value: object) -> object:
    # openpyxl writes a date with a number format; a datetime loses its time zone first
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
