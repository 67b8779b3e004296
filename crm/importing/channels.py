"""Importing channels: the channel import kind (identity, classify, write) on the one engine.

What is a channel's own: a row names its channel by a handle column, a link or both, and the
platform comes from a link, a platform column or the default; the classification compares
each row with the channel, its latest snapshot and its listed price of a post; the write
adds owners by name, channels, snapshots and prices. Mapping, normalising, dedupe, the plan,
the stale-version check and the report are the engine's (crm.importing.plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm import metrics
from crm.errors import ImportRefused
from crm.fields import CHANNELS, SNAPSHOT_METRICS
from crm.importing.mapping import infer_defaults
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
from crm.importing.prices import price_currency_choice
from crm.importing.read import RawTable
from crm.importing.results import ImportResult
from crm.parsing.types import EARLIEST_MEASUREMENT, refusal
from crm.pricing.prices import price_reasons
from crm.registry.queries import latest_sql
from crm.store import Store, quote_ident
from crm.vocab.platforms import PLATFORMS, canonical_url, check_platform, parse_link_frame
from crm.vocab.terms import PROVENANCES

__all__ = [
    "CHANNEL_IMPORT",
    "ImportPlan",
    "apply_import",
    "import_channels_file",
    "plan_channel_import",
]

METRICS = SNAPSHOT_METRICS
# the channel's own columns an import fills or changes (platform + handle is the key)
_PROFILE = tuple(f for f in CHANNELS.stored_in("channels") if f.name not in CHANNELS.key)
_SCALARS = tuple(f for f in _PROFILE if f.spec.value_kind != "list")
_LISTS = tuple(f for f in _PROFILE if f.spec.value_kind == "list")
_URL_LIKE = r"(?i)^(https?://|www\.|[a-z0-9-]+(\.[a-z0-9-]+)+/)"
# a handle in a column of links: "@leomessi", or one word without a dot, slash or colon
_HANDLE_LIKE = r"^@|^[^/.:\s]+$"
# the numbers of a row that a measurement date dates
_DATED = (*METRICS, "er", "err", "reach_rate", "price")


# ---------------------------------------------------------------- identity


def _identity(
    frame: pl.DataFrame, sources: Sources, options: Mapping[str, Any]
) -> tuple[dict[str, pl.Series], list[pl.Series]]:
    """platform, handle and url of every row, with the reasons a row names no channel.

    A handle column wins; a link in it, or a link column when the handle is empty, names
    platform and handle at once. A handle in the link column (``@leomessi``) is a handle. A
    platform column, else the link, else the default platform names the platform of a plain
    handle."""
    n = frame.height
    nulls = pl.Series([], dtype=pl.String).extend_constant(None, n)
    field = CHANNELS.by_name

    def raw(name: str) -> pl.Series:
        return raw_column(frame, sources, field(name))

    handle_raw, url_raw = raw("handle"), raw("url")
    # "@name" among the links: the handle where no handle column gives one, and no link
    url_is_handle = url_raw.str.strip_chars().str.contains(_HANDLE_LIKE).fill_null(False)
    handle_raw = pl.select(
        pl.when(handle_raw.is_null() & url_is_handle).then(url_raw).otherwise(handle_raw)
    ).to_series()
    url_raw = pl.select(pl.when(~url_is_handle).then(url_raw)).to_series()
    handle_is_link = handle_raw.str.contains(_URL_LIKE).fill_null(False)
    ident_link = pl.select(
        pl.when(handle_is_link).then(handle_raw).when(handle_raw.is_null()).then(url_raw)
    ).to_series()
    # each distinct link parsed once (a link column usually is also the identity)
    links = pl.concat([ident_link, url_raw]).drop_nulls().unique()
    parsed = parse_link_frame(links).with_columns(link=links)
    ident = pl.DataFrame({"link": ident_link}).join(
        parsed, on="link", how="left", maintain_order="left"
    )
    by_url = pl.DataFrame({"link": url_raw}).join(
        parsed, on="link", how="left", maintain_order="left"
    )

    plain, bad_plain = field("handle").normalise(
        pl.select(pl.when(~handle_is_link).then(handle_raw)).to_series()
    )
    # a handle read from a link passes the same check as one typed as it is
    _, bad_linked = field("handle").normalise(ident["handle"])
    platform_col, platform_reason = field("platform").normalise(raw("platform"))
    default = options.get("platform")
    frame_ = pl.DataFrame(
        {
            "plain": plain,
            "ih": ident["handle"],
            "ip": ident["platform"],
            "pc": platform_col,
            "up": by_url["platform"],
        }
    )
    final = frame_.select(
        handle=pl.coalesce("plain", "ih"),
        platform=pl.when(pl.col("plain").is_not_null())
        .then(pl.coalesce("pc", "up", pl.lit(default, pl.String)))
        .otherwise(pl.coalesce("ip", "pc", pl.lit(default, pl.String))),
    )
    url_clean, url_reason = field("url").normalise(url_raw)
    no_identity = handle_raw.is_null() & url_raw.is_null()
    no_platform = final["handle"].is_not_null() & final["platform"].is_null()
    reasons = [
        refusal(nulls, no_identity, "no handle or link"),
        ident["error"],
        platform_reason,
        bad_plain,
        bad_linked,
        refusal(
            nulls,
            no_platform,
            "no platform: add a platform column or a link, or choose a default platform",
        ),
        url_reason,
    ]
    columns = {"platform": final["platform"], "handle": final["handle"], "url": url_clean}
    return columns, reasons


def _finish(rows: pl.DataFrame, options: Options) -> pl.DataFrame:
    # rows with numbers but no date of their own are marked (the plan says how many), then
    # dated with the day chosen for them, else today
    measured_on = options.get("measured_on") or dt.date.today()
    numbers = pl.any_horizontal(pl.col(c).is_not_null() for c in _DATED if c in rows.columns)
    return rows.with_columns(
        undated=pl.col("measured_on").is_null() & numbers,
        measured_on=pl.col("measured_on").fill_null(measured_on),
    )


def _check_mapping(columns: list[str], mapping: dict[str, str | None]) -> None:
    if not set(mapping.values()) & {"handle", "url"}:
        raise no_column(
            columns,
            "holds handles or links to channels",
            "Map one of them to “handle” or “url” (in the column mapping, or with "
            "--map COLUMN=handle).",
        )


def _check_rows(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, options: Options) -> pl.Series:
    """A listed price of zero or less, or in no ISO 4217 currency: a price list's own check."""
    reasons = price_reasons(rows, amount="price")
    # the shared check calls the figure an amount; a channel file calls it its price
    named = reasons.str.replace(r"^amount ", "price ")
    return pl.select(pl.when(rows["price"].is_not_null()).then(named)).to_series()


