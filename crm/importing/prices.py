"""Importing prices: the price import kind on the one engine (crm.importing.plan).

What is a price list's own: a row names its channel by a link, ``PLATFORM:HANDLE``, or a handle
with a platform column (or the platform chosen for the file); amounts may be written as price
lists write them (``12 000 ₽``, ``$150``, ``1,5 тыс``); a channel the registry lacks, an amount
of zero and an unknown currency reject the row. A row is new, or updates the price of the same
channel, format, kind and date. Reading, mapping, normalising, dedupe, preview, the stale check,
the report and the one transaction are the engine's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm.errors import ImportRefused
from crm.fields import PRICES
from crm.importing.normalise import Sources, raw_column
from crm.importing.plan import (
    ImportKind,
    ImportPlan,
    Options,
    Step,
    apply_plan,
    choice,
    import_file,
    no_column,
    plan_import,
)
from crm.importing.read import RawTable
from crm.importing.results import ImportResult
from crm.parsing.types import refusal
from crm.pricing.prices import price_reasons
from crm.store import Store
from crm.vocab.platforms import channel_key_frame, check_platform

__all__ = [
    "PRICE_IMPORT",
    "apply_price_import",
    "import_prices_file",
    "plan_price_import",
    "price_currency_choice",
]

# a bare handle where a link or PLATFORM:HANDLE was expected: "@anna", "anna_blog"
_HANDLE_LIKE = r"^@?[\w.\-]+$"


def _identity(
    frame: pl.DataFrame, sources: Sources, options: Mapping[str, Any]
) -> tuple[dict[str, pl.Series], list[pl.Series]]:
    """channel (``platform:handle``), platform and handle of every row, with the reasons a row
    names no channel: a link or ``PLATFORM:HANDLE`` in the channel column names both; a bare
    handle there or in a handle column takes the platform column's, else the file's platform."""
    n = frame.height
    nulls = pl.Series([], dtype=pl.String).extend_constant(None, n)
    field = PRICES.by_name

    def raw(name: str) -> pl.Series:
        return raw_column(frame, sources, field(name)).cast(pl.String).str.strip_chars()

    channel_raw, handle_raw, platform_raw = raw("channel"), raw("handle"), raw("platform")
    keyed = channel_key_frame(channel_raw)
    bare = channel_raw.str.contains(_HANDLE_LIKE).fill_null(False) & keyed["handle"].is_null()
    # a bare handle in the channel column is a handle, as one in a handle column is
    handle_text = pl.select(pl.coalesce(handle_raw, pl.when(bare).then(channel_raw))).to_series()
    handle, bad_handle = field("handle").normalise(handle_text)
    platform_col, bad_platform = field("platform").normalise(platform_raw)
    default = options.get("platform")
    platform_of_handle = pl.select(
        pl.coalesce(platform_col, pl.lit(default, pl.String))
    ).to_series()
    by_handle = keyed["handle"].is_null() & handle.is_not_null()
    final = pl.DataFrame(
        {
            "platform": pl.select(
                pl.when(by_handle).then(platform_of_handle).otherwise(keyed["platform"])
            ).to_series(),
            "handle": pl.select(
                pl.when(by_handle).then(handle).otherwise(keyed["handle"])
            ).to_series(),
        }
    )
    no_channel = channel_raw.is_null() & handle_raw.is_null()
    no_platform = by_handle & platform_of_handle.is_null()
    # the key frame's reason only where the cell was meant as a link or key, not a handle
    key_error = pl.select(pl.when(~bare & handle_raw.is_null()).then(keyed["error"])).to_series()
    reasons = [
        refusal(nulls, no_channel, "no channel: give a link, PLATFORM:HANDLE, or a handle"),
        bad_platform,
        key_error,
        bad_handle,
        refusal(
            handle_text,
            no_platform,
            "handle “{v}” names no platform: add a platform column, write PLATFORM:HANDLE or "
            "a link, or choose the platform of the file",
        ),
    ]
    channel = final.select(
        pl.when(pl.col("handle").is_not_null() & pl.col("platform").is_not_null()).then(
            pl.col("platform") + ":" + pl.col("handle")
        )
    ).to_series()
    columns = {
        "channel": channel.alias("channel"),
        "platform": final["platform"],
        "handle": final["handle"],
    }
    return columns, reasons


def _finish(rows: pl.DataFrame, options: Options) -> pl.DataFrame:
    # a row without format, kind or date is a post, a listed price, of the day chosen (today)
    day = options.get("date") or dt.date.today()
    return rows.with_columns(
        undated=pl.col("date").is_null(),
        format=pl.col("format").fill_null("post"),
        kind=pl.col("kind").fill_null("listed"),
        date=pl.col("date").fill_null(day),
    )


def _check_mapping(columns: list[str], mapping: dict[str, str | None]) -> None:
    targets = set(mapping.values())
    if not targets & {"channel", "handle"}:
        raise no_column(
            columns,
            "names the channels",
            "Map one of them to “channel” (links or PLATFORM:HANDLE) or “handle” (in the "
            "column mapping, or with --map COLUMN=channel).",
        )
    if "amount" not in targets:
        raise no_column(
            columns,
            "holds the amounts",
            "Map one of them to “amount” (in the column mapping, or with --map COLUMN=amount).",
        )


def _check_rows(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, options: Options) -> pl.Series:
    """A channel the registry lacks, an amount of zero, an unknown currency."""
    cur.register("price_channels", rows.select("line", "platform", "handle").to_arrow())
    try:
        known = cur.sql(
            """
            select i.line, c.id is not null as known
            from price_channels i
            left join channels c on c.platform = i.platform and c.handle = i.handle
            order by i.line
            """
        ).pl()
    finally:
        cur.unregister("price_channels")
    missing = (
        rows.select("line", "channel")
        .join(known, on="line", how="left")
        .select(
            pl.when(~pl.col("known"))
            .then(
                pl.lit("channel ")
                + pl.col("channel")
                + pl.lit(" is not in the registry: add it (or import the channels) first")
            )
            .alias("reason")
        )
    )
    return pl.select(pl.coalesce(missing["reason"], price_reasons(rows))).to_series()


_CLASSIFY = """
    with incoming as (
        select i.*, c.id as channel_id
        from import_incoming i
        join channels c on c.platform = i.platform and c.handle = i.handle
    ),
    existing as (
        select p.* from prices p
        where p.channel_id in (select channel_id from incoming)
        qualify row_number() over (
            partition by p.channel_id, p.format, p.kind, p.date order by p.id desc
        ) = 1
    ),
    joined as (
        select i.*, p.id as record_id,
               (hash(p.amount, p.currency, p.source, p.note) >> 1)::bigint as record_version,
               list_filter([
                   case when p.amount <> i.amount or p.currency <> i.currency
                        then 'amount: ' || p.amount || ' ' || p.currency || ' → '
                             || i.amount || ' ' || i.currency end,
                   case when i.note is not null and i.note is distinct from p.note
                        then 'note: ' || coalesce(p.note, '—') || ' → ' || i.note end,
                   case when i.source is not null and i.source is distinct from p.source
                        then 'source: ' || coalesce(p.source, '—') || ' → ' || i.source end
               ], lambda x: x is not null) as change_list
        from incoming i
        left join existing p
          on p.channel_id = i.channel_id and p.format = i.format and p.kind = i.kind
         and p.date = i.date
    )
    select * exclude (change_list),
           case when record_id is null then 'new'
                when len(change_list) > 0 then 'updated'
                else 'unchanged' end as status,
           array_to_string(change_list, '; ') as changes
    from joined
