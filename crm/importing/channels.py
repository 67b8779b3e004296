"""Importing channels: plan (classify every row against the registry), then write in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm.errors import CrmError, ImportRefused, ValidationError
from crm.importing.mapping import infer_defaults, resolve_mapping
from crm.importing.normalise import METRICS, _dedupe, _normalise
from crm.importing.read import RawTable, read_table
from crm.importing.report import rejects_csv
from crm.importing.results import DuplicateRow, ImportResult, RejectedRow
from crm.store import Store, quote_ident
from crm.vocab.platforms import (
    PLATFORMS,
    canonical_url,
    check_platform,
)
from crm.vocab.terms import PROVENANCES

# channel columns an import may change, with the incoming column that feeds each
_CHANNEL_UPDATES = (
    ("title", "title"),
    ("kind", "kind"),
    ("url", "url"),
    ("niches", "niches"),
    ("country", "country"),
    ("city", "city"),
    ("language", "language"),
    ("email", "email"),
    ("telegram", "telegram"),
    ("phone", "phone"),
    ("tags", "tags"),
    ("notes", "notes"),
)


@dataclass
class ImportPlan:
    """A normalised file ready to write, with every row classified (the preview)."""

    filename: str
    mapping: dict[str, str | None]
    platform: str | None
    default_kind: str
    rows: pl.DataFrame  # valid rows, one per platform + handle (the later row won)
    preview: pl.DataFrame  # line, status, platform, handle, title, followers, changes
    rejects: list[RejectedRow]
    duplicate_rows: list[DuplicateRow]
    provenance: str = "manual"

    def counts(self) -> dict[str, int]:
        """Rows per status: new, updated, unchanged, rejected, duplicates."""
        status = self.preview["status"].value_counts()
        found = dict(zip(status["status"].to_list(), status["count"].to_list(), strict=True))
        return {
            "new": found.get("new", 0),
            "updated": found.get("updated", 0),
            "unchanged": found.get("unchanged", 0),
            "rejected": len(self.rejects),
            "duplicates": len(self.duplicate_rows),
        }

    def result(self, *, dry_run: bool) -> ImportResult:
        """The preview's counts as an import result."""
        counts = self.counts()
        return ImportResult(
            **counts,
            rejects=list(self.rejects),
            duplicate_rows=list(self.duplicate_rows),
            dry_run=dry_run,
        )


# ---------------------------------------------------------------- classifying


def _change(column: str, incoming: str, current: str) -> str:
    return f"""
        case when i.{quote_ident(incoming)} is not null
                  and i.{quote_ident(incoming)} is distinct from {current}
             then '{column}: ' || coalesce(cast({current} as varchar), '—')
                  || ' → ' || cast(i.{quote_ident(incoming)} as varchar) end
    """


_CHANNEL_CHANGES = (
    ",".join(_change(col, inc, f"c.{quote_ident(col)}") for col, inc in _CHANNEL_UPDATES)
    + """,
    case when i.owner is not null and lower(i.owner) is distinct from lower(o.name)
         then 'owner: ' || coalesce(o.name, '—') || ' → ' || i.owner end
"""
)
_METRIC_CHANGES = ",".join(_change(m, m, f"l.{quote_ident(m)}") for m in METRICS)
_PRICE_CHANGES = """
    case when i.price is not null
              and (p.amount is null or p.amount <> cast(i.price as decimal(18, 2))
                   or p.currency is distinct from coalesce(i.currency, 'RUB'))
         then 'price: ' || coalesce(cast(p.amount as varchar) || ' ' || p.currency, '—')
              || ' → ' || cast(cast(i.price as decimal(18, 2)) as varchar) || ' '
              || coalesce(i.currency, 'RUB') end
"""

_CLASSIFY = f"""
    with latest as (
        select s.* from snapshots s
        where s.channel_id in (
            select c.id from channels c join import_incoming i using (platform, handle)
        )
        qualify row_number() over (partition by s.channel_id order by s.measured_on desc, s.id desc) = 1
    ),
    listed as (
        select p.* from prices p
        where p.kind = 'listed' and p.format = 'post' and p.channel_id in (
            select c.id from channels c join import_incoming i using (platform, handle)
        )
        qualify row_number() over (partition by p.channel_id order by p.date desc, p.id desc) = 1
    ),
    joined as (
        select i.*, c.id as channel_id,
               case when c.id is null then []::varchar[] else
                   list_filter([{_CHANNEL_CHANGES}], lambda x: x is not null) end
                   as channel_changes,
               case when c.id is null then []::varchar[] else
                   list_filter([{_METRIC_CHANGES}], lambda x: x is not null) end
                   as metric_changes,
               case when c.id is null then []::varchar[] else
                   list_filter([{_PRICE_CHANGES}], lambda x: x is not null) end
                   as price_changes
        from import_incoming i
        left join channels c on c.platform = i.platform and c.handle = i.handle
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        left join listed p on p.channel_id = c.id
    )
    select *,
           case when channel_id is null then 'new'
                when len(channel_changes) + len(metric_changes) + len(price_changes) > 0
                    then 'updated'
                else 'unchanged' end as status,
           array_to_string(list_concat(channel_changes, metric_changes, price_changes), '; ')
               as changes
    from joined
"""


