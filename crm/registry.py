"""The registry: owners, channels and their metric snapshots."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

import duckdb
import polars as pl

from crm import metrics
from crm.db import Store, quote_ident
from crm.errors import NotFound, StaleEdit, ValidationError
from crm.fields import SNAPSHOT_METRICS
from crm.geo import normalise_country, normalise_language
from crm.platforms import (
    KINDS,
    PROVENANCES,
    ChannelRef,
    canonical_url,
    check_handle,
    check_platform,
    parse_channel_url,
)
from crm.validation import (
    check_count,
    check_email,
    check_phone,
    check_telegram,
    check_url,
    clean_text,
    split_list,
)

CHANNEL_EDITABLE = (
    "title",
    "kind",
    "owner_id",
    "niches",
    "country",
    "city",
    "language",
    "email",
    "telegram",
    "phone",
    "tags",
    "notes",
    "url",
)
OWNER_EDITABLE = ("name", "email", "telegram", "phone", "other_contact", "notes")


@dataclass
class Channel:
    id: int
    platform: str
    handle: str
    url: str | None
    title: str | None
    kind: str
    owner_id: int | None
    niches: list[str]
    country: str | None
    city: str | None
    language: str | None
    email: str | None
    telegram: str | None
    phone: str | None
    tags: list[str]
    notes: str | None
    archived: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.handle}"

    @property
    def link(self) -> str:
        return self.url or canonical_url(self.platform, self.handle)


@dataclass
class Owner:
    id: int
    name: str
    email: str | None
    telegram: str | None
    phone: str | None
    other_contact: str | None
    notes: str | None
    version: int


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


_CHANNEL_COLS = ", ".join(f.name for f in fields(Channel))
_OWNER_COLS = ", ".join(f.name for f in fields(Owner))


# ---------------------------------------------------------------- validation


def clean_channel_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise editable channel fields; refuses with a clear message."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in CHANNEL_EDITABLE:
            raise ValidationError(f"“{key}” is not a channel field that can be edited.")
        if key == "kind":
            kind = (clean_text(value) or "person").lower().replace(" ", "_")
            if kind not in KINDS:
                raise ValidationError(f"Kind must be one of {', '.join(KINDS)}, not “{value}”.")
            out[key] = kind
        elif key in ("niches", "tags"):
            out[key] = split_list(value)
        elif key == "email":
            out[key] = check_email(value)
        elif key == "telegram":
            out[key] = check_telegram(value)
        elif key == "phone":
            out[key] = check_phone(value)
        elif key == "url":
            out[key] = check_url(value)
        elif key == "country":
            out[key] = normalise_country(clean_text(value))
        elif key == "language":
            out[key] = normalise_language(clean_text(value))
        elif key == "owner_id":
            out[key] = int(value) if value not in (None, "") else None
        else:
            out[key] = clean_text(value)
    return out


def clean_snapshot_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate snapshot numbers (none negative), date and provenance."""
    out: dict[str, Any] = {}
    for name in SNAPSHOT_METRICS:
        if name in values:
            label = name.replace("avg_", "average ").replace("_", " ")
            number = check_count(values[name], label.capitalize())
            out[name] = number
    if all(out.get(n) is None for n in SNAPSHOT_METRICS):
        raise ValidationError("A snapshot needs at least one number (followers, reach, views …).")
    provenance = values.get("provenance") or "manual"
    if provenance not in PROVENANCES:
        raise ValidationError(f"Provenance must be one of {', '.join(PROVENANCES)}.")
    out["provenance"] = provenance
    measured = values.get("measured_on") or dt.date.today()
    if isinstance(measured, str):
        try:
            measured = dt.date.fromisoformat(measured)
        except ValueError:
            raise ValidationError(f"“{measured}” is not a date (use YYYY-MM-DD).") from None
    if isinstance(measured, dt.datetime):
        measured = measured.date()
    if measured > dt.date.today() + dt.timedelta(days=1):
        raise ValidationError("A measurement cannot be dated in the future.")
    out["measured_on"] = measured
    out["source"] = clean_text(values.get("source"))
    return out


# ---------------------------------------------------------------- channels


def get_channel(cur: duckdb.DuckDBPyConnection, channel_id: int) -> Channel:
    """One channel by id."""
    row = cur.execute(f"select {_CHANNEL_COLS} from channels where id = ?", [channel_id]).fetchall()
    if not row:
        raise NotFound(f"Channel {channel_id} does not exist.")
    return Channel(*row[0])


