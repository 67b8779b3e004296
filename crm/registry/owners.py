"""Owners: the people and admins you negotiate with."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import duckdb
import polars as pl

from crm.errors import NotFound, ValidationError
from crm.fields import OWNERS
from crm.registry.queries import LATEST_SQL, ChannelFilter, list_channels
from crm.store import Store, columns, refusal, update_versioned

OWNER_EDITABLE = ("name", "email", "telegram", "phone", "other_contact", "notes")


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


_OWNER_COLS = ", ".join(f.name for f in fields(Owner))


def get_owner(cur: duckdb.DuckDBPyConnection, owner_id: int) -> Owner:
    """One owner by id."""
    row = cur.execute(f"select {_OWNER_COLS} from owners where id = ?", [owner_id]).fetchall()
    if not row:
        raise NotFound(f"Owner {owner_id} does not exist.")
    return Owner(*row[0])


def clean_owner_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise owner fields by the rules imports use (crm.fields)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in OWNER_EDITABLE:
            raise ValidationError(f"“{key}” is not an owner field.")
        out[key] = OWNERS.by_column(key).check(value)
    return out


def add_owner(store: Store, name: str, **values: Any) -> int:
    """Create an owner (the person or admin you negotiate with)."""
    clean = clean_owner_fields({"name": name, **values})
    with store.transaction("registry") as cur:
        names = list(clean)
        row = cur.execute(
            f"insert into owners ({columns(names)}) values ({', '.join('?' for _ in names)}) "
            "returning id",
            list(clean.values()),
        ).fetchall()
    return int(row[0][0])


def update_owner(
    store: Store,
    owner_id: int,
    version: int,
    *,
    seen: dict[str, Any] | None = None,
    **changes: Any,
) -> int:
    """Apply edits made to the owner at ``version``; returns the new version.

    With ``seen`` (field → the value shown when the form opened) an edit to an owner who moved
    on meanwhile still applies unless someone else changed one of the same fields.
    """
    clean = clean_owner_fields(changes)
    if not clean:
        return version
    with store.transaction("registry") as cur:
        return update_versioned(cur, "owners", owner_id, version, clean, seen=seen)


def delete_owner(store: Store, owner_id: int, version: int) -> int:
    """Delete an owner still at ``version``; their channels stay, without an owner (each gets a
    new version). Returns how many channels lost their owner."""
    with store.transaction("registry") as cur:
        gone = cur.execute(
            "delete from owners where id = ? and version = ? returning id", [owner_id, version]
        ).fetchall()
        if not gone:
            raise refusal(cur, "owners", owner_id)
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
    with store.transaction("registry") as tx:
        keep, drop = get_owner(tx, keep_id), get_owner(tx, drop_id)
        filled = {
            name: getattr(drop, name)
            for name in ("email", "telegram", "phone", "other_contact")
            if not getattr(keep, name) and getattr(drop, name)
        }
        if drop.notes:
            filled["notes"] = f"{keep.notes}\n{drop.notes}" if keep.notes else drop.notes
        if filled:
            update_versioned(tx, "owners", keep.id, keep.version, filled)
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
    frame: pl.DataFrame = cur.sql(sql, params=[search.strip(), search.strip()]).pl()
    return frame


def owner_channels(cur: duckdb.DuckDBPyConnection, owner_id: int) -> pl.DataFrame:
    """An owner's channels (archived too) with their latest numbers."""
    return list_channels(cur, ChannelFilter(archived="all", owner_id=owner_id))


def owner_names(cur: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Every owner's name by id, in name order (for pickers)."""
    rows = cur.execute("select id, name from owners order by lower(name), id").fetchall()
    return {int(i): n for i, n in rows}