def _classify(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, table: str) -> None:
    """Create a temp table ``table`` of the rows with channel_id, status and changes."""
    cur.register("import_incoming", rows)
    try:
        cur.execute(f"create or replace temp table {quote_ident(table)} as {_CLASSIFY}")
    finally:
        cur.unregister("import_incoming")


def plan_channel_import(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    platform: str | None = None,
    *,
    kind: str | None = None,
    provenance: str = "manual",
    measured_on: dt.date | None = None,
) -> ImportPlan:
    """Normalise and validate a read file and classify each row as new/updated/unchanged/rejected.

    ``provenance`` says where the file's numbers come from; ``measured_on`` dates the rows that
    have no date of their own (else the import day).
    """
    if provenance not in PROVENANCES:
        raise ImportRefused(
            f"Provenance must be one of {', '.join(PROVENANCES)}, not “{provenance}”."
        )
    if measured_on is not None and measured_on > dt.date.today():
        raise ImportRefused("The measurement date cannot be in the future.")
    resolved = resolve_mapping(table.columns, mapping)
    targets = set(resolved.values())
    if not targets & {"handle", "url"}:
        raise ImportRefused(
            f"No column holds handles or links to channels. Columns found: "
            f"{', '.join(table.columns)}. Map one of them to “handle” or “url” "
            "(in the column mapping, or with --map COLUMN=handle)."
        )
    hints = infer_defaults(table.columns)
    try:
        chosen_platform = check_platform(platform) if platform else hints["platform"]
    except ValidationError as exc:
        raise ImportRefused(str(exc)) from None
    rows, rejected = _normalise(table, resolved, chosen_platform)
    if measured_on is not None:
        rows = rows.with_columns(pl.col("measured_on").fill_null(measured_on))
    rows, duplicates = _dedupe(rows)
    try:
        _classify(cur, rows, "import_preview")
        preview = cur.sql(
            """
            select line, status, platform, handle, title, followers, changes
            from import_preview order by line
            """
        ).pl()
        cur.execute("drop table if exists import_preview")
    except duckdb.Error as exc:
        raise CrmError(f"Cannot compare the file with the registry: {exc}") from exc
    rejects = [RejectedRow(line, reason) for line, reason in rejected.sort("line").iter_rows()]
    return ImportPlan(
        filename=table.filename,
        mapping=resolved,
        platform=chosen_platform,
        default_kind=kind or hints["kind"] or "person",
        rows=rows,
        preview=preview,
        rejects=rejects,
        duplicate_rows=duplicates,
        provenance=provenance,
    )


# ---------------------------------------------------------------- writing


def _write_owners(cur: duckdb.DuckDBPyConnection) -> None:
    # found by name case-insensitively (as registry.find_owner_by_name), else created
    cur.execute(
        """
        insert into owners (name)
        select min(owner) from import_rows
        where owner is not null
          and lower(owner) not in (select lower(name) from owners)
        group by lower(owner)
        """
    )


def _write_channels(cur: duckdb.DuckDBPyConnection, default_kind: str) -> None:
    prefixes = []
    params: list[Any] = []
    for platform in PLATFORMS:
        plain = canonical_url(platform, "\x00")
        nested = canonical_url(platform, "a/\x00")
        if not plain:
            continue
        head, tail = plain.split("\x00")
        nested_head = nested.split("\x00")[0][:-2]
        prefixes.append(
            "when ? then (case when i.handle like '%/%' then ? else ? end) || i.handle || ?"
        )
        params.extend([platform, nested_head, head, tail])
    cur.execute(
        f"""
        insert into channels (platform, handle, url, title, kind, owner_id, niches, country,
                              city, language, email, telegram, phone, tags, notes)
        select i.platform, i.handle,
               coalesce(i.url, case i.platform {" ".join(prefixes)} end),
               i.title, coalesce(i.kind, ?),
               (select min(o.id) from owners o where lower(o.name) = lower(i.owner)),
               coalesce(i.niches, []), i.country, i.city, i.language, i.email, i.telegram,
               i.phone, coalesce(i.tags, []), i.notes
        from import_rows i
        where i.status = 'new'
        order by i.line
        """,
        [*params, default_kind],
    )
    sets = ", ".join(
        f"{quote_ident(col)} = coalesce(i.{quote_ident(inc)}, c.{quote_ident(col)})"
        for col, inc in _CHANNEL_UPDATES
    )
    cur.execute(
        f"""
        update channels c
        set {sets},
            owner_id = coalesce(
                (select min(o.id) from owners o where lower(o.name) = lower(i.owner)), c.owner_id),
            version = c.version + 1, updated_at = current_timestamp
        from import_rows i
        where c.id = i.channel_id and i.status = 'updated' and len(i.channel_changes) > 0
        """
    )


