"""A campaign's shortlist: the channels considered for it, each with a stage, priority,
manager, next follow-up and notes. A channel is on a campaign's shortlist once."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from crm.errors import NotFound, ValidationError
from crm.fields import SHORTLIST
from crm.outreach.board import OVERDUE_SQL, PRIORITY_RANK_SQL
from crm.outreach.campaigns import get_campaign
from crm.outreach.events import move_cards, now
from crm.outreach.sql import frame
from crm.outreach.stages import get_stage
from crm.pricing import latest_prices
from crm.registry import latest_known_sql
from crm.store import Store, refusal, update_versioned
from crm.vocab.platforms import channel_key_frame

PRIORITIES = ("high", "normal", "low")
ENTRY_EDITABLE = ("stage", "priority", "manager", "next_follow_up", "notes")
# headers that name the column of channels in a pasted CSV
_CHANNEL_HEADERS = {
    h.lower() for h in (*SHORTLIST.by_name("channel").synonyms, "channel", "platform:handle")
}


@dataclass
class AddResult:
    """What adding channels to a shortlist did."""

    added: list[int] = field(default_factory=list)  # channel ids
    already: list[int] = field(default_factory=list)  # channel ids already on the shortlist
    unknown: list[str] = field(default_factory=list)  # lines naming no known channel, why
    already_names: list[str] = field(default_factory=list)  # PLATFORM:HANDLE of ``already``

    def message(self) -> str:
        """What happened, as sentences for people."""
        n = len(self.added)
        parts = [f"Added {n} {'channel' if n == 1 else 'channels'} to the shortlist."]
        if self.already:
            k = len(self.already)
            names = ", ".join(self.already_names[:5])
            more = f" and {k - 5} more" if k > 5 else ""
            parts.append(
                f"{k} {'was' if k == 1 else 'were'} already on the shortlist"
                + (f" ({names}{more})" if names else "")
                + "."
            )
        if self.unknown:
            k = len(self.unknown)
            parts.append(
                f"{k} {'line names' if k == 1 else 'lines name'} no known channel: "
                + "; ".join(self.unknown[:5])
                + (f"; and {k - 5} more" if k > 5 else "")
                + "."
            )
        return " ".join(parts)


def add_to_shortlist(
    store: Store,
    campaign_id: int,
    channel_ids: Iterable[int],
    *,
    stage: str = "shortlisted",
    manager: str | None = None,
    author: str | None = None,
    at: dt.datetime | None = None,
) -> AddResult:
    """Put channels on a campaign's shortlist in one transaction, each with a ``stage`` event
    (from nothing to ``stage``); channels already there are reported, never duplicated."""
    ids = list(dict.fromkeys(int(i) for i in channel_ids))
    if not ids:
        raise ValidationError("Select at least one channel to add.")
    who = (manager or "").strip() or None
    when = at or now()
    with store.transaction("outreach") as cur:
        campaign = get_campaign(cur, campaign_id)
        if campaign.status == "closed":
            raise ValidationError(
                f"The campaign “{campaign.name}” is closed; reopen it to add channels."
            )
        get_stage(cur, stage)
        known = {
            int(r[0]): f"{r[1]}:{r[2]}"
            for r in cur.execute(
                "select id, platform, handle from channels where list_contains(?::bigint[], id)",
                [ids],
            ).fetchall()
        }
        missing = [i for i in ids if i not in known]
        if missing:
            raise NotFound(
                f"{len(missing)} of the channels to add no longer "
                f"{'exists' if len(missing) == 1 else 'exist'} (id {', '.join(map(str, missing))}); "
                "nothing was added."
            )
        there = {
            int(r[0])
            for r in cur.execute(
                "select channel_id from shortlist where campaign_id = ? "
                "and list_contains(?::bigint[], channel_id)",
                [campaign_id, ids],
            ).fetchall()
        }
        new = [i for i in ids if i not in there]
        if new:
            cur.execute(
                """
                insert into shortlist (campaign_id, channel_id, stage, manager, stage_since)
                select ?, unnest(?::bigint[]), ?, ?, ?
                """,
                [campaign_id, new, stage, who, when],
            )
            cur.execute(
                """
                insert into events (campaign_id, channel_id, occurred_at, type, stage_to, author)
                select ?, unnest(?::bigint[]), ?, 'stage', ?, ?
                """,
                [campaign_id, new, when, stage, (author or "").strip() or None],
            )
    already = [i for i in ids if i in there]
    return AddResult(new, already, [], [known[i] for i in already])


def _cells(text: str) -> list[tuple[int, str]]:
    """(line number, the text naming a channel) of each non-blank line: the whole line, or
    the channel column of a CSV with a header (else its first cell)."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        return []
    sample = "\n".join(line for _, line in lines[:20])
    delimiter = next((d for d in ("\t", ";", ",") if d in sample), None)
    if delimiter is None:
        rows = [(n, [line]) for n, line in lines]
    else:
        rows = [(n, next(csv.reader([line], delimiter=delimiter))) for n, line in lines]
    header = [c.strip().strip("\ufeff").lower() for c in rows[0][1]]
    column = next((i for i, h in enumerate(header) if h in _CHANNEL_HEADERS), None)
    if column is not None:
        return [(n, cells[column] if column < len(cells) else "") for n, cells in rows[1:]]
    return [(n, cells[0] if cells else "") for n, cells in rows]


