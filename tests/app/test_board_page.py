"""The Pipeline board: counts per stage as crm computes them, the first cards of each stage
with "Show more", ticking cards and moving them (one transaction, an event each), and a move
refused because someone else moved a card first."""

from __future__ import annotations

import datetime as dt

import polars as pl
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.outreach.board import BoardFilter, Card, board
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import move_cards, timeline
from crm.outreach.shortlist import add_to_shortlist, update_entry
from crm.ui.pipeline import TICK
from crm.ui.state import get_store

from .conftest import open_page

CARDS = 10  # in "prospect": more than the board shows at first


def _campaign_board(app: AppTest) -> int:
    """A campaign of the test's own with CARDS channels in "prospect", the board filtered to it."""
    store = get_store()
    cur = store.cursor()
    campaign = create_campaign(store, name="Board test campaign", brand="Acme")
    channels = registry.list_channels(cur)["id"].head(CARDS).to_list()
    add_to_shortlist(store, campaign, channels, stage="prospect", manager="Anna")
    open_page(app, "board")
    app.selectbox(key="board.campaign").set_value(campaign).run()
    assert not app.exception, app.exception
    return campaign


def _shown_entries(app: AppTest) -> list[int]:
    return [int(str(c.key).removeprefix(TICK).split(".")[1]) for c in app.checkbox]


def _box(app: AppTest, card: Card):  # type: ignore[no-untyped-def]
    """The checkbox of one card, as drawn now."""
    return next(c for c in app.checkbox if str(c.key).endswith(f".{card.entry_id}"))


def _headers(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if ":blue-badge[" in m.value]


def test_the_board_shows_the_counts_crm_computes(app: AppTest) -> None:
    cur = get_store().cursor()
    open_page(app, "board")
    everywhere = board(cur, BoardFilter(), default_limit=0)
    headers = _headers(app)
    assert len(headers) == len(everywhere.stages)
    for stage, header in zip(everywhere.stages, headers, strict=True):
        assert header.startswith(f"**{stage.label}** :blue-badge[{everywhere.counts[stage.key]}]")

    campaign = _campaign_board(app)
    mine = board(cur, BoardFilter(campaign_id=campaign), default_limit=0).counts
    # by hand: every card of the new campaign sits in "prospect"
    assert mine == {s.key: CARDS if s.key == "prospect" else 0 for s in everywhere.stages}
    assert _headers(app)[0].startswith(f"**Prospect** :blue-badge[{CARDS}]")
    assert all(":blue-badge[0]" in h for h in _headers(app)[1:])


def test_show_more_raises_the_cards_shown_of_one_stage(app: AppTest) -> None:
    _campaign_board(app)
    assert len(_shown_entries(app)) == 6
    more = app.button(key="board.more.prospect")
    assert more.label == "Show more (4 more)"
    more.click().run()
    assert not app.exception
    assert len(_shown_entries(app)) == CARDS
    assert not any(b.key == "board.more.prospect" for b in app.button)


def test_ticking_cards_and_moving_them_writes_an_event_each(app: AppTest) -> None:
    store = get_store()
    cur = store.cursor()
    campaign = _campaign_board(app)
    cards = board(cur, BoardFilter(campaign_id=campaign)).cards["prospect"][:2]
    for card in cards:
        _box(app, card).check().run()
    app.selectbox(key="board.target").set_value("contacted").run()
    move = app.button(key="board.move")
    assert move.label == "Move 2 ticked to Contacted"
    app.session_state["outreach.author"] = "Maria"
    move.click().run()
    assert not app.exception and not app.error, app.error

    after = board(cur, BoardFilter(campaign_id=campaign))
    assert after.counts["prospect"] == CARDS - 2 and after.counts["contacted"] == 2
    assert {c.entry_id for c in after.cards["contacted"]} == {c.entry_id for c in cards}
    for card in cards:
        last = timeline(cur, campaign, card.channel_id).row(0, named=True)
        assert (last["type"], last["stage_from"], last["stage_to"], last["author"]) == (
            "stage",
            "prospect",
            "contacted",
            "Maria",
        )
    assert [t.value for t in app.toast] == ["Moved 2 cards to Contacted."]
    # the moved cards are drawn afresh, unticked
    assert not any(c.value for c in app.checkbox)


def test_a_card_someone_else_moved_is_refused_and_nothing_moves(app: AppTest) -> None:
    store = get_store()
    cur = store.cursor()
    campaign = _campaign_board(app)
    first, second = board(cur, BoardFilter(campaign_id=campaign)).cards["prospect"][:2]
    for card in (first, second):
        _box(app, card).check().run()
    # meanwhile, in another session, someone moves the first card on
    move_cards(store, {first.entry_id: first.version}, "replied", author="Oleg")
    app.selectbox(key="board.target").set_value("declined").run()
    app.button(key="board.move").click().run()
    assert not app.exception
    assert app.error and "Oleg" in app.error[0].value
    stages = board(cur, BoardFilter(campaign_id=campaign), limits={"prospect": CARDS}).counts
    assert stages["declined"] == 0 and stages["replied"] == 1
    assert stages["prospect"] == CARDS - 1
    # both stay ticked: the user sees where the first one went and decides again
    assert _box(app, first).value and _box(app, second).value
    assert "Move 2 ticked" in app.button(key="board.move").label
    history = timeline(cur, campaign, second.channel_id)
    assert history.filter(pl.col("type") == "stage").height == 1


def test_overdue_only_shows_only_overdue_cards(app: AppTest) -> None:
    store = get_store()
    cur = store.cursor()
    campaign = _campaign_board(app)
    card = board(cur, BoardFilter(campaign_id=campaign)).cards["prospect"][0]
    due = dt.date.today() - dt.timedelta(days=3)
    update_entry(store, card.entry_id, card.version, {"next_follow_up": due})
    app.toggle(key="board.overdue").set_value(True).run()
    assert not app.exception
    assert _shown_entries(app) == [card.entry_id]
    # the red mark, with the day the follow-up was due
    marks = [c.value for c in app.caption if ":red-badge[overdue" in c.value]
    assert len(marks) == 1 and f":red-badge[overdue\u00a0{due:%d.%m}" in marks[0]


def test_one_ticked_card_opens_in_its_campaign(app: AppTest) -> None:
    cur = get_store().cursor()
    campaign = _campaign_board(app)
    card = board(cur, BoardFilter(campaign_id=campaign)).cards["prospect"][0]
    _box(app, card).check().run()
    app.button(key="board.open").click().run()
    assert not app.exception, app.exception
    assert app.session_state["outreach.campaign_id"] == campaign
    assert app.selectbox(key="campaign.channel").value == card.channel_id