# ---------------------------------------------------------------- classifying


def _change(label: str, incoming: str, current: str) -> str:
    i = f"i.{quote_ident(incoming)}"
    return f"""
        case when {i} is not null and {i} is distinct from {current}
             then '{label}: ' || coalesce(cast({current} as varchar), '—')
                  || ' → ' || cast({i} as varchar) end
    """


_CHANNEL_CHANGES = (
    ",".join(_change(f.name, f.name, f"c.{quote_ident(f.db_column)}") for f in _PROFILE)
    + """,
    case when i.owner is not null and lower(i.owner) is distinct from lower(o.name)
         then 'owner: ' || coalesce(o.name, '—') || ' → ' || i.owner end
"""
)
_LIST_CHANGED = " or ".join(
    f"(i.{quote_ident(f.name)} is not null "
    f"and i.{quote_ident(f.name)} is distinct from c.{quote_ident(f.db_column)})"
    for f in _LISTS
)
_METRIC_CHANGES = ",".join(_change(m, m, f"l.{quote_ident(m)}") for m in METRICS)
_PRICE_CHANGES = """
    case when i.price is not null
              and (p.amount is null or p.amount <> i.price
                   or p.currency is distinct from i.currency)
         then 'price: ' || coalesce(cast(p.amount as varchar) || ' ' || p.currency, '—')
              || ' → ' || cast(i.price as varchar) || ' ' || coalesce(i.currency, '—') end
"""
_IN_FILE = (
    "exists (select 1 from import_incoming f where f.platform = c.platform and f.handle = c.handle)"
)

