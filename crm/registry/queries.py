"""Reading the registry: the filtered, sorted channel list, counts, and the latest snapshot."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from crm import metrics
from crm.errors import ValidationError
from crm.fields import SNAPSHOT_METRICS
from crm.vocab.platforms import (
    parse_channel_url,
)


@dataclass
class ChannelFilter:
    """What the Channels page (and `crm export`) narrows the list by; empty means no narrowing."""

    search: str = ""
    platforms: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    niches: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    followers_min: int | None = None
    followers_max: int | None = None
    er_min: float | None = None
    er_max: float | None = None
    archived: str = "active"  # active | archived | all
    needs: list[str] = field(default_factory=list)  # keys of NEEDS: what the channel lacks
    owner_id: int | None = None
    # only these channels (a part above the registry narrows by what it knows, such as a
    # track record); None: no narrowing
    ids: tuple[int, ...] | None = None


STALE_DAYS = 60
# what a channel can lack, as conditions over channels c, owners o, latest snapshot l
NEEDS = {
    "numbers": ("No numbers", "l.id is null"),
    "fresh_numbers": ("Stale numbers", f"l.measured_on < current_date - {STALE_DAYS}"),
    "owner": ("No owner", "c.owner_id is null"),
    "contact": (
        "No contact",
        "coalesce(c.email, c.telegram, c.phone, o.email, o.telegram, o.phone, o.other_contact)"
        " is null",
    ),
}
NEEDS_HELP = {
    "numbers": "No metric snapshot at all",
    "fresh_numbers": f"The latest snapshot is older than {STALE_DAYS} days",
    "owner": "Nobody to negotiate with is recorded",
    "contact": "No e-mail, Telegram or phone on the channel or its owner",
}


def latest_sql(scope: str = "") -> str:
    """The ``latest`` CTE: each channel's newest snapshot row as recorded (by date, then entry
    order), only for the channels that ``scope`` (a condition over channels c) admits, when given.
    The import's classify query and pricing read it; the registry's lists read the latest
    *known* numbers instead (``latest_known_sql``)."""
    only = f"where channel_id in (select c.id from channels c where {scope})" if scope else ""
    return f"""
    latest as (
        select * from snapshots
        where id in (
            select arg_max(id, (measured_on, id)) from snapshots {only} group by channel_id
        )
    )
"""


def latest_snapshot(cur: duckdb.DuckDBPyConnection, channel_id: int) -> dict[str, Any] | None:
    """A channel's newest snapshot as it was recorded (every column of ``snapshots``, unknown
    numbers left None), or None when the channel has none."""
    # fetchall, not fetchone: an unfinished result would block the cursor's next query
    rows = cur.execute(
        f"with {latest_sql('c.id = ?')} select * from latest", [channel_id]
    ).fetchall()
    if not rows:
        return None
    return dict(zip((d[0] for d in cur.description or ()), rows[0], strict=True))


# "newer" as one number, cheaper to compare than (measured_on, id): the date in days, then the
# entry order (snapshot ids stay far below 2**40)
_NEWEST = "date_diff('day', date '2000-01-01', measured_on)::bigint * 1099511627776 + id"


def latest_known_sql(scope: str = "") -> str:
    """The ``latest`` CTE the registry's lists join (one row per measured channel, scoped as
    ``latest_sql``): the newest snapshot's ``id``, ``measured_on``, ``provenance``, ``source``
    and ``created_at``; each number (``followers``, ``avg_reach`` …) as the newest snapshot
    that knows it says, with that snapshot's date (``followers_on`` …); and each ratio (``er``,
    ``err``, ``reach_rate``) from the newest snapshot that knows both of its terms, with its
    date (``er_on`` …). A snapshot that carries only followers so hides nothing measured
    before it, and no ratio mixes numbers of different days."""
    only = f"where channel_id in (select c.id from channels c where {scope})" if scope else ""
    parts = [
        "arg_max(id, newest) as id",
        "max(measured_on) as measured_on",
    ]
    for name in SNAPSHOT_METRICS:
        parts.append(f"arg_max({name}, newest) as {name}")
        parts.append(f"max(measured_on) filter (where {name} is not null) as {name}_on")
    for name, (formula, numerator, denominator) in metrics.SNAPSHOT_RATIOS.items():
        both = f"{numerator} is not null and {denominator} is not null"
        # arg_max_null: the newest pair decides even when its denominator is 0 (no ratio)
        parts.append(f"arg_max_null({formula}, newest) filter (where {both}) as {name}")
        parts.append(f"max(measured_on) filter (where {both}) as {name}_on")
    parts += [f"arg_max({name}, newest) as {name}" for name in ("provenance", "source")]
    parts.append("arg_max(created_at, newest) as created_at")
    columns = ",\n            ".join(parts)
    return f"""
    latest as (
        select channel_id,
            {columns}
        from (select *, {_NEWEST} as newest from snapshots {only})
        group by channel_id
    )
