"""Time to first reply (per entry, channel and owner) and the no_response proposals, on a
hand-built history whose hours are worked out below."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.errors import ValidationError
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import (
    ReplySummary,
    apply_no_response,
    campaign_reply_summary,
    move_cards,
    no_response_candidates,
    no_response_days,
    reply_times,
    set_no_response_days,
)
from crm.outreach.shortlist import add_to_shortlist
from crm.registry import add_channel, add_owner
from crm.store import Store


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0)


@pytest.fixture
def history(store: Store) -> Store:
    """Spring: alpha replies in 6 h (and is contacted again later: the first contact counts);
    beta jumps from contacted to negotiating after 24 h (that move is the reply); gamma
    declines (no reply); delta waits since 1 March; eps since 5 March. Autumn: alpha replies
    in 2 h. Owners: Ivan has alpha and beta, Maria gamma; delta and eps have none."""
    ivan, maria = add_owner(store, "Ivan"), add_owner(store, "Maria")
    owners = {"alpha": ivan, "beta": ivan, "gamma": maria, "delta": None, "eps": None}
    ch = {h: add_channel(store, "telegram", h, owner_id=o) for h, o in owners.items()}
    spring = create_campaign(store, name="Spring")
    autumn = create_campaign(store, name="Autumn")
    add_to_shortlist(store, spring, ch.values(), at=at(1, 8))
    add_to_shortlist(store, autumn, [ch["alpha"]], at=at(1, 8))
    entry = {
        (c, h): e
        for c, h, e in store.cursor()
        .execute(
            "select s.campaign_id, c.handle, s.id from shortlist s "
            "join channels c on c.id = s.channel_id"
        )
        .fetchall()
    }

    def move(campaign: int, handle: str, stage: str, when: dt.datetime) -> None:
        e = entry[(campaign, handle)]
        (v,) = (
            store.cursor().execute("select version from shortlist where id = ?", [e]).fetchall()[0]
        )
        move_cards(store, {e: v}, stage, author="Olga", at=when)

    move(spring, "delta", "contacted", at(1, 9))
    for h in ("alpha", "beta", "gamma"):
        move(spring, h, "contacted", at(2, 10))
    move(spring, "alpha", "replied", at(2, 16))
    move(spring, "alpha", "contacted", at(4, 10))
    move(spring, "alpha", "replied", at(4, 11))
    move(spring, "beta", "negotiating", at(3, 10))
    move(spring, "gamma", "declined", at(4, 10))
    move(spring, "eps", "contacted", at(5, 10))
    move(autumn, "alpha", "contacted", at(10, 10))
    move(autumn, "alpha", "replied", at(10, 12))
    return store


def test_reply_times_per_entry(history: Store) -> None:
    frame = reply_times(history.cursor())
    rows = frame.select("campaign", "channel", "first_contacted", "first_replied", "hours").rows()
    assert rows == [
        ("Spring", "telegram:delta", at(1, 9), None, None),
        ("Spring", "telegram:alpha", at(2, 10), at(2, 16), 6.0),
        ("Spring", "telegram:beta", at(2, 10), at(3, 10), 24.0),
        ("Spring", "telegram:gamma", at(2, 10), None, None),
        ("Spring", "telegram:eps", at(5, 10), None, None),
        ("Autumn", "telegram:alpha", at(10, 10), at(10, 12), 2.0),
    ]
    spring_only = reply_times(history.cursor(), campaign_id=1)
    assert spring_only.height == 5


def test_reply_times_per_channel_and_owner(history: Store) -> None:
    by_channel = reply_times(history.cursor(), by="channel")
    assert by_channel.select("channel", "contacted", "replies", "median_hours").rows() == [
        ("telegram:alpha", 2, 2, 4.0),  # median of 6 h and 2 h
        ("telegram:beta", 1, 1, 24.0),
        ("telegram:delta", 1, 0, None),
        ("telegram:eps", 1, 0, None),
        ("telegram:gamma", 1, 0, None),
    ]
    by_owner = reply_times(history.cursor(), by="owner")
    assert by_owner.select("owner", "channels", "contacted", "replies", "median_hours").rows() == [
        ("Ivan", 2, 3, 3, 6.0),  # median of 6, 24 and 2 hours
        ("Maria", 1, 1, 0, None),
    ]
    with pytest.raises(ValidationError, match="entry, channel or owner"):
        reply_times(history.cursor(), by="month")  # type: ignore[arg-type]


def test_campaign_reply_summary_is_the_median_over_its_channels(history: Store) -> None:
    cur = history.cursor()
    ids = dict(cur.execute("select name, id from campaigns").fetchall())
    # Spring: five contacted; alpha replied after 6 h, beta after 24 h: median (6 + 24) / 2
    assert campaign_reply_summary(cur, ids["Spring"]) == ReplySummary(5, 2, 15.0)
    # Autumn: alpha alone, after 2 h
    assert campaign_reply_summary(cur, ids["Autumn"]) == ReplySummary(1, 1, 2.0)
    empty = create_campaign(history, name="Empty")
    assert campaign_reply_summary(cur, empty) == ReplySummary(0, 0, None)


def test_no_response_candidates_and_applying_them(history: Store) -> None:
    cur = history.cursor()
    assert no_response_days(cur) == 7
    today = dt.date(2026, 3, 10)
    frame = no_response_candidates(cur, today=today)
    assert frame.select("channel", "contacted_on", "days_waiting").rows() == [
        ("telegram:delta", dt.date(2026, 3, 1), 9),
    ]
    set_no_response_days(history, 3)
    frame = no_response_candidates(history.cursor(), today=today)
    assert frame["channel"].to_list() == ["telegram:delta", "telegram:eps"]
    assert frame["days_waiting"].to_list() == [9, 5]
    moves = dict(zip(frame["entry_id"].to_list(), frame["version"].to_list(), strict=True))
    assert apply_no_response(history, moves, author="Olga") == 2
    stages = (
        history.cursor()
        .execute(
            "select c.handle, s.stage from shortlist s join channels c on c.id = s.channel_id "
            "where c.handle in ('delta', 'eps') order by c.handle"
        )
        .fetchall()
    )
    assert stages == [("delta", "no_response"), ("eps", "no_response")]
    assert no_response_candidates(history.cursor(), today=today).height == 0
    for bad in (0, 400, 2.5, "x"):
        with pytest.raises(ValidationError, match="whole number of days"):
            set_no_response_days(history, bad)  # type: ignore[arg-type]
    assert no_response_days(history.cursor()) == 3
