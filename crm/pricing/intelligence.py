"""Price intelligence: what a channel's price is worth against its peers (METRICS.md est. CPM).

The field has no price standard, so the workspace builds one from what it has seen. A channel's
est. CPM (its latest agreed, else quoted, else listed price in the base currency at the price's
date, over its latest known avg reach × 1000) is placed among its peers: channels of the same
platform and first niche (the platform only when it has no niche), narrowed to its size band by
followers when at least ``SIZE_BAND_MIN`` peers are in that band. With fewer than ``MIN_PEERS``
peers there is no comparison, and the hint says so instead of guessing.

Percentile = (peers with est. CPM below + 0.5 × peers equal) / peers × 100, the channel itself
excluded; the walk-away price is the price at which the channel's est. CPM would equal the peer
median (est. CPM inverted: median × avg reach / 1000).

What the workspace paid counts too: a channel's achieved CPM is its published placements' total
cost / total impressions × 1000 (over reach when none of them knows impressions; the placements
KPIs' rule, crm.metrics ``cpm_of_sums_sql``), cost in the base currency at each placement's date,
each placement's latest measurement; the number of placements it rests on is its data points.
The peers' achieved median is the median of the achieved CPMs of the channel's peer group (the
same group as for est. CPM, the channel itself left out), shown from ``MIN_ACHIEVED_PEERS``
peers on. The placements and results tables are read in SQL here: crm.pricing sits below
crm.placements.

Everything is computed set-based (``price_hints``) for any number of channels at once;
``price_hint`` is the same query for one channel, with the words that explain it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import duckdb
import polars as pl

from crm import metrics
from crm.errors import NotFound
from crm.fields import PRICES
from crm.formatting import format_count, format_money
from crm.metrics import Sql
from crm.pricing.currencies import base_currency, converted_sql
from crm.pricing.prices import cents, latest_prices_sql, per_thousand
from crm.registry.queries import latest_known_sql

MIN_PEERS = 5
MIN_ACHIEVED_PEERS = 3  # peers with an achieved CPM before their median is shown
SIZE_BAND_MIN = 10
# size bands by followers: (label, lower bound inclusive); the upper bound is the next one's
SIZE_BANDS = (("<10k", 0), ("10k–100k", 10_000), ("100k–1M", 100_000), ("≥1M", 1_000_000))
_CENT = Decimal("0.01")


def size_band(followers: int | None) -> str | None:
    """The size band of a channel by its followers (None when unknown)."""
    if followers is None:
        return None
    label = SIZE_BANDS[0][0]
    for name, lower in SIZE_BANDS:
        if followers >= lower:
            label = name
    return label


def _band_sql(followers: str) -> str:
    cases = " ".join(
        f"when {followers} >= {lower} then '{name}'" for name, lower in reversed(SIZE_BANDS)
    )
    return f"case when {followers} is null then null {cases} end"


@dataclass(frozen=True)
class PriceHint:
    """A channel's price against its peers, with how it was computed."""

    channel_id: int
    format: str
    price: Decimal | None
    price_currency: str | None
    price_kind: str | None
    price_base: Decimal | None
    base_currency: str
    avg_reach: float | None
    followers: int | None
    est_cpm: Decimal | None  # base currency
    cpf: Decimal | None  # base currency
    peer_group: str  # "telegram · finance · 10k–100k"
    peers: int
    peer_median: Decimal | None
    percentile: float | None  # 0–100
    walk_away: Decimal | None  # base currency
    achieved_cpm: Decimal | None  # base currency: what this workspace paid per 1000 seen
    achieved_points: int  # published placements with a cost and impressions (or reach)
    peer_achieved_median: Decimal | None  # base currency
    peer_achieved_count: int  # peers with an achieved CPM
    basis: str
    note: str | None


