"""Metric snapshots: a channel's numbers as measured on a date, with their provenance."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from crm import metrics
from crm.errors import NotFound, ValidationError
from crm.fields import SNAPSHOT_METRICS, SNAPSHOTS
from crm.registry.channels import get_channel
from crm.store import Store, columns


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


def add_snapshot(store: Store, channel_id: int, **values: Any) -> int:
    """Record a metric snapshot for a channel (numbers checked, provenance required)."""
    clean = clean_snapshot_fields(values)
    with store.transaction("registry") as cur:
        get_channel(cur, channel_id)
        names = ["channel_id", *clean]
        row = cur.execute(
            f"insert into snapshots ({columns(names)}) "
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
