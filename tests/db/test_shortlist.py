"""Shortlists: adding by ids and from pasted text, never twice, edits and removal."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.errors import NotFound, StaleEdit, ValidationError
from crm.outreach.campaigns import close_campaign, create_campaign
from crm.outreach.shortlist import (
    AddResult,
    add_from_text,
    add_to_shortlist,
    remove_entry,
    update_entries,
    update_entry,
)
from crm.registry import add_channel
from crm.store import Store


@pytest.fixture
def two(store: Store) -> tuple[Store, int, int, int]:
    cid = create_campaign(store, name="Spring")
    a = add_channel(store, "telegram", "alpha", title="Alpha")
    b = add_channel(store, "vk", "beta")
    return store, cid, a, b


def _rows(store: Store) -> list[tuple]:
    return (
        store.cursor()
        .execute("select channel_id, stage, priority, manager from shortlist order by channel_id")
        .fetchall()
    )


def _events(store: Store) -> list[tuple]:
    return (
        store.cursor()
        .execute("select channel_id, type, stage_from, stage_to, author from events order by id")
        .fetchall()
    )


def test_add_writes_entries_and_events_once(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, b = two
    result = add_to_shortlist(store, cid, [a], manager="Olga", author="Olga")
    assert result == AddResult([a], [], [], [])
    again = add_to_shortlist(store, cid, [a, b, b], author="Ivan")
    assert again == AddResult([b], [a], [], ["telegram:alpha"])
    assert again.message() == (
        "Added 1 channel to the shortlist. 1 was already on the shortlist (telegram:alpha)."
    )
    assert _rows(store) == [
        (a, "shortlisted", "normal", "Olga"),
        (b, "shortlisted", "normal", None),
    ]
    assert _events(store) == [
        (a, "stage", None, "shortlisted", "Olga"), (b, "stage", None, "shortlisted", "Ivan"),
    ]  # fmt: skip


def test_add_refusals(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, _ = two
    with pytest.raises(NotFound, match="no longer exists"):
        add_to_shortlist(store, cid, [a, 999])
    with pytest.raises(NotFound, match="no stage “nope”"):
        add_to_shortlist(store, cid, [a], stage="nope")
    with pytest.raises(ValidationError, match="at least one"):
        add_to_shortlist(store, cid, [])
    close_campaign(store, cid, 1)
    with pytest.raises(ValidationError, match="“Spring” is closed"):
        add_to_shortlist(store, cid, [a])
    assert _rows(store) == [] and _events(store) == []


def test_add_from_text_reports_unknown_and_already(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, b = two
    add_to_shortlist(store, cid, [a])
    text = "\n".join(
        ["https://t.me/alpha", "", "VK:beta", "telegram:ghost", "hello world", "vk:beta"]
    )
    result = add_from_text(store, cid, text, author="Olga")
    assert result.added == [b]
    assert result.already == [a]
    assert result.unknown == [
        "line 4: telegram:ghost is not in the registry",
        "line 5: “hello world” is not a link to a known platform (VK, OK, Telegram, Instagram, "
        "YouTube, TikTok, Dzen, RUTUBE, X, Facebook, Twitch)",
    ]
    assert result.message().startswith(
        "Added 1 channel to the shortlist. 1 was already on the shortlist (telegram:alpha). "
        "2 lines name no known channel: line 4: telegram:ghost is not in the registry; "
    )
    assert len(_rows(store)) == 2


def test_add_from_csv_with_a_channel_column(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, b = two
    text = 'name;Ссылка\n"Alpha, the best";t.me/alpha\nBeta;https://vk.com/beta\n'
    result = add_from_text(store, cid, text)
    assert (result.added, result.already, result.unknown) == ([a, b], [], [])
    with pytest.raises(ValidationError, match="Paste at least one"):
        add_from_text(store, cid, "  \n ")


def test_update_entry_fields_and_stage(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, _ = two
    add_to_shortlist(store, cid, [a])
    (eid,) = store.cursor().execute("select id from shortlist").fetchall()[0]
    v = update_entry(
        store, eid, 1,
        {"priority": "High", "next_follow_up": "05.03.2026", "notes": "asks for barter"},
    )  # fmt: skip
    assert v == 2
    v = update_entry(store, eid, v, {"stage": "contacted", "manager": "Ivan"}, author="Ivan")
    assert v == 4
    row = (
        store.cursor()
        .execute("select stage, priority, manager, next_follow_up, notes, version from shortlist")
        .fetchall()[0]
    )
    assert row == ("contacted", "high", "Ivan", dt.date(2026, 3, 5), "asks for barter", 4)
    assert _events(store)[-1] == (a, "stage", "shortlisted", "contacted", "Ivan")
    with pytest.raises(ValidationError, match="Priority must be one of high, normal, low"):
        update_entry(store, eid, v, {"priority": "urgent"})
    with pytest.raises(ValidationError, match="not a date"):
        update_entry(store, eid, v, {"next_follow_up": "soon"})
    with pytest.raises(ValidationError, match="that can be edited"):
        update_entry(store, eid, v, {"campaign_id": 5})
    with pytest.raises(StaleEdit, match="moved to “Contacted” by Ivan"):
        update_entry(store, eid, 2, {"stage": "replied"})
    assert len(_events(store)) == 2


def test_update_entries_writes_all_or_nothing(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, b = two
    add_to_shortlist(store, cid, [a, b])
    ids = dict(store.cursor().execute("select channel_id, id from shortlist").fetchall())
    # someone else edits b's notes: b is now at version 2
    update_entry(store, ids[b], 1, {"notes": "theirs"})
    with pytest.raises(StaleEdit):
        update_entries(
            store,
            {
                ids[a]: (1, {"stage": "contacted", "manager": "Olga"}, None),
                ids[b]: (1, {"notes": "mine"}, {"notes": None}),
            },
            author="Olga",
        )
    assert _rows(store) == [
        (a, "shortlisted", "normal", None),
        (b, "shortlisted", "normal", None),
    ]
    assert len(_events(store)) == 2  # the two additions only: a's move was rolled back
    notes = store.cursor().execute("select notes from shortlist order by channel_id").fetchall()
    assert notes == [(None,), ("theirs",)]

    saved = update_entries(
        store,
        {
            ids[a]: (1, {"stage": "contacted", "manager": "Olga"}, None),
            ids[b]: (2, {"priority": "low"}, None),
        },
        author="Olga",
    )
    assert saved == 2
    assert _rows(store) == [(a, "contacted", "normal", "Olga"), (b, "shortlisted", "low", None)]
    assert _events(store)[-1] == (a, "stage", "shortlisted", "contacted", "Olga")
    with pytest.raises(ValidationError, match="Priority must be one of"):
        update_entries(store, {ids[b]: (3, {"priority": "urgent"}, None)})
    with pytest.raises(ValidationError, match="no change"):
        update_entries(store, {})


def test_remove_entry_keeps_history(two: tuple[Store, int, int, int]) -> None:
    store, cid, a, _ = two
    add_to_shortlist(store, cid, [a])
    (eid,) = store.cursor().execute("select id from shortlist").fetchall()[0]
    update_entry(store, eid, 1, {"notes": "x"})
    with pytest.raises(StaleEdit):
        remove_entry(store, eid, 1)
    remove_entry(store, eid, 2)
    assert _rows(store) == []
    assert len(_events(store)) == 1
    with pytest.raises(NotFound):
        remove_entry(store, eid, 2)


def test_channel_campaigns_lists_each_campaign_a_channel_is_in_closed_last(store: Store) -> None:
    from crm.outreach.events import move_cards
    from crm.outreach.shortlist import channel_campaigns, entry_id

    cid = add_channel(store, "telegram", "one")
    other = add_channel(store, "telegram", "two")
    spring = create_campaign(store, name="Весна")
    summer = create_campaign(store, name="Лето")
    autumn = create_campaign(store, name="Осень")
    add_to_shortlist(store, spring, [cid])
    add_to_shortlist(store, summer, [cid, other], manager="Анна")
    add_to_shortlist(store, autumn, [other])
    move_cards(store, {entry_id(store.cursor(), summer, cid) or 0: 1}, "contacted")
    close_campaign(store, spring, 1)
    rows = channel_campaigns(store.cursor(), cid)
    assert rows.select("campaign", "status", "stage", "stage_label", "manager").rows() == [
        ("Лето", "active", "contacted", "Contacted", "Анна"),
        ("Весна", "closed", "shortlisted", "Shortlisted", None),
    ]
    assert rows["days_in_stage"].to_list() == [0, 0]
    assert channel_campaigns(store.cursor(), add_channel(store, "vk", "none")).is_empty()