# METRICS.md reach rate (reach / followers) inverted: a Telegram "ERR" gives the reach where
# the file gives none; then the engagement from the known parts where the file gives none,
# else the inverse of ER (engagement / followers) or ERR (engagement / reach); rounded to
# cents against float noise. A figure derived from a rate is an estimate: the snapshot keeps
# the file's provenance (its measured numbers are what they are) and its source says which
# figures were estimated ("import: x.csv (engagement estimated from ER)").
_PARTS = metrics.engagement_sql(parts=("avg_likes", "avg_comments", "avg_shares"))
_REACH = "coalesce(avg_reach, round(reach_rate * followers, 2))"
_ENGAGEMENT = f"""
    coalesce(
        avg_engagement,
        {_PARTS},
        round(er * followers, 2),
        round(err * avg_reach, 2)
    )
"""
_ESTIMATED = f"""
    nullif(concat_ws('; ',
        case when reach_estimated then 'reach estimated from reach rate' end,
        case when avg_engagement is null and {_PARTS} is null then
            case when er * followers is not null then 'engagement estimated from ER'
                 when err * avg_reach is not null then 'engagement estimated from ERR' end
        end
    ), '')
"""

_CLASSIFY = f"""
    with {latest_sql(_IN_FILE)},
    derived as (
        select * replace ({_REACH} as avg_reach),
               avg_reach is null and reach_rate * followers is not null as reach_estimated
        from import_incoming
    ),
    incoming as (
        select * replace ({_ENGAGEMENT} as avg_engagement), {_ESTIMATED} as estimated
        from derived
    ),
    listed as (
        select p.* from prices p
        where p.kind = 'listed' and p.format = 'post' and p.channel_id in (
            select c.id from channels c where {_IN_FILE}
        )
        qualify row_number() over (partition by p.channel_id order by p.date desc, p.id desc) = 1
    ),
    joined as (
        select i.*, c.id as record_id, c.version as record_version,
               case when c.id is null then []::varchar[] else
                   list_filter([{_CHANNEL_CHANGES}], lambda x: x is not null) end
                   as channel_changes,
               coalesce(c.id is not null and ({_LIST_CHANGED}), false) as lists_changed,
               case when c.id is null then []::varchar[] else
                   list_filter([{_METRIC_CHANGES}], lambda x: x is not null) end
                   as metric_changes,
               case when c.id is null then []::varchar[] else
                   list_filter([{_PRICE_CHANGES}], lambda x: x is not null) end
                   as price_changes
        from incoming i
        left join channels c on c.platform = i.platform and c.handle = i.handle
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        left join listed p on p.channel_id = c.id
    )
    select *,
           case when record_id is null then 'new'
                when len(channel_changes) + len(metric_changes) + len(price_changes) > 0
                    then 'updated'
                else 'unchanged' end as status,
           array_to_string(list_concat(channel_changes, metric_changes, price_changes), '; ')
               as changes
    from joined
"""


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


_OWNER_IDS = "(select lower(name) as name_key, min(id) as owner_id from owners group by 1)"


def _canonical_url_sql() -> tuple[str, list[Any]]:
    """``case i.platform when … end``: the public address of a new channel without a link."""
    prefixes = []
    params: list[Any] = []
    for platform in PLATFORMS:
        plain = canonical_url(platform, "\x00")
        if not plain:
            continue
        nested = canonical_url(platform, "a/\x00")
        head, tail = plain.split("\x00")
        nested_head = nested.split("\x00")[0][:-2]
        prefixes.append(
            "when ? then (case when i.handle like '%/%' then ? else ? end) || i.handle || ?"
        )
        params.extend([platform, nested_head, head, tail])
    return f"case i.platform {' '.join(prefixes)} end", params


