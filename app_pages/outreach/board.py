"""Pipeline board: every shortlisted channel as a card in its stage; tick cards to move them."""

import datetime as dt

import streamlit as st

from crm.formatting import format_count
from crm.outreach.board import BoardFilter, Card
from crm.outreach.events import move_cards
from crm.outreach.stages import Stage
from crm.ui.nav import page
from crm.ui.outreach import author_input, current_author, open_campaign
from crm.ui.pipeline import (
    board_view,
    campaign_options,
    card_details,
    card_label,
    clear_ticks,
    manager_names,
    md,
    tick_box,
    ticked_cards,
)
from crm.ui.state import get_store, pending_toast, run_write
from crm.vocab.platforms import PLATFORM_LABELS, PLATFORMS

DEFAULT_LIMIT = 6  # cards shown per stage at first: a screenful of the board
MORE = 12  # cards each "Show more" adds to one stage
PER_ROW = 5  # stage columns per row: five fit 1440 px beside the sidebar with readable cards
_LIMITS = "board.limits"  # cards shown per stage (stage key → how many), raised by "Show more"

store = get_store()


def show_more(stage: str, shown: int) -> None:
    """Show ``MORE`` more cards of one stage (a button's ``on_click``)."""
    st.session_state[_LIMITS] = {**st.session_state.get(_LIMITS, {}), stage: shown + MORE}


st.title("Pipeline board")
author_input()
pending_toast("board.moved")

campaigns = campaign_options()
f_campaign, f_manager, f_platform, f_overdue = st.columns(
    [3, 2, 2, 1.3], vertical_alignment="bottom"
)
campaign_id = f_campaign.selectbox(
    "Campaign",
    [None, *campaigns],
    format_func=lambda i: "All campaigns" if i is None else campaigns[i],
    key="board.campaign",
    bind="query-params",
    persist_state="session",
)
managers = manager_names()
manager = f_manager.selectbox(
    "Manager",
    [None, *managers],
    format_func=lambda m: "All managers" if m is None else m,
    key="board.manager",
    bind="query-params",
    persist_state="session",
)
platform = f_platform.selectbox(
    "Platform",
    [None, *PLATFORMS],
    format_func=lambda p: "All platforms" if p is None else PLATFORM_LABELS[p],
    key="board.platform",
    bind="query-params",
    persist_state="session",
)
overdue_only = f_overdue.toggle(
    "Overdue only",
    key="board.overdue",
    help="Cards whose next follow-up date has passed.",
    bind="query-params",
    persist_state="session",
)
flt = BoardFilter(
    campaign_id=campaign_id, manager=manager, platform=platform, overdue_only=overdue_only
)
# ticks belong to the cards of one view: a new filter starts with none ticked
if st.session_state.get("board.view") != flt:
    st.session_state["board.view"] = flt
    clear_ticks()
today = dt.date.today()
board = board_view(flt, st.session_state.get(_LIMITS, {}), DEFAULT_LIMIT, today)
labels = {s.key: s.label for s in board.stages}
total = sum(board.counts.values())

# the actions sit above the board, in view while ticking; each ticked card keeps the version
# the user saw when ticking it, so a card someone else moved meanwhile is refused, not moved
bar = st.container(border=True)
ticked = ticked_cards()
with bar:
    if not ticked:
        st.caption(
            f"**{format_count(total)}** {'card matches' if total == 1 else 'cards match'}. "
            "Tick cards to move them to another stage; a card's link opens its campaign."
        )
    else:
        n = len(ticked)
        head, target_col, move_col, open_col, clear_col = st.columns(
            [1.2, 2, 2.2, 1.6, 1], vertical_alignment="bottom"
        )
        head.markdown(f"**{n} ticked**")
        if "board.target" not in st.session_state:
            # at first, the stage after the one the first ticked card sits in
            stage_of = {c.entry_id: c.stage for cs in board.cards.values() for c in cs}
            order = [s.key for s in board.stages if not s.closing]
            first = next((stage_of[e] for e in ticked if e in stage_of), None)
            if first in order and order.index(first) + 1 < len(order):
                st.session_state["board.target"] = order[order.index(first) + 1]
        target = target_col.selectbox(
            "Move to",
            list(labels),
            format_func=labels.__getitem__,
            key="board.target",
        )
        if move_col.button(
            f"Move {n} ticked to {labels[target]}",
            key="board.move",
            type="primary",
            icon=":material/arrow_forward:",
            width="stretch",
        ):
            run_write(
                lambda: move_cards(store, ticked, target, author=current_author()),
                toast_key="board.moved",
                toast=lambda moved: (
                    f"Moved {moved} {'card' if moved == 1 else 'cards'} to {labels[target]}."
                ),
                then=lambda _: clear_ticks(),
            )
        if n == 1:
            entry = next(iter(ticked))
            shown_cards = [c for cs in board.cards.values() for c in cs if c.entry_id == entry]
            if shown_cards and open_col.button(
                "Open in its campaign", key="board.open", icon=":material/flag:", width="stretch"
            ):
                open_campaign(shown_cards[0].campaign_id, shown_cards[0].channel_id)
        clear_col.button("Clear ticks", key="board.clear", on_click=clear_ticks, width="stretch")

if total == 0:
    if flt == BoardFilter():
        st.info(
            "No channel is on the shortlist of an open campaign yet. Create a campaign, then "
            "add channels to it from the Channels page, a channel's profile or the campaign's "
            "page: each one becomes a card here.",
            icon=":material/view_kanban:",
        )
        st.page_link(page("campaigns"), label="Open Campaigns", icon=":material/campaign:")
    else:
        st.info(
            "No card matches these filters: loosen them to see more.",
            icon=":material/filter_alt_off:",
        )
    st.stop()


def draw_stage(stage: Stage, cards: list[Card]) -> None:
    """One stage's column: its name and count, its first cards, and "Show more"."""
    count = board.counts.get(stage.key, 0)
    mark = " :gray-badge[closing]" if stage.closing else ""
    st.markdown(f"**{md(stage.label)}** :blue-badge[{format_count(count)}]{mark}")
    for card in cards:
        with st.container(border=True, gap="xxsmall"):
            tick_box(card, card_label(card))
            st.caption(card_details(card, today=today, show_campaign=campaign_id is None))
    if count > len(cards):
        st.button(
            f"Show more ({format_count(count - len(cards))} more)",
            key=f"board.more.{stage.key}",
            on_click=show_more,
            args=(stage.key, len(cards)),
            icon=":material/expand_more:",
            width="stretch",
            type="tertiary",
        )
    elif not cards:
        st.caption("No cards.")


open_stages = [s for s in board.stages if not s.closing]
closing_stages = [s for s in board.stages if s.closing]
for heading, group in (("In progress", open_stages), ("Closed", closing_stages)):
    if not group:
        continue
    st.caption(heading)
    for start in range(0, len(group), PER_ROW):
        row = group[start : start + PER_ROW]
        for column, stage in zip(st.columns(PER_ROW), row, strict=False):
            with column:
                draw_stage(stage, board.cards.get(stage.key, []))
