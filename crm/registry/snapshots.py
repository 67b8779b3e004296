"""Metric snapshots: a channel's numbers as measured on a date, with their provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from crm import metrics
from crm.errors import NotFound, ValidationError
from crm.fields import SNAPSHOT_METRICS, SNAPSHOTS
from crm.formatting import format_count
from crm.registry.channels import get_channel
from crm.store import Store, columns, quote_ident


def clean_snapshot_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate snapshot numbers (none negative), date and provenance by the rules imports use
    (crm.fields); the engagement, when not given, is derived from likes, comments and shares."""
    out: dict[str, Any] = {}
    for name in SNAPSHOT_METRICS:
        if name in values:
            out[name] = SNAPSHOTS.by_name(name).check(values[name])
    if all(out.get(n) is None for n in SNAPSHOT_METRICS):
        raise ValidationError("A snapshot needs at least one number (followers, reach, views …).")
    if out.get("avg_engagement") is None:
        derived = metrics.engagement(
            out.get("avg_likes"), out.get("avg_comments"), out.get("avg_shares")
        )
        if derived is not None:
            out["avg_engagement"] = derived
    for name in ("provenance", "measured_on", "source"):
        out[name] = SNAPSHOTS.by_name(name).check(values.get(name))
    return out


@dataclass(frozen=True)
class SnapshotSaved:
    """What ``save_snapshot`` did: the snapshot's id and date, whether it replaced the one the
    channel already had that day, and warnings about numbers that look wrong (saved anyway)."""

    id: int
    measured_on: dt.date
    replaced: bool
    warnings: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """“Added the snapshot of 2026-11-20.” or “Replaced the snapshot of 2026-11-20.”"""
        done = "Replaced" if self.replaced else "Added"
        return f"{done} the snapshot of {self.measured_on.isoformat()}."


def snapshot_warnings(values: Mapping[str, Any]) -> list[str]:
    """Numbers of one snapshot that are possible but more likely a typo, in sentences to show
    (not refusals): an average reach above the followers."""
    reach, followers = values.get("avg_reach"), values.get("followers")
    if reach is not None and followers is not None and reach > followers:
        return [
            f"Average reach {format_count(reach)} is above followers {format_count(followers)}: "
            "check the numbers."
        ]
    return []


_ENGAGEMENT_PARTS = ("avg_likes", "avg_comments", "avg_shares")


def save_snapshot(store: Store, channel_id: int, **values: Any) -> SnapshotSaved:
    """Record a channel's numbers of a day (checked as ``clean_snapshot_fields``). A channel has
    one snapshot a day: a second one of the same date replaces it, taking the new numbers and
    keeping the earlier ones for the numbers it leaves empty."""
    clean = clean_snapshot_fields(values)
    given = {n: clean[n] for n in SNAPSHOT_METRICS if clean.get(n) is not None}
    engagement_given = values.get("avg_engagement") not in (None, "")
    with store.transaction("registry") as cur:
        get_channel(cur, channel_id)
        day = cur.execute(
            f"""
            select id, source, {columns(SNAPSHOT_METRICS)} from snapshots
            where channel_id = ? and measured_on = ? order by id desc limit 1
            """,
            [channel_id, clean["measured_on"]],
        ).fetchall()
        if not day:
            names = ["channel_id", *clean]
            row = cur.execute(
                f"insert into snapshots ({columns(names)}) "
                f"values ({', '.join('?' for _ in names)}) returning id",
                [channel_id, *clean.values()],
            ).fetchall()
            saved = int(row[0][0])
            merged = clean
        else:
            saved, old_source, *old = day[0]
            merged = {**dict(zip(SNAPSHOT_METRICS, old, strict=True)), **given}
            if not engagement_given and any(p in given for p in _ENGAGEMENT_PARTS):
                # new likes, comments or shares: the engagement is their new sum
                merged["avg_engagement"] = metrics.engagement(
                    *(merged[p] for p in _ENGAGEMENT_PARTS)
                )
            merged["provenance"] = clean["provenance"]
            merged["source"] = clean["source"] if clean["source"] is not None else old_source
            cur.execute(
                f"update snapshots set {', '.join(f'{quote_ident(n)} = ?' for n in merged)} "
                "where id = ?",
                [*merged.values(), saved],
            )
    return SnapshotSaved(saved, clean["measured_on"], bool(day), tuple(snapshot_warnings(merged)))


def add_snapshot(store: Store, channel_id: int, **values: Any) -> int:
    """Record a metric snapshot for a channel (as ``save_snapshot``); returns its id."""
    return save_snapshot(store, channel_id, **values).id


def followers_change(snapshots: pl.DataFrame) -> int | None:
    """Followers of the latest snapshot minus those of the one before (oldest-first frame), or
    None when either count is unknown."""
    known = snapshots["followers"].to_list()[-2:] if snapshots.height > 1 else []
    if len(known) < 2 or None in known:
        return None
    return int(known[1] - known[0])


def delete_snapshot(store: Store, channel_id: int, snapshot_id: int) -> None:
    """Remove one snapshot of a channel (a measurement entered by mistake)."""
    with store.transaction("registry") as cur:
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
    frame: pl.DataFrame = cur.sql(sql, params=[channel_id]).pl()
    return frame
