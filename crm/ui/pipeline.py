"""What the Pipeline board, Message templates and Settings pages share: cached reads keyed by
the generations of the parts they read, the board's cards as compact markdown, and the ticks
of the board's cards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
import streamlit as st

from crm.formatting import format_compact, format_money
from crm.outreach import stages
from crm.outreach.board import Board, BoardFilter, Card, board, managers
from crm.pricing.currencies import base_currency, rates_frame
from crm.store import Store
from crm.ui.nav import url_of
from crm.ui.outreach import campaign_list, template_list
from crm.ui.state import get_store
from crm.vocab.platforms import PLATFORM_LABELS

# the board reads the shortlist and stages (outreach), channels and their numbers (registry)
# and prices (pricing): a commit to any of them makes the next run read afresh
_BOARD_PARTS = ("outreach", "registry", "pricing")
TICK = "board.tick."  # a card's checkbox key: TICK + "<round>.<entry id>"
_TICKS = "board.ticks"  # the ticked cards: entry id → the version the user saw
_ROUND = "board.tick_round"
_NBSP = "\u00a0"
_MD = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~$:"})


def md(text: str) -> str:
    """People's text inside markdown, shown as typed (an underscore in @ivan_ads is no italic)."""
    return text.translate(_MD)


def _generations(store: Store, parts: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(store.generation(part) for part in parts)


@st.cache_data(show_spinner=False, max_entries=32)
def _board(
    path: str,
    generations: tuple[int, ...],
    flt: BoardFilter,
    limits: tuple[tuple[str, int], ...],
    default_limit: int,
    today: dt.date,
) -> Board:
    return board(
        get_store().cursor(), flt, limits=dict(limits), default_limit=default_limit, today=today
    )


def board_view(
    flt: BoardFilter, limits: Mapping[str, int], default_limit: int, today: dt.date
) -> Board:
    """The board (crm.outreach.board.board) for a filter and the cards shown per stage, cached."""
    store = get_store()
    return _board(
        store.path,
        _generations(store, _BOARD_PARTS),
        flt,
        tuple(sorted(limits.items())),
        default_limit,
        today,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _managers(path: str, generation: int) -> list[str]:
    return managers(get_store().cursor())


def manager_names() -> list[str]:
    """The managers cards are assigned to (crm.outreach.board.managers), cached."""
    store = get_store()
    return _managers(store.path, store.generation("outreach"))


def campaign_options() -> dict[int, str]:
    """Every campaign's name by id (closed ones last), for the board's campaign filter."""
    frame = campaign_list()
    closed = {"closed": " (closed)"}
    rows = sorted(frame.iter_rows(named=True), key=lambda r: r["status"] == "closed")
    return {int(r["id"]): r["name"] + closed.get(r["status"], "") for r in rows}


@st.cache_data(show_spinner=False, max_entries=8)
def _stage_counts(path: str, generation: int) -> dict[str, int]:
    return stages.stage_counts(get_store().cursor())


def stage_counts() -> dict[str, int]:
    """How many cards sit in each stage across every campaign, closed ones too
    (crm.outreach.stages.stage_counts), cached."""
    store = get_store()
    return _stage_counts(store.path, store.generation("outreach"))


@st.cache_data(show_spinner=False, max_entries=8)
def _rates(path: str, generation: int, currency: str | None) -> pl.DataFrame:
    return rates_frame(get_store().cursor(), currency)


def rate_list(currency: str | None = None) -> pl.DataFrame:
    """The exchange rates, of one currency or all (crm.pricing.currencies.rates_frame), cached."""
    store = get_store()
    return _rates(store.path, store.generation("pricing"), currency)


@st.cache_data(show_spinner=False, max_entries=8)
def _base(path: str, generations: tuple[int, ...]) -> str:
    return base_currency(get_store().cursor())


def workspace_base_currency() -> str:
    """The workspace's base currency (crm.pricing.currencies.base_currency), cached."""
    store = get_store()
    return _base(store.path, _generations(store, ("pricing", "workspace")))


# The board's cards


def card_label(card: Card) -> str:
    """A card's checkbox label: its title in bold (its handle when it has none)."""
    return f"**{md(card.title or card.handle)}**"


def _day(day: dt.date, today: dt.date) -> str:
    return f"{day:%d.%m}" if day.year == today.year else f"{day:%d.%m.%Y}"


def card_details(card: Card, *, today: dt.date, show_campaign: bool) -> str:
    """A card's facts in small type under its title: platform, followers, latest price; the
    next follow-up (a red mark when overdue) and days in the stage; manager, priority when
    high, and a link to the card in its campaign."""
    facts = [PLATFORM_LABELS.get(card.platform, card.platform)]
    if card.followers is not None:
        facts.append(f"{format_compact(card.followers)}{_NBSP}followers")
    if card.price is not None:
        facts.append(format_money(card.price, card.price_currency))
    # a unit is never split over two lines of a narrow card
    timing = [f"{card.days_in_stage}{_NBSP}d{_NBSP}in{_NBSP}stage"]
    if card.next_follow_up is not None:
        due = _day(card.next_follow_up, today)
        timing.append(
            f":red-badge[overdue{_NBSP}{due}]" if card.overdue else f"follow{_NBSP}up{_NBSP}{due}"
        )
    who = [md(card.manager)] if card.manager else []
    if card.priority == "high":
        who.append(f":orange[high{_NBSP}priority]")
    where = md(card.campaign) if show_campaign else "open in campaign"
    who.append(f"[{where} ↗]({campaign_link(card.campaign_id, card.channel_id)})")
    lines = [" · ".join(md(fact) for fact in facts), " · ".join(timing), " · ".join(who)]
    return "  \n".join(lines)


def campaign_link(campaign_id: int, channel_id: int) -> str:
    """The address of a channel in its campaign (relative to the app), for a link on a card."""
    return f"{url_of('campaign')}?id={campaign_id}&channel={channel_id}"


def tick_key(card: Card) -> str:
    """The key of a card's checkbox in this round of ticking (a new round draws all unticked)."""
    return f"{TICK}{st.session_state.get(_ROUND, 0)}.{card.entry_id}"


def tick_box(card: Card, label: str) -> None:
    """A card's checkbox: ticking it remembers the version of the card the user saw, kept until
    it is unticked or moved, however the card changes meanwhile (a move then says so)."""
    key = tick_key(card)
    st.checkbox(
        label,
        value=card.entry_id in st.session_state.get(_TICKS, {}),
        key=key,
        on_change=_toggle,
        args=(card.entry_id, card.version, key),
    )


def _toggle(entry_id: int, version: int, key: str) -> None:
    ticks: dict[int, int] = dict(st.session_state.get(_TICKS, {}))
    if st.session_state.get(key):
        ticks[entry_id] = version
    else:
        ticks.pop(entry_id, None)
    st.session_state[_TICKS] = ticks


def ticked_cards() -> dict[int, int]:
    """The ticked cards: entry id → the version the user saw when ticking it."""
    return dict(st.session_state.get(_TICKS, {}))


def clear_ticks() -> None:
    """Untick every card (their checkboxes are drawn afresh, unticked)."""
    st.session_state[_TICKS] = {}
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1


# Message templates


@dataclass(frozen=True)
class TemplateRecord:
    """One message template as its editor shows it (``id`` 0: a new one, not saved yet)."""

    id: int
    name: str
    language: str
    subject: str
    body: str
    version: int


NEW_TEMPLATE = TemplateRecord(0, "", "ru", "", "", 0)


def template_record(template_id: int | None) -> TemplateRecord | None:
    """A stored template by id (from the cached list), or None when there is none."""
    if template_id is None:
        return None
    frame = template_list().filter(pl.col("id") == template_id)
    if frame.is_empty():
        return None
    row = frame.row(0, named=True)
    return TemplateRecord(
        int(row["id"]),
        str(row["name"]),
        str(row["language"]),
        str(row["subject"] or ""),
        str(row["body"]),
        int(row["version"]),
    )


# what each placeholder of crm.outreach.templates.PLACEHOLDERS stands for, for the legend
PLACEHOLDER_HELP = {
    "owner": "the name of the channel's owner",
    "channel": "the channel's title (its handle when it has none)",
    "format": "the placement format chosen for the preview (post, story …)",
    "price": "the latest price of that format (agreed, else quoted, else listed; the campaign's own first)",
    "date": "the campaign's start date",
    "campaign": "the campaign's name",
    "brand": "the campaign's brand or product",
}
