"""The event log: stage changes and activities (messages, calls …), reply times, and the
channels that never replied.

A stage change is always one ``move_cards`` call: it writes the ``stage`` events and the new
stage in one transaction, or nothing when any card moved on since it was shown.

Time to first reply (METRICS.md has no entry; defined here): from the first move of a card
into ``contacted`` to its first later move into ``replied`` *or any open stage placed after
``contacted``* (negotiating, agreed …): a card taken straight from contacted to negotiating
was answered, and the move is the first record of that answer. Moves into closing stages
(declined, no_response) are not replies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import duckdb
import polars as pl

from crm.errors import NotFound, StaleEdit, ValidationError
from crm.outreach.sql import frame
from crm.outreach.stages import get_stage
from crm.store import Store

ACTIVITY_TYPES = ("message", "call", "email", "meeting", "note")
ACTIVITY_LABELS = {
    "message": "Message",
    "call": "Call",
    "email": "E-mail",
    "meeting": "Meeting",
    "note": "Note",
}
MAX_TEXT = 10_000
DEFAULT_NO_RESPONSE_DAYS = 7


def now() -> dt.datetime:
    """The time an event happens when none is given (local wall-clock time, as stored)."""
    return dt.datetime.now().replace(microsecond=0)


def _channel_name(title: str | None, platform: str, handle: str) -> str:
    key = f"{platform}:{handle}"
    return f"“{title}” ({key})" if title else key


def _when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def _stale_message(cur: duckdb.DuckDBPyConnection, entry_id: int) -> str:
    """What happened to a card since it was shown: who moved it where and when."""
    rows = cur.execute(
        """
        select c.title, c.platform, c.handle, s.stage, st.label, s.updated_at,
               e.author, e.occurred_at, e.created_at
        from shortlist s
        join channels c on c.id = s.channel_id
        left join stages st on st.key = s.stage
        left join (
            select * from events
            where type = 'stage'
            qualify row_number() over (
                partition by campaign_id, channel_id order by id desc) = 1
        ) e on e.campaign_id = s.campaign_id and e.channel_id = s.channel_id
        where s.id = ?
        """,
        [entry_id],
    ).fetchall()
    title, platform, handle, stage, label, updated_at, author, occurred_at, created_at = rows[0]
    name = _channel_name(title, platform, handle)
    who = author or "someone"
    moved = f"moved to “{label or stage}” by {who} at {_when(occurred_at)}"
    if created_at == updated_at:  # the last change of the card was that move
        return f"{name} was {moved} since you saw it, so nothing was moved."
    return (
        f"{name} was changed by someone else since you saw it (it was last {moved}), "
        "so nothing was moved."
    )


def move_cards(
    store: Store,
    moves: Mapping[int, int],
    to_stage: str,
    *,
    author: str | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Move shortlist entries (entry id → the version shown) to ``to_stage`` in one
    transaction, writing a ``stage`` event for each; returns how many moved (a card already
    there does not move). Any card that changed or went since it was shown refuses the whole
    move (``StaleEdit`` naming who moved it where and when)."""
    if not moves:
        raise ValidationError("Select at least one card to move.")
    when = at or now()
    ids = sorted(int(i) for i in moves)
    with store.transaction("outreach") as cur:
        get_stage(cur, to_stage)
        rows = cur.execute(
            "select id, version from shortlist where list_contains(?::bigint[], id)", [ids]
        ).fetchall()
        current = {int(i): int(v) for i, v in rows}
        gone = [i for i in ids if i not in current]
        if gone:
            raise StaleEdit(
                f"{len(gone)} of the cards you selected {'is' if len(gone) == 1 else 'are'} no "
                "longer on the shortlist (removed by someone else), so nothing was moved. "
                "Reload the board."
            )
        stale = [i for i in ids if current[i] != int(moves[i])]
        if stale:
            messages = [_stale_message(cur, i) for i in stale[:3]]
            more = f" And {len(stale) - 3} more cards changed." if len(stale) > 3 else ""
            raise StaleEdit(" ".join(messages) + more + " Reload the board, then move again.")
        moved = cur.execute(
            """
            insert into events (campaign_id, channel_id, occurred_at, type, stage_from,
                                stage_to, author)
            select campaign_id, channel_id, ?, 'stage', stage, ?, ?
            from shortlist
            where list_contains(?::bigint[], id) and stage <> ?
            returning id
            """,
            [when, to_stage, author, ids, to_stage],
        ).fetchall()
        cur.execute(
            """
            update shortlist set stage = ?, stage_since = ?, version = version + 1,
                                 updated_at = current_timestamp
            where list_contains(?::bigint[], id) and stage <> ?
            """,
            [to_stage, when, ids, to_stage],
        )
    return len(moved)