"""


def latest_known(cur: duckdb.DuckDBPyConnection, channel_id: int) -> dict[str, Any] | None:
    """A channel's latest known numbers and ratios, each with its date (the columns of
    ``latest_known_sql``), or None when the channel has no snapshot."""
    rows = cur.execute(
        f"with {latest_known_sql('c.id = ?')} select * from latest", [channel_id]
    ).fetchall()
    if not rows:
        return None
    return dict(zip((d[0] for d in cur.description or ()), rows[0], strict=True))


# what the Channels list, the channels export, owners and the needs filters join as ``latest``
LATEST_SQL = latest_known_sql()


SORTS = {
    "followers": ("Followers, most first", "l.followers desc nulls last"),
    "avg_reach": ("Average reach, most first", "l.avg_reach desc nulls last"),
    "er": ("ER, highest first", "er desc nulls last"),
    "err": ("ERR, highest first", "err desc nulls last"),
    "title": ("Title, A to Z", "lower(coalesce(c.title, c.handle))"),
    "updated": ("Recently edited", "c.updated_at desc"),
    "measured": ("Recently measured", "l.measured_on desc nulls last"),
    # best matches of the search text first (relevance_sql), then by followers; without a
    # search text, by followers
    "relevance": ("Best match first", "l.followers desc nulls last"),
}


def default_sort(flt: ChannelFilter | None) -> str:
    """The order a list takes when none is chosen: best match first while searching, else by
    followers."""
    return "relevance" if flt is not None and search_words(flt.search) else "followers"


def list_channels(
    cur: duckdb.DuckDBPyConnection, flt: ChannelFilter | None = None, sort: str | None = None
) -> pl.DataFrame:
    """Channels with owner and latest known numbers and ratios (each with its date), narrowed by
    a filter; ``sort`` is a key of SORTS (None: ``default_sort``)."""
    return page_channels(cur, flt, sort)[0]


def page_channels(
    cur: duckdb.DuckDBPyConnection,
    flt: ChannelFilter | None = None,
    sort: str | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[pl.DataFrame, int]:
    """One page of ``list_channels`` (``limit`` rows from ``offset``) and how many match in all;
    each row carries the channel's ``version``, so a bulk edit can refuse stale rows.

    Numbers are the latest known (``followers`` with ``followers_on`` …), each ratio is from
    the newest snapshot that knows both its terms (``er`` with ``er_on`` …), ``measured_on`` is
    the date of the newest snapshot (see ``latest_known_sql``)."""
    flt = flt or ChannelFilter()
    sort = sort or default_sort(flt)
    if sort not in SORTS:
        raise ValidationError(f"Cannot sort by “{sort}”.")
    scope, scope_params = scope_sql(flt)
    where, params = filter_sql(flt)
    order, order_params = SORTS[sort][1], []
    if sort == "relevance" and (ranked := relevance_sql(flt))[0]:
        order, order_params = f"{ranked[0]}, {order}", ranked[1]
    sql = f"""
        with {latest_known_sql(scope)}
        select c.id, c.platform, c.handle, c.title, c.kind, o.name as owner, c.owner_id,
               c.niches, c.country, c.language, c.tags,
               l.followers, l.followers_on, l.avg_reach, l.avg_reach_on,
               l.avg_engagement, l.avg_engagement_on,
               l.er, l.er_on, l.err, l.err_on, l.reach_rate, l.reach_rate_on,
               l.measured_on, c.archived, coalesce(c.url, '') as url, c.version,
               count(*) over () as matching
        from channels c
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        where {where}
        order by {order}, c.id
        limit ? offset ?
    """
    params = [*scope_params, *params, *order_params, limit, max(offset, 0)]
    # through Arrow: a third faster than the relation's own .pl() on wide results
    frame = pl.from_arrow(cur.sql(sql, params=params).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    if frame.height:
        total = int(frame["matching"][0])
    elif offset > 0:
        total = page_channels(cur, flt, sort, limit=1)[1]
    else:
        total = 0
    return frame.drop("matching"), total


def matching_channel_ids(
    cur: duckdb.DuckDBPyConnection, flt: ChannelFilter | None = None
) -> list[int]:
    """The ids of every channel a filter matches (all pages of ``page_channels``), in id order:
    what "add all matching" acts on."""
    flt = flt or ChannelFilter()
    scope, scope_params = scope_sql(flt)
    where, params = filter_sql(flt)
    sql = f"""
        with {latest_known_sql(scope)}
        select c.id
        from channels c
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        where {where}
        order by c.id
    """
    return [int(r[0]) for r in cur.execute(sql, [*scope_params, *params]).fetchall()]


def with_growth(
    cur: duckdb.DuckDBPyConnection, frame: pl.DataFrame, days: int = 28
) -> pl.DataFrame:
    """Add ``growth``: latest known followers / followers of the newest snapshot at least
    ``days`` older than them, minus 1 (None without such a snapshot or when it counted 0)."""
    ids = frame["id"].to_list()
    then = cur.sql(
        """
        with newest as (
            select channel_id, max(measured_on) as measured_on
            from snapshots
            where list_contains(?::bigint[], channel_id) and followers is not null
            group by channel_id
        )
        select s.channel_id as id, arg_max(s.followers, (s.measured_on, s.id)) as followers_then
        from snapshots s join newest n on n.channel_id = s.channel_id
        where s.measured_on <= n.measured_on - ?::integer and s.followers is not null
        group by s.channel_id
        """,
        params=[ids, days],
    ).pl()
    return (
        frame.join(then, on="id", how="left")
        .with_columns(growth=metrics.growth_expr("followers", "followers_then"))
        .drop("followers_then")
    )


def scope_sql(flt: ChannelFilter) -> tuple[str, list[Any]]:
    """The part of the filter that needs only the channels table (alias c), and its parameters:
    lets the latest-snapshot query skip channels that cannot match."""
    clauses = ["true"]
    params: list[Any] = []
    if flt.archived == "active":
        clauses.append("not c.archived")
    elif flt.archived == "archived":
        clauses.append("c.archived")
    for column, chosen in (
        ("c.platform", flt.platforms),
        ("c.kind", flt.kinds),
        ("c.country", flt.countries),
        ("c.language", flt.languages),
    ):
        if chosen:
            clauses.append(f"list_contains(?::varchar[], {column})")
            params.append(list(chosen))
    for column, chosen in (("c.niches", flt.niches), ("c.tags", flt.tags)):
        if chosen:
            clauses.append(f"list_has_any({column}, ?::varchar[])")
            params.append(list(chosen))
    if flt.owner_id is not None:
        clauses.append("c.owner_id = ?")
        params.append(flt.owner_id)
    if flt.ids is not None:
        clauses.append("list_contains(?::bigint[], c.id)")
        params.append(list(flt.ids))
    return " and ".join(clauses), params


SEARCH_MAX = 200  # characters of a search text read (the page's text box takes no more)
SEARCH_WORDS = 8  # words looked for, at most
SEARCH_WORD_MAX = 40  # characters of one word looked for
# Typos are forgiven in words of 4 to 20 characters: in a shorter word a typo makes another
# word, and comparing a longer one against every word of every channel costs more than it finds
FUZZY_WORD_MIN, FUZZY_WORD_MAX = 4, 20

# what a search word is looked for in (lower case): title, handle, owner, notes, niches, tags
_HAYSTACK = """lower(concat_ws(' ', c.title, c.handle, o.name, c.notes,
                              array_to_string(c.niches, ' '), array_to_string(c.tags, ' ')))"""
# the words a search word may be a typo of (notes left out: long, and rarely what is meant)
_WORDS = """regexp_split_to_array(
    lower(concat_ws(' ', c.title, c.handle, o.name,
                    array_to_string(c.niches, ' '), array_to_string(c.tags, ' '))),
    '[^\\p{L}\\p{N}_]+')"""


def filter_sql(flt: ChannelFilter) -> tuple[str, list[Any]]:
    """The where clause (over channels c, owners o, latest known numbers l) and its parameters."""
    scope, params = scope_sql(flt)
    clauses = [scope]
    for expr, low, high in (
        ("l.followers", flt.followers_min, flt.followers_max),
        ("l.er", flt.er_min, flt.er_max),
    ):
        if low is not None:
            clauses.append(f"{expr} >= ?")
            params.append(low)
        if high is not None:
            clauses.append(f"{expr} <= ?")
            params.append(high)
    for need in flt.needs:
        if need not in NEEDS:
            raise ValidationError(f"Unknown gap “{need}”. Known: {', '.join(NEEDS)}.")
        clauses.append(f"({NEEDS[need][1]})")
    for word in search_words(flt.search):
        # each word must occur as written (case-insensitive) or be a typo or two away from a word
        if not FUZZY_WORD_MIN <= len(word) <= FUZZY_WORD_MAX:
            clauses.append(f"contains({_HAYSTACK}, ?)")
            params.append(word)
            continue
        typos = 1 if len(word) < 8 else 2
        clauses.append(
            f"""
            (
                contains({_HAYSTACK}, ?)
                or len(list_filter(
                    -- words whose length is too far off cannot be that close: skip them
                    -- before the costly distance (halves the time of a search)
                    list_filter({_WORDS}, lambda w: length(w) >= 3 and abs(length(w) - ?) <= ?),
                    lambda w: damerau_levenshtein(w, ?) <= ?
                )) > 0
            )
            """
        )
        params.extend([word, len(word), typos, word, typos])
    return " and ".join(clauses), params


def relevance_sql(flt: ChannelFilter) -> tuple[str, list[Any]]:
    """How well a channel (c, with owner o) matches the search text, as an SQL number to order
    by (lower is better) and its parameters ('' without a search text): 0 when the title or
    handle is the whole text, else 1 plus, for each word, 0 when the handle or title is the
    word, 1 when either starts with it, 2 when it occurs anywhere searched, 3 when only a typo
    of it does."""
    words = search_words(flt.search)
    if not words:
        return "", []
    ranks = []
    params: list[Any] = [" ".join(words)] * 2
    for word in words:
        ranks.append(
            f"""
            case when lower(c.handle) = ? or lower(c.title) = ? then 0
                 when starts_with(lower(c.handle), ?) or starts_with(lower(c.title), ?) then 1
                 when contains({_HAYSTACK}, ?) then 2
                 else 3 end
            """
        )
        params.extend([word] * 5)
    whole = "lower(c.handle) = ? or lower(c.title) = ?"
    return f"(case when {whole} then 0 else 1 + {' + '.join(ranks)} end)", params


def search_words(text: str) -> list[str]:
    """The words a search text looks for, in lower case: those of its first SEARCH_MAX
    characters, at most SEARCH_WORDS of them, each cut to SEARCH_WORD_MAX characters; a leading
    ``@`` dropped and a pasted link reduced to the handle it names."""
    words = []
    for word in (text or "")[:SEARCH_MAX].lower().split()[:SEARCH_WORDS]:
        if "/" in word and "." in word:
            # a pasted link searches for the handle it names
            with contextlib.suppress(ValidationError):
                word = parse_channel_url(word).handle.lower()
        words.append((word.lstrip("@") or word)[:SEARCH_WORD_MAX])
    return words


def filter_options(cur: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct values for the filter widgets: niches, countries, languages, tags."""
    out = {}
    for key, expr in (
        ("niches", "unnest(niches)"),
        ("tags", "unnest(tags)"),
        ("countries", "country"),
        ("languages", "language"),
    ):
        rows = cur.execute(
            f"select distinct v from (select {expr} as v from channels) where v is not null order by v"
        ).fetchall()
        out[key] = [r[0] for r in rows]
    return out


