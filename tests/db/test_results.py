"""Results: several measurements per placement, their checks, the latest one (or the latest at a
point in time), revenue with its currency, and deleting a measurement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.errors import NotFound, ValidationError
from crm.placements import (
    delete_result,
    latest_results_sql,
    log_placement,
    record_result,
    results_frame,
)
from crm.placements.results import check_moment
from crm.registry import add_channel
from crm.store import Store

AT = dt.datetime(2026, 3, 2, 18, 30)


@pytest.fixture
def placement(store: Store) -> int:
    channel = add_channel(store, "telegram", "anna")
    return log_placement(
        store, channel_id=channel, published_at=AT, price_paid="100", currency="USD"
    )


def _count(store: Store) -> int:
    return int(store.cursor().execute("select count(*) from results").fetchone()[0])  # type: ignore[index]


def test_record_and_read_back(store: Store, placement: int) -> None:
    rid = record_result(
        store, placement, measured_at="02.03.2026 20:00", reach="12,5K", impressions=15_000,
        views=14_000, likes=300, comments=20, shares=15, saves=5, clicks=240, conversions=12,
        revenue="3 500,50", currency="rub", provenance="platform_stats", source=" export.csv ",
    )  # fmt: skip
    row = results_frame(store.cursor(), placement).row(0, named=True)
    assert row["id"] == rid
    assert row["measured_at"] == dt.datetime(2026, 3, 2, 20, 0)
    assert [row[m] for m in ("reach", "impressions", "views", "likes", "comments")] == [
        12_500, 15_000, 14_000, 300, 20,
    ]  # fmt: skip
    assert [row[m] for m in ("shares", "saves", "clicks", "conversions")] == [15, 5, 240, 12]
    assert (row["revenue"], row["currency"]) == (Decimal("3500.50"), "RUB")
    assert (row["provenance"], row["source"], row["evidence"]) == (
        "platform_stats",
        "export.csv",
        0,
    )


def test_revenue_takes_the_placements_currency(store: Store, placement: int) -> None:
    record_result(store, placement, measured_at=AT, revenue="10")
    channel = add_channel(store, "vk", "page")
    bare = log_placement(store, channel_id=channel)
    with pytest.raises(ValidationError, match=r"^A revenue needs a currency"):
        record_result(store, bare, measured_at=AT, revenue="10")
    row = results_frame(store.cursor(), placement).row(0, named=True)
    assert (row["revenue"], row["currency"]) == (Decimal("10.00"), "USD")
    assert _count(store) == 1


def test_bad_measurements_are_refused(store: Store, placement: int) -> None:
    cases = [
        ({"reach": -1}, r"^Reach cannot be negative\.$"),
        ({"clicks": "many"}, r"^Clicks “many” is not a number\.$"),
        ({}, r"^Enter at least one number\.$"),
        ({"reach": None, "revenue": None}, r"^Enter at least one number\.$"),
        ({"reach": 5, "measured_at": "2026-03-02 18:00"}, r"^Measured at 2026-03-02 18:00, before "
         r"the placement was published \(2026-03-02 18:30\): check the dates\.$"),
        ({"reach": 5, "measured_at": dt.datetime.now() + dt.timedelta(days=3)}, r"in the future"),
        ({"reach": 5, "provenance": "rumour"}, r"must be one of platform_api"),
        ({"reach": 5, "revenue": 5, "currency": "ZZZ"}, r"not a known ISO 4217"),
        ({"followers": 5}, r"“followers” is not a result of a placement"),
    ]  # fmt: skip
    for values, message in cases:
        with pytest.raises(ValidationError, match=message):
            record_result(store, placement, **values)
    with pytest.raises(NotFound, match="Placement 999 does not exist"):
        record_result(store, 999, reach=5)
    assert _count(store) == 0


def test_latest_measurement_and_as_of(store: Store, placement: int) -> None:
    day1 = record_result(store, placement, measured_at=AT + dt.timedelta(days=1), reach=100)
    day7 = record_result(store, placement, measured_at=AT + dt.timedelta(days=7), reach=300)
    # entered later but measured earlier: not the latest
    record_result(store, placement, measured_at=AT + dt.timedelta(days=3), reach=200)
    cur = store.cursor()
    assert cur.execute(f"select id, reach from ({latest_results_sql()})").fetchall() == [
        (day7, 300)
    ]
    at = latest_results_sql(as_of_param=True)
    assert cur.execute(f"select id from ({at})", [AT + dt.timedelta(days=2)]).fetchall() == [
        (day1,)
    ]
    assert cur.execute(f"select id from ({at})", [AT]).fetchall() == []
    frame = results_frame(cur, placement)
    assert frame["reach"].to_list() == [300, 200, 100]  # newest first


def test_delete_result(store: Store, placement: int) -> None:
    rid = record_result(store, placement, measured_at=AT, reach=1)
    delete_result(store, rid)
    assert _count(store) == 0
    with pytest.raises(NotFound, match=f"Measurement {rid} no longer exists"):
        delete_result(store, rid)


def test_check_moment_reads_what_people_type() -> None:
    assert check_moment("2026-03-02 18:30", "At") == AT
    assert check_moment("02.03.2026 18:30", "At") == AT
    assert check_moment("02.03.2026", "At") == dt.datetime(2026, 3, 2)
    assert check_moment(dt.date(2026, 3, 2), "At") == dt.datetime(2026, 3, 2)
    assert check_moment(AT.replace(microsecond=5), "At") == AT
    assert check_moment("  ", "At") is None
    with pytest.raises(ValidationError, match=r"^At 1900-01-01 is before 1990"):
        check_moment("1900-01-01", "At")
    with pytest.raises(ValidationError, match=r"^At “soon” is not a date and time"):
        check_moment("soon", "At")
