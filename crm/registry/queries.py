"""Reading the registry: the filtered, sorted channel list, counts, and the latest snapshot."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from crm import metrics
from crm.errors import ValidationError
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
    """The ``latest`` CTE: each channel's newest snapshot (by date, then entry order), only for
    the channels that ``scope`` (a condition over channels c) admits, when given. The one
    definition of "latest snapshot": the Channels list, exports, owners, the import's classify
    query and pricing all read it."""
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


LATEST_SQL = latest_sql()


SORTS = {
    "followers": ("Followers, most first", "l.followers desc nulls last"),
    "avg_reach": ("Average reach, most first", "l.avg_reach desc nulls last"),
    "er": ("ER, highest first", "er desc nulls last"),
    "err": ("ERR, highest first", "err desc nulls last"),
    "title": ("Title, A to Z", "lower(coalesce(c.title, c.handle))"),
    "updated": ("Recently edited", "c.updated_at desc"),
    "measured": ("Recently measured", "l.measured_on desc nulls last"),
}


def list_channels(
    cur: duckdb.DuckDBPyConnection, flt: ChannelFilter | None = None, sort: str = "followers"
) -> pl.DataFrame:
    """Channels with owner and latest snapshot (followers, reach, ER, ERR), narrowed by a filter."""
    return page_channels(cur, flt, sort)[0]


def page_channels(
    cur: duckdb.DuckDBPyConnection,
    flt: ChannelFilter | None = None,
    sort: str = "followers",
    *,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[pl.DataFrame, int]:
    """One page of ``list_channels`` (``limit`` rows from ``offset``) and how many match in all;
    each row carries the channel's ``version``, so a bulk edit can refuse stale rows."""
    flt = flt or ChannelFilter()
    if sort not in SORTS:
        raise ValidationError(f"Cannot sort by “{sort}”.")
    scope, scope_params = scope_sql(flt)
    where, params = filter_sql(flt)
    sql = f"""
        with {latest_sql(scope)}
        select c.id, c.platform, c.handle, c.title, c.kind, o.name as owner, c.owner_id,
               c.niches, c.country, c.language, c.tags,
               l.followers, l.avg_reach, l.avg_engagement,
               {metrics.er_sql("l")} as er,
               {metrics.err_sql("l")} as err,
               {metrics.reach_rate_sql("l")} as reach_rate,
               l.measured_on, c.archived, coalesce(c.url, '') as url, c.version,
               count(*) over () as matching
        from channels c
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        where {where}
        order by {SORTS[sort][1]}, c.id
        limit ? offset ?
    """
    params = [*scope_params, *params, limit, max(offset, 0)]
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


def with_growth(
    cur: duckdb.DuckDBPyConnection, frame: pl.DataFrame, days: int = 28
) -> pl.DataFrame:
    """Add ``growth``: latest followers / followers of the newest snapshot at least ``days``
    older, minus 1 (None without such a snapshot or when it counted 0 followers)."""
    ids = frame["id"].to_list()
    then = cur.sql(
        """
        with newest as (
            select channel_id, max(measured_on) as measured_on
            from snapshots where list_contains(?::bigint[], channel_id) group by channel_id
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
    return " and ".join(clauses), params


def filter_sql(flt: ChannelFilter) -> tuple[str, list[Any]]:
    """The where clause (over channels c, owners o, latest snapshot l) and its parameters."""
    scope, params = scope_sql(flt)
    clauses = [scope]
    for expr, low, high in (
        ("l.followers", flt.followers_min, flt.followers_max),
        (metrics.er_sql("l"), flt.er_min, flt.er_max),
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
    for word in _search_words(flt.search):
        # each word must occur (case-insensitive) or be one or two typos away from a word
        clauses.append(
            """
            (
                lower(concat_ws(' ', c.title, c.handle, o.name, c.notes)) like '%' || ? || '%'
                or list_bool_or(list_transform(
                    regexp_split_to_array(lower(concat_ws(' ', c.title, c.handle, o.name)), '[^\\p{L}\\p{N}_]+'),
                    lambda w: length(w) >= 3 and damerau_levenshtein(w, ?) <= ?
                ))
            )
            """
        )
        params.extend([word, word, 0 if len(word) < 4 else 1 if len(word) < 8 else 2])
    return " and ".join(clauses), params


def _search_words(text: str) -> list[str]:
    words = []
    for word in (text or "").lower().split()[:8]:
        if "/" in word and "." in word:
            # a pasted link searches for the handle it names
            with contextlib.suppress(ValidationError):
                word = parse_channel_url(word).handle
        words.append(word.lstrip("@") or word)
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
    row = cur.execute(
        f"""
        with {LATEST_SQL}
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
