"""Importing placements and their results: the placement import kind on the one engine
(crm.importing.plan).

What is a placement file's own: a row names its channel by a link or ``PLATFORM:HANDLE``, or the
whole file is one channel's (or one ad account's), chosen with ``channel``; a campaign the file
(or the ``campaign`` choice) names that does not exist yet is created in the same transaction,
and the preview says so; ``ref`` (the source's own id) matches a row to the placement it imported
before, which is updated instead of added again, and gets a new measurement only when one of its
numbers changed. The numbers of a row (reach … conversions, revenue) are one measurement, with
its provenance and time. Reading, mapping, normalising, dedupe, preview, the stale check, the
report and the one transaction are the engine's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm.fields import PLACEMENTS
from crm.importing.normalise import Sources, raw_column
from crm.importing.plan import (
    ImportKind,
    ImportPlan,
    Options,
    Step,
    apply_plan,
    choice,
    import_file,
    plan_import,
)
from crm.importing.read import RawTable
from crm.importing.results import ImportResult
from crm.outreach.campaigns import MAX_NAME
from crm.parsing.text import shorten
from crm.placements.placements import MAX_EARLY, advance_cards, post_platform
from crm.placements.results import METRIC_FIELDS, latest_results_sql, now
from crm.pricing.currencies import base_currency
from crm.store import Store, quote_ident
from crm.vocab.platforms import PLATFORM_LABELS, parse_channel_key

__all__ = [
    "PLACEMENT_IMPORT",
    "apply_placement_import",
    "import_placements_file",
    "plan_placement_import",
]

# the fields a re-import may change on a placement it matched by ref (given values only: an
# empty cell keeps what is stored)
_PLACEMENT_FIELDS = (
    "format", "content_type", "planned_on", "published_at", "post_url", "price_agreed",
    "price_paid", "currency", "erid", "promo_code", "planned_reach", "planned_clicks",
    "planned_conversions",
)  # fmt: skip
_NUMBERS = (*METRIC_FIELDS, "revenue")
_SHOWN_CAMPAIGNS = 5

# rows are one per ref; a row without a ref is a placement of its own (its line is its key)
_ENTITY = replace(PLACEMENTS, key=("import_key",))


def _own_columns(
    frame: pl.DataFrame, sources: Sources, options: Mapping[str, Any]
) -> tuple[dict[str, pl.Series], list[pl.Series]]:
    """channel (``platform:handle``): the file's, else the one chosen for the whole file; with
    the reason a row's channel cannot be read."""
    field = PLACEMENTS.by_name("channel")
    channel, bad_channel = field.normalise(raw_column(frame, sources, field))
    chosen = pl.lit(options.get("channel"), pl.String)
    channel = pl.select(pl.coalesce(channel, chosen)).to_series()
    return {"channel": channel.alias("channel")}, [bad_channel]


def _finish(rows: pl.DataFrame, options: Options) -> pl.DataFrame:
    # the campaign and the provenance chosen for the file fill the rows that name none
    campaign = options.get("campaign")
    return rows.with_columns(
        campaign=pl.coalesce(pl.col("campaign"), pl.lit(campaign, pl.String)),
        provenance=pl.col("provenance").fill_null(options.get("provenance") or "manual"),
        import_key=pl.coalesce(pl.col("ref"), pl.lit("#line ") + pl.col("line").cast(pl.String)),
    )


