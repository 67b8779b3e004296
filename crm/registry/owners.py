"""Owners: the people and admins you negotiate with."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

import duckdb
import polars as pl

from crm.errors import NotFound, ValidationError
from crm.fields import OWNERS
from crm.formatting import format_count
from crm.registry.queries import LATEST_SQL, ChannelFilter, list_channels
from crm.store import Store, columns, refusal, update_versioned

# the owner columns a form may change: the field specification's editable fields
OWNER_EDITABLE = tuple(f.db_column for f in OWNERS.fields if f.editable)


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


_CONTACTS = {"email": "e-mail", "telegram": "Telegram", "phone": "phone"}


def _contact_key(name: str, value: str) -> str:
    """What makes two contacts the same: case for e-mail and Telegram, the last ten digits of a
    phone (so +7 900 … and 8 900 … agree)."""
    if name == "phone":
        digits = re.sub(r"\D", "", value)
        return digits[-10:]
    return value.strip().lower()


@dataclass(frozen=True)
class MergePreview:
    """What merging ``drop`` into ``keep`` does (``merge_preview``), before anything is written."""

    keep: Owner
    drop: Owner
    channels: list[str]  # PLATFORM:HANDLE of the channels that move to ``keep`` (archived too)
    filled: dict[str, str]  # contact field → the duplicate's value ``keep`` lacked and takes
    other_contacts: list[str]  # the duplicate's other contacts ``keep`` keeps as other contacts
    other_contact: str | None  # ``keep``'s other contact after the merge
    notes: str | None  # ``keep``'s notes after the merge

    def changes(self) -> dict[str, str | None]:
        """The fields of the kept owner the merge writes."""
        out: dict[str, str | None] = dict(self.filled)
        if self.other_contact != self.keep.other_contact:
            out["other_contact"] = self.other_contact
        if self.notes != self.keep.notes:
            out["notes"] = self.notes
        return out

    def lines(self) -> list[str]:
        """The consequences in sentences, for the page to show before the user confirms."""
        keep, n = self.keep.name, len(self.channels)
        shown = ", ".join(self.channels[:10]) + (f" and {n - 10} more" if n > 10 else "")
        if n == 0:
            out = ["No channel moves."]
        elif n == 1:
            out = [f"1 channel moves to {keep}: {shown}."]
        else:
            out = [f"{n} channels move to {keep}: {shown}."]
        out += [f"{keep} takes the {_CONTACTS[k]} {v}." for k, v in self.filled.items()]
        if self.other_contacts:
            out.append(f"Kept as other contacts: {', '.join(self.other_contacts)}.")
        if self.drop.notes:
            out.append(
                "The notes of both are joined." if self.keep.notes else f"{keep} takes the notes."
            )
        out.append(f"{self.drop.name} is deleted.")
        return out


def merge_preview(cur: duckdb.DuckDBPyConnection, keep_id: int, drop_id: int) -> MergePreview:
    """What ``merge_owners(keep_id, drop_id)`` would do: the channels that move, the contacts
    the kept owner takes or keeps as other contacts, the owner that is deleted."""
    if keep_id == drop_id:
        raise ValidationError("Choose two different owners to merge.")
    keep, drop = get_owner(cur, keep_id), get_owner(cur, drop_id)
    filled: dict[str, str] = {}
    extra: list[str] = []
    for name in _CONTACTS:
        theirs, ours = getattr(drop, name), getattr(keep, name)
        if not theirs:
            continue
        if not ours:
            filled[name] = theirs
        elif _contact_key(name, theirs) != _contact_key(name, ours):
            extra.append(theirs)
    if drop.other_contact:
        extra.append(drop.other_contact)
    have = (keep.other_contact or "").lower()
    extra = [c for c in dict.fromkeys(extra) if c.lower() not in have]
    other = "; ".join(c for c in (keep.other_contact, *extra) if c) or None
    notes = keep.notes
    if drop.notes:
        notes = f"{keep.notes}\n{drop.notes}" if keep.notes else drop.notes
    rows = cur.execute(
        "select platform || ':' || handle from channels where owner_id = ? order by platform, "
        "handle",
        [drop.id],
    ).fetchall()
    return MergePreview(keep, drop, [r[0] for r in rows], filled, extra, other, notes)


def merge_owners(store: Store, keep_id: int, drop_id: int) -> int:
    """Fold one owner into another (the same person entered twice): the kept owner takes the
    other's channels and any contact it lacks, keeps the other's differing e-mail, Telegram,
    phone and other contact as other contacts, notes are joined, the other is deleted
    (``merge_preview`` says all this beforehand). Returns how many channels moved."""
    with store.transaction("registry") as tx:
        plan = merge_preview(tx, keep_id, drop_id)
        if changes := plan.changes():
            update_versioned(tx, "owners", plan.keep.id, plan.keep.version, changes)
        moved = tx.execute(
            """
            update channels set owner_id = ?, version = version + 1,
                                updated_at = current_timestamp
            where owner_id = ? returning id
            """,
            [plan.keep.id, plan.drop.id],
        ).fetchall()
        tx.execute("delete from owners where id = ?", [plan.drop.id])
    return len(moved)


@dataclass(frozen=True)
class DuplicateOwners:
    """Two owners that are likely the same person, and why (``likely_duplicate_owners``)."""

    first_id: int
    first_name: str
    second_id: int
    second_name: str
    reasons: tuple[str, ...]  # "same name", "same e-mail", "same Telegram", "same phone"


# each owner's keys for "the same person": the name's words in any order, in lower case, ё as е;
# e-mail and Telegram in lower case; the last ten digits of the phone
_OWNER_KEYS = """
    select id, name,
           nullif(array_to_string(list_sort(list_filter(
               regexp_split_to_array(replace(lower(name), 'ё', 'е'), '[^\\p{L}\\p{N}]+'),
               lambda w: w <> '')), ' '), '') as same_name,
           lower(email) as same_email,
           lower(telegram) as same_telegram,
           case when length(regexp_replace(phone, '\\D', '', 'g')) >= 7
                then right(regexp_replace(phone, '\\D', '', 'g'), 10) end as same_phone
    from owners