def add_from_text(
    store: Store,
    campaign_id: int,
    text: str,
    *,
    refs: Sequence[tuple[str, str]] = (),
    author: str | None = None,
    manager: str | None = None,
) -> AddResult:
    """Add the channels a text names, one link or PLATFORM:HANDLE per line (or a CSV with a
    channel column), and those of ``refs`` ((where, text) pairs, e.g. the lines of a file read
    by crm.importing.lists.channel_refs); what names no channel of the registry is reported
    with where it stood and why."""
    cells = [(f"line {n}", c) for n, c in _cells(text or "")] + [
        (str(where), str(c)) for where, c in refs if str(c).strip()
    ]
    if not cells:
        raise ValidationError("Paste at least one link or PLATFORM:HANDLE, one per line.")
    places = [w for w, _ in cells]
    raw = pl.Series("raw", [c.strip() for _, c in cells], pl.String)
    parsed = channel_key_frame(raw).with_columns(
        line=pl.int_range(len(cells), dtype=pl.Int64), raw=raw
    )
    cur = store.cursor()
    try:
        cur.register("parsed", parsed.select("line", "platform", "handle"))
        found = frame(
            cur,
            """
            select p.line, c.id
            from parsed p join channels c on c.platform = p.platform and c.handle = p.handle
            """,
        )
    finally:
        cur.close()
    ids = dict(zip(found["line"].to_list(), found["id"].to_list(), strict=True))
    unknown: list[str] = []
    chosen: list[int] = []
    for row in parsed.iter_rows(named=True):
        where = places[row["line"]]
        if row["error"] is not None:
            unknown.append(f"{where}: {row['error']}")
        elif row["line"] not in ids:
            key = f"{row['platform']}:{row['handle']}"
            unknown.append(f"{where}: {key} is not in the registry")
        else:
            chosen.append(int(ids[row["line"]]))
    result = (
        add_to_shortlist(store, campaign_id, chosen, author=author, manager=manager)
        if chosen
        else AddResult()
    )
    result.unknown = unknown
    return result