"""


def _write(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, source: str, step: Step) -> None:
    step(0.4, "Writing new prices")
    cur.execute(
        """
        insert into prices (channel_id, format, kind, amount, currency, date, source, note)
        select channel_id, format, kind, amount, currency, date, coalesce(source, ?), note
        from import_rows where status = 'new' order by line
        """,
        [source],
    )
    step(0.7, "Updating prices")
    cur.execute(
        """
        update prices p
        set amount = i.amount, currency = i.currency, source = coalesce(i.source, p.source),
            note = coalesce(i.note, p.note)
        from import_rows i
        where p.id = i.record_id and i.status = 'updated'
        """
    )


PRICE_IMPORT = ImportKind(
    entity=PRICES,
    classify_sql=_CLASSIFY,
    write=_write,
    preview=("channel", "format", "kind", "amount", "currency", "date"),
    prepare=_identity,
    finish=_finish,
    check_mapping=_check_mapping,
    parts=("registry", "pricing"),
    check_rows=_check_rows,
)


def price_currency_choice(value: object) -> str | None:
    """The currency chosen for amounts whose row names none, as its ISO code (None: none
    chosen); refuses text that is no currency and a code that is not ISO 4217."""
    currency: str | None = choice(PRICES.by_name("currency").check, value)
    if currency is not None:
        bad = price_reasons(pl.DataFrame({"amount": [None], "currency": [currency]}))[0]
        if bad is not None:
            raise ImportRefused(f"The {bad}.")
    return currency


def plan_price_import(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    preview: bool = True,
) -> ImportPlan:
    """Normalise a read price list and classify each row as new, updated, unchanged or rejected
    (the preview). ``options``: ``currency`` of amounts whose row names none (without it such
    rows are a blocker), ``date_order`` ("dmy"/"mdy") for dates that read both ways,
    ``platform`` of rows that name a channel by its handle alone, ``date`` of undated rows."""
    opts = dict(options or {})
    opts.update(
        currency=price_currency_choice(opts.get("currency")),
        platform=choice(check_platform, opts["platform"]) if opts.get("platform") else None,
        abbreviated_amounts=True,  # a price list writes 1,5 тыс and 15K
    )
    plan = plan_import(cur, PRICE_IMPORT, table, mapping, opts, preview=preview)
    undated = plan.undated
    if undated and opts.get("date") is None:
        rows = "1 price has" if undated == 1 else f"{undated} prices have"
        plan.warnings.append(f"{rows} no date: dated {dt.date.today().isoformat()} (today).")
    return plan


def apply_price_import(
    store: Store, plan: ImportPlan, source: str | None = None, progress: Step | None = None
) -> ImportResult:
    """Write a planned price import in one transaction; all or nothing (StaleEdit when a price
    it updates changed since the preview)."""
    return apply_plan(store, PRICE_IMPORT, plan, source, progress)


def import_prices_file(
    store: Store,
    path: str | Path,
    *,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    report: str | Path | None = None,
    currency: str | None = None,
    date_order: str | None = None,
    progress: Step | None = None,
    platform: str | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX price list (a price per channel, format, kind and date); refuses
    unreadable files and files that need a choice not made (a currency, the day/month order).
    With ``report``, the rejected rows (line, reason, their cells) are written there as CSV."""
    options = {"currency": currency, "date_order": date_order, "platform": platform}
    return import_file(
        store,
        PRICE_IMPORT,
        path,
        lambda cur, table, preview: plan_price_import(
            cur, table, mapping, options, preview=preview
        ),
        dry_run=dry_run,
        report=report,
        progress=progress,
    )