# one row per channel that has a price of the format: its est. CPM in the base currency (the
# peers' side), and one per asked channel (the targets' side); both read the latest known
# followers and avg reach of ``latest``
_HINTS = """
with {latest},
priced as ({converted}),
known as (
    select c.id as channel_id, c.platform, c.niches[1] as niche, c.archived,
           l.followers, l.avg_reach, {band} as band,
           p.kind, p.amount, p.currency, p.date, p.amount_to as price_base, p.rate_date,
           p.rate_missing, {est_cpm} as est_cpm
    from channels c
    left join latest l on l.channel_id = c.id
    left join priced p on p.channel_id = c.id
    where c.id in (select channel_id from priced) or c.id in (select unnest(?::bigint[]))
),
targets as (
    select *, est_cpm is not null and not archived as self_in
    from known where channel_id in (select unnest(?::bigint[]))
),
-- the peers' est. CPMs, only on the platforms and niches asked about (a channel without niche
-- compares with its whole platform); a peer without niche or size is in niche '' or band '?'
-- (so that a NULL of the grouping sets below means "any")
peers as (
    select platform, coalesce(niche, '') as niche, coalesce(band, '?') as band, est_cpm
    from known
    where est_cpm is not null and not archived
      and platform in (select platform from targets)
      and (niche in (select niche from targets)
           or platform in (select platform from targets where niche is null))
),
band_sizes as (
    select platform, niche, band, count(*) as n from peers group by grouping sets
        ((platform, niche, band), (platform, band))
),
decided as (
    -- the size band narrows the peers when, the channel itself left out, enough are in it
    select t.*, coalesce(s.n, 0) - t.self_in::int >= ? as by_band
    from targets t
    left join band_sizes s
      on s.platform = t.platform and s.niche is not distinct from t.niche and s.band = t.band
),
group_keys as (
    select distinct platform, coalesce(niche, '*any*') as niche,
           case when by_band then band else '*any*' end as band
    from decided
),
-- every peer in each group it can belong to ('*any*': any niche or size), kept where a channel
-- asked about compares in that group: equality joins only
expanded as (
    select platform, niche, band, est_cpm from peers
    union all select platform, niche, '*any*', est_cpm from peers
    union all select platform, '*any*', band, est_cpm from peers
    union all select platform, '*any*', '*any*', est_cpm from peers
),
groups as (
    select e.platform, e.niche, e.band, count(*) as n, list(e.est_cpm order by e.est_cpm) as vals
    from expanded e
    semi join group_keys k on k.platform = e.platform and k.niche = e.niche and k.band = e.band
    group by e.platform, e.niche, e.band
),
chosen as (
    -- the channel itself leaves its group: one value equal to its own est. CPM
    select d.*, g.vals, coalesce(g.n, 0) - d.self_in::int as peers
    from decided d
    left join groups g
      on g.platform = d.platform and g.niche = coalesce(d.niche, '*any*')
     and g.band = case when d.by_band then d.band else '*any*' end
),
counted as (
    select *,
           len(list_filter(vals, lambda x: x < est_cpm)) as below,
           len(list_filter(vals, lambda x: x <= est_cpm)) as upto,
           (peers + 1) // 2 as m1, peers // 2 + 1 as m2
    from chosen
),
stats as (
    -- the k-th smallest of the peers: vals[k], or vals[k + 1] past the channel's own value
    select *, upto - below - self_in::int as equal,
           case when peers > 0 then
               (case when self_in and m1 >= upto then vals[m1 + 1] else vals[m1] end
                + case when self_in and m2 >= upto then vals[m2 + 1] else vals[m2] end) / 2
           end as peer_median
    from counted
)
select channel_id, platform, niche, band, followers, avg_reach, kind as price_kind,
       amount as price, currency as price_currency, date as price_date, price_base,
       rate_date, rate_missing, est_cpm as est_cpm_sql, by_band, peers, peer_median,
       case when est_cpm is not null then below end as below,
       case when est_cpm is not null then equal end as equal
from stats
"""


def _hints_query(format: str, channel_ids: list[int]) -> tuple[str, list[object]]:
    converted, conv_params = converted_sql(latest_prices_sql())
    est = metrics.est_cpm_sql(price=Sql("p.amount_to"), reach=Sql("l.avg_reach"))
    sql = _HINTS.format(
        latest=latest_known_sql(), converted=converted, band=_band_sql("l.followers"),
        est_cpm=est,
    )  # fmt: skip
    ids = [int(i) for i in channel_ids]
    params: list[object] = [*conv_params, format, ids, ids, SIZE_BAND_MIN]
    return sql, params