def _write_snapshots(cur: duckdb.DuckDBPyConnection, provenance: str, source: str) -> None:
    cur.execute(
        """
        insert into snapshots (channel_id, measured_on, followers, avg_reach, avg_views,
                               avg_engagement, avg_likes, avg_comments, avg_shares,
                               provenance, source)
        select c.id, coalesce(i.measured_on, current_date), i.followers, i.avg_reach,
               i.avg_views, i.avg_engagement, i.avg_likes, i.avg_comments, i.avg_shares, ?, ?
        from import_rows i join channels c on c.platform = i.platform and c.handle = i.handle
        where coalesce(i.followers, i.avg_reach, i.avg_views, i.avg_engagement, i.avg_likes,
                       i.avg_comments, i.avg_shares) is not null
          and (i.status = 'new' or len(i.metric_changes) > 0)
        order by i.line
        """,
        [provenance, source],
    )


def _write_prices(cur: duckdb.DuckDBPyConnection, source: str) -> None:
    cur.execute(
        """
        insert into prices (channel_id, format, kind, amount, currency, date, source)
        select c.id, 'post', 'listed', cast(i.price as decimal(18, 2)),
               coalesce(i.currency, 'RUB'), coalesce(i.measured_on, current_date), ?
        from import_rows i join channels c on c.platform = i.platform and c.handle = i.handle
        where i.price is not null and (i.status = 'new' or len(i.price_changes) > 0)
        order by i.line
        """,
        [source],
    )


def apply_import(
    store: Store,
    plan: ImportPlan,
    source: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Write a planned import in one transaction (rows re-classified inside it); all or nothing."""
    source = source or f"import: {plan.filename}"
    step = progress or (lambda _fraction, _text: None)
    try:
        return _apply(store, plan, source, step)
    except duckdb.Error as exc:
        raise CrmError(f"The import failed and nothing was written: {exc}") from exc


def _apply(
    store: Store, plan: ImportPlan, source: str, step: Callable[[float, str], None]
) -> ImportResult:
    with store.transaction() as cur:
        step(0.1, "Comparing with the registry")
        _classify(cur, plan.rows, "import_rows")
        step(0.3, "Writing owners")
        _write_owners(cur)
        step(0.4, "Writing channels")
        _write_channels(cur, plan.default_kind)
        step(0.7, "Writing metric snapshots")
        _write_snapshots(cur, plan.provenance, source)
        step(0.85, "Writing prices")
        _write_prices(cur, source)
        counts = dict(
            cur.execute("select status, count(*) from import_rows group by status").fetchall()
        )
        cur.execute("drop table import_rows")
    step(1.0, "Done")
    return ImportResult(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        rejected=len(plan.rejects),
        duplicates=len(plan.duplicate_rows),
        rejects=list(plan.rejects),
        duplicate_rows=list(plan.duplicate_rows),
        dry_run=False,
    )


def import_channels_file(
    store: Store,
    path: str | Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    provenance: str = "manual",
    measured_on: dt.date | None = None,
    report: str | Path | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX file of channels (upsert on platform + handle); refuses unreadable files.

    With ``report``, the rejected rows (line, reason and their cells) are written there as CSV.
    """
    file = Path(path)
    if report is not None and not Path(report).resolve().parent.is_dir():
        raise ImportRefused(f"Cannot write the report {report}: its folder does not exist.")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"Cannot read {file}: {exc.strerror or exc}.") from None
    table = read_table(data, file.name)
    plan = plan_channel_import(
        store.cursor(), table, mapping, platform, provenance=provenance, measured_on=measured_on
    )
    result = plan.result(dry_run=True) if dry_run else apply_import(store, plan)
    if report is not None:
        try:
            Path(report).write_bytes(rejects_csv(result, table))
        except OSError as exc:
            raise CrmError(f"Cannot write the report {report}: {exc.strerror or exc}.") from None
    return result