def count_channels(cur: duckdb.DuckDBPyConnection) -> int:
    """How many channels the registry holds, archived ones included."""
    return int(cur.execute("select count(*) from channels").fetchall()[0][0])


def needs_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many active channels lack each thing in NEEDS (numbers, fresh numbers, owner, contact)."""
    parts = ", ".join(f"count(*) filter (where {cond})" for _, cond in NEEDS.values())
    # NEEDS reads only the newest snapshot's id and date: the cheaper latest_sql gives both
    row = cur.execute(
        f"""
        with {latest_sql()}
        select {parts}
        from channels c
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        where not c.archived
        """
    ).fetchall()[0]
    return dict(zip(NEEDS, (int(v) for v in row), strict=True))


def registry_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the workspace holds: channel, owner and snapshot counts, and channels per platform."""
    row = cur.execute(
        """
        select (select count(*) from channels where not archived),
               (select count(*) from channels where archived),
               (select count(*) from owners),
               (select count(*) from snapshots),
               (select max(measured_on) from snapshots)
        """
    ).fetchall()[0]
    per_platform = cur.execute(
        """
        select platform, count(*) as channels,
               count(*) filter (where kind = 'public_page') as public_pages
        from channels where not archived group by platform order by channels desc, platform
        """
    ).fetchall()
    return {
        "channels": row[0],
        "archived": row[1],
        "owners": row[2],
        "snapshots": row[3],
        "last_measured_on": row[4],
        "per_platform": [
            {"platform": p, "channels": n, "public_pages": pp} for p, n, pp in per_platform
        ],
    }
