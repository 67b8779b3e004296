"""A channel's scorecard: what it delivered in this workspace, from its placements and outreach.

- placements: every placement logged with the channel (any status); published: those out;
- delivery: total actual reach / total planned reach over its placements that know both;
- CPM and CPA: total cost / total impressions × 1000 (over reach when none of its placements
  knows impressions: ``cpm_basis``) and total cost / total conversions, in the base currency;
  beside each, the median over the campaigns the channel ran in of each campaign's own CPM and
  CPA (ratios of sums over all that campaign's placements). The figures are those of the KPI
  table (crm.placements.kpis ``figures_sql``): cancelled placements are left out;
- time to first reply: the median hours over its contacted cards (crm.outreach ``reply_times``);
- on-time rate: placements published on or before their planned day / published placements
  with a planned day;
- cancelled: its placements cancelled + its cards standing in ``declined``; ghosted: its cards
  ever moved to ``no_response``.

A channel has history when it has a placement or a card that was contacted, declined or
ghosted. Without history every figure is None (the UI says "no history"), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb
import polars as pl

from crm import metrics as m
from crm.errors import NotFound, ValidationError
from crm.formatting import format_hours, format_money, format_percent
from crm.outreach import reply_times
from crm.placements.kpis import figures_sql
from crm.pricing import base_currency

NO_HISTORY = "no history"

# the figures that are None without history (every column but channel_id and has_history)
FIGURES = (
    "placements", "published", "delivery", "cpm", "cpm_basis", "cpa", "campaigns",
    "campaign_cpm_median", "campaign_cpa_median", "contacted", "replied", "reply_hours",
    "on_time_rate", "on_time_points", "cancelled", "cancelled_placements", "declined",
    "ghosted",
)  # fmt: skip

_SCORECARDS = """
with f as ({figures}),
asked as (
    select id as channel_id from channels
    where ?::bigint[] is null or list_contains(?::bigint[], id)
),
own as (
    select f.channel_id,
           {cpm} as cpm, {basis} as cpm_basis, {cpa} as cpa, {delivery} as delivery
    from f semi join asked a on a.channel_id = f.channel_id
    group by f.channel_id
),
ran as (
    select distinct f.channel_id, f.campaign_id
    from f semi join asked a on a.channel_id = f.channel_id
    where f.campaign_id is not null
),
campaign as (
    -- each campaign's own ratio-of-sums CPM and CPA, over all its channels' placements
    select f.campaign_id, {cpm} as cpm, {cpa} as cpa
    from f semi join ran r on r.campaign_id = f.campaign_id
    group by f.campaign_id
),
medians as (
    select r.channel_id, count(*) as campaigns, median(c.cpm) as campaign_cpm_median,
           median(c.cpa) as campaign_cpa_median
    from ran r join campaign c on c.campaign_id = r.campaign_id
    group by r.channel_id
),
logged as (
    select p.channel_id, count(*) as placements,
           count(*) filter (where p.status = 'published') as published,
           count(*) filter (where p.status = 'cancelled') as cancelled_placements,
           count(*) filter (where {dated} and p.published_at::date <= p.planned_on) as on_time,
           count(*) filter (where {dated}) as on_time_points
    from placements p semi join asked a on a.channel_id = p.channel_id
    group by p.channel_id
),
cards as (
    select s.channel_id, count(*) filter (where s.stage = 'declined') as declined
    from shortlist s semi join asked a on a.channel_id = s.channel_id
    group by s.channel_id
),
ghosts as (
    select e.channel_id, count(distinct e.campaign_id) as ghosted
    from events e semi join asked a on a.channel_id = e.channel_id
    where e.type = 'stage' and e.stage_to = 'no_response'
    group by e.channel_id
)
select a.channel_id, coalesce(l.placements, 0) as placements,
       coalesce(l.published, 0) as published,
       o.delivery, round(o.cpm, 2)::decimal(18, 2) as cpm, o.cpm_basis,
       round(o.cpa, 2)::decimal(18, 2) as cpa, coalesce(md.campaigns, 0) as campaigns,
       round(md.campaign_cpm_median, 2)::decimal(18, 2) as campaign_cpm_median,
       round(md.campaign_cpa_median, 2)::decimal(18, 2) as campaign_cpa_median,
       {on_time} as on_time_rate, coalesce(l.on_time_points, 0) as on_time_points,
       coalesce(l.cancelled_placements, 0) + coalesce(cd.declined, 0) as cancelled,
       coalesce(l.cancelled_placements, 0) as cancelled_placements,
       coalesce(cd.declined, 0) as declined, coalesce(g.ghosted, 0) as ghosted