def _check_rows(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, options: Options) -> pl.Series:
    """A channel the registry lacks, a post link of another platform than the channel's, a
    publication years before the plan, a measurement before the publication."""
    split = rows["channel"].str.split_exact(":", 1).struct.rename_fields(["platform", "handle"])
    keys = pl.DataFrame({"line": rows["line"], "ref": rows["ref"]}).with_columns(
        split.struct.unnest()
    )
    cur.register("placement_channels", keys.to_arrow())
    try:
        # a row without a channel updates the placement its ref names, else names nothing
        known = cur.sql(
            """
            select i.line, c.id is not null or i.platform is null as known,
                   i.platform is null and p.id is null as unplaced
            from placement_channels i
            left join channels c on c.platform = i.platform and c.handle = i.handle
            left join placements p on p.ref = i.ref
            """
        ).pl()
    finally:
        cur.unregister("placement_channels")
    checked = rows.join(known, on="line", how="left", maintain_order="left")
    urls = rows["post_url"].drop_nulls().unique().to_list()
    hosts = {url: post_platform(url) for url in urls}
    on = checked.with_columns(
        url_platform=pl.col("post_url").replace_strict(
            list(hosts), list(hosts.values()), default=None, return_dtype=pl.String
        ),
        platform=keys["platform"],
    )
    early_days = MAX_EARLY.days
    reason = on.select(
        pl.when(pl.col("campaign").str.len_chars() > MAX_NAME)
        .then(pl.lit(f"campaign name is longer than {MAX_NAME} characters"))
        .when(pl.col("unplaced"))
        .then(
            pl.lit(
                "no channel: map a column of links or PLATFORM:HANDLE to “channel”, or choose "
                "the channel of the whole file (--channel PLATFORM:HANDLE)"
            )
        )
        .when(~pl.col("known"))
        .then(
            pl.lit("channel ")
            + pl.col("channel")
            + pl.lit(" is not in the registry: add it (or import the channels) first")
        )
        .when(
            pl.col("post_url").is_not_null()
            & (pl.col("platform") != "other")
            & (pl.col("url_platform").is_null() | (pl.col("url_platform") != pl.col("platform")))
        )
        .then(
            pl.lit("post link “")
            + pl.col("post_url").map_elements(shorten, return_dtype=pl.String)
            + pl.lit("” is not a link to ")
            + pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform"))
            + pl.lit(", where the channel ")
            + pl.col("channel")
            + pl.lit(" is")
        )
        .when((pl.col("planned_on") - pl.col("published_at")).dt.total_days() > early_days)
        .then(
            pl.lit("published ")
            + pl.col("published_at").cast(pl.String)
            + pl.lit(", more than two years before it was planned (")
            + pl.col("planned_on").cast(pl.String)
            + pl.lit("): check the dates")
        )
        .when(pl.col("measured_at") < pl.col("published_at"))
        .then(
            pl.lit("measured ")
            + pl.col("measured_at").cast(pl.String)
            + pl.lit(", before it was published (")
            + pl.col("published_at").cast(pl.String)
            + pl.lit("): check the dates")
        )
        .alias("reason")
    )["reason"]
    return reason


def _changed(name: str, old: str, new: str) -> str:
    """A "name: old → new" line for the preview when the file gives a value that differs."""
    return (
        f"case when {new} is not null and {new} is distinct from {old} then "
        f"'{name}: ' || coalesce(cast({old} as varchar), '—') || ' → ' || cast({new} as varchar) "
        "end"
    )


def _stored(name: str, alias: str = "p") -> str:
    """A placement's stored value as the file gives it: the publication's day (a file's date
    leaves a time entered in the app as it is)."""
    column = f"{alias}.{quote_ident(name)}"
    return f"cast({column} as date)" if name == "published_at" else column


def _classify_sql() -> str:
    def i(name: str) -> str:
        return f"i.{quote_ident(name)}"

    placement_changes = [
        "case when i.campaign is not null and (i.new_campaign or "
        "p.campaign_id is distinct from i.campaign_id) then "
        "'campaign: ' || coalesce(pk.name, '—') || ' → ' || i.campaign end",
        "case when p.channel_id <> i.file_channel_id then 'channel: ' || pc.platform || ':' || "
        "pc.handle || ' → ' || i.channel end",
        *(_changed(f, _stored(f), i(f)) for f in _PLACEMENT_FIELDS),
    ]
    result_changes = [
        *(_changed(f, f"lr.{quote_ident(f)}", i(f)) for f in METRIC_FIELDS),
        # a revenue in another currency is another revenue
        "case when i.revenue is not null and (i.revenue is distinct from lr.revenue or "
        "i.currency is distinct from lr.currency) then 'revenue: ' || "
        "coalesce(cast(lr.revenue as varchar) || ' ' || coalesce(lr.currency, ''), '—') || "
        "' → ' || cast(i.revenue as varchar) || ' ' || coalesce(i.currency, '') end",
    ]
    has_numbers = " or ".join(f"{i(f)} is not null" for f in _NUMBERS)
    return f"""
    with incoming as (
        select i.*, c.id as file_channel_id, k.id as campaign_id,
               i.campaign is not null and k.id is null as new_campaign,
               ({has_numbers}) as has_numbers
        from import_incoming i
        left join channels c
          on c.platform = split_part(i.channel, ':', 1)
         and c.handle = substr(i.channel, strpos(i.channel, ':') + 1)
        left join campaigns k on lower(k.name) = lower(i.campaign)
    ),
    joined as (
        select i.* exclude (file_channel_id),
               coalesce(i.file_channel_id, p.channel_id) as channel_id,
               p.id as record_id, p.version as record_version,
               list_filter([{", ".join(placement_changes)}], lambda x: x is not null)
                   as placement_changes,
               list_filter([{", ".join(result_changes)}], lambda x: x is not null)
                   as result_changes
        from incoming i
        left join placements p on p.ref = i.ref
        left join campaigns pk on pk.id = p.campaign_id
        left join channels pc on pc.id = p.channel_id
        left join ({latest_results_sql()}) lr on lr.placement_id = p.id
    )
    select * exclude (placement_changes, result_changes),
           len(placement_changes) > 0 as placement_changed,
           has_numbers and (record_id is null or len(result_changes) > 0) as new_measurement,
           case when record_id is null then 'new'
                when len(placement_changes) > 0 or (has_numbers and len(result_changes) > 0)
                    then 'updated'
                else 'unchanged' end as status,
           case when record_id is null then
                    case when new_campaign then 'new campaign: ' || campaign end
                else nullif(array_to_string(
                    list_concat(placement_changes,
                                case when has_numbers then result_changes else [] end),
                    '; '), '') end as changes
    from joined
    """