def _write_channels(cur: duckdb.DuckDBPyConnection, default_kind: str) -> None:
    url_sql, params = _canonical_url_sql()
    # the new channels' ids, in file order, taken first: the snapshots and prices of a row
    # find their channel by line then, not by looking platform + handle up again
    cur.execute(
        """
        create or replace temp table import_new_ids as
        select line, nextval('channels_id_seq') as record_id
        from (select line from import_rows where status = 'new' order by line)
        """
    )
    cur.execute(
        f"""
        insert into channels (id, platform, handle, url, title, kind, owner_id, niches,
                              country, city, language, email, telegram, phone, tags, notes)
        select n.record_id, i.platform, i.handle, coalesce(i.url, {url_sql}), i.title,
               coalesce(i.kind, ?), o.owner_id, coalesce(i.niche, []), i.country, i.city,
               i.language, i.email, i.telegram, i.phone, coalesce(i.tags, []), i.notes
        from import_rows i
        join import_new_ids n on n.line = i.line
        left join {_OWNER_IDS} o on o.name_key = lower(i.owner)
        order by i.line
        """,
        [*params, default_kind],
    )
    sets = ", ".join(
        f"{quote_ident(f.db_column)} = coalesce(i.{quote_ident(f.name)}, c.{quote_ident(f.db_column)})"
        for f in _SCALARS
    )
    cur.execute(
        f"""
        update channels c
        set {sets}, owner_id = coalesce(i.owner_id, c.owner_id),
            version = c.version + 1, updated_at = current_timestamp
        from (
            select r.*, o.owner_id from import_rows r
            left join {_OWNER_IDS} o on o.name_key = lower(r.owner)
            where r.status = 'updated' and len(r.channel_changes) > 0
        ) i
        where c.id = i.record_id
        """
    )
    # DuckDB rewrites a whole row to change a list column: only the rows whose lists change
    lists = ", ".join(
        f"{quote_ident(f.db_column)} = coalesce(i.{quote_ident(f.name)}, c.{quote_ident(f.db_column)})"
        for f in _LISTS
    )
    cur.execute(
        f"""
        update channels c set {lists}
        from import_rows i
        where c.id = i.record_id and i.status = 'updated' and i.lists_changed
        """
    )


def _write_snapshots(cur: duckdb.DuckDBPyConnection, provenance: str, source: str) -> None:
    names = ", ".join(quote_ident(m) for m in METRICS)
    incoming = ", ".join(f"i.{quote_ident(m)}" for m in METRICS)
    cur.execute(
        f"""
        insert into snapshots (channel_id, measured_on, {names}, provenance, source)
        select coalesce(i.record_id, n.record_id), coalesce(i.measured_on, current_date),
               {incoming}, ?, ? || coalesce(' (' || i.estimated || ')', '')
        from import_rows i left join import_new_ids n on n.line = i.line
        where coalesce({incoming}) is not null
          and (i.status = 'new' or len(i.metric_changes) > 0)
        order by i.line
        """,
        [provenance, source],
    )


def _write_prices(cur: duckdb.DuckDBPyConnection, source: str) -> None:
    cur.execute(
        """
        insert into prices (channel_id, format, kind, amount, currency, date, source)
        select coalesce(i.record_id, n.record_id), 'post', 'listed', i.price,
               i.currency, coalesce(i.measured_on, current_date), ?
        from import_rows i left join import_new_ids n on n.line = i.line
        where i.price is not null and (i.status = 'new' or len(i.price_changes) > 0)
        order by i.line
        """,
        [source],
    )


def _write(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, source: str, step: Step) -> None:
    step(0.3, "Writing owners")
    _write_owners(cur)
    step(0.4, "Writing channels")
    _write_channels(cur, plan.default_kind)
    step(0.7, "Writing metric snapshots")
    _write_snapshots(cur, plan.provenance, source)
    step(0.85, "Writing prices")
    _write_prices(cur, source)
    cur.execute("drop table import_new_ids")


