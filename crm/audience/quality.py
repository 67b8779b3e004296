"""Audience quality: an explainable 0–100 score per channel, from signals the workspace holds.

Four signals, each mapped to a sub-score of 0–100 by a monotone, bounded rule:

- **Reach rate vs peers** (weight 3). Reach rate = avg reach per post / followers (METRICS.md),
  from the newest snapshot that knows both. Peers: the other active channels of the same
  platform and size band by followers (crm.pricing.intelligence ``SIZE_BANDS``) that have a
  reach rate; from ``MIN_PEERS`` (5, as price hints) peers on, their median is the comparison.
  Sub-score = 100 × min(1, reach rate / peer median): at or above the median 100, at half of
  it 50, no reach at all 0.
- **ER vs peers** (weight 2). ER = avg engagement per post / followers, against the same peers'
  median ER, by the same rule: 100 × min(1, ER / peer median).
- **Follower jumps** (weight 3). Between consecutive snapshots that know followers, each step's
  growth per day = (followers / followers before − 1) / days between them. The largest step is
  compared with the channel's own usual growth: robust z = (largest − median) / (1.4826 ×
  MAD), MAD = median absolute deviation of the steps from their median, taken as at least
  ``MAD_FLOOR`` (0.1 % a day) so that a channel growing evenly is not flagged for a few
  followers. Needs ``MIN_STEPS`` (4) steps. Sub-score = 100 while z ≤ 3.5 (the usual outlier
  line of a modified z-score), falling linearly to 0 at z = 10: 100 × clamp((10 − z) / 6.5).
- **Members in many lists** (weight 2), for channels with a member list. A member is in an
  implausible number of lists when they sit in at least T = max(10, ⌈L / 2⌉) of the workspace's
  L member lists of the platform (this one included): ten pages or more, and half of all the
  workspace knows, is what bought or bot members do, not people. Needs ``MIN_LISTS`` (20) lists
  of the platform. Sub-score = 100 × max(0, 1 − share / 20 %): no such member 100, a tenth of
  the members 50, a fifth or more 0.

A signal without the data it needs is not available: it has no value, weighs nothing, and its
explanation says why; nothing is guessed. Each available signal's weight is its share of the
available weights (3, 2, 3, 2 of their sum); its contribution = sub-score × weight (points), and
the score = the sum of the contributions (the weighted mean of the available sub-scores),
rounded half up; None when no signal is available. A manager may override the score with a
note; the override is shown next to the computed score, never instead of its signals.

``quality_frame`` computes every channel at once: one query for the latest numbers of all
channels (the peers), one for the snapshot steps of the channels asked about, one pass over the
member lists; ``channel_quality`` is the same computation for one channel, with explanations.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import polars as pl

from crm import metrics
from crm.audience.lists import member_sets
from crm.audience.sets import Members, membership_counts
from crm.errors import StaleEdit, ValidationError
from crm.formatting import format_count, format_percent
from crm.metrics import Sql
from crm.pricing.intelligence import MIN_PEERS, SIZE_BANDS
from crm.registry.channels import get_channel
from crm.registry.queries import latest_known_sql
from crm.store import Store
from crm.store.records import MOVED_ON

MIN_STEPS = 4  # steps between snapshots (5 snapshots) before growth has a "usual"
MAD_FLOOR = 0.001  # growth per day: a spread below 0.1 % a day counts as 0.1 %
MAD_SCALE = 1.4826  # MAD × this estimates a standard deviation for normal data
Z_OK, Z_ZERO = 3.5, 10.0  # robust z: sub-score 100 up to Z_OK, 0 from Z_ZERO
MIN_LISTS = 20  # member lists of a platform before "in many lists" means anything
MANY_LISTS = 10  # a member in at least max(MANY_LISTS, half the lists) is implausible
SHARE_ZERO = 0.2  # share of such members at which the lists sub-score reaches 0

# key → (label, weight); the weights are relative (an available signal's weight is its share)
SIGNALS: dict[str, tuple[str, float]] = {
    "reach_rate": ("Reach rate vs peers", 3.0),
    "er": ("ER vs peers", 2.0),
    "jumps": ("Follower jumps", 3.0),
    "lists": ("Members in many lists", 2.0),
}
# how each sub-score is made, as the UI and docs show it
RULES = {
    "reach_rate": "100 × min(1, reach rate / peers' median reach rate)",
    "er": "100 × min(1, ER / peers' median ER)",
    "jumps": (
        f"robust z = (largest daily growth − median) / ({MAD_SCALE} × MAD, at least "
        f"{MAD_FLOOR:.1%} a day); 100 up to z {Z_OK:g}, 0 from z {Z_ZERO:g}, linear between"
    ),
    "lists": (
        f"share of members in at least max({MANY_LISTS}, half) of the platform's lists; "
        f"100 × max(0, 1 − share / {SHARE_ZERO:.0%})"
    ),
}
SCORE_RULE = (
    "Score = weighted mean of the available signals' sub-scores (weights "
    + ", ".join(f"{label} {weight:g}" for label, weight in SIGNALS.values())
    + "); a signal without data weighs nothing."
)
MAX_NOTE = 2000

# overrides move their own generation: saving one must not make every reader of the member
# lists (the "audience" part) load them again
QUALITY_PART = "quality"


@dataclass(frozen=True)
class Signal:
    """One signal of a channel's quality: its figure, what it was compared with, and its part."""

    key: str
    label: str
    # reach_rate, er: the channel's ratio; jumps: its largest growth per day; lists: the share
    # of its members in implausibly many lists (all ratios: 0.15 is 15 %)
    value: float | None
    # what the value was compared with: the peers' median ratio; the channel's median growth
    # per day; for lists none (the threshold is in peer_text and the explanation)
    peer: float | None
    sub_score: float | None  # 0–100
    weight: float  # share of the score (0 when not available); the weights sum to 1
    contribution: float | None  # points of the score: sub_score × weight
    available: bool
    explanation: str
    value_text: str = "—"
    peer_text: str = "—"


