"""Channels: one account or public page on one platform, keyed by platform + handle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import duckdb

from crm.errors import NotFound, ValidationError
from crm.fields import CHANNELS
from crm.parsing.checks import split_list
from crm.registry.owners import get_owner
from crm.store import Store, check_versions, columns, update_versioned
from crm.vocab.platforms import (
    ChannelRef,
    canonical_url,
    check_handle,
    check_platform,
    parse_channel_link,
)

# the channel columns a form may change: the field specification's editable fields, and the owner
CHANNEL_EDITABLE = (*(f.db_column for f in CHANNELS.fields if f.editable), "owner_id")


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


_CHANNEL_COLS = ", ".join(f.name for f in fields(Channel))


def clean_channel_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise editable channel fields by the rules imports use (crm.fields);
    refuses with a clear message."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in CHANNEL_EDITABLE:
            raise ValidationError(f"“{key}” is not a channel field that can be edited.")
        if key == "owner_id":
            out[key] = int(value) if value not in (None, "") else None
        else:
            out[key] = CHANNELS.by_column(key).check(value)
    return out


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
    with store.transaction("registry") as cur:
        if clean.get("owner_id") is not None:
            get_owner(cur, clean["owner_id"])
        if find_channel(cur, ref) is not None:
            raise ValidationError(f"{ref} is in the registry already.")
        names = ["platform", "handle", *clean]
        marks = ", ".join("?" for _ in names)
        row = cur.execute(
            f"insert into channels ({columns(names)}) values ({marks}) returning id",
            [ref.platform, ref.handle, *clean.values()],
        ).fetchall()
    return int(row[0][0])


class AddedChannel(NamedTuple):
    """What adding by a link did: the channel's id, and whether it was created (False: it was
    in the registry already, and nothing was written)."""

    id: int
    created: bool


def add_channel_from_url(store: Store, url: str, **values: Any) -> AddedChannel:
    """Add the channel a URL points at; (id, created). An existing channel is returned, not copied.
    A link to a post adds (or opens) the channel it belongs to, where the link says which."""
    ref, below = parse_channel_link(url)
    # a post link is not the channel's address: keep the channel's own
    pasted = url.strip() if "://" in url else "https://" + url.strip()
    values.setdefault("url", (ref.url or None) if below else pasted)
    if ref.kind_hint:
        values.setdefault("kind", ref.kind_hint)
    # the look-up and the insert in one transaction: two sessions pasting the same link at once
    # get one channel, not a refusal for the second
    with store.transaction("registry") as cur:
        existing = find_channel(cur, ref)
        if existing is not None:
            return AddedChannel(existing, False)
        return AddedChannel(add_channel(store, ref.platform, ref.handle, **values), True)


def update_channel(
    store: Store,
    channel_id: int,
    version: int,
    *,
    seen: dict[str, Any] | None = None,
    **changes: Any,
) -> int:
    """Apply edits made to the channel at ``version``; returns the new version.

    With ``seen`` (field → the value shown when the form opened) an edit to a channel that moved
    on meanwhile still applies unless someone else changed one of the same fields.
    """
    clean = clean_channel_fields(changes)
    if not clean:
        return version
    with store.transaction("registry") as cur:
        if clean.get("owner_id") is not None:
            get_owner(cur, clean["owner_id"])
        return update_versioned(cur, "channels", channel_id, version, clean, seen=seen)


def set_archived(store: Store, channel_id: int, version: int, archived: bool) -> int:
    """Archive or restore a channel; returns the new version."""
    with store.transaction("registry") as cur:
        return update_versioned(cur, "channels", channel_id, version, {"archived": archived})


def bulk_edit(
    store: Store,
    channel_ids: list[int] | None = None,
    *,
    versions: dict[int, int] | None = None,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    owner_id: int | None = None,
    clear_owner: bool = False,
    archived: bool | None = None,
) -> int:
    """Tag, untag, assign an owner to, archive or restore many channels in one transaction;
    returns how many channels changed (each of them gets a new version).

    The channels are ``channel_ids`` and the keys of ``versions`` (channel id → the version
    shown); with ``versions``, nothing is written if any of those channels changed since.
    """
    ids = sorted({int(i) for i in [*(channel_ids or []), *(versions or {})]})
    if not ids:
        raise ValidationError("Select at least one channel first.")
    add = split_list(add_tags or [])
    remove = split_list(remove_tags or [])
    new_tags = """
        list_filter(
            list_concat(tags, list_filter(?::varchar[], lambda t: not list_contains(tags, t))),
            lambda t: not list_contains(?::varchar[], t)
        )
    """
    new_owner = "case when ? then null when ? is not null then ? else owner_id end"
    new_archived = "coalesce(?, archived)"
    params = [add, remove, clear_owner, owner_id, owner_id, archived]
    with store.transaction("registry") as cur:
        if owner_id is not None:
            get_owner(cur, owner_id)
        if versions:
            check_versions(cur, "channels", versions)
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
