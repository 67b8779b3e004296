"""The demo's member lists: a few hundred thousand members for each of about fifty public pages
on VK, Telegram and OK, with the overlap a manager meets in real life.

Each platform has its own population of users ranked by popularity (Zipf-like weights: a few
users join many communities, most join few). Every user has a main interest (one of the
demo's niches, in proportion to the pages that need members there) and often a related second
one; a page draws most of its members from its niche's users, the popular ones first, and a
few at random from anyone. So two pages of one niche share a large part of their audience
(20–60%), pages of related niches some, and unrelated pages next to nothing. Two owners'
networks of pages on one platform share a common core (cross-promotion: 40–70% overlap), so
owner bundles are worth pricing. A pool of bot accounts follows a third of the platform's
pages at random and nearly every page that bought followers; those few pages end up with a
fifth to a quarter of bots, which sit in an implausible number of lists.

Real-looking user ids (VK up to ~9·10^8, OK twelve digits, a third of Telegram's above 2^32)
go into the member dictionary; the lists are kept as bitmaps of dense ids
(crm.audience.lists). Deterministic for a seed: numpy's generator seeded from it, pages
chosen from the demo's own channels in id order. Written in the caller's transaction with one
insert for the dictionary and the lists' own writer for the bitmaps.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import numpy.typing as npt
import polars as pl

from crm.audience.lists import write_members
from crm.audience.sets import Members
from crm.demo.words import _RELATED

# pages given a member list, per platform (fewer where the demo has fewer public pages there;
# the rest then go to the other platforms in this order)
PAGES_WANTED = {"vk": 26, "telegram": 20, "ok": 6}
MIN_SIZE, MAX_SIZE = 200_000, 700_000
BOUGHT_SIZE = (60_000, 90_000)  # a page that bought followers: its list (bots included)
SUSPECT_TAG = "накрутка?"  # the demo's tag of pages suspected of bought followers
NETWORKS = 2  # owners whose pages on one platform share a core audience
NETWORK_PAGES = 6  # at most this many pages of one network get lists
NETWORK_CORE = 0.8  # part of a network page's own members that come from the network's core
NETWORK_SPREAD = 1.1  # the core is this much larger than the largest page's part of it
BOUGHT = {"vk": 3, "telegram": 2, "ok": 1}  # pages per platform that bought followers (bots)
BOT_SHARE = (0.16, 0.2)  # bots' part of such a page's list
BOT_BOUGHT = 0.95  # a bot follows each page that bought followers with this probability,
BOT_FOLLOW = 0.58  # and a page of average size among the others with this one: more than
# half of the platform's lists, which no person does
RANDOM_PART = 0.08  # part of a page's own members drawn from anyone on the platform
SECOND_NICHE = 0.15  # users with a related second interest
ZIPF = 0.8  # popularity weight of the user ranked r: (r + ZIPF_OFFSET) ** -ZIPF
ZIPF_OFFSET = 200
CAP = 0.92  # no user is in a page's list with a higher probability
POPULATION = 1.3  # a niche holds this many users per member its pages need
OUTSIDE = 2.0  # users of no niche of the pages, per member the pages need
# the ranges real user ids come from: (low, high) for people, then for bots (newer accounts)
_ID_RANGES: dict[str, tuple[tuple[tuple[int, int], ...], tuple[int, int]]] = {
    "vk": (((1_000, 800_000_000),), (800_000_000, 899_000_000)),
    "ok": (((500_000_000_000, 590_000_000_000),), (590_000_000_000, 599_000_000_000)),
    # Telegram: old accounts below 2^31, newer ones above 2^32
    "telegram": (
        ((10_000_000, 2_100_000_000), (5_000_000_000, 7_000_000_000)),
        (7_000_000_000, 7_600_000_000),
    ),
}
_ORDER = tuple(PAGES_WANTED)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DemoPage:
    """A public page of the demo that gets a member list."""

    channel_id: int
    platform: str
    handle: str
    niche: str
    owner_id: int | None
    followers: int
    priced: bool
    suspect: bool  # tagged as having bought followers


@dataclass(frozen=True)
class DemoList:
    """One generated member list: the page, its members (sorted, distinct: indexes into the
    platform's population, then dense member ids), and its role in the demo."""

    page: DemoPage
    members: IntArray
    network: int | None  # which owner network it belongs to, if any
    bought: bool  # bought followers: a large part of bots
    dropped: int  # duplicate lines the "file" had


def candidate_pages(cur: duckdb.DuckDBPyConnection) -> list[DemoPage]:
    """The workspace's live public pages on VK, Telegram and OK, in id order."""
    rows = cur.execute(
        """
        with latest as (
            select channel_id, arg_max(followers, measured_on) as followers
            from snapshots where followers is not null group by channel_id
        )
        select c.id, c.platform, c.handle, coalesce(c.niches[1], ''), c.owner_id,
               coalesce(l.followers, 0),
               exists (select 1 from prices p where p.channel_id = c.id and p.format = 'post'),
               list_contains(c.tags, ?)
        from channels c left join latest l on l.channel_id = c.id
        where c.kind = 'public_page' and not c.archived and c.platform in ('vk', 'telegram', 'ok')
        order by c.id
        """,
        [SUSPECT_TAG],
    ).fetchall()
    return [
        DemoPage(int(r[0]), r[1], r[2], r[3], r[4], int(r[5]), bool(r[6]), bool(r[7])) for r in rows
    ]


@dataclass(frozen=True)
class Choice:
    """The pages that get lists, which owner network each network page belongs to, and which
    pages bought followers."""

    pages: list[DemoPage]
    network_of: dict[int, int]
    bought: frozenset[int]


def choose_pages(pages: Sequence[DemoPage]) -> Choice:
    """The pages to give lists: the pages of up to NETWORKS owner networks and the pages
    tagged as having bought followers first, then priced pages with the most followers."""
    by_platform = {p: [x for x in pages if x.platform == p] for p in _ORDER}
    wanted = dict(PAGES_WANTED)
    spare = 0
    for platform in _ORDER:  # a platform short of pages leaves its places to the others
        spare += max(wanted[platform] - len(by_platform[platform]), 0)
        wanted[platform] = min(wanted[platform], len(by_platform[platform]))
    for platform in _ORDER:
        extra = min(spare, len(by_platform[platform]) - wanted[platform])
        wanted[platform] += extra
        spare -= extra
    chosen: dict[int, DemoPage] = {}

    def room(platform: str) -> int:
        return wanted[platform] - sum(1 for p in chosen.values() if p.platform == platform)

    groups: dict[tuple[int, str], list[DemoPage]] = {}
    for page in pages:
        if page.owner_id is not None:
            groups.setdefault((page.owner_id, page.platform), []).append(page)
    ranked = sorted(
        (key for key, members in groups.items() if len(members) >= 3),
        key=lambda key: (-len(groups[key]), key),
    )
    network_of: dict[int, int] = {}
    for number, key in enumerate(ranked[:NETWORKS]):
        members = sorted(groups[key], key=lambda p: (-p.followers, p.channel_id))
        for page in members[: min(NETWORK_PAGES, room(key[1]))]:
            chosen[page.channel_id] = page
            network_of[page.channel_id] = number
    bought: set[int] = set()
    for platform in _ORDER:
        # pages that bought followers: the tagged ones first, else the smallest others
        plain = [p for p in by_platform[platform] if p.channel_id not in network_of]
        plain.sort(key=lambda p: (not p.suspect, p.followers, p.channel_id))
        for page in plain[: min(BOUGHT.get(platform, 0), room(platform))]:
            chosen[page.channel_id] = page
            bought.add(page.channel_id)
        rest = sorted(
            by_platform[platform], key=lambda p: (not p.priced, -p.followers, p.channel_id)
        )
        for page in rest:
            if room(platform) <= 0:
                break
            chosen.setdefault(page.channel_id, page)
    ordered = sorted(chosen.values(), key=lambda p: p.channel_id)
    return Choice(ordered, network_of, frozenset(bought))


def _list_size(rng: np.random.Generator, followers: int, bought: bool) -> int:
    low, high = BOUGHT_SIZE if bought else (MIN_SIZE, MAX_SIZE)
    return int(min(max(followers, low), high) * rng.uniform(0.9, 1.0))


@dataclass(frozen=True)
class _Pool:
    """The users of one niche, most popular first, with what drawing from them needs."""

    users: IntArray
    weights: npt.NDArray[np.float64]  # popularity, descending
    ascending: npt.NDArray[np.float64]  # the same, ascending (contiguous, for searchsorted)
    tail: npt.NDArray[np.float64]  # tail[m] = Σ weights[m:]

    @classmethod
    def of(cls, users: IntArray) -> _Pool:
        weights = np.power(users.astype(np.float64) + ZIPF_OFFSET, -ZIPF)
        ascending = np.ascontiguousarray(weights[::-1])
        return cls(users, weights, ascending, np.cumsum(ascending)[::-1].copy())

    def draw(self, rng: np.random.Generator, target: float) -> IntArray:
        """About ``target`` users: each with probability min(CAP, c·weight), c chosen so that
        the expected count is the target (popular users are in many lists of the niche)."""
        n = self.users.size
        if target <= 0 or n == 0:
            return self.users[:0]
        target = min(target, CAP * n)
        low, high = 0.0, CAP / float(self.weights[-1])
        for _ in range(50):  # the expected count grows with c: bisect
            c = (low + high) / 2
            # the users whose c·weight reaches the cap: the first `capped` of the pool
            capped = n - int(np.searchsorted(self.ascending, CAP / c, side="left"))
            expected = CAP * capped + (c * float(self.tail[capped]) if capped < n else 0.0)
            low, high = (c, high) if expected < target else (low, c)
        p = np.minimum(CAP, high * self.weights)
        return self.users[rng.random(n, dtype=np.float32) < p]


def _pick(rng: np.random.Generator, n: int, weights: npt.NDArray[np.float64]) -> IntArray:
    """``n`` draws of 0 … len(weights) − 1 with these weights (a lookup of 16-bit random
    numbers: a few times faster than Generator.choice for millions of draws)."""
    bounds = np.cumsum(weights) / weights.sum() * 65536
    table = np.searchsorted(bounds, np.arange(65536) + 0.5, side="right")
    return table[rng.integers(0, 65536, n, dtype=np.uint16)].astype(np.int16)


def _platform_lists(
    rng: np.random.Generator, pages: list[DemoPage], choice: Choice
) -> tuple[list[DemoList], int, int]:
    """The lists of one platform's pages; with the size of its human population and of its
    bot pool (bots are indexed after the people)."""
    network_of = choice.network_of
    bought = {i for i, p in enumerate(pages) if p.channel_id in choice.bought}
    sizes = np.array(
        [_list_size(rng, p.followers, i in bought) for i, p in enumerate(pages)], dtype=np.float64
    )
    # one pool of bots, as large as the page that bought the most needs
    bot_part = {i: rng.uniform(*BOT_SHARE) for i in sorted(bought)}
    bots = max([round(sizes[i] * bot_part[i] / BOT_BOUGHT) for i in bought] or [0])
    # a bot follows a page that did not buy followers the likelier the larger the page is
    others = [i for i in range(len(pages)) if i not in bought]
    mean_other = float(sizes[others].mean()) if others else 1.0
    follow = np.array(
        [BOT_BOUGHT if i in bought else min(0.95, BOT_FOLLOW * sizes[i] / mean_other)
         for i in range(len(pages))]
    )  # fmt: skip
    own = np.maximum(sizes - follow * bots, sizes / 2)  # the page's people

    # the population: each user's main interest, and for some a related second one
    niches = sorted({p.niche for p in pages})
    niche_of = np.array([niches.index(p.niche) for p in pages])
    demand = np.bincount(niche_of, weights=own, minlength=len(niches)).astype(np.float64)
    # people with an interest in the pages' niches, then everyone else on the platform (met
    # only at random: through cross-promotion and the random part of a list)
    interested = int(POPULATION * demand.sum())
    people = interested + int(OUTSIDE * demand.sum())
    main = _pick(rng, interested, demand)
    # some have a second interest, a niche related to the main one
    second = np.full(interested, -1, dtype=np.int16)
    has_second = np.flatnonzero(rng.random(interested, dtype=np.float32) < SECOND_NICHE)
    order = np.argsort(main[has_second], kind="stable")
    starts = np.searchsorted(main[has_second][order], np.arange(len(niches) + 1))
    for k, niche in enumerate(niches):
        options = [niches.index(r) for r in _RELATED.get(niche, ()) if r in niches]
        who = has_second[order[starts[k] : starts[k + 1]]]
        if options and who.size:
            second[who] = np.asarray(options, dtype=np.int16)[
                rng.integers(0, len(options), who.size)
            ]
    # each niche's users: main interest, then second, merged in popularity order
    by_main = np.argsort(main, kind="stable")
    main_starts = np.searchsorted(main[by_main], np.arange(len(niches) + 1))
    seconds = np.flatnonzero(second >= 0)
    by_second = seconds[np.argsort(second[seconds], kind="stable")]
    second_starts = np.searchsorted(second[by_second], np.arange(len(niches) + 1))
    pools = [
        _Pool.of(
            np.sort(
                np.concatenate((
                    by_main[main_starts[k] : main_starts[k + 1]],
                    by_second[second_starts[k] : second_starts[k + 1]],
                )).astype(np.int64),
                kind="stable",
            )
        )
        for k in range(len(niches))
    ]  # fmt: skip

    # the networks' core audiences (cross-promotion): anyone on the platform
    cores: dict[int, IntArray] = {}
    for number in sorted({network_of[p.channel_id] for p in pages if p.channel_id in network_of}):
        mates = [i for i, p in enumerate(pages) if network_of.get(p.channel_id) == number]
        core_size = NETWORK_SPREAD * NETWORK_CORE * max(own[i] for i in mates)
        cores[number] = _distinct(rng.integers(0, people, round(core_size), dtype=np.int64))

    out: list[DemoList] = []
    for i, page in enumerate(pages):
        network = network_of.get(page.channel_id)
        in_niche = own[i] * (1 - RANDOM_PART)
        parts: list[IntArray] = []
        if network is not None:
            core = cores[network]
            take = min(CAP, own[i] * NETWORK_CORE / core.size)
            parts.append(core[rng.random(core.size, dtype=np.float32) < take])
            in_niche = own[i] * (1 - NETWORK_CORE - RANDOM_PART)
        k = int(niche_of[i])
        parts.append(pools[k].draw(rng, in_niche))
        parts.append(rng.integers(0, people, round(own[i] * RANDOM_PART), dtype=np.int64))
        if bots:
            parts.append(people + np.flatnonzero(rng.random(bots, dtype=np.float32) < follow[i]))
        members = _distinct(np.concatenate(parts))
        dropped = int(members.size * rng.uniform(0.0, 0.004))
        out.append(DemoList(page, members, network, i in bought, dropped))
    return out, people, bots


def _distinct(values: IntArray) -> IntArray:
    """The distinct values, ascending (a sort: numpy's unique hashes, slower at this size)."""
    values = np.sort(values, kind="stable")  # a merge of the sorted parts
    keep = np.ones(values.size, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _real_ids(
    rng: np.random.Generator, platform: str, index: IntArray, people: int, bots: int
) -> IntArray:
    """The platform's own user id of each population index: distinct, spread over the
    platform's ranges, unrelated to popularity (a multiplicative bijection scrambles them)."""
    human_ranges, bot_range = _ID_RANGES[platform]
    out = np.empty(index.size, dtype=np.int64)
    is_bot = index >= people
    humans = np.flatnonzero(~is_bot)
    slots = _scramble(index[humans], people, rng)
    # people are split over the ranges in proportion to their widths
    widths = np.array([hi - lo for lo, hi in human_ranges], dtype=np.float64)
    bounds = np.concatenate(([0.0], np.round(np.cumsum(widths / widths.sum()) * people)))
    for (lo, hi), start, stop in zip(human_ranges, bounds[:-1], bounds[1:], strict=True):
        mine = (slots >= start) & (slots < stop)
        out[humans[mine]] = _spread(slots[mine] - int(start), int(stop - start), lo, hi)
    if bots:
        robots = np.flatnonzero(is_bot)
        out[robots] = _spread(_scramble(index[robots] - people, bots, rng), bots, *bot_range)
    return out


def _scramble(values: IntArray, modulus: int, rng: np.random.Generator) -> IntArray:
    """A bijection of 0 … modulus − 1: values · a + b (mod modulus), a coprime to it (the
    product stays far inside int64: populations are below 2^31)."""
    a = int(rng.integers(max(modulus // 3, 1), max(modulus, 2))) | 1
    while math.gcd(a, modulus) != 1:
        a += 2
    b = int(rng.integers(0, max(modulus, 1)))
    return (values * a + b) % max(modulus, 1)


def _spread(slots: IntArray, count: int, low: int, high: int) -> IntArray:
    """Slot s of ``count`` equal slots of [low, high), at a pseudo-random place inside it."""
    step = max((high - low) // max(count, 1), 1)
    return low + slots * step + (slots * 2_654_435_761 + 97) % step


def member_lists(
    pages: Sequence[DemoPage], seed: int
) -> tuple[list[DemoList], dict[str, IntArray]]:
    """The lists of the chosen pages in dense member ids (0, 1, 2 … per platform), and per
    platform the platform's own user id of each dense id."""
    rng = np.random.default_rng([seed, 9])  # the audience part's own stream of the seed
    choice = choose_pages(pages)
    lists: list[DemoList] = []
    numbers: dict[str, IntArray] = {}
    for platform in _ORDER:
        mine = [p for p in choice.pages if p.platform == platform]
        if not mine:
            continue
        made, people, bots = _platform_lists(rng, mine, choice)
        # the users in some list get dense ids, in population order (the popular first)
        used = np.zeros(people + bots, dtype=bool)
        for item in made:
            used[item.members] = True
        dense = np.cumsum(used, dtype=np.int32) - 1
        numbers[platform] = _real_ids(rng, platform, np.flatnonzero(used), people, bots)
        lists += [replace(item, members=dense[item.members].astype(np.int64)) for item in made]
    return lists, numbers


def generate_audiences(
    cur: duckdb.DuckDBPyConnection, seed: int, *, as_of: dt.date
) -> dict[str, int]:
    """Give the demo's public pages member lists (inside the caller's transaction); returns
    the counts written: ``audiences`` (lists), ``memberships`` and ``members`` (users)."""
    lists, numbers = member_lists(candidate_pages(cur), seed)
    first: dict[str, int] = {}  # the platform's first free dense id (0 in a new workspace)
    frames = []
    for platform, ids in numbers.items():
        first[platform] = int(
            cur.execute(
                "select coalesce(max(id) + 1, 0) from members where platform = ?", [platform]
            ).fetchall()[0][0]
        )
        frames.append(
            pl.DataFrame({"number": ids}).select(
                pl.lit(platform).alias("platform"),
                "number",
                (pl.int_range(0, pl.len(), dtype=pl.Int64) + first[platform]).alias("id"),
            )
        )
    if frames:  # the dictionary in one insert
        cur.register("demo_members", pl.concat(frames).to_arrow())
        try:
            cur.execute(
                "insert into members (platform, number, id) select platform, number, id "
                "from demo_members"
            )
        finally:
            cur.unregister("demo_members")
    rng = np.random.default_rng([seed, 10])
    stamps: dict[str, list[object]] = {"channel_id": [], "at": []}
    start = dt.datetime.combine(as_of, dt.time())
    for item in lists:
        platform = item.page.platform
        write_members(
            cur,
            item.page.channel_id,
            Members.from_ids(platform, (item.members + first[platform]).astype(np.uint64)),
            id_kind="number",
            source=f"{item.page.handle}_members.csv",
            dropped=item.dropped,
        )
        # loaded on a working day's hour in the five weeks before the demo's day
        at = start - dt.timedelta(days=int(rng.integers(1, 36)))
        stamps["channel_id"].append(item.page.channel_id)
        stamps["at"].append(at + dt.timedelta(minutes=int(rng.integers(9 * 60, 19 * 60))))
    if lists:  # dates count back from the demo's day, as the rest of the demo's do
        when = pl.DataFrame(stamps, schema={"channel_id": pl.Int64, "at": pl.Datetime("us")})
        cur.register("demo_list_dates", when.to_arrow())
        try:
            for table in ("audiences", "audience_loads"):
                cur.execute(
                    f"update {table} set loaded_at = d.at from demo_list_dates d "
                    f"where {table}.channel_id = d.channel_id"
                )
        finally:
            cur.unregister("demo_list_dates")
    return {
        "audiences": len(lists),
        "memberships": int(sum(item.members.size for item in lists)),
        "members": int(sum(ids.size for ids in numbers.values())),
    }