_CLASSIFY = _classify_sql()


def _write(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, source: str, step: Step) -> None:
    step(0.3, "Creating new campaigns")
    # the campaigns named by the file that do not exist yet, in the currency of its prices
    currency = plan.currency or base_currency(cur)
    cur.execute(
        """
        insert into campaigns (name, currency)
        select arg_min(campaign, line), ? from import_rows
        where new_campaign
        group by lower(campaign)
        order by min(line)
        """,
        [currency],
    )
    cur.execute(
        """
        update import_rows i set campaign_id = k.id
        from campaigns k
        where i.new_campaign and lower(k.name) = lower(i.campaign)
        """
    )
    step(0.5, "Writing new placements")
    cur.execute(
        """
        update import_rows set record_id = nextval('placements_id_seq') where status = 'new'
        """
    )
    cur.execute(
        """
        insert into placements (id, ref, campaign_id, channel_id, format, content_type, status,
                                planned_on, published_at, post_url, price_agreed, price_paid,
                                currency, erid, promo_code, planned_reach, planned_clicks,
                                planned_conversions)
        select record_id, ref, campaign_id, channel_id, coalesce(format, 'post'), content_type,
               case when published_at is not null then 'published' else 'planned' end,
               planned_on, cast(published_at as timestamp), post_url, price_agreed, price_paid,
               currency, erid, promo_code, planned_reach, planned_clicks, planned_conversions
        from import_rows where status = 'new' order by line
        """
    )
    step(0.7, "Updating placements")
    # a value the file gives and that differs from the stored one replaces it; an empty cell
    # keeps what is stored
    sets = ",\n".join(
        f"{quote_ident(f)} = case when i.{quote_ident(f)} is not null and "
        f"i.{quote_ident(f)} is distinct from {_stored(f)} then i.{quote_ident(f)} "
        f"else p.{quote_ident(f)} end"
        for f in _PLACEMENT_FIELDS
    )
    cur.execute(
        f"""
        update placements p
        set campaign_id = coalesce(i.campaign_id, p.campaign_id), channel_id = i.channel_id,
            {sets},
            status = case when p.status = 'cancelled' then p.status
                          when coalesce(i.published_at, p.published_at) is not null
                              then 'published'
                          else 'planned' end,
            version = p.version + 1, updated_at = current_timestamp
        from import_rows i
        where p.id = i.record_id and i.status = 'updated' and i.placement_changed
        """
    )
    step(0.85, "Writing measurements")
    metrics = ", ".join(quote_ident(f) for f in METRIC_FIELDS)
    cur.execute(
        f"""
        insert into results (placement_id, measured_at, {metrics}, revenue, currency,
                             provenance, source)
        select record_id, coalesce(cast(measured_at as timestamp), ?::timestamp), {metrics},
               revenue, case when revenue is not null then currency end, provenance, ?
        from import_rows where new_measurement order by line
        """,
        [_measured_at(plan), source],
    )


def _measured_at(plan: ImportPlan) -> dt.datetime:
    """The time of the measurements whose row gives none: the day chosen, else now."""
    day = plan.options.get("measured_on")
    return dt.datetime.combine(day, dt.time()) if isinstance(day, dt.date) else now()


def _advance(store: Store, cur: duckdb.DuckDBPyConnection, plan: ImportPlan) -> None:
    """The channels of the new and updated placements move on their campaigns' pipelines, as
    when each is logged by hand (crm.placements.advance_cards)."""
    rows = cur.execute(
        """
        select p.campaign_id, p.channel_id, p.published_at is not null
        from placements p join import_rows i on i.record_id = p.id
        where i.status in ('new', 'updated') and p.status <> 'cancelled'
        """
    ).fetchall()
    advance_cards(store, [(a, b, bool(c)) for a, b, c in rows])


