"""Importing exchange rates: the rate import kind on the one engine (crm.importing.plan).

A row is a currency's rate on a day: how many units of the base currency one unit buys. A rate
of zero, an unknown currency and the base currency itself reject the row; a row is new, or
updates the rate of the same currency and day. Everything else is the engine's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm.fields import RATES
from crm.importing.plan import (
    ImportKind,
    ImportPlan,
    Options,
    Step,
    apply_plan,
    import_file,
    no_column,
    plan_import,
)
from crm.importing.read import RawTable
from crm.importing.results import ImportResult
from crm.pricing.currencies import KNOWN_CURRENCIES, RATE_SCALE, base_currency
from crm.store import Store

__all__ = ["RATE_IMPORT", "apply_rate_import", "import_rates_file", "plan_rate_import"]

_RATE = f"cast(i.rate as decimal(20, {RATE_SCALE}))"


def _check_mapping(columns: list[str], mapping: dict[str, str | None]) -> None:
    missing = [name for name in ("date", "currency", "rate") if name not in mapping.values()]
    if missing:
        raise no_column(
            columns,
            f"holds {' or '.join(missing)}",
            "A rates file has a date, a currency and a rate per column (map them with "
            "--map COLUMN=FIELD).",
        )


def _check_rows(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, options: Options) -> pl.Series:
    """A rate of zero, an unknown currency, the base currency's own rate."""
    base = base_currency(cur)
    return rows.select(
        pl.when(pl.col("rate") <= 0)
        .then(
            pl.lit(
                "rate must be more than 0: it is how many units of the base currency one unit buys"
            )
        )
        .when(~pl.col("currency").is_in(KNOWN_CURRENCIES))
        .then(pl.lit("currency “") + pl.col("currency") + pl.lit("” is not a known ISO 4217 code"))
        .when(pl.col("currency") == base)
        .then(pl.lit(f"{base} is the base currency: its rate is 1 by definition"))
        .alias("reason")
    )["reason"]


_CLASSIFY = f"""
    select i.*,
           case when r.currency is not null then (hash(r.currency, r.date) >> 1)::bigint end
               as record_id,
           (hash(r.rate, r.source) >> 1)::bigint as record_version,
           case when r.currency is null then 'new'
                when r.rate <> {_RATE} or (i.source is not null and i.source is distinct from r.source)
                    then 'updated'
                else 'unchanged' end as status,
           case when r.rate <> {_RATE} then 'rate: ' || r.rate || ' → ' || {_RATE} end as changes
    from import_incoming i
    left join rates r on r.currency = i.currency and r.date = i.date
"""


def _write(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, source: str, step: Step) -> None:
    step(0.5, "Writing rates")
    cur.execute(
        f"""
        insert or replace into rates (currency, date, rate, source, created_at)
        select i.currency, i.date, {_RATE}, coalesce(i.source, ?), current_timestamp
        from import_rows i where i.status in ('new', 'updated') order by i.line
        """,
        [source],
    )


RATE_IMPORT = ImportKind(
    entity=RATES,
    classify_sql=_CLASSIFY,
    write=_write,
    preview=("date", "currency", "rate"),
    check_mapping=_check_mapping,
    parts=("pricing",),
    check_rows=_check_rows,
)


def plan_rate_import(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    preview: bool = True,
) -> ImportPlan:
    """Normalise a read file of rates and classify each row as new, updated, unchanged or
    rejected (the preview); ``options["date_order"]`` ("dmy"/"mdy") reads dates that read
    both ways."""
    return plan_import(cur, RATE_IMPORT, table, mapping, options, preview=preview)


def apply_rate_import(
    store: Store, plan: ImportPlan, source: str | None = None, progress: Step | None = None
) -> ImportResult:
    """Write a planned rate import in one transaction; all or nothing."""
    return apply_plan(store, RATE_IMPORT, plan, source, progress)


def import_rates_file(
    store: Store,
    path: str | Path,
    *,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    report: str | Path | None = None,
    date_order: str | None = None,
    progress: Step | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX file of exchange rates (date, currency, rate per one unit in the
    base currency; upsert on currency + date). With ``report``, the rejected rows go there."""
    options = {"date_order": date_order}
    return import_file(
        store,
        RATE_IMPORT,
        path,
        lambda cur, table, preview: plan_rate_import(cur, table, mapping, options, preview=preview),
        dry_run=dry_run,
        report=report,
        progress=progress,
    )