CHANNEL_IMPORT = ImportKind(
    entity=CHANNELS,
    classify_sql=_CLASSIFY,
    write=_write,
    preview=("platform", "handle", "title", "followers", "price", "currency"),
    prepare=_identity,
    finish=_finish,
    check_mapping=_check_mapping,
    parts=("registry", "pricing"),
    check_rows=_check_rows,
)


# ---------------------------------------------------------------- the public verbs


def plan_channel_import(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    platform: str | None = None,
    *,
    kind: str | None = None,
    provenance: str = "manual",
    measured_on: dt.date | None = None,
    preview: bool = True,
    currency: str | None = None,
    date_order: str | None = None,
) -> ImportPlan:
    """Normalise and validate a read file and classify each row as new/updated/unchanged/rejected.

    ``provenance`` says where the file's numbers come from; ``measured_on`` dates the rows that
    have no date of their own (else the import day: the plan's ``undated`` and ``measured_on``
    say so, and a warning when no day was chosen). ``currency`` is the currency of prices
    whose row names none; without it such rows make the plan's ``needs_currency`` (a blocker).
    ``date_order`` ("dmy" or "mdy") reads dates that read both ways (03/04/2024); without it
    such a column is in ``ambiguous_dates`` (a blocker). ``preview=False`` skips the
    comparison with the registry, for an import written at once (``apply_import`` classifies
    anyway).
    """
    if provenance not in PROVENANCES:
        raise ImportRefused(
            f"Provenance must be one of {', '.join(PROVENANCES)}, not “{provenance}”."
        )
    if measured_on is not None and measured_on > dt.date.today():
        raise ImportRefused("The measurement date cannot be in the future.")
    if measured_on is not None and measured_on < EARLIEST_MEASUREMENT:
        raise ImportRefused(f"The measurement date cannot be before {EARLIEST_MEASUREMENT.year}.")
    chosen_currency = price_currency_choice(currency)
    hints = infer_defaults(table.columns)
    chosen_platform = choice(check_platform, platform) if platform else hints["platform"]
    options = {
        "platform": chosen_platform,
        "kind": kind or hints["kind"] or "person",
        "provenance": provenance,
        "measured_on": measured_on,
        "currency": chosen_currency,
        "date_order": date_order,
    }
    plan = plan_import(cur, CHANNEL_IMPORT, table, mapping, options, preview=preview)
    if plan.undated and measured_on is None:
        rows = "1 row has" if plan.undated == 1 else f"{plan.undated} rows have"
        their = "its" if plan.undated == 1 else "their"
        plan.warnings.append(
            f"{rows} no date of {their} own: {their} numbers are dated "
            f"{plan.measured_on.isoformat()} (today). Choose the day they were measured if it "
            "was another (--measured-on)."
        )
    return plan


def apply_import(
    store: Store,
    plan: ImportPlan,
    source: str | None = None,
    progress: Step | None = None,
) -> ImportResult:
    """Write a planned import in one transaction (rows re-classified inside it); all or nothing.

    Refuses (StaleEdit) when a channel it would update was changed since the preview."""
    return apply_plan(store, CHANNEL_IMPORT, plan, source, progress)


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
    currency: str | None = None,
    date_order: str | None = None,
    progress: Step | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX file of channels (upsert on platform + handle); refuses unreadable files,
    and files that need a choice not made (a currency for prices, the order of day and month).

    With ``report``, the rejected rows (line, reason and their cells) are written there as CSV.
    """
    return import_file(
        store,
        CHANNEL_IMPORT,
        path,
        lambda cur, table, preview: plan_channel_import(
            cur,
            table,
            mapping,
            platform,
            provenance=provenance,
            measured_on=measured_on,
            preview=preview,
            currency=currency,
            date_order=date_order,
        ),
        dry_run=dry_run,
        report=report,
        progress=progress,
    )