def clean_entry_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values of a shortlist entry checked by the field specification
    (crm.fields.SHORTLIST) and the priorities."""
    out = SHORTLIST.clean(values, ENTRY_EDITABLE)
    if "priority" in out:
        priority = (out["priority"] or "normal").lower()
        if priority not in PRIORITIES:
            raise ValidationError(
                f"Priority must be one of {', '.join(PRIORITIES)}, not “{values['priority']}”."
            )
        out["priority"] = priority
    if "stage" in out and out["stage"] is None:
        raise ValidationError("A shortlisted channel needs a stage.")
    return out


def update_entry(
    store: Store,
    entry_id: int,
    version: int,
    changes: Mapping[str, Any],
    *,
    seen: Mapping[str, Any] | None = None,
    author: str | None = None,
) -> int:
    """Edit a shortlist entry shown at ``version`` (priority, manager, next follow-up, notes;
    a new stage goes through ``move_cards`` and writes its event); returns the new version."""
    clean = clean_entry_fields(changes)
    stage = clean.pop("stage", None)
    with store.transaction("outreach") as cur:
        rows = cur.execute(
            "select version, stage from shortlist where id = ?", [entry_id]
        ).fetchall()
        if not rows:
            raise NotFound("This channel is no longer on the shortlist.")
        current_version, current_stage = int(rows[0][0]), str(rows[0][1])
        moving = stage is not None and stage != current_stage
        if moving and current_version != version:
            shown = (seen or {}).get("stage")
            if shown is None or shown != current_stage:
                # the stage moved on too (or we cannot tell): the move's own refusal says how
                move_cards(store, {entry_id: version}, stage, author=author)
        new_version = (
            update_versioned(cur, "shortlist", entry_id, version, clean, seen=seen)
            if clean
            else current_version
        )
        if moving and stage is not None:
            move_cards(store, {entry_id: new_version}, stage, author=author)
            new_version += 1
    return new_version


def update_entries(
    store: Store,
    edits: Mapping[int, tuple[int, Mapping[str, Any], Mapping[str, Any] | None]],
    *,
    author: str | None = None,
) -> int:
    """Several shortlist edits (entry id → (version shown, changes, values shown)) in one
    transaction, each as ``update_entry`` (a stage change through ``move_cards``, with its
    event): all are written or, when any is refused or stale, none; returns how many."""
    if not edits:
        raise ValidationError("There is no change to save.")
    # every value is checked before anything is written, so a bad one names itself first
    for changes in (changes for _, changes, _ in edits.values()):
        clean_entry_fields(changes)
    with store.transaction("outreach"):
        for entry, (version, changes, seen) in edits.items():
            update_entry(store, int(entry), int(version), changes, seen=seen, author=author)
    return len(edits)


def remove_entry(store: Store, entry_id: int, version: int) -> None:
    """Take a channel off the shortlist (its event history stays in the log)."""
    with store.transaction("outreach") as cur:
        gone = cur.execute(
            "delete from shortlist where id = ? and version = ? returning id", [entry_id, version]
        ).fetchall()
        if not gone:
            raise refusal(cur, "shortlist", entry_id)


def shortlist_frame(
    cur: duckdb.DuckDBPyConnection, campaign_id: int, *, today: dt.date | None = None
) -> pl.DataFrame:
    """A campaign's shortlist, one row per channel with its latest known followers and reach,
    its stage, follow-up (overdue or not), days in stage and its latest post price (the
    campaign's own first: crm.pricing.latest_prices), in board order of stages."""
    day = today or dt.date.today()
    rows = frame(
        cur,
        f"""
        with {latest_known_sql("c.id in (select channel_id from shortlist where campaign_id = ?)")}
        select s.id as entry_id, s.version, s.channel_id, c.platform, c.handle, c.title, c.kind,
               l.followers, l.avg_reach, s.stage, coalesce(st.label, s.stage) as stage_label,
               s.priority, s.manager, s.next_follow_up, {OVERDUE_SQL} as overdue,
               greatest(date_diff('day', s.stage_since::date, ?::date), 0) as days_in_stage,
               s.notes
        from shortlist s
        join channels c on c.id = s.channel_id
        left join stages st on st.key = s.stage
        left join latest l on l.channel_id = c.id
        where s.campaign_id = ?
        order by st.position nulls last, {PRIORITY_RANK_SQL}, s.next_follow_up nulls last,
                 c.platform, c.handle
        """,
        [campaign_id, day, day, campaign_id],
    )
    prices = latest_prices(cur, rows["channel_id"].to_list(), "post", campaign_id=campaign_id)
    prices = prices.select(
        "channel_id",
        pl.col("amount").alias("price"),
        pl.col("currency").alias("price_currency"),
        pl.col("kind").alias("price_kind"),
    )
    return rows.join(prices, on="channel_id", how="left", maintain_order="left")


def entry_id(cur: duckdb.DuckDBPyConnection, campaign_id: int, channel_id: int) -> int | None:
    """The shortlist entry of a channel in a campaign, if it is there."""
    rows = cur.execute(
        "select id from shortlist where campaign_id = ? and channel_id = ?",
        [campaign_id, channel_id],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def channel_campaigns(cur: duckdb.DuckDBPyConnection, channel_id: int) -> pl.DataFrame:
    """The campaigns a channel is shortlisted in, newest campaign first: its stage (and label),
    priority, manager, next follow-up and days in stage in each."""
    return frame(
        cur,
        """
        select s.campaign_id, k.name as campaign, k.status, s.id as entry_id, s.stage,
               coalesce(st.label, s.stage) as stage_label, s.priority, s.manager,
               s.next_follow_up,
               greatest(date_diff('day', s.stage_since::date, current_date), 0) as days_in_stage
        from shortlist s
        join campaigns k on k.id = s.campaign_id
        left join stages st on st.key = s.stage
        where s.channel_id = ?
        order by k.status = 'closed', k.created_at desc, k.id desc
        """,
        [channel_id],
    )