def find_channel(cur: duckdb.DuckDBPyConnection, ref: ChannelRef) -> int | None:
    """The id of the channel with this platform + handle, if any."""
    rows = cur.execute(
        "select id from channels where platform = ? and handle = ?", [ref.platform, ref.handle]
    ).fetchall()
    return rows[0][0] if rows else None


def add_channel(store: Store, platform: str, handle: str, **values: Any) -> int:
    """Create a channel; refuses a platform + handle that exists already."""
    ref = ChannelRef(check_platform(platform), check_handle(handle))
    clean = clean_channel_fields(values)
    clean.setdefault("kind", "person")
    clean.setdefault("url", canonical_url(ref.platform, ref.handle) or None)
    with store.transaction() as cur:
        if find_channel(cur, ref) is not None:
            raise ValidationError(f"{ref} is in the registry already.")
        names = ["platform", "handle", *clean]
        marks = ", ".join("?" for _ in names)
        row = cur.execute(
            f"insert into channels ({_columns(names)}) values ({marks}) returning id",
            [ref.platform, ref.handle, *clean.values()],
        ).fetchall()
    return int(row[0][0])


def add_channel_from_url(store: Store, url: str, **values: Any) -> tuple[int, bool]:
    """Add the channel a URL points at; (id, created). An existing channel is returned, not copied."""
    ref = parse_channel_url(url)
    existing = find_channel(store.cursor(), ref)
    if existing is not None:
        return existing, False
    values.setdefault("url", url.strip() if "://" in url else "https://" + url.strip())
    if ref.kind_hint:
        values.setdefault("kind", ref.kind_hint)
    return add_channel(store, ref.platform, ref.handle, **values), True


def update_channel(store: Store, channel_id: int, version: int, **changes: Any) -> int:
    """Apply edits if the channel is still at ``version``; returns the new version."""
    clean = clean_channel_fields(changes)
    if not clean:
        return version
    if clean.get("owner_id") is not None:
        get_owner(store.cursor(), clean["owner_id"])
    with store.transaction() as cur:
        return _bump(cur, "channels", channel_id, version, clean)


def set_archived(store: Store, channel_id: int, version: int, archived: bool) -> int:
    """Archive or restore a channel; returns the new version."""
    with store.transaction() as cur:
        return _bump(cur, "channels", channel_id, version, {"archived": archived})


def bulk_edit(
    store: Store,
    channel_ids: list[int],
    *,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    owner_id: int | None = None,
    clear_owner: bool = False,
    archived: bool | None = None,
) -> int:
    """Tag, untag, assign an owner to, archive or restore many channels in one transaction;
    returns how many channels changed (each of them gets a new version)."""
    ids = sorted({int(i) for i in channel_ids})
    if not ids:
        raise ValidationError("Select at least one channel first.")
    add = split_list(add_tags or [])
    remove = split_list(remove_tags or [])
    if owner_id is not None:
        get_owner(store.cursor(), owner_id)
    new_tags = """
        list_filter(
            list_concat(tags, list_filter(?::varchar[], lambda t: not list_contains(tags, t))),
            lambda t: not list_contains(?::varchar[], t)
        )
    """
    new_owner = "case when ? then null when ? is not null then ? else owner_id end"
    new_archived = "coalesce(?, archived)"
    params = [add, remove, clear_owner, owner_id, owner_id, archived]
    with store.transaction() as cur:
        changed = cur.execute(
            f"""
            update channels
            set tags = {new_tags}, owner_id = {new_owner}, archived = {new_archived},
                version = version + 1, updated_at = current_timestamp
            where list_contains(?::bigint[], id)
              and (tags is distinct from {new_tags}
                   or owner_id is distinct from {new_owner}
                   or archived is distinct from {new_archived})
            returning id
            """,
            [*params, ids, *params],
        ).fetchall()
    return len(changed)