@dataclass(frozen=True)
class Override:
    """A manager's own score for a channel, with why."""

    score: int
    note: str
    author: str | None
    set_at: dt.datetime
    version: int


@dataclass(frozen=True)
class Quality:
    """A channel's audience quality: the computed score, its signals, and any override."""

    channel_id: int
    score: int | None  # computed; None when no signal is available
    signals: list[Signal]
    override: Override | None

    @property
    def shown_score(self) -> int | None:
        """The score to act on: the override's when there is one, else the computed one."""
        return self.override.score if self.override is not None else self.score


# ---------------------------------------------------------------------------------------------
# the figures, set-based

_BASE = """
with {latest}
select c.id as channel_id, c.platform, c.handle, c.archived, l.id is not null as measured,
       l.followers, l.reach_rate, l.reach_rate_on, l.er, l.er_on
from channels c
left join latest l on l.channel_id = c.id
"""

# each channel's steps between consecutive snapshots that know followers: growth per day
_STEPS = """
with wanted as ({wanted}),
counted as (
    select channel_id, count(*) as followers_snapshots from snapshots
    semi join wanted using (channel_id)
    where followers is not null
    group by channel_id
),
steps as (
    select channel_id, measured_on, followers,
           lag(followers) over w as before, lag(measured_on) over w as before_on
    from snapshots
    semi join wanted using (channel_id)
    where followers is not null
    window w as (partition by channel_id order by measured_on, id)
),
daily as (
    select *, {per_day} as per_day from steps where before is not null
),
known as (select * from daily where per_day is not null),
summary as (
    select channel_id, count(*) as steps, median(per_day) as growth_median,
           max(per_day) as growth_top,
           arg_max(before, (per_day, measured_on)) as top_before,
           arg_max(followers, (per_day, measured_on)) as top_after,
           arg_max(before_on, (per_day, measured_on)) as top_before_on,
           arg_max(measured_on, (per_day, measured_on)) as top_on
    from known group by channel_id
),
spread as (
    select k.channel_id, median(abs(k.per_day - s.growth_median)) as growth_mad
    from known k join summary s on s.channel_id = k.channel_id
    group by k.channel_id
)
select c.channel_id, c.followers_snapshots, coalesce(s.steps, 0) as steps, s.growth_median,
       s.growth_top, p.growth_mad, s.top_before, s.top_after, s.top_before_on, s.top_on
from counted c
left join summary s on s.channel_id = c.channel_id
left join spread p on p.channel_id = c.channel_id
"""