PLACEMENT_IMPORT = ImportKind(
    entity=_ENTITY,
    classify_sql=_CLASSIFY,
    write=_write,
    preview=(
        "ref",
        "campaign",
        "channel",
        "format",
        "published_at",
        "price_paid",
        "currency",
        "impressions",
        "reach",
        "clicks",
        "conversions",
    ),  # fmt: skip
    prepare=_own_columns,
    finish=_finish,
    parts=("placements", "outreach"),
    check_rows=_check_rows,
    after_write=_advance,
)


def _channel_choice(value: object) -> str | None:
    """The channel of a file that has no channel column, as ``platform:handle``."""
    if value is None or not str(value).strip():
        return None
    ref = choice(parse_channel_key, str(value))
    return f"{ref.platform}:{ref.handle}"


def _new_campaigns(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> list[str]:
    """The campaigns the rows name that do not exist yet, in file order (case ignored)."""
    named = (
        rows.filter(pl.col("campaign").is_not_null())
        .group_by(pl.col("campaign").str.to_lowercase().alias("low"), maintain_order=True)
        .agg(pl.col("campaign").first())
    )
    if named.height == 0:
        return []
    cur.register("named_campaigns", named.to_arrow())
    try:
        found = cur.sql(
            """
            select n.campaign from named_campaigns n
            where not exists (select 1 from campaigns k where lower(k.name) = n.low)
            """
        ).fetchall()
    finally:
        cur.unregister("named_campaigns")
    missing = {str(r[0]) for r in found}
    return [c for c in named["campaign"].to_list() if c in missing]


def plan_placement_import(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    preview: bool = True,
) -> ImportPlan:
    """Normalise a read file of placements and their results and classify each row as new,
    updated, unchanged or rejected (the preview). ``options``: ``campaign`` of rows that name
    none, ``channel`` (PLATFORM:HANDLE) of a file without a channel column, ``currency`` of
    amounts whose row names none, ``provenance`` of the numbers, ``measured_on`` of rows that
    have no measurement time, ``date_order`` for dates that read both ways."""
    opts = dict(options or {})
    campaign = opts.get("campaign")
    opts.update(
        campaign=str(campaign).strip() or None if campaign is not None else None,
        channel=_channel_choice(opts.get("channel")),
        currency=choice(PLACEMENTS.by_name("currency").check, opts.get("currency")),
        provenance=choice(PLACEMENTS.by_name("provenance").check, opts.get("provenance"))
        or "manual",
    )
    plan = plan_import(cur, PLACEMENT_IMPORT, table, mapping, opts, preview=preview)
    created = _new_campaigns(cur, plan.rows)
    if created:
        shown = ", ".join(shorten(c) for c in created[:_SHOWN_CAMPAIGNS])
        more = ", …" if len(created) > _SHOWN_CAMPAIGNS else ""
        what = (
            "1 new campaign will be created"
            if len(created) == 1
            else (f"{len(created)} new campaigns will be created")
        )
        plan.warnings.append(f"{what}: {shown}{more}.")
    return plan


def apply_placement_import(
    store: Store, plan: ImportPlan, source: str | None = None, progress: Step | None = None
) -> ImportResult:
    """Write a planned placement import in one transaction; all or nothing (StaleEdit when a
    placement it updates changed since the preview)."""
    return apply_plan(store, PLACEMENT_IMPORT, plan, source, progress)


def import_placements_file(
    store: Store,
    path: str | Path,
    *,
    mapping: dict[str, str | None] | None = None,
    campaign: str | None = None,
    channel: str | None = None,
    currency: str | None = None,
    provenance: str = "manual",
    measured_on: dt.date | None = None,
    dry_run: bool = False,
    report: str | Path | None = None,
    date_order: str | None = None,
    progress: Step | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX file of placements and their results (one measurement per row);
    refuses unreadable files and files that need a choice not made (a currency, the day/month
    order). With ``report``, the rejected rows (line, reason, their cells) go there as CSV."""
    options = {
        "campaign": campaign,
        "channel": channel,
        "currency": currency,
        "provenance": provenance,
        "measured_on": measured_on,
        "date_order": date_order,
    }
    return import_file(
        store,
        PLACEMENT_IMPORT,
        path,
        lambda cur, table, preview: plan_placement_import(
            cur, table, mapping, options, preview=preview
        ),
        dry_run=dry_run,
        report=report,
        progress=progress,
    )
