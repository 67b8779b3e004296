"""Results of placements: several measurements each (24 h, 72 h, 7 days …), each with where its
numbers come from; KPIs use a placement's latest measurement unless a point in time is picked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from crm.errors import NotFound, ValidationError
from crm.fields import PLACEMENTS
from crm.outreach.sql import frame
from crm.parsing.dates import parse_date
from crm.pricing.currencies import check_currency
from crm.store import Store, columns

METRIC_FIELDS = (
    "reach", "impressions", "views", "likes", "comments", "shares", "saves", "clicks",
    "conversions",
)  # fmt: skip
RESULT_COLUMNS = (
    "id", "placement_id", "measured_at", *METRIC_FIELDS, "revenue", "currency", "provenance",
    "source", "created_at",
)  # fmt: skip
MAX_SOURCE = 500
EARLIEST = dt.datetime(1990, 1, 1)
# a time "now" in a time zone ahead of ours is not in the future
FUTURE_GRACE = dt.timedelta(days=1)
_TIME_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M", "%d/%m/%Y %H:%M")


def now() -> dt.datetime:
    """The time a measurement is taken when none is given (local wall-clock time, as stored)."""
    return dt.datetime.now().replace(microsecond=0)


def check_moment(value: object, label: str) -> dt.datetime | None:
    """A date and time as a person or a file gives it (a datetime, a date: its midnight,
    ``2026-03-01 18:30``, ``01.03.2026 18:30``, ``01.03.2026``), as local wall-clock time;
    None for blank; refuses other text and dates before 1990 with a sentence naming ``label``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        # an aware time is kept as the local wall-clock time it is, the way times are stored
        moment = value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo:
                moment = moment.astimezone().replace(tzinfo=None)
        except ValueError:
            for form in _TIME_FORMATS:
                try:
                    moment = dt.datetime.strptime(text, form)
                    break
                except ValueError:
                    continue
        if moment is None:
            try:
                day = parse_date(text)
            except ValidationError:
                day = None
            if day is None:
                raise ValidationError(
                    f"{label} “{text}” is not a date and time "
                    "(use YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM)."
                ) from None
            moment = dt.datetime.combine(day, dt.time())
    if moment < EARLIEST:
        raise ValidationError(f"{label} {moment:%Y-%m-%d} is before 1990: check the date.")
    return moment.replace(microsecond=0)


def _placement_published(cur: duckdb.DuckDBPyConnection, placement_id: int) -> dt.datetime | None:
    rows = cur.execute(
        "select published_at from placements where id = ?", [placement_id]
    ).fetchall()
    if not rows:
        raise NotFound(f"Placement {placement_id} does not exist.")
    published: dt.datetime | None = rows[0][0]
    return published


def _placement_currency(cur: duckdb.DuckDBPyConnection, placement_id: int) -> str | None:
    rows = cur.execute("select currency from placements where id = ?", [placement_id]).fetchall()
    return str(rows[0][0]) if rows and rows[0][0] else None


def clean_metrics(metrics: dict[str, Any]) -> dict[str, int | None]:
    """Counts of a measurement checked by the field specification (never negative); refuses a
    name that is not one of METRIC_FIELDS."""
    unknown = [name for name in metrics if name not in METRIC_FIELDS]
    if unknown:
        raise ValidationError(
            f"“{unknown[0]}” is not a result of a placement; results are "
            f"{', '.join(METRIC_FIELDS)}, revenue."
        )
    return {name: PLACEMENTS.by_name(name).check(value) for name, value in metrics.items()}


def record_result(
    store: Store,
    placement_id: int,
    *,
    measured_at: dt.datetime | dt.date | str | None = None,
    provenance: str = "manual",
    source: str | None = None,
    revenue: Decimal | str | float | None = None,
    currency: str | None = None,
    **metrics: Any,
) -> int:
    """Record one measurement of a placement; returns its id.

    Refuses negative numbers, a measurement with no number at all, a revenue without a
    currency (the placement's own is taken when it has one), a time in the future or before
    the placement was published."""
    counts = clean_metrics(metrics)
    money = PLACEMENTS.by_name("revenue").check(revenue)
    if money is None and all(v is None for v in counts.values()):
        raise ValidationError("Enter at least one number.")
    code = check_currency(currency) if currency not in (None, "") else None
    when = check_moment(measured_at, "Measured at") or now()
    if when > now() + FUTURE_GRACE:
        raise ValidationError(f"Measured at {when:%Y-%m-%d %H:%M} is in the future.")
    kind = PLACEMENTS.by_name("provenance").check(provenance)
    text = (source or "").strip() or None
    if text is not None and len(text) > MAX_SOURCE:
        raise ValidationError(f"A source can be at most {MAX_SOURCE} characters long.")
    with store.transaction("placements") as cur:
        published = _placement_published(cur, placement_id)
        if published is not None and when < published:
            raise ValidationError(
                f"Measured at {when:%Y-%m-%d %H:%M}, before the placement was published "
                f"({published:%Y-%m-%d %H:%M}): check the dates."
            )
        if money is not None and code is None:
            code = _placement_currency(cur, placement_id)
            if code is None and money != 0:
                raise ValidationError(
                    "A revenue needs a currency: choose one (RUB, USD …) for the revenue."
                )
        values: dict[str, Any] = {
            "placement_id": placement_id,
            "measured_at": when,
            **counts,
            "revenue": money,
            "currency": code if money is not None else None,
            "provenance": kind,
            "source": text,
        }
        names = list(values)
        row = cur.execute(
            f"insert into results ({columns(names)}) values ({', '.join('?' for _ in names)}) "
            "returning id",
            list(values.values()),
        ).fetchall()
    return int(row[0][0])


def delete_result(store: Store, result_id: int) -> None:
    """Delete one measurement; screenshots attached to it stay with the placement."""
    with store.transaction("placements") as cur:
        gone = cur.execute("delete from results where id = ? returning id", [result_id]).fetchall()
        if not gone:
            raise NotFound(f"Measurement {result_id} no longer exists.")
        cur.execute("update evidence set result_id = null where result_id = ?", [result_id])


def results_frame(cur: duckdb.DuckDBPyConnection, placement_id: int) -> pl.DataFrame:
    """Every measurement of a placement, newest first, with how many screenshots each has."""
    return frame(
        cur,
        f"""
        select {", ".join(f"r.{c}" for c in RESULT_COLUMNS)},
               (select count(*) from evidence e where e.result_id = r.id) as evidence
        from results r
        where r.placement_id = ?
        order by r.measured_at desc, r.id desc
        """,
        [placement_id],
    )


def latest_results_sql(as_of_param: bool = False) -> str:
    """One row per placement_id with its latest measurement's columns (max measured_at, then
    max id); with ``as_of_param`` the latest at or before a timestamp bound as one ``?``."""
    at = "where measured_at <= ?::timestamp" if as_of_param else ""
    # the latest id per placement by one aggregate, then its row: several times faster than
    # numbering every measurement in a window
    return f"""
    select {", ".join(f"r.{c}" for c in RESULT_COLUMNS)}
    from (
        select arg_max(id, (measured_at, id)) as latest_id from results {at}
        group by placement_id
    ) l
    join results r on r.id = l.latest_id
    """
