"""Follow-ups: the shortlisted channels to write to today (or within a few days), and the
overdue ones, across campaigns."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from crm.errors import ValidationError
from crm.outreach.sql import frame


def follow_ups(
    cur: duckdb.DuckDBPyConnection, *, today: dt.date | None = None, days_ahead: int = 0
) -> pl.DataFrame:
    """Follow-ups due on or before today + ``days_ahead``, in campaigns not closed and stages
    still needing work (not closing, not paid), most overdue first. ``overdue_days``: days
    past the date (0: due today; negative: due in that many days)."""
    if days_ahead < 0:
        raise ValidationError("Look ahead by zero days or more.")
    day = today or dt.date.today()
    return frame(
        cur,
        """
        select s.id as entry_id, s.campaign_id, k.name as campaign, s.channel_id, c.title,
               c.platform, c.handle, s.stage, s.manager, s.next_follow_up,
               date_diff('day', s.next_follow_up, ?::date) as overdue_days
        from shortlist s
        join campaigns k on k.id = s.campaign_id
        join channels c on c.id = s.channel_id
        left join stages st on st.key = s.stage
        where s.next_follow_up <= ?::date + ?::integer
          and k.status <> 'closed'
          and not coalesce(st.closing, false) and s.stage <> 'paid'
        order by s.next_follow_up, k.name, c.platform, c.handle
        """,
        [day, day, days_ahead],
    )