def _band_expr(followers: str) -> pl.Expr:
    """The size band of crm.pricing.intelligence, as a polars expression."""
    expr: Any = pl.lit(None, dtype=pl.String)
    for name, lower in SIZE_BANDS:
        expr = pl.when(pl.col(followers) >= lower).then(pl.lit(name)).otherwise(expr)
    return pl.when(pl.col(followers).is_not_null()).then(expr)


def _peer_medians(base: pl.DataFrame, column: str, targets: np.ndarray) -> pl.DataFrame:
    """For the target rows of ``base`` (all channels): how many active channels of the same
    platform and size band, itself left out, know ``column`` (``{column}_peers``), and their
    median (``{column}_peer``). Vectorised: every group's peers sorted in one array."""
    values = base[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
    known = ~np.isnan(values)
    grouped = base["band"].is_not_null().to_numpy()
    group = base.select(pl.concat_str("platform", "band", separator="|").rank("dense"))
    codes = group.to_series().fill_null(0).to_numpy().astype(np.int64)
    peer = ~base["archived"].to_numpy() & grouped & known
    # one integer key orders by group, then value: group × span + the value's rank
    distinct, rank = np.unique(np.where(known, values, 0.0), return_inverse=True)
    span = distinct.size + 1
    key = codes * span + rank.astype(np.int64)
    order = np.argsort(key[peer], kind="stable")
    peer_keys, peer_values = key[peer][order], values[peer][order]
    rows = np.flatnonzero(targets)
    start = np.searchsorted(peer_keys, codes[rows] * span, side="left")
    end = np.searchsorted(peer_keys, (codes[rows] + 1) * span, side="left")
    self_in = peer[rows]
    n = np.where(grouped[rows], end - start - self_in, 0)
    # a channel leaves its own group: one occurrence of its value (the last) is skipped
    upto = np.searchsorted(peer_keys, key[rows], side="right") - start

    def kth(k: np.ndarray) -> np.ndarray:
        """The k-th smallest (1-based) of each row's peers."""
        pos = start + k - 1 + (self_in & (k >= upto)).astype(np.int64)
        picked: np.ndarray = peer_values[np.clip(pos, 0, max(peer_values.size - 1, 0))]
        return picked

    median = np.full(rows.size, np.nan)
    if peer_values.size:
        median = np.where(n > 0, (kth((n + 1) // 2) + kth(n // 2 + 1)) / 2, np.nan)
    return pl.DataFrame(
        {
            "channel_id": base["channel_id"].gather(rows),
            f"{column}_peers": n.astype(np.int64),
            f"{column}_peer": pl.Series(median, dtype=pl.Float64).fill_nan(None),
        }
    )


def _lists(sets: Mapping[int, Members], channel_ids: Iterable[int]) -> pl.DataFrame:
    """For each asked channel with a member list: its size, the platform's list count L, the
    threshold T = max(MANY_LISTS, ⌈L / 2⌉) and how many of its members are in at least T lists."""
    lists = {int(c): m for c, m in sets.items() if m.size > 0 and len(m.platforms) == 1}
    per_platform: dict[str, int] = {}
    for m in lists.values():
        (p,) = m.platforms
        per_platform[p] = per_platform.get(p, 0) + 1
    wanted = [int(c) for c in channel_ids if int(c) in lists]
    counts: dict[str, np.ndarray] = {}
    needed = {next(iter(lists[c].platforms)) for c in wanted}
    needed = {p for p in needed if per_platform[p] >= MIN_LISTS}
    if needed:
        counts = membership_counts([m for m in lists.values() if m.platforms <= needed])
    rows = []
    for c in wanted:
        m = lists[c]
        (p,) = m.platforms
        n_lists = per_platform[p]
        threshold = max(MANY_LISTS, math.ceil(n_lists / 2))
        in_many = None
        if p in counts:
            in_many = int(np.count_nonzero(counts[p][m.ids(p).astype(np.int64)] >= threshold))
        rows.append((c, p, m.size, n_lists, threshold, in_many))
    schema: dict[str, pl.DataType] = {
        "channel_id": pl.Int64(), "list_platform": pl.String(), "list_size": pl.Int64(),
        "lists": pl.Int64(), "lists_threshold": pl.Int64(), "lists_in_many": pl.Int64(),
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def _ratio_sub(value: str, peer: str) -> pl.Expr:
    """100 × min(1, value / peer) (null unless both are known and the peer is above 0)."""
    return (100 * metrics.ratio_expr(value, peer)).clip(upper_bound=100.0)


def _figures(
    cur: duckdb.DuckDBPyConnection,
    channel_ids: list[int] | None,
    sets: Mapping[int, Members] | None,
) -> pl.DataFrame:
    """Every figure of every asked channel (all active ones when None), sub-scores, weights,
    contributions and score included: what both public readers are made of."""
    base = cur.sql(_BASE.format(latest=latest_known_sql())).pl()
    base = base.with_columns(band=_band_expr("followers"))
    if channel_ids is None:
        targets = ~base["archived"].to_numpy()
    else:
        targets = base["channel_id"].is_in([int(i) for i in channel_ids]).to_numpy()
    frame = base.filter(pl.Series(targets))
    for column in ("reach_rate", "er"):
        frame = frame.join(_peer_medians(base, column, targets), on="channel_id", how="left")
    ids = frame["channel_id"].to_list()
    days = Sql("date_diff('day', before_on, measured_on)")
    per_day = metrics.ratio_sql(metrics.growth_sql(now="followers", then="before"), days)
    # every active channel: no list of ids to bind (binding 100 000 of them costs more)
    wanted, params = (
        ("select id as channel_id from channels where not archived", [])
        if channel_ids is None
        else ("select unnest(?::bigint[]) as channel_id", [ids])
    )
    steps = cur.sql(_STEPS.format(wanted=wanted, per_day=per_day), params=params).pl()
    frame = frame.join(steps, on="channel_id", how="left")
    if sets is None:
        sets = member_sets(cur)
    frame = frame.join(_lists(sets, ids), on="channel_id", how="left")
    return _scored(frame)


def _scored(frame: pl.DataFrame) -> pl.DataFrame:
    """Add each signal's availability, value, peer figure, sub-score, weight and contribution,
    and the score (the rules of the module docstring)."""
    mad = pl.max_horizontal(pl.col("growth_mad"), pl.lit(MAD_FLOOR))
    z = (pl.col("growth_top") - pl.col("growth_median")) / (MAD_SCALE * mad)
    share = metrics.ratio_expr("lists_in_many", "list_size")
    frame = frame.with_columns(
        reach_rate_available=(pl.col("reach_rate_peers") >= MIN_PEERS)
        & pl.col("reach_rate").is_not_null()
        & (pl.col("reach_rate_peer") > 0),
        er_available=(pl.col("er_peers") >= MIN_PEERS)
        & pl.col("er").is_not_null()
        & (pl.col("er_peer") > 0),
        jumps_available=pl.col("steps") >= MIN_STEPS,
        lists_available=pl.col("lists_in_many").is_not_null(),
        jumps_z=z,
        lists_share=share,
    ).with_columns(pl.col(f"{k}_available").fill_null(False) for k in SIGNALS)
    subs = {
        "reach_rate": _ratio_sub("reach_rate", "reach_rate_peer"),
        "er": _ratio_sub("er", "er_peer"),
        "jumps": 100 * ((Z_ZERO - pl.col("jumps_z")) / (Z_ZERO - Z_OK)).clip(0.0, 1.0),
        "lists": 100 * (1 - pl.col("lists_share") / SHARE_ZERO).clip(0.0, 1.0),
    }
    values = {
        "reach_rate": (pl.col("reach_rate"), pl.col("reach_rate_peer")),
        "er": (pl.col("er"), pl.col("er_peer")),
        "jumps": (pl.col("growth_top"), pl.col("growth_median")),
        "lists": (pl.col("lists_share"), pl.lit(None, dtype=pl.Float64)),
    }
    frame = frame.with_columns(
        expr
        for k in SIGNALS
        for expr in (
            pl.when(pl.col(f"{k}_available")).then(values[k][0]).alias(f"{k}_value"),
            pl.when(pl.col(f"{k}_available")).then(values[k][1]).alias(f"{k}_peer_value"),
            pl.when(pl.col(f"{k}_available")).then(subs[k]).alias(f"{k}_sub_score"),
            pl.when(pl.col(f"{k}_available")).then(SIGNALS[k][1]).otherwise(0.0)
            .alias(f"{k}_raw_weight"),
        )
    )  # fmt: skip
    total = pl.sum_horizontal(pl.col(f"{k}_raw_weight") for k in SIGNALS)
    frame = frame.with_columns(_total_weight=total).with_columns(
        pl.when(pl.col("_total_weight") > 0)
        .then(pl.col(f"{k}_raw_weight") / pl.col("_total_weight"))
        .otherwise(0.0)
        .alias(f"{k}_weight")
        for k in SIGNALS
    )
    frame = frame.with_columns(
        (pl.col(f"{k}_sub_score") * pl.col(f"{k}_weight")).alias(f"{k}_contribution")
        for k in SIGNALS
    )
    points = pl.sum_horizontal(pl.col(f"{k}_contribution") for k in SIGNALS)
    # half up; rounded to 9 places first so that a sum of float points lands on its .5
    score = (points.round(9) + 0.5).floor().cast(pl.Int64)
    return frame.with_columns(
        score=pl.when(pl.col("_total_weight") > 0).then(score),
        signals_available=pl.sum_horizontal(
            pl.col(f"{k}_available").cast(pl.Int64) for k in SIGNALS
        ),
    )


def _overrides(cur: duckdb.DuckDBPyConnection, ids: Iterable[int]) -> dict[int, Override]:
    """The overrides of these channels. Few channels have one: all are read and those asked
    for kept (cheaper than binding thousands of ids)."""
    rows = cur.execute(
        """
        select channel_id, arg_max(score, version), arg_max(note, version),
               arg_max(author, version), arg_max(set_at, version), max(version)
        from quality_overrides group by channel_id
        """
    ).fetchall()
    wanted = set(ids)
    return {
        int(r[0]): Override(int(r[1]), r[2], r[3], r[4], int(r[5]))
        for r in rows
        if int(r[0]) in wanted
    }


# ---------------------------------------------------------------------------------------------
# public readers


def quality_frame(
    cur: duckdb.DuckDBPyConnection,
    channel_ids: Iterable[int] | None = None,
    sets: Mapping[int, Members] | None = None,
) -> pl.DataFrame:
    """Quality of many channels (all active ones when None), one row each: channel_id, channel
    (PLATFORM:HANDLE), platform, score, signals_available, override_score/_note/_author/_set_at,
    and per signal key of SIGNALS ``{key}_value``, ``{key}_peer``, ``{key}_sub_score``,
    ``{key}_weight``, ``{key}_contribution`` (null when not available). ``sets``: every member
    list of the workspace, channel id → Members (None: read them)."""
    ids = None if channel_ids is None else [int(i) for i in channel_ids]
    frame = _figures(cur, ids, sets)
    overrides = _overrides(cur, frame["channel_id"].to_list())
    schema: dict[str, pl.DataType] = {
        "channel_id": pl.Int64(), "override_score": pl.Int64(), "override_note": pl.String(),
        "override_author": pl.String(), "override_set_at": pl.Datetime("us"),
    }  # fmt: skip
    over = pl.DataFrame(
        [(c, o.score, o.note, o.author, o.set_at) for c, o in overrides.items()],
        schema=schema,
        orient="row",
    )
    columns: list[str | pl.Expr] = [
        "channel_id",
        (pl.col("platform") + ":" + pl.col("handle")).alias("channel"),
        "platform",
        "score",
        "signals_available",
    ]
    for k in SIGNALS:
        columns += [
            f"{k}_value",
            pl.col(f"{k}_peer_value").alias(f"{k}_peer"),
            f"{k}_sub_score",
            f"{k}_weight",
            f"{k}_contribution",
        ]
    return frame.select(columns).join(over, on="channel_id", how="left").sort("channel_id")


def channel_quality(
    cur: duckdb.DuckDBPyConnection, channel_id: int, sets: Mapping[int, Members] | None = None
) -> Quality:
    """One channel's quality, each signal with its figures and the words that explain it."""
    get_channel(cur, channel_id)
    frame = _figures(cur, [channel_id], sets)
    row = frame.row(0, named=True)
    signals = [
        _reach_rate_signal(row),
        _er_signal(row),
        _jumps_signal(row),
        _lists_signal(row),
    ]
    return Quality(channel_id, row["score"], signals, get_override(cur, channel_id))


# ---------------------------------------------------------------------------------------------
# the words


def _signal(row: dict[str, Any], key: str, explanation: str, value_text: str = "—",
            peer_text: str = "—") -> Signal:  # fmt: skip
    available = bool(row[f"{key}_available"])
    return Signal(
        key=key,
        label=SIGNALS[key][0],
        value=row[f"{key}_value"],
        peer=row[f"{key}_peer_value"],
        sub_score=row[f"{key}_sub_score"],
        weight=float(row[f"{key}_weight"]),
        contribution=row[f"{key}_contribution"],
        available=available,
        explanation=explanation,
        value_text=value_text if available else "—",
        peer_text=peer_text if available else "—",
    )


def _peers_words(row: dict[str, Any], n: int) -> str:
    return f"{n} other active {row['platform']} {'channel' if n == 1 else 'channels'} of " \
        f"{row['band']} followers"  # fmt: skip


def _vs_peers_signal(row: dict[str, Any], key: str, name: str, term: str) -> Signal:
    if not row["measured"]:
        return _signal(row, key, "No snapshot: the channel has no numbers yet.")
    if row[key] is None:
        return _signal(row, key, f"No snapshot with both {term} and followers above 0.")
    peers = int(row[f"{key}_peers"] or 0)
    if peers < MIN_PEERS:
        return _signal(
            row,
            key,
            f"Only {_peers_words(row, peers)} have a {name}: too few to compare "
            f"(need {MIN_PEERS}).",
        )
    median = row[f"{key}_peer"]
    if not median or median <= 0:
        return _signal(
            row, key, f"The median {name} of {_peers_words(row, peers)} is 0: nothing to compare."
        )
    value, sub = row[key], row[f"{key}_sub_score"]
    share = value / median
    return _signal(
        row,
        key,
        f"{name[0].upper()}{name[1:]} {format_percent(value, 2)} (measured "
        f"{row[f'{key}_on']}) against the median "
        f"{format_percent(median, 2)} of {_peers_words(row, peers)}: "
        f"{format_percent(share, 0)} of it, so {sub:.0f} of 100 ({RULES[key]}).",
        format_percent(value, 2),
        f"{format_percent(median, 2)} (median of {peers})",
    )


def _reach_rate_signal(row: dict[str, Any]) -> Signal:
    return _vs_peers_signal(row, "reach_rate", "reach rate", "average reach")


def _er_signal(row: dict[str, Any]) -> Signal:
    return _vs_peers_signal(row, "er", "ER", "average engagement")


def _jumps_signal(row: dict[str, Any]) -> Signal:
    known = int(row["followers_snapshots"] or 0)
    if known == 0:
        return _signal(row, "jumps", "No snapshot with followers.")
    steps = int(row["steps"] or 0)
    if steps < MIN_STEPS:
        return _signal(
            row,
            "jumps",
            f"Only {steps} {'step' if steps == 1 else 'steps'} between {known} snapshots with "
            f"followers on different days: need {MIN_STEPS} to know the channel's usual growth.",
        )
    top, median, mad = row["growth_top"], row["growth_median"], row["growth_mad"]
    spread = (
        f"{format_percent(mad, 2)} a day"
        if mad >= MAD_FLOOR
        else f"below {format_percent(MAD_FLOOR, 2)} a day, so taken as {format_percent(MAD_FLOOR, 2)}"
    )
    days = (row["top_on"] - row["top_before_on"]).days
    return _signal(
        row,
        "jumps",
        f"Largest growth step: {format_count(row['top_before'])} → {format_count(row['top_after'])} "
        f"followers from {row['top_before_on']} to {row['top_on']} ({days} "
        f"{'day' if days == 1 else 'days'}), {format_percent(top, 2)} a day; usual growth "
        f"{format_percent(median, 2)} a day (median of {steps} steps), spread (MAD) "
        f"{spread}. Robust z = {row['jumps_z']:.1f}, so "
        f"{row['jumps_sub_score']:.0f} of 100 (100 up to z {Z_OK:g}, 0 from z {Z_ZERO:g}).",
        f"{format_percent(top, 2)} a day",
        f"{format_percent(median, 2)} a day (usual)",
    )


def _lists_signal(row: dict[str, Any]) -> Signal:
    size = row["list_size"]
    if size is None:
        return _signal(row, "lists", "No member list loaded.")
    lists, platform = int(row["lists"]), row["list_platform"]
    if row["lists_in_many"] is None:
        return _signal(
            row,
            "lists",
            f"Only {lists} {platform} member {'list' if lists == 1 else 'lists'} in the "
            f"workspace: need {MIN_LISTS} to tell an implausible number of lists.",
        )
    threshold, many = int(row["lists_threshold"]), int(row["lists_in_many"])
    return _signal(
        row,
        "lists",
        f"{format_count(many)} of {format_count(size)} members "
        f"({format_percent(row['lists_share'], 1)}) are in at least {threshold} of the "
        f"workspace's {lists} {platform} member lists (max({MANY_LISTS}, half of them), this "
        f"one included), so {row['lists_sub_score']:.0f} of 100 (100 × max(0, 1 − share / "
        f"{format_percent(SHARE_ZERO, 0)})).",
        format_percent(row["lists_share"], 1),
        f"in ≥ {threshold} of {lists} lists",
    )


# ---------------------------------------------------------------------------------------------
# overrides


def _check_override(score: object, note: object) -> tuple[int, str]:
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValidationError("The score must be a whole number from 0 to 100.")
    if not 0 <= score <= 100:
        raise ValidationError(f"The score must be from 0 to 100, not {score}.")
    text = note.strip() if isinstance(note, str) else ""
    if not text:
        raise ValidationError("Say why in a note: an override needs one.")
    if len(text) > MAX_NOTE:
        raise ValidationError(f"The note is too long: at most {MAX_NOTE} characters.")
    return score, text


def get_override(cur: duckdb.DuckDBPyConnection, channel_id: int) -> Override | None:
    """A channel's quality override, or None."""
    rows = cur.execute(
        "select score, note, author, set_at, version from quality_overrides "
        "where channel_id = ? order by version desc limit 1",
        [channel_id],
    ).fetchall()
    if not rows:
        return None
    score, note, author, set_at, version = rows[0]
    return Override(int(score), note, author, set_at, int(version))


def set_override(
    store: Store,
    channel_id: int,
    score: int,
    note: str,
    *,
    author: str | None = None,
    version: int | None = None,
) -> int:
    """Override a channel's quality score (0–100, a note required); returns the override's new
    version. ``version``: the override's version when the form was opened (None: there was
    none); an override changed or cleared meanwhile, or set meanwhile, is refused as stale."""
    clean_score, clean_note = _check_override(score, note)
    with store.transaction(QUALITY_PART, actor=author) as cur:
        get_channel(cur, channel_id)
        current = get_override(cur, channel_id)
        if current is None:
            if version is not None:
                raise StaleEdit(MOVED_ON)
            cur.execute(
                "insert into quality_overrides (channel_id, score, note, author) "
                "values (?, ?, ?, ?)",
                [channel_id, clean_score, clean_note, author],
            )
            return 1
        if version is None or version != current.version:
            raise StaleEdit(MOVED_ON)
        rows = cur.execute(
            """
            update quality_overrides
            set score = ?, note = ?, author = ?, set_at = current_timestamp,
                version = version + 1
            where channel_id = ? and version = ? returning version
            """,
            [clean_score, clean_note, author, channel_id, version],
        ).fetchall()
        if not rows:
            raise StaleEdit(MOVED_ON)
        return int(rows[0][0])


def clear_override(store: Store, channel_id: int, *, version: int | None = None) -> bool:
    """Remove a channel's quality override (the computed score stands again); with ``version``,
    only the override still at that version. Returns whether one was removed."""
    with store.transaction(QUALITY_PART) as cur:
        current = get_override(cur, channel_id)
        if current is None:
            if version is not None:
                raise StaleEdit(MOVED_ON)
            get_channel(cur, channel_id)
            return False
        if version is not None and version != current.version:
            raise StaleEdit(MOVED_ON)
        cur.execute("delete from quality_overrides where channel_id = ?", [channel_id])
        return True