# per channel with published placements: its achieved CPM (ratio of sums over its placements'
# latest measurements, cost in the base currency) and how many placements it rests on
_ACHIEVED = """
with {latest},
costs as ({converted}),
measured as (
    select placement_id, reach, impressions from results
    qualify row_number() over (partition by placement_id order by measured_at desc, id desc) = 1
),
f as (
    -- a cost of 0 needs no rate
    select k.channel_id, case when k.amount = 0 then 0 else k.amount_to end as cost,
           m.impressions, m.reach
    from costs k join measured m on m.placement_id = k.placement_id
)
select f.channel_id, c.platform, c.niches[1] as niche, c.archived, {band} as band,
       {cpm} as achieved_cpm, {points} as points
from f
join channels c on c.id = f.channel_id
left join latest l on l.channel_id = f.channel_id
group by f.channel_id, c.platform, c.niches[1], c.archived, l.followers
"""


def _achieved_query() -> tuple[str, list[object]]:
    source = f"""
        select p.id as placement_id, p.channel_id, {metrics.cost_sql("p")} as amount,
               p.currency, coalesce(p.published_at::date, p.planned_on, p.created_at::date) as date
        from placements p
        where p.status = 'published' and {metrics.cost_sql("p")} is not null
    """
    converted, params = converted_sql(source)
    both = "f.cost is not null and f.{} is not null"
    points = (
        f"case when count(f.impressions) > 0 then count(*) filter (where {both.format('impressions')})"
        f" else count(*) filter (where {both.format('reach')}) end"
    )
    sql = _ACHIEVED.format(
        latest=latest_known_sql(), converted=converted, band=_band_sql("l.followers"),
        cpm=metrics.cpm_of_sums_sql("f", cost="cost"), points=points,
    )  # fmt: skip
    return sql, params


def _achieved(cur: duckdb.DuckDBPyConnection, rows: list[_Row]) -> dict[int, _Achieved]:
    """Each asked channel's achieved CPM and the median of its peers' (set-based: one query,
    then one join of the asked channels' peer groups with the channels that have a figure)."""
    sql, params = _achieved_query()
    known = cur.sql(sql, params=params).pl().filter(pl.col("achieved_cpm").is_not_null())
    schema: dict[str, pl.DataType] = {
        "channel_id": pl.Int64(), "platform": pl.String(), "niche": pl.String(),
        "band": pl.String(), "by_band": pl.Boolean(),
    }  # fmt: skip
    targets = pl.DataFrame(
        [(r.channel_id, r.platform, r.niche, r.band, r.by_band) for r in rows],
        schema=schema,
        orient="row",
    )
    peers = known.filter(~pl.col("archived")).select(
        pl.col("channel_id").alias("peer_id"), "platform",
        pl.col("niche").alias("peer_niche"), pl.col("band").alias("peer_band"), "achieved_cpm",
    )  # fmt: skip
    # the est. CPM's peer group: same platform; same first niche unless the channel has none;
    # same size band when the hint narrowed to it
    matched = targets.join(peers, on="platform").filter(
        (pl.col("peer_id") != pl.col("channel_id"))
        & (pl.col("niche").is_null() | (pl.col("peer_niche") == pl.col("niche")))
        & (~pl.col("by_band") | (pl.col("peer_band") == pl.col("band")))
    )
    medians = matched.group_by("channel_id").agg(
        pl.col("achieved_cpm").median().alias("median"), pl.len().alias("count")
    )
    own = {int(c): (v, int(n)) for c, v, n in known.select("channel_id", "achieved_cpm",
                                                           "points").rows()}  # fmt: skip
    peer = {int(c): (v, int(n)) for c, v, n in medians.rows()}
    out: dict[int, _Achieved] = {}
    for r in rows:
        value, points = own.get(r.channel_id, (None, 0))
        median, count = peer.get(r.channel_id, (None, 0))
        out[r.channel_id] = _Achieved(
            _money(value), points, _money(median) if count >= MIN_ACHIEVED_PEERS else None, count
        )
    return out


class _Achieved(NamedTuple):
    cpm: Decimal | None
    points: int
    peer_median: Decimal | None
    peer_count: int


