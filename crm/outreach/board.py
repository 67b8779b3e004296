"""The pipeline board: per stage how many cards the filter admits, and the first few cards of
each, read set-based (two queries and one price look-up, however many cards there are)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import polars as pl

from crm.outreach.sql import frame
from crm.outreach.stages import Stage, list_stages
from crm.pricing import latest_prices
from crm.registry import latest_known_sql


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows: one campaign (None: every campaign not closed), one manager, one
    platform, only overdue cards."""

    campaign_id: int | None = None
    manager: str | None = None
    platform: str | None = None
    overdue_only: bool = False


@dataclass(frozen=True)
class Card:
    """One shortlisted channel on the board."""

    entry_id: int
    version: int
    campaign_id: int
    campaign: str
    channel_id: int
    title: str | None
    platform: str
    handle: str
    followers: int | None
    price: Decimal | None
    price_currency: str | None
    stage: str
    days_in_stage: int
    next_follow_up: dt.date | None
    overdue: bool
    manager: str | None
    priority: str


@dataclass(frozen=True)
class Board:
    """The stages in order, the number of cards per stage, the first cards of each."""

    stages: list[Stage]
    counts: dict[str, int]
    cards: dict[str, list[Card]]


# a follow-up is overdue when its day has passed and the card still needs work: not in a
# closing stage, not paid (shared by the board, the shortlist table and follow-ups)
OVERDUE_SQL = """(coalesce(s.next_follow_up < ?::date, false)
    and not coalesce(st.closing, false) and s.stage <> 'paid')"""
PRIORITY_RANK_SQL = "case s.priority when 'high' then 0 when 'normal' then 1 else 2 end"


def _where(flt: BoardFilter) -> tuple[str, list[object]]:
    """The filter as a condition over shortlist s, campaigns k, channels c, stages st; the
    first parameter is today (for the overdue condition)."""
    conditions: list[str] = []
    params: list[object] = []
    if flt.campaign_id is not None:
        conditions.append("s.campaign_id = ?")
        params.append(flt.campaign_id)
    else:
        conditions.append("k.status <> 'closed'")
    if flt.manager:
        conditions.append("s.manager = ?")
        params.append(flt.manager)
    if flt.platform:
        conditions.append("c.platform = ?")
        params.append(flt.platform)
    if flt.overdue_only:
        conditions.append(OVERDUE_SQL)
    return " and ".join(conditions), params


_FROM = """
    from shortlist s
    join campaigns k on k.id = s.campaign_id
    join channels c on c.id = s.channel_id
    left join stages st on st.key = s.stage
"""


def board(
    cur: duckdb.DuckDBPyConnection,
    flt: BoardFilter,
    *,
    limits: Mapping[str, int] | None = None,
    default_limit: int = 6,
    today: dt.date | None = None,
) -> Board:
    """The board for a filter: counts per stage, and the first ``limits[stage]`` (else
    ``default_limit``) cards of each stage, by priority, overdue first, then follow-up date."""
    day = today or dt.date.today()
    stages = list_stages(cur)
    where, params = _where(flt)
    # the overdue condition of the filter takes today; its ? comes last in ``where``
    filter_params = [*params, day] if flt.overdue_only else params
    counted = cur.execute(
        f"select s.stage, count(*) {_FROM} where {where} group by s.stage", filter_params
    ).fetchall()
    counts = {s.key: 0 for s in stages}
    counts.update({str(k): int(n) for k, n in counted})
    keys = [s.key for s in stages]
    wanted = [max(0, int((limits or {}).get(k, default_limit))) for k in keys]
    scope = f"c.id in (select s.channel_id {_FROM} where {where})"
    rows = frame(
        cur,
        f"""
        with {latest_known_sql(scope)},
        cards as (
            select s.id as entry_id, s.version, s.campaign_id, k.name as campaign,
                   s.channel_id, c.title, c.platform, c.handle, l.followers, s.stage,
                   date_diff('day', s.stage_since::date, ?::date) as days_in_stage,
                   s.next_follow_up, {OVERDUE_SQL} as overdue, s.manager, s.priority,
                   row_number() over (
                       partition by s.stage
                       order by {PRIORITY_RANK_SQL}, {OVERDUE_SQL} desc,
                                s.next_follow_up nulls last, s.stage_since, s.id
                   ) as place
            {_FROM}
            left join latest l on l.channel_id = c.id
            where {where}
        ),
        wanted as (
            select unnest(?::varchar[]) as stage, unnest(?::integer[]) as n
        )
        select cards.* from cards join wanted using (stage)
        where cards.place <= wanted.n
        order by cards.stage, cards.place
        """,
        [*filter_params, day, day, day, *filter_params, keys, wanted],
    )
    prices = _prices(cur, rows, flt.campaign_id)
    cards: dict[str, list[Card]] = {k: [] for k in keys}
    for row in rows.iter_rows(named=True):
        price = prices.get((row["campaign_id"], row["channel_id"]))
        cards[row["stage"]].append(
            Card(
                entry_id=row["entry_id"], version=row["version"], campaign_id=row["campaign_id"],
                campaign=row["campaign"], channel_id=row["channel_id"], title=row["title"],
                platform=row["platform"], handle=row["handle"], followers=row["followers"],
                price=price[0] if price else None, price_currency=price[1] if price else None,
                stage=row["stage"], days_in_stage=max(0, int(row["days_in_stage"])),
                next_follow_up=row["next_follow_up"], overdue=bool(row["overdue"]),
                manager=row["manager"], priority=row["priority"],
            )
        )  # fmt: skip
    return Board(stages, counts, cards)


def _prices(
    cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, campaign_id: int | None
) -> dict[tuple[int, int], tuple[Decimal, str]]:
    """The latest post price of each shown card's channel (crm.pricing.latest_prices), its
    campaign's own prices first: one look-up per campaign on the board, not per card."""
    out: dict[tuple[int, int], tuple[Decimal, str]] = {}
    if rows.is_empty():
        return out
    campaigns = [campaign_id] if campaign_id is not None else rows["campaign_id"].unique().to_list()
    for cid in campaigns:
        ids = rows.filter(pl.col("campaign_id") == cid)["channel_id"].to_list()
        found = latest_prices(cur, ids, "post", campaign_id=cid)
        for channel_id, amount, currency in found.select(
            "channel_id", "amount", "currency"
        ).iter_rows():
            out[(cid, channel_id)] = (amount, currency)
    return out


def managers(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Everyone a shortlisted channel is assigned to, alphabetically."""
    rows = cur.execute(
        "select distinct manager from shortlist where manager is not null order by manager"
    ).fetchall()
    return [str(r[0]) for r in rows]
