"""The pipeline: editable stages, moves that always write events, stale concurrent moves,
activities and the timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.errors import NotFound, StaleEdit, ValidationError
from crm.outreach.campaigns import close_campaign, create_campaign
from crm.outreach.events import log_activity, move_cards, timeline
from crm.outreach.shortlist import add_to_shortlist, update_entry
from crm.outreach.stages import (
    add_stage,
    delete_stage,
    list_stages,
    rename_stage,
    reorder_stages,
    stage_counts,
)
from crm.registry import add_channel
from crm.store import Store

T0 = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def board(store: Store) -> tuple[Store, int, dict[str, int]]:
    """One campaign with three channels, all shortlisted; entry ids by handle."""
    cid = create_campaign(store, name="Spring")
    ids = [add_channel(store, "telegram", h, title=h.title()) for h in ("alpha", "beta", "gamma")]
    add_to_shortlist(store, cid, ids, at=T0 - dt.timedelta(days=1))
    rows = (
        store.cursor()
        .execute("select c.handle, s.id from shortlist s join channels c on c.id = s.channel_id")
        .fetchall()
    )
    return store, cid, dict(rows)


def _versions(store: Store) -> dict[int, int]:
    return dict(store.cursor().execute("select id, version from shortlist").fetchall())


def _stage_events(store: Store) -> list[tuple]:
    return (
        store.cursor()
        .execute(
            """
        select c.handle, e.stage_from, e.stage_to, e.author, e.occurred_at
        from events e join channels c on c.id = e.channel_id
        where e.type = 'stage' and e.stage_from is not null order by e.id
        """
        )
        .fetchall()
    )


def test_stages_seeded_in_order(store: Store) -> None:
    stages = list_stages(store.cursor())
    assert [s.key for s in stages] == [
        "prospect", "shortlisted", "contacted", "replied", "negotiating", "agreed", "scheduled",
        "published", "reported", "paid", "declined", "no_response",
    ]  # fmt: skip
    assert [s.key for s in stages if s.closing] == ["declined", "no_response"]


def test_add_rename_reorder_delete_stage(board: tuple[Store, int, dict[str, int]]) -> None:
    store, _, entries = board
    key = add_stage(store, "Waiting for brief")
    assert key == "waiting_for_brief"
    keys = [s.key for s in list_stages(store.cursor())]
    assert keys[-3:] == ["waiting_for_brief", "declined", "no_response"]
    assert add_stage(store, "Ghosted!", closing=True) == "ghosted"
    assert add_stage(store, "Brief sent", after="contacted") == "brief_sent"
    keys = [s.key for s in list_stages(store.cursor())]
    assert keys[2:4] == ["contacted", "brief_sent"]
    assert keys[-1] == "ghosted"
    with pytest.raises(ValidationError, match="There is a stage called “Contacted” already"):
        add_stage(store, "contacted")
    with pytest.raises(ValidationError, match="A stage needs a name"):
        add_stage(store, "   ")

    # renaming keeps the key, so events written before stay attached
    move_cards(store, {entries["alpha"]: 1}, "brief_sent", author="Olga", at=T0)
    rename_stage(store, "brief_sent", "Brief mailed")
    assert [e[2] for e in _stage_events(store)] == ["brief_sent"]
    labels = {s.key: s.label for s in list_stages(store.cursor())}
    assert labels["brief_sent"] == "Brief mailed"

    with pytest.raises(ValidationError) as err:
        delete_stage(store, "brief_sent")
    assert str(err.value) == (
        "The stage “Brief mailed” still holds 1 channel (1 in “Spring”). "
        "Move it to another stage first."
    )
    with pytest.raises(ValidationError, match="“Declined” cannot be deleted: it is a closing"):
        delete_stage(store, "declined")
    with pytest.raises(ValidationError, match="“No response” cannot be deleted"):
        delete_stage(store, "no_response")
    move_cards(store, {entries["alpha"]: 2}, "contacted", at=T0)
    delete_stage(store, "brief_sent")
    stages = list_stages(store.cursor())
    assert "brief_sent" not in [s.key for s in stages]
    assert [s.position for s in stages] == list(range(1, len(stages) + 1))

    order = [s.key for s in stages][::-1]
    reorder_stages(store, order)
    assert [s.key for s in list_stages(store.cursor())] == order
    with pytest.raises(ValidationError, match="missing prospect; unknown or repeated nope"):
        reorder_stages(store, [*order[:-1], "nope"])
    with pytest.raises(NotFound):
        delete_stage(store, "nope")


def test_delete_refusal_names_campaigns(board: tuple[Store, int, dict[str, int]]) -> None:
    store, _, entries = board
    other = create_campaign(store, name="Autumn")
    x = add_channel(store, "vk", "x")
    add_to_shortlist(store, other, [x], stage="prospect")
    move_cards(store, {entries["alpha"]: 1, entries["beta"]: 1}, "prospect")
    with pytest.raises(ValidationError) as err:
        delete_stage(store, "prospect")
    assert str(err.value) == (
        "The stage “Prospect” still holds 3 channels (2 in “Spring”, 1 in “Autumn”). "
        "Move them to another stage first."
    )


def test_stage_counts_count_every_campaign_closed_ones_too(
    board: tuple[Store, int, dict[str, int]],
) -> None:
    store, _, entries = board
    other = create_campaign(store, name="Autumn")
    x, y = add_channel(store, "vk", "x"), add_channel(store, "vk", "y")
    add_to_shortlist(store, other, [x, y], stage="prospect")
    move_cards(store, {entries["alpha"]: 1}, "contacted")
    close_campaign(store, other, 1)
    counts = stage_counts(store.cursor())
    # Spring: beta and gamma shortlisted, alpha contacted; closed Autumn: x and y prospects
    assert counts["shortlisted"] == 2
    assert counts["contacted"] == 1
    assert counts["prospect"] == 2
    assert list(counts) == [s.key for s in list_stages(store.cursor())]
    assert sum(counts.values()) == 5
    assert counts["paid"] == 0


def test_last_open_stage_cannot_go(store: Store) -> None:
    for key in ("prospect", "negotiating", "agreed", "scheduled", "published", "reported"):
        delete_stage(store, key)
    # shortlisted, contacted, replied and paid are protected: the product relies on them
    with pytest.raises(ValidationError, match="reply times are measured from it"):
        delete_stage(store, "contacted")
    new = add_stage(store, "Extra")
    delete_stage(store, new)


def test_move_several_cards_is_one_transaction(board: tuple[Store, int, dict[str, int]]) -> None:
    store, _, e = board
    moved = move_cards(store, {e["alpha"]: 1, e["beta"]: 1}, "contacted", author="Olga", at=T0)
    assert moved == 2
    assert _stage_events(store) == [
        ("alpha", "shortlisted", "contacted", "Olga", T0),
        ("beta", "shortlisted", "contacted", "Olga", T0),
    ]
    since = (
        store.cursor()
        .execute("select stage, stage_since, version from shortlist where id = ?", [e["alpha"]])
        .fetchall()
    )
    assert since == [("contacted", T0, 2)]
    # a card already there does not move and writes no event
    assert move_cards(store, {e["alpha"]: 2, e["gamma"]: 1}, "contacted", at=T0) == 1
    assert len(_stage_events(store)) == 3


def test_stale_concurrent_move_is_refused_whole(board: tuple[Store, int, dict[str, int]]) -> None:
    store, _, e = board
    shown = _versions(store)  # both people see the board at version 1
    move_cards(store, {e["beta"]: shown[e["beta"]]}, "replied", author="Anna", at=T0)
    before = _stage_events(store), _versions(store)
    with pytest.raises(StaleEdit) as err:
        move_cards(
            store, {e["alpha"]: shown[e["alpha"]], e["beta"]: shown[e["beta"]]}, "declined",
            author="Boris",
        )  # fmt: skip
    assert str(err.value) == (
        "“Beta” (telegram:beta) was moved to “Replied” by Anna at 2026-03-02 10:00 since you saw "
        "it, so nothing was moved. Reload the board, then move again."
    )
    assert (_stage_events(store), _versions(store)) == before  # nothing written


def test_stale_after_another_edit_says_so(board: tuple[Store, int, dict[str, int]]) -> None:
    store, _, e = board
    move_cards(store, {e["alpha"]: 1}, "contacted", author="Anna", at=T0)
    update_entry(store, e["alpha"], 2, {"notes": "call back"})
    with pytest.raises(StaleEdit) as err:
        move_cards(store, {e["alpha"]: 2}, "replied")
    assert str(err.value) == (
        "“Alpha” (telegram:alpha) was changed by someone else since you saw it (it was last "
        "moved to “Contacted” by Anna at 2026-03-02 10:00), so nothing was moved. Reload the "
        "board, then move again."
    )


def test_move_refusals(board: tuple[Store, int, dict[str, int]]) -> None:
    store, _, e = board
    with pytest.raises(NotFound, match="There is no stage “nowhere”"):
        move_cards(store, {e["alpha"]: 1}, "nowhere")
    with pytest.raises(StaleEdit, match="1 of the cards you selected is no longer"):
        move_cards(store, {e["alpha"]: 1, 999: 1}, "contacted")
    with pytest.raises(ValidationError, match="Select at least one card"):
        move_cards(store, {}, "contacted")
    assert _stage_events(store) == []


def test_activities_and_timeline(board: tuple[Store, int, dict[str, int]]) -> None:
    store, cid, e = board
    alpha = int(
        store.cursor().execute("select channel_id from shortlist where id = ?", [e["alpha"]])
        .fetchall()[0][0]
    )  # fmt: skip
    move_cards(store, {e["alpha"]: 1}, "contacted", author="Olga", at=T0)
    log_activity(store, cid, alpha, "call", "Asked for the media kit", author="Olga",
                 at=T0 + dt.timedelta(hours=2))  # fmt: skip
    log_activity(store, cid, alpha, "Note", "  prefers e-mail ", at=T0 + dt.timedelta(hours=3))
    with pytest.raises(ValidationError, match="one of message, call, email, meeting, note"):
        log_activity(store, cid, alpha, "fax", "x")
    with pytest.raises(ValidationError, match="A note needs a text"):
        log_activity(store, cid, alpha, "note", "  ")
    stranger = add_channel(store, "vk", "stranger")
    with pytest.raises(NotFound, match="not on the campaign's shortlist"):
        log_activity(store, cid, stranger, "call", "x")
    rows = timeline(store.cursor(), cid, alpha).drop("id", "occurred_at").rows()
    assert rows[:3] == [
        ("note", None, None, None, "prefers e-mail", "Spring"),
        ("call", None, None, "Olga", "Asked for the media kit", "Spring"),
        ("stage", "shortlisted", "contacted", "Olga", None, "Spring"),
    ]
    assert rows[3][:3] == ("stage", None, "shortlisted")
    assert timeline(store.cursor(), None, alpha).height == 4
