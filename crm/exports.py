"""Export a table of the workspace to CSV, XLSX or Parquet, with the field names of DESIGN.md."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm.errors import ValidationError
from crm.fields import (
    AUDIENCES,
    CAMPAIGNS,
    CHANNELS,
    EVENTS,
    OWNERS,
    PLACEMENTS,
    PRICES,
    RATES,
    SHORTLIST,
    SNAPSHOTS,
)
from crm.parsing.text import csv_bytes
from crm.placements.kpis import kpi_table
from crm.placements.placements import STATUSES, PlacementFilter, placements_frame
from crm.pricing import base_currency
from crm.registry import LATEST_SQL, ChannelFilter, filter_sql

FORMATS = (".csv", ".xlsx", ".parquet")
TABLES = (
    "channels", "owners", "snapshots", "prices", "campaigns", "shortlist", "events", "rates",
    "placements", "audiences",
)  # fmt: skip
# the columns of each export, in order: the field specification's (crm.fields)
CHANNEL_FIELDS = CHANNELS.export_columns()
OWNER_FIELDS = OWNERS.export_columns()
SNAPSHOT_FIELDS = SNAPSHOTS.export_columns()
PRICE_FIELDS = PRICES.export_columns()
CAMPAIGN_FIELDS = CAMPAIGNS.export_columns()
SHORTLIST_FIELDS = SHORTLIST.export_columns()
EVENT_FIELDS = EVENTS.export_columns()
RATE_FIELDS = RATES.export_columns()
AUDIENCE_FIELDS = AUDIENCES.export_columns()
# a placement's fields as an import takes them back, then what is derived: its cost and revenue
# in the base currency, its KPIs (METRICS.md, from its latest measurement) and its flags
PLACEMENT_KPIS = (
    "cpm", "cpm_basis", "cpv", "cpc", "ctr", "cr", "cpa", "cpe", "err", "romi", "roas",
    "delivery",
)  # fmt: skip
PLACEMENT_FIELDS = (
    "id", *PLACEMENTS.export_columns(), "status", "revenue_currency", "base_currency",
    "cost_base", "revenue_base", *PLACEMENT_KPIS, "flags",
)  # fmt: skip

# The latest known numbers of each channel (crm.registry.LATEST_SQL: each metric from the newest
# snapshot that has it, each ratio from the newest that has both its terms, as the Channels page
# shows them) joined to the channel, at full precision. The channel's contacts are its own; the owner's are beside them
# (an export imported back must not give a channel its owner's e-mail).
_CHANNELS_SQL = """
    with {latest},
    rows as (
        select c.platform, c.handle, c.url, c.title, c.kind, o.name as owner,
               nullif(array_to_string(c.niches, ', '), '') as niche,
               c.country, c.city, c.language, c.email, c.telegram, c.phone,
               o.email as owner_email, o.telegram as owner_telegram, o.phone as owner_phone,
               nullif(array_to_string(c.tags, ', '), '') as tags,
               c.notes, l.followers, l.avg_reach, l.avg_views, l.avg_engagement,
               l.avg_likes, l.avg_comments, l.avg_shares, l.measured_on,
               l.er, l.err, l.reach_rate
        from channels c
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        where {where}
    )
    select * from rows
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
           p.date, p.source, p.note, k.name as campaign
    from prices p
    join channels c on c.id = p.channel_id
    left join campaigns k on k.id = p.campaign_id
    order by c.platform, c.handle, p.date, p.id
"""

_CAMPAIGNS_SQL = """
    select name, brand, goal, budget, currency, starts_on, ends_on, audience_notes, status
    from campaigns
    order by lower(name), id
"""

# one row per channel per campaign, in the board's order of stages
_SHORTLIST_SQL = """
    select k.name as campaign, c.platform || ':' || c.handle as channel, s.stage, s.priority,
           s.manager, s.next_follow_up, s.notes
    from shortlist s
    join campaigns k on k.id = s.campaign_id
    join channels c on c.id = s.channel_id
    left join stages st on st.key = s.stage
    order by lower(k.name), k.id, st.position nulls last, c.platform, c.handle
"""

# one row per stage change or activity, oldest first
_EVENTS_SQL = """
    select k.name as campaign, c.platform || ':' || c.handle as channel, e.occurred_at as at,
           e.type, e.stage_from, e.stage_to, e.author, e.text
    from events e
    join campaigns k on k.id = e.campaign_id
    join channels c on c.id = e.channel_id
    order by e.occurred_at, e.id
"""

_RATES_SQL = """
    select date, currency, rate, source from rates order by currency, date
"""

# one row per channel that has a member list: its size, kind of ids, file and date
_AUDIENCES_SQL = """
    select c.platform || ':' || c.handle as channel, a.size, a.id_kind, a.source, a.loaded_at
    from audiences a join channels c on c.id = a.channel_id
    order by c.platform, c.handle