from asked a
left join own o on o.channel_id = a.channel_id
left join medians md on md.channel_id = a.channel_id
left join logged l on l.channel_id = a.channel_id
left join cards cd on cd.channel_id = a.channel_id
left join ghosts g on g.channel_id = a.channel_id
order by a.channel_id
"""


@dataclass(frozen=True)
class Scorecard:
    """One channel's scorecard (see the module's docstring); every figure None without history."""

    channel_id: int
    has_history: bool
    base_currency: str
    placements: int | None = None
    published: int | None = None
    delivery: float | None = None
    cpm: Decimal | None = None  # base currency
    cpm_basis: str | None = None  # "impressions" | "reach"
    cpa: Decimal | None = None  # base currency
    campaigns: int | None = None
    campaign_cpm_median: Decimal | None = None
    campaign_cpa_median: Decimal | None = None
    contacted: int | None = None
    replied: int | None = None
    reply_hours: float | None = None
    on_time_rate: float | None = None
    on_time_points: int | None = None
    cancelled: int | None = None
    cancelled_placements: int | None = None
    declined: int | None = None
    ghosted: int | None = None


def _query(channel_ids: list[int] | None) -> tuple[str, list[object]]:
    figures, params = figures_sql()
    dated = "p.status = 'published' and p.published_at is not null and p.planned_on is not null"
    sql = _SCORECARDS.format(
        figures=figures,
        cpm=m.cpm_of_sums_sql("f", cost="cost"),
        basis=m.exposure_basis_of_sums_sql("f"),
        cpa=m.ratio_of_sums_sql("cost", "conversions", "f"),
        delivery=m.ratio_of_sums_sql("reach", "planned_reach", "f"),
        dated=dated,
        on_time=m.ratio_sql(m.col("on_time", "l"), m.col("on_time_points", "l")),
    )
    ids = None if channel_ids is None else [int(i) for i in channel_ids]
    return sql, [*params, ids, ids]


def scorecards(
    cur: duckdb.DuckDBPyConnection, channel_ids: list[int] | None = None
) -> pl.DataFrame:
    """Scorecards of the given channels (all when None), one row per existing channel in id
    order: channel_id, has_history, the figures of ``FIGURES`` (all null without history) and
    base_currency. Set-based: one query, and the reply times of crm.outreach joined on."""
    sql, params = _query(channel_ids)
    frame: pl.DataFrame = cur.sql(sql, params=params).pl()
    replies = reply_times(cur, by="channel").select(
        pl.col("channel_id").cast(pl.Int64),
        pl.col("contacted").cast(pl.Int64),
        pl.col("replies").cast(pl.Int64).alias("replied"),
        pl.col("median_hours").cast(pl.Float64).alias("reply_hours"),
    )
    frame = frame.with_columns(pl.col("channel_id").cast(pl.Int64)).join(
        replies, on="channel_id", how="left"
    )
    frame = frame.with_columns(pl.col("contacted", "replied").fill_null(0))
    history = (
        (pl.col("placements") > 0)
        | (pl.col("contacted") > 0)
        | (pl.col("declined") > 0)
        | (pl.col("ghosted") > 0)
    )
    frame = frame.with_columns(history.alias("has_history"))
    # no history: nothing is known, so nothing is shown as 0
    frame = frame.with_columns(
        pl.when(pl.col("has_history")).then(pl.col(c)).alias(c) for c in FIGURES
    )
    return frame.select(
        "channel_id", "has_history", *FIGURES, pl.lit(base_currency(cur)).alias("base_currency")
    ).sort("channel_id")


def channel_scorecard(cur: duckdb.DuckDBPyConnection, channel_id: int) -> Scorecard:
    """One channel's scorecard, as ``scorecards`` computes it; NotFound for an unknown channel."""
    frame = scorecards(cur, [channel_id])
    if frame.is_empty():
        raise NotFound(f"Channel {channel_id} does not exist.")
    row = frame.row(0, named=True)
    return Scorecard(**row)


def _count(n: int | None, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def scorecard_lines(card: Scorecard) -> list[tuple[str, str]]:
    """The scorecard for people: (label, text) pairs, or one line saying "no history"."""
    if not card.has_history:
        return [("Scorecard", NO_HISTORY)]
    base = card.base_currency

    def against(value: Decimal | None, median: Decimal | None) -> str:
        own = format_money(value, base)
        if median is None:
            return own
        return f"{own} (median of its campaigns {format_money(median, base)})"

    basis = " (over reach: no impressions known)" if card.cpm_basis == "reach" else ""
    on_time = format_percent(card.on_time_rate)
    if card.on_time_points:
        on_time += f" of {card.on_time_points} published with a planned day"
    reply = format_hours(card.reply_hours)
    if card.contacted:
        reply += f" ({card.replied} of {card.contacted} contacted replied)"
    return [
        ("Placements", f"{card.placements} ({card.published} published)"),
        ("Delivery", format_percent(card.delivery)),
        ("CPM", against(card.cpm, card.campaign_cpm_median) + basis),
        ("CPA", against(card.cpa, card.campaign_cpa_median)),
        ("Time to first reply", reply),
        ("On-time publication", on_time),
        (
            "Cancelled deals",
            f"{card.cancelled} ({_count(card.cancelled_placements, 'placement')} cancelled, "
            f"{_count(card.declined, 'card')} declined)",
        ),
        ("Ghosted", str(card.ghosted)),
    ]


# what the registry's "Track record" filter narrows by: a key, its label, and the condition
# over a scorecard row (delivery is actual / planned reach, METRICS.md)
TRACK_RECORDS: dict[str, tuple[str, pl.Expr]] = {
    "history": ("Has a history", pl.col("has_history")),
    "delivered": ("Delivered the planned reach", pl.col("delivery") >= 1),
    "under": ("Delivered under 90 % of plan", pl.col("delivery") < 0.9),
    "on_time": ("Always published on time", pl.col("on_time_rate") >= 1),
    "none": ("No history yet", ~pl.col("has_history")),
}


def track_record_ids(cur: duckdb.DuckDBPyConnection, key: str) -> tuple[int, ...]:
    """The channels whose scorecard meets one of TRACK_RECORDS, in id order."""
    if key not in TRACK_RECORDS:
        raise ValidationError(f"“{key}” is not a track record to filter by.")
    frame = scorecards(cur).filter(TRACK_RECORDS[key][1].fill_null(False))
    return tuple(int(i) for i in frame["channel_id"])