def _money(value: float | None) -> Decimal | None:
    """A figure DuckDB computed over a float reach, as money to the cent."""
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(_CENT, ROUND_HALF_UP)


def _peer_group(platform: str, niche: str | None, band: str | None, by_band: bool) -> str:
    parts = [platform, niche or "any niche (no niche: platform only)"]
    if by_band and band:
        parts.append(band)
    return " · ".join(parts)


def _percentile(peers: int, below: int | None, equal: int | None) -> float | None:
    if peers < MIN_PEERS or below is None or equal is None:
        return None
    return (below + 0.5 * equal) / peers * 100


def _walk_away(median: Decimal | None, avg_reach: float | None) -> Decimal | None:
    # est. CPM = price / avg reach × 1000, solved for the price at the peer median
    if median is None or avg_reach is None:
        return None
    return cents(median * Decimal(repr(float(avg_reach))) / 1000)


class _Row(NamedTuple):
    """One row of the hints query (its columns, in order)."""

    channel_id: int
    platform: str
    niche: str | None
    band: str | None
    followers: int | None
    avg_reach: float | None
    price_kind: str | None
    price: Decimal | None
    price_currency: str | None
    price_date: dt.date | None
    price_base: Decimal | None
    rate_date: dt.date | None
    rate_missing: str | None
    est_cpm_sql: float | None
    by_band: bool
    peers: int
    peer_median: float | None
    below: int | None
    equal: int | None


class _Figures(NamedTuple):
    est_cpm: Decimal | None
    cpf: Decimal | None
    peers: int
    peer_median: Decimal | None
    percentile: float | None
    walk_away: Decimal | None


def _rows(cur: duckdb.DuckDBPyConnection, channel_ids: list[int], format: str) -> list[_Row]:
    sql, params = _hints_query(format, channel_ids)
    return [_Row(*row) for row in cur.execute(sql, params).fetchall()]


def _figures(row: _Row) -> _Figures:
    """The hint's numbers from one row of the query: est. CPM and CPF by crm.metrics's forms to
    the cent; the peers' figures only when there are enough peers."""
    comparable = row.peers >= MIN_PEERS
    median = _money(row.peer_median) if comparable else None
    percentile = None
    if comparable and row.est_cpm_sql is not None:
        percentile = _percentile(row.peers, row.below, row.equal)
    return _Figures(
        est_cpm=per_thousand(row.price_base, row.avg_reach),
        cpf=per_thousand(row.price_base, row.followers),
        peers=row.peers,
        peer_median=median,
        percentile=percentile,
        walk_away=_walk_away(median, row.avg_reach),
    )


def price_hints(
    cur: duckdb.DuckDBPyConnection, channel_ids: list[int], format: str = "post"
) -> pl.DataFrame:
    """Price hints of many channels at once (set-based): channel_id, est_cpm, cpf, peers,
    peer_median, percentile, walk_away, achieved_cpm, achieved_points, peer_achieved_median,
    peer_achieved_count, base_currency; one row per channel asked for."""
    clean = PRICES.by_name("format").check(format) or "post"
    base = base_currency(cur)
    rows = _rows(cur, channel_ids, clean)
    achieved = _achieved(cur, rows)
    out = [(row.channel_id, *_figures(row), *achieved[row.channel_id], base) for row in rows]
    money = pl.Decimal(18, 2)
    schema: dict[str, pl.DataType] = {
        "channel_id": pl.Int64(), "est_cpm": money, "cpf": money, "peers": pl.Int64(),
        "peer_median": money, "percentile": pl.Float64(), "walk_away": money,
        "achieved_cpm": money, "achieved_points": pl.Int64(), "peer_achieved_median": money,
        "peer_achieved_count": pl.Int64(), "base_currency": pl.String(),
    }  # fmt: skip
    return pl.DataFrame(out, schema=schema, orient="row").sort("channel_id")