"""

_QUERIES = {
    "channels": (
        _CHANNELS_SQL.format(latest=LATEST_SQL, where="true"),
        CHANNEL_FIELDS,
    ),
    "owners": (_OWNERS_SQL, OWNER_FIELDS),
    "snapshots": (_SNAPSHOTS_SQL, SNAPSHOT_FIELDS),
    "prices": (_PRICES_SQL, PRICE_FIELDS),
    "campaigns": (_CAMPAIGNS_SQL, CAMPAIGN_FIELDS),
    "shortlist": (_SHORTLIST_SQL, SHORTLIST_FIELDS),
    "events": (_EVENTS_SQL, EVENT_FIELDS),
    "rates": (_RATES_SQL, RATE_FIELDS),
    "audiences": (_AUDIENCES_SQL, AUDIENCE_FIELDS),
}


def check_export(table: str, out: Path) -> tuple[str, str]:
    """The normalised table name and file format, or a clear refusal (nothing is written)."""
    name = (table or "").strip().lower()
    if name not in TABLES:
        raise ValidationError(
            f"There is no table “{table}” to export. Tables: {', '.join(TABLES)}."
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
    if name == "placements":
        return placements_export(cur)
    sql, columns = _QUERIES[name]
    rows: pl.DataFrame = cur.sql(sql).pl()  # duckdb's stubs type .pl() as Any
    return rows.select(columns)


def channels_frame(cur: duckdb.DuckDBPyConnection, flt: ChannelFilter) -> pl.DataFrame:
    """The channels export (DESIGN.md field names) narrowed by the Channels page's filter."""
    where, params = filter_sql(flt)
    sql = _CHANNELS_SQL.format(latest=LATEST_SQL, where=where)
    rows: pl.DataFrame = cur.sql(sql, params=params).pl()
    return rows.select(CHANNEL_FIELDS)


def placements_export(
    cur: duckdb.DuckDBPyConnection, flt: PlacementFilter | None = None
) -> pl.DataFrame:
    """One row per placement (oldest first) with its latest results and its KPIs, columns
    PLACEMENT_FIELDS; cancelled ones included, as the filter's statuses allow."""
    every = flt if flt is not None and flt.status else _all_statuses(flt)
    rows = placements_frame(cur, every)
    kpis = kpi_table(cur, "placement", every).select(pl.col("key").alias("id"), *PLACEMENT_KPIS)
    joined = rows.join(kpis, on="id", how="left", maintain_order="left")
    return (
        joined.with_columns(
            base_currency=pl.lit(base_currency(cur)),
            flags=pl.col("flags").list.join("; ").replace("", None),
        )
        .sort("date", "id")
        .select(PLACEMENT_FIELDS)
    )


def _all_statuses(flt: PlacementFilter | None) -> PlacementFilter:
    """The filter with every status picked: an export shows the cancelled placements too."""
    return replace(flt or PlacementFilter(), status=STATUSES)


def frame_bytes(
    frame: pl.DataFrame, suffix: str, sheet: str = "channels", *, bom: bool = True
) -> bytes:
    """A frame as the bytes of a .csv (with a BOM by default, so Excel reads Cyrillic; text a
    spreadsheet would run as a formula starts with ', see crm.parsing.text), .xlsx or .parquet
    file."""
    if suffix == ".csv":
        return csv_bytes(frame, bom=bom)
    buffer = io.BytesIO()
    if suffix == ".parquet":
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


# Ratios are stored as fractions (0.025) and shown as percentages; see METRICS.md.
PERCENT_COLUMNS = ("er", "err", "reach_rate")
_XLSX_OPTIONS = {
    # a cell is what the database holds: text that looks like a formula ("=HYPERLINK(…)"), a
    # link or a number stays text, so opening an export never runs anything
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "remove_timezone": True,  # Excel has no time zones; the wall-clock time is kept
    "in_memory": True,
}
_INTEGERS = frozenset(
    {pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.Int128, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64}
)
_XLSX_FORMATS: dict[Any, str] = {
    _INTEGERS: "#,##0",
    frozenset({pl.Float32, pl.Float64}): "#,##0.0",
    pl.Decimal: "#,##0.00",
    pl.Date: "yyyy-mm-dd",
    pl.Datetime: "yyyy-mm-dd hh:mm",
}


def _write_xlsx(frame: pl.DataFrame, out: io.BytesIO, sheet: str) -> None:
    """One sheet holding the frame as an Excel table: a header row with filters, frozen
    under the top edge, typed cells with number formats, columns as wide as their text."""
    import xlsxwriter  # imported here: only XLSX exports need it

    book = xlsxwriter.Workbook(out, _XLSX_OPTIONS)
    try:
        frame.write_excel(
            book,
            sheet,
            dtype_formats=_XLSX_FORMATS,
            column_formats={c: "0.00%" for c in PERCENT_COLUMNS if c in frame.columns},
            header_format={"bold": True},
            autofilter=True,
            freeze_panes=(1, 0),
        )
        worksheet = book.get_worksheet_by_name(sheet)
        for i, width in enumerate(_column_widths(frame)):
            worksheet.set_column(i, i, width)
    finally:
        book.close()


def _column_widths(frame: pl.DataFrame) -> list[int]:
    """Characters for each column: its longest text or header, within 6 and 60."""
    if frame.width == 0:
        return []
    longest = frame.select(pl.all().cast(pl.String).str.len_chars().max().fill_null(0)).row(0)
    widths = []
    for column, chars, dtype in zip(frame.columns, longest, frame.dtypes, strict=True):
        if dtype.is_numeric():
            chars += chars // 3 + 1  # thousands separators and a decimal
        widths.append(min(max(chars, len(column) + 3, 6), 60))  # + 3: the filter button
    return widths