def _columns(names: list[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _bump(
    cur: duckdb.DuckDBPyConnection, table: str, rid: int, version: int, changes: dict[str, Any]
) -> int:
    """Write ``changes`` to a record still at ``version``; returns its version afterwards.

    A write that changes nothing keeps the version (a no-op save is not an edit); a record
    that moved on meanwhile is refused as stale.
    """
    # table and column names come from this module's constants, never from input
    sets = ", ".join(f"{quote_ident(n)} = ?" for n in changes)
    differs = " or ".join(f"{quote_ident(n)} is distinct from ?" for n in changes)
    rows = cur.execute(
        f"""
        update {quote_ident(table)} set {sets}, version = version + 1, updated_at = current_timestamp
        where id = ? and version = ? and ({differs}) returning version
        """,
        [*changes.values(), rid, version, *changes.values()],
    ).fetchall()
    if rows:
        return int(rows[0][0])
    current = cur.execute(
        f"select version from {quote_ident(table)} where id = ?", [rid]
    ).fetchall()
    if current and current[0][0] == version:
        return version
    raise _refusal(cur, table, rid)


def _refusal(cur: duckdb.DuckDBPyConnection, table: str, rid: int) -> NotFound | StaleEdit:
    """Why a versioned write touched no row: the record is gone, or someone changed it."""
    exists = cur.execute(f"select version from {quote_ident(table)} where id = ?", [rid]).fetchall()
    if not exists:
        return NotFound(f"Record {rid} no longer exists.")
    return StaleEdit(
        "Someone else changed this record since you opened it. "
        "Reload the page to see their changes, then edit again."
    )


def latest_sql(scope: str = "") -> str:
    """The ``latest`` CTE: each channel's newest snapshot (by date, then entry order), only for
    the channels that ``scope`` (a condition over channels c) admits, when given."""
    only = f"where channel_id in (select c.id from channels c where {scope})" if scope else ""
    return f"""
    latest as (
        select * from snapshots
        where id in (
            select arg_max(id, (measured_on, id)) from snapshots {only} group by channel_id
        )
    )
"""


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
    """One page of ``list_channels`` (``limit`` rows from ``offset``) and how many match in all."""
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
               l.measured_on, c.archived, coalesce(c.url, '') as url,
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
        .with_columns(
            growth=pl.when(pl.col("followers_then") > 0).then(
                pl.col("followers") / pl.col("followers_then") - 1
            )
        )
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
        ("l.avg_engagement / nullif(l.followers, 0)", flt.er_min, flt.er_max),
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


# ---------------------------------------------------------------- owners


def get_owner(cur: duckdb.DuckDBPyConnection, owner_id: int) -> Owner:
    """One owner by id."""
    row = cur.execute(f"select {_OWNER_COLS} from owners where id = ?", [owner_id]).fetchall()
    if not row:
        raise NotFound(f"Owner {owner_id} does not exist.")
    return Owner(*row[0])


def clean_owner_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise owner fields."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in OWNER_EDITABLE:
            raise ValidationError(f"“{key}” is not an owner field.")
        if key == "email":
            out[key] = check_email(value)
        elif key == "telegram":
            out[key] = check_telegram(value)
        elif key == "phone":
            out[key] = check_phone(value)
        else:
            out[key] = clean_text(value)
    if "name" in out and not out["name"]:
        raise ValidationError("An owner needs a name.")
    return out


def add_owner(store: Store, name: str, **values: Any) -> int:
    """Create an owner (the person or admin you negotiate with)."""
    clean = clean_owner_fields({"name": name, **values})
    with store.transaction() as cur:
        names = list(clean)
        row = cur.execute(
            f"insert into owners ({_columns(names)}) values ({', '.join('?' for _ in names)}) "
            "returning id",
            list(clean.values()),
        ).fetchall()
    return int(row[0][0])


def update_owner(store: Store, owner_id: int, version: int, **changes: Any) -> int:
    """Apply edits to an owner still at ``version``; returns the new version."""
    clean = clean_owner_fields(changes)
    if not clean:
        return version
    with store.transaction() as cur:
        return _bump(cur, "owners", owner_id, version, clean)


def delete_owner(store: Store, owner_id: int, version: int) -> int:
    """Delete an owner still at ``version``; their channels stay, without an owner (each gets a
    new version). Returns how many channels lost their owner."""
    with store.transaction() as cur:
        gone = cur.execute(
            "delete from owners where id = ? and version = ? returning id", [owner_id, version]
        ).fetchall()
        if not gone:
            raise _refusal(cur, "owners", owner_id)
        freed = cur.execute(
            """
            update channels set owner_id = null, version = version + 1,
                                updated_at = current_timestamp
            where owner_id = ? returning id
            """,
            [owner_id],
        ).fetchall()
    return len(freed)


def merge_owners(store: Store, keep_id: int, drop_id: int) -> int:
    """Fold one owner into another (the same person entered twice): the kept owner takes the
    other's channels and any contact it lacks, notes are joined, the other is deleted.
    Returns how many channels moved."""
    if keep_id == drop_id:
        raise ValidationError("Choose two different owners to merge.")
    cur = store.cursor()
    keep, drop = get_owner(cur, keep_id), get_owner(cur, drop_id)
    filled = {
        name: getattr(drop, name)
        for name in ("email", "telegram", "phone", "other_contact")
        if not getattr(keep, name) and getattr(drop, name)
    }
    if drop.notes:
        filled["notes"] = f"{keep.notes}\n{drop.notes}" if keep.notes else drop.notes
    with store.transaction() as tx:
        if filled:
            _bump(tx, "owners", keep.id, keep.version, filled)
        moved = tx.execute(
            """
            update channels set owner_id = ?, version = version + 1,
                                updated_at = current_timestamp
            where owner_id = ? returning id
            """,
            [keep.id, drop.id],
        ).fetchall()
        tx.execute("delete from owners where id = ?", [drop.id])
    return len(moved)


def find_owner_by_name(cur: duckdb.DuckDBPyConnection, name: str) -> int | None:
    """The id of the owner with this name (case-insensitive), if any."""
    rows = cur.execute(
        "select id from owners where lower(name) = lower(?) order by id limit 1", [name.strip()]
    ).fetchall()
    return rows[0][0] if rows else None


def list_owners(cur: duckdb.DuckDBPyConnection, search: str = "") -> pl.DataFrame:
    """Owners with their contacts, number of channels and total followers of those channels."""
    sql = f"""
        with {LATEST_SQL}
        select o.id, o.name, o.email, o.telegram, o.phone, o.other_contact,
               count(c.id) as channels,
               list(distinct c.platform order by c.platform)
                   filter (where c.platform is not null) as platforms,
               sum(l.followers)::bigint as followers, o.version
        from owners o
        left join channels c on c.owner_id = o.id and not c.archived
        left join latest l on l.channel_id = c.id
        where ? = '' or lower(concat_ws(' ', o.name, o.email, o.telegram, o.phone))
                        like '%' || lower(?) || '%'
        group by all
        order by channels desc, o.name
    """
    return cur.sql(sql, params=[search.strip(), search.strip()]).pl()


def owner_channels(cur: duckdb.DuckDBPyConnection, owner_id: int) -> pl.DataFrame:
    """An owner's channels (archived too) with their latest numbers."""
    return list_channels(cur, ChannelFilter(archived="all", owner_id=owner_id))


def owner_names(cur: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Every owner's name by id, in name order (for pickers)."""
    rows = cur.execute("select id, name from owners order by lower(name), id").fetchall()
    return {int(i): n for i, n in rows}


# ---------------------------------------------------------------- snapshots


def add_snapshot(store: Store, channel_id: int, **values: Any) -> int:
    """Record a metric snapshot for a channel (numbers checked, provenance required)."""
    clean = clean_snapshot_fields(values)
    get_channel(store.cursor(), channel_id)
    with store.transaction() as cur:
        names = ["channel_id", *clean]
        row = cur.execute(
            f"insert into snapshots ({_columns(names)}) "
            f"values ({', '.join('?' for _ in names)}) returning id",
            [channel_id, *clean.values()],
        ).fetchall()
    return int(row[0][0])


def followers_change(snapshots: pl.DataFrame) -> int | None:
    """Followers of the latest snapshot minus those of the one before (oldest-first frame), or
    None when either count is unknown."""
    known = snapshots["followers"].to_list()[-2:] if snapshots.height > 1 else []
    if len(known) < 2 or None in known:
        return None
    return int(known[1] - known[0])


def delete_snapshot(store: Store, channel_id: int, snapshot_id: int) -> None:
    """Remove one snapshot of a channel (a measurement entered by mistake)."""
    with store.transaction() as cur:
        gone = cur.execute(
            "delete from snapshots where id = ? and channel_id = ? returning id",
            [snapshot_id, channel_id],
        ).fetchall()
        if not gone:
            raise NotFound("That snapshot no longer exists: reload the page.")


def list_snapshots(cur: duckdb.DuckDBPyConnection, channel_id: int) -> pl.DataFrame:
    """A channel's snapshots, oldest first, with ER, ERR and reach rate."""
    sql = f"""
        select id, measured_on, followers, avg_reach, avg_views, avg_engagement,
               avg_likes, avg_comments, avg_shares,
               {metrics.ER_SQL} as er, {metrics.ERR_SQL} as err,
               {metrics.REACH_RATE_SQL} as reach_rate, provenance, source
        from snapshots where channel_id = ?
        order by measured_on, id
    """
    return cur.sql(sql, params=[channel_id]).pl()