"""
_DUPLICATE_REASONS = {
    "same_name": "same name",
    "same_email": "same e-mail",
    "same_telegram": "same Telegram",
    "same_phone": "same phone",
}


def likely_duplicate_owners(cur: duckdb.DuckDBPyConnection) -> list[DuplicateOwners]:
    """Pairs of owners that are likely one person entered twice: the same name (words in any
    order, any case, ё as е), e-mail, Telegram or phone; each pair once, older owner first."""
    pairs = " union all ".join(
        f"""
        select a.id as first_id, b.id as second_id, {rank} as rank, ? as reason
        from keys a join keys b on a.{key} = b.{key} and a.id < b.id
        """
        for rank, key in enumerate(_DUPLICATE_REASONS)
    )
    rows = cur.execute(
        f"""
        with keys as ({_OWNER_KEYS}), pairs as ({pairs})
        select p.first_id, a.name, p.second_id, b.name, list(p.reason order by p.rank)
        from pairs p
        join owners a on a.id = p.first_id
        join owners b on b.id = p.second_id
        group by all
        order by p.first_id, p.second_id
        """,
        list(_DUPLICATE_REASONS.values()),
    ).fetchall()
    return [DuplicateOwners(int(a), an, int(b), bn, tuple(why)) for a, an, b, bn, why in rows]


@dataclass(frozen=True)
class OwnerChoice:
    """One owner as a picker shows it (``owner_choices``)."""

    id: int
    name: str
    email: str | None
    telegram: str | None
    phone: str | None
    channels: int  # active channels, as the Owners page counts them

    @property
    def label(self) -> str:
        """“Anna Petrova · anna@x.ru · @anna · 3 channels”."""
        n = self.channels
        count = (
            "no channels" if n == 0 else "1 channel" if n == 1 else f"{format_count(n)} channels"
        )
        contacts = [c for c in (self.email, self.telegram, self.phone) if c]
        return " · ".join([self.name, *contacts, count])


def owner_choices(cur: duckdb.DuckDBPyConnection) -> list[OwnerChoice]:
    """Every owner with contacts and number of active channels, in name order (for pickers that
    must tell two owners of one name apart, such as the merge picker)."""
    rows = cur.execute(
        """
        select o.id, o.name, o.email, o.telegram, o.phone,
               count(c.id) filter (where not c.archived) as channels
        from owners o
        left join channels c on c.owner_id = o.id
        group by o.id, o.name, o.email, o.telegram, o.phone
        order by lower(o.name), o.id
        """
    ).fetchall()
    return [OwnerChoice(int(i), n, e, t, p, int(c)) for i, n, e, t, p, c in rows]


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