def _check_entry(cur: duckdb.DuckDBPyConnection, campaign_id: int, channel_id: int) -> None:
    rows = cur.execute(
        "select 1 from shortlist where campaign_id = ? and channel_id = ?",
        [campaign_id, channel_id],
    ).fetchall()
    if not rows:
        raise NotFound("This channel is not on the campaign's shortlist; add it first.")


def log_activity(
    store: Store,
    campaign_id: int,
    channel_id: int,
    type: str,
    text: str | None,
    *,
    author: str | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Record a message, call, e-mail, meeting or note about a shortlisted channel; its id."""
    kind = (type or "").strip().lower()
    if kind not in ACTIVITY_TYPES:
        raise ValidationError(f"An activity is one of {', '.join(ACTIVITY_TYPES)}, not “{type}”.")
    body = (text or "").strip() or None
    if kind == "note" and body is None:
        raise ValidationError("A note needs a text.")
    if body is not None and len(body) > MAX_TEXT:
        raise ValidationError(f"An activity's text can be at most {MAX_TEXT} characters long.")
    with store.transaction("outreach") as cur:
        _check_entry(cur, campaign_id, channel_id)
        row = cur.execute(
            """
            insert into events (campaign_id, channel_id, occurred_at, type, author, text)
            values (?, ?, ?, ?, ?, ?) returning id
            """,
            [campaign_id, channel_id, at or now(), kind, (author or "").strip() or None, body],
        ).fetchall()
    return int(row[0][0])


def timeline(
    cur: duckdb.DuckDBPyConnection, campaign_id: int | None, channel_id: int
) -> pl.DataFrame:
    """A channel's stage changes and activities, newest first, in one campaign or (None) all."""
    return frame(
        cur,
        """
        select e.id, e.occurred_at, e.type, e.stage_from, e.stage_to, e.author, e.text,
               c.name as campaign
        from events e
        join campaigns c on c.id = e.campaign_id
        where e.channel_id = ? and (?::bigint is null or e.campaign_id = ?)
        order by e.occurred_at desc, e.id desc
        """,
        [channel_id, campaign_id, campaign_id],
    )


# the first contact and the first reply of each (campaign, channel), by the module's definition
_REPLIES = """
    contacted as (
        select campaign_id, channel_id, min(occurred_at) as first_contacted
        from events where type = 'stage' and stage_to = 'contacted'
        group by campaign_id, channel_id
    ),
    reply_stages as (
        select key from stages
        where not closing
          and position > (select position from stages where key = 'contacted')
    ),
    replies as (
        select k.campaign_id, k.channel_id, k.first_contacted,
               min(e.occurred_at) filter (
                   where e.stage_to in (select key from reply_stages)
                     and e.occurred_at > k.first_contacted) as first_replied
        from contacted k
        left join events e on e.campaign_id = k.campaign_id and e.channel_id = k.channel_id
                          and e.type = 'stage'
        where {scope}
        group by k.campaign_id, k.channel_id, k.first_contacted
    ),
    times as (
        select *, date_diff('second', first_contacted, first_replied) / 3600.0 as hours
        from replies
    )
"""

_BY = {
    "entry": """
        select s.id as entry_id, t.campaign_id, cp.name as campaign, t.channel_id,
               ch.platform || ':' || ch.handle as channel, ch.title, s.manager,
               t.first_contacted, t.first_replied, t.hours
        from times t
        join campaigns cp on cp.id = t.campaign_id
        join channels ch on ch.id = t.channel_id
        left join shortlist s on s.campaign_id = t.campaign_id and s.channel_id = t.channel_id
        order by t.first_contacted, t.campaign_id, t.channel_id
    """,
    "channel": """
        select t.channel_id, ch.platform || ':' || ch.handle as channel, ch.title,
               count(*) as contacted, count(t.hours) as replies, median(t.hours) as median_hours
        from times t join channels ch on ch.id = t.channel_id
        group by t.channel_id, ch.platform, ch.handle, ch.title
        order by median_hours nulls last, channel
    """,
    "owner": """
        select o.id as owner_id, o.name as owner, count(distinct t.channel_id) as channels,
               count(*) as contacted, count(t.hours) as replies, median(t.hours) as median_hours
        from times t
        join channels ch on ch.id = t.channel_id
        join owners o on o.id = ch.owner_id
        group by o.id, o.name
        order by median_hours nulls last, owner
    """,
}


def reply_times(
    cur: duckdb.DuckDBPyConnection,
    *,
    by: Literal["entry", "channel", "owner"] = "entry",
    campaign_id: int | None = None,
) -> pl.DataFrame:
    """Time to first reply in hours (see the module's docstring): per shortlist entry (every
    contacted one; hours null when no reply yet), or per channel and per owner (how many
    contacted, how many replied, the median hours over their entries)."""
    if by not in _BY:
        raise ValidationError(f"Reply times are grouped by entry, channel or owner, not “{by}”.")
    scope = "k.campaign_id = ?" if campaign_id is not None else "true"
    sql = "with " + _REPLIES.format(scope=scope) + _BY[by]
    return frame(cur, sql, [campaign_id] if campaign_id is not None else [])


@dataclass(frozen=True)
class ReplySummary:
    """A campaign's time to first reply: how many of its channels were contacted, how many
    replied, and the median hours to the first reply over those that did."""

    contacted: int
    replied: int
    median_hours: float | None


def campaign_reply_summary(cur: duckdb.DuckDBPyConnection, campaign_id: int) -> ReplySummary:
    """The campaign's overall time to first reply (see the module's docstring): the median
    over its channels that replied, with how many were contacted and how many replied."""
    sql = (
        "with "
        + _REPLIES.format(scope="k.campaign_id = ?")
        + "select count(*), count(hours), median(hours) from times"
    )
    contacted, replied, median = cur.execute(sql, [campaign_id]).fetchall()[0]
    return ReplySummary(int(contacted), int(replied), None if median is None else float(median))


def no_response_days(cur: duckdb.DuckDBPyConnection) -> int:
    """After how many days without a reply a contacted channel is proposed for no_response."""
    rows = cur.execute("select value from workspace where key = 'no_response_days'").fetchall()
    try:
        return int(rows[0][0]) if rows else DEFAULT_NO_RESPONSE_DAYS
    except (TypeError, ValueError):
        return DEFAULT_NO_RESPONSE_DAYS


def set_no_response_days(store: Store, n: int) -> None:
    """Set the workspace's no-response wait (whole days, 1 to 365)."""
    try:
        days = int(n)
    except (TypeError, ValueError):
        raise ValidationError(f"The wait must be a whole number of days, not “{n}”.") from None
    if days != n or not 1 <= days <= 365:
        raise ValidationError(f"The wait must be a whole number of days from 1 to 365, not {n}.")
    with store.transaction("workspace") as cur:
        cur.execute(
            "insert or replace into workspace (key, value) values ('no_response_days', ?)",
            [str(days)],
        )


def no_response_candidates(
    cur: duckdb.DuckDBPyConnection,
    *,
    today: dt.date | None = None,
    campaign_id: int | None = None,
) -> pl.DataFrame:
    """Cards still in ``contacted`` whose first contact is more than the workspace's
    ``no_response_days`` ago with no reply since: the ones to propose for no_response."""
    day = today or dt.date.today()
    scope = "k.campaign_id = ?" if campaign_id is not None else "true"
    sql = (
        "with "
        + _REPLIES.format(scope=scope)
        + """
        select s.id as entry_id, s.version, s.campaign_id, cp.name as campaign, s.channel_id,
               ch.platform || ':' || ch.handle as channel, ch.title, s.manager,
               t.first_contacted::date as contacted_on,
               date_diff('day', t.first_contacted::date, ?::date) as days_waiting
        from times t
        join shortlist s on s.campaign_id = t.campaign_id and s.channel_id = t.channel_id
        join campaigns cp on cp.id = s.campaign_id
        join channels ch on ch.id = s.channel_id
        where s.stage = 'contacted' and t.first_replied is null
          and date_diff('day', t.first_contacted::date, ?::date) > ?
        order by days_waiting desc, cp.name, channel
        """
    )
    params: list[object] = [campaign_id] if campaign_id is not None else []
    params += [day, day, no_response_days(cur)]
    return frame(cur, sql, params)


def apply_no_response(store: Store, moves: Mapping[int, int], *, author: str | None = None) -> int:
    """Move the proposed cards (entry id → version shown) to no_response in one transaction."""
    return move_cards(store, moves, "no_response", author=author)