def price_hint(cur: duckdb.DuckDBPyConnection, channel_id: int, format: str = "post") -> PriceHint:
    """One channel's price hint, as ``price_hints`` computes it, with how it was computed (on how
    many data points) and why anything is missing."""
    clean = PRICES.by_name("format").check(format) or "post"
    base = base_currency(cur)
    rows = _rows(cur, [channel_id], clean)
    if not rows:
        raise NotFound(f"Channel {channel_id} does not exist.")
    row = rows[0]
    f = _figures(row)
    got = _achieved(cur, rows)[channel_id]
    notes: list[str] = []
    if row.price is None:
        notes.append(f"No {clean} price is recorded for this channel.")
    elif row.price_base is None:
        notes.append(
            f"No {row.rate_missing} rate on or before {row.price_date}: the price cannot be "
            f"compared in {base}."
        )
    if row.avg_reach is None:
        notes.append("No average reach is known: est. CPM needs it.")
    if f.peers < MIN_PEERS:
        peers_word = "peer" if f.peers == 1 else "peers"
        notes.append(f"Only {f.peers} {peers_word}: too few to compare (need {MIN_PEERS}).")
    return PriceHint(
        channel_id=channel_id,
        format=clean,
        price=row.price,
        price_currency=row.price_currency,
        price_kind=row.price_kind,
        price_base=row.price_base,
        base_currency=base,
        avg_reach=row.avg_reach,
        followers=row.followers,
        est_cpm=f.est_cpm,
        cpf=f.cpf,
        peer_group=_peer_group(row.platform, row.niche, row.band, row.by_band),
        peers=f.peers,
        peer_median=f.peer_median,
        percentile=f.percentile,
        walk_away=f.walk_away,
        achieved_cpm=got.cpm,
        achieved_points=got.points,
        peer_achieved_median=got.peer_median,
        peer_achieved_count=got.peer_count,
        basis=_basis(row, f, clean, base) + " " + _achieved_basis(got, base),
        note=" ".join(notes) or None,
    )


def _basis(row: _Row, f: _Figures, format: str, base: str) -> str:
    """How a hint was computed, with its numbers and the number of data points."""
    cpm = f"est. CPM = price in {base} / avg reach × 1000"
    if f.est_cpm is not None:
        cpm += (
            f" = {format_money(row.price_base, base)} / {format_count(row.avg_reach)} × 1000"
            f" = {format_money(f.est_cpm, base)}"
        )
    if row.price is not None:
        rate = f", at the rate of {row.rate_date}" if row.rate_date is not None else ""
        cpm += (
            f" (the {row.price_kind} price {format_money(row.price, row.price_currency)} of "
            f"{row.price_date}{rate})"
        )
    where = f"in {row.niche}" if row.niche else "(this channel has no niche: platform only)"
    sizes = (
        f"in the {row.band} size band ({SIZE_BAND_MIN} or more peers there)"
        if row.by_band
        else "of all sizes"
    )
    parts = [
        cpm + ".",
        f"Compared with {f.peers} other {row.platform} channels {where}, {sizes}, that have a "
        f"{format} price and a known avg reach.",
    ]
    if f.peer_median is not None:
        parts.append(
            f"Peer median est. CPM {format_money(f.peer_median, base)} over {f.peers} data "
            "points; walk-away = peer median × avg reach / 1000."
        )
    return " ".join(parts)


def _achieved_basis(got: _Achieved, base: str) -> str:
    """What this workspace paid: the channel's achieved CPM and its peers', with data points."""
    how = "total cost / total impressions × 1000 (over reach when none knows impressions)"
    if got.cpm is None:
        own = (
            "No achieved CPM yet: no published placement of this channel has a cost and a "
            "measured reach or impressions."
        )
    else:
        placements = "placement" if got.points == 1 else "placements"
        own = (
            f"Achieved CPM with this channel {format_money(got.cpm, base)} over {got.points} "
            f"published {placements} ({how}, in {base} at each placement's date)."
        )
    channels = "channel" if got.peer_count == 1 else "channels"
    if got.peer_median is not None:
        peers = (
            f"Peers' achieved CPM median {format_money(got.peer_median, base)} over "
            f"{got.peer_count} {channels} of the same group."
        )
    elif got.peer_count:
        peers = (
            f"Only {got.peer_count} peer {channels} with an achieved CPM: too few for a median "
            f"(need {MIN_ACHIEVED_PEERS})."
        )
    else:
        peers = "No peer has an achieved CPM yet."
    return f"{own} {peers}"
