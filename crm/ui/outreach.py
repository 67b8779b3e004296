"""What the outreach pages share: cached reads (keyed by the generations of the parts they read,
as crm/ui/state.py does), labels, the campaign picker, who is at the keyboard, and opening a
campaign."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from crm.formatting import format_money
from crm.outreach import budget, campaigns, events, shortlist, stages, templates
from crm.pricing import currencies, intelligence
from crm.store import resolve_db_path
from crm.ui.nav import page
from crm.ui.state import get_store
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import PRICE_KIND_LABELS

CAMPAIGN_KEY = "outreach.campaign_id"  # the campaign the Campaign page shows
CHANNEL_KEY = "campaign.channel"  # the shortlisted channel the Campaign page's Channel tab shows
CHANNEL_TAB_KEY, CHANNEL_TAB = "campaign.tab", "Channel"  # the Campaign page's tabs, and that tab
AUTHOR_KEY = "outreach.author"  # who is at the keyboard: events and messages name them

GOAL_LABELS = {
    "reach": "Reach",
    "sales": "Sales",
    "subscribers": "Subscribers",
    "awareness": "Awareness",
}
STATUS_LABELS = {"draft": "Draft", "active": "Active", "closed": "Closed"}
STATUS_BADGES = {
    "draft": ":gray-badge[Draft]",
    "active": ":green-badge[Active]",
    "closed": ":orange-badge[Closed]",
}
PRIORITY_LABELS = {"high": "High", "normal": "Normal", "low": "Low"}
ACTIVITY_LABELS = {**events.ACTIVITY_LABELS, "stage": "Stage change"}
LANGUAGE_LABELS = templates.LANGUAGES
# the currencies people pick most, first in every currency picker
COMMON_CURRENCIES = ("RUB", "USD", "EUR", "KZT", "BYN", "UAH", "UZS", "GBP", "CNY", "TRY")


def label_of(labels: dict[str, str], key: str | None) -> str:
    """A code's label for people (the code itself when it has none); '—' for none."""
    if key is None:
        return "—"
    return labels.get(key, key)


def currency_options(first: str | None = None) -> list[str]:
    """Every known currency code, ``first`` and the common ones at the top."""
    head = [c for c in (first, *COMMON_CURRENCIES) if c and c in currencies.KNOWN_CURRENCIES]
    head = list(dict.fromkeys(head))
    return head + sorted(c for c in currencies.KNOWN_CURRENCIES if c not in head)


# Cached reads. Each takes the generations of the parts it reads (read before the data is):
# a commit moves one on, so the next run asks under a new key.


def _gen(*parts: str) -> tuple[int, ...]:
    store = get_store()
    return tuple(store.generation(p) for p in parts)


@st.cache_data(show_spinner=False, max_entries=8)
def _stages(path: str, generation: tuple[int, ...]) -> list[stages.Stage]:
    return stages.list_stages(get_store().cursor())


def stage_list() -> list[stages.Stage]:
    """The workspace's pipeline stages in board order (stages.list_stages), cached."""
    return _stages(resolve_db_path(), _gen("outreach"))


def stage_labels() -> dict[str, str]:
    """Each stage's label by key, in board order."""
    return {s.key: s.label for s in stage_list()}


def open_stage_keys() -> list[str]:
    """The keys of the stages that do not close a deal, in board order."""
    return [s.key for s in stage_list() if not s.closing]


@st.cache_data(show_spinner=False, max_entries=8)
def _campaigns(path: str, generation: tuple[int, ...], include_closed: bool) -> pl.DataFrame:
    return campaigns.campaigns_frame(get_store().cursor(), include_closed)


def campaign_list(include_closed: bool = True) -> pl.DataFrame:
    """Every campaign with its channel counts (campaigns.campaigns_frame), cached."""
    return _campaigns(resolve_db_path(), _gen("outreach"), include_closed)


@st.cache_data(show_spinner=False, max_entries=64)
def _money(path: str, generation: tuple[int, ...], campaign_id: int) -> budget.CampaignMoney:
    return budget.campaign_money(get_store().cursor(), campaign_id)


def campaign_money(campaign_id: int) -> budget.CampaignMoney:
    """A campaign's planned, committed and spent money against its budget
    (budget.campaign_money), cached."""
    return _money(resolve_db_path(), _gen("outreach", "pricing"), campaign_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _all_money(path: str, generation: tuple[int, ...]) -> dict[int, budget.CampaignMoney]:
    return budget.campaigns_money(get_store().cursor())


def money_by_campaign() -> dict[int, budget.CampaignMoney]:
    """Every campaign's money by id (budget.campaigns_money, set-based), cached."""
    return _all_money(resolve_db_path(), _gen("outreach", "pricing"))


@st.cache_data(show_spinner=False, max_entries=16)
def _shortlist(
    path: str, generation: tuple[int, ...], campaign_id: int, today: dt.date
) -> pl.DataFrame:
    return shortlist.shortlist_frame(get_store().cursor(), campaign_id, today=today)


def shortlist_table(campaign_id: int) -> pl.DataFrame:
    """A campaign's shortlist with stage, follow-up and latest price (shortlist.shortlist_frame),
    cached (per day: overdue marks and days in stage count from today)."""
    gens = _gen("outreach", "pricing", "registry", "placements")
    return _shortlist(resolve_db_path(), gens, campaign_id, dt.date.today())


@st.cache_data(show_spinner=False, max_entries=16)
def _hints(
    path: str, generation: tuple[int, ...], channel_ids: tuple[int, ...], fmt: str
) -> pl.DataFrame:
    return intelligence.price_hints(get_store().cursor(), list(channel_ids), fmt)


def price_hints(channel_ids: list[int], fmt: str = "post") -> pl.DataFrame:
    """est. CPM, its percentile among peers and the walk-away price per channel
    (intelligence.price_hints), cached."""
    gens = _gen("pricing", "registry")
    return _hints(resolve_db_path(), gens, tuple(sorted(channel_ids)), fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def _templates(path: str, generation: tuple[int, ...], language: str | None) -> pl.DataFrame:
    return templates.templates_frame(get_store().cursor(), language)


def template_list(language: str | None = None) -> pl.DataFrame:
    """The message templates, of one language or all (templates.templates_frame), cached."""
    return _templates(resolve_db_path(), _gen("outreach"), language)


@st.cache_data(show_spinner=False, max_entries=16)
def _no_response(
    path: str, generation: tuple[int, ...], campaign_id: int | None, today: dt.date
) -> pl.DataFrame:
    cur = get_store().cursor()
    return events.no_response_candidates(cur, today=today, campaign_id=campaign_id)


def no_response_list(campaign_id: int | None = None) -> pl.DataFrame:
    """Channels contacted more than the workspace's N days ago with no reply
    (events.no_response_candidates), cached per day."""
    gens = _gen("outreach", "workspace")
    return _no_response(resolve_db_path(), gens, campaign_id, dt.date.today())


# The shortlist as the Campaign page's grid shows it: money and peer figures formatted for
# people once per change of the data (500 rows format in a few tens of milliseconds).

OVERDUE_MARK = "⚠"
GRID_COLUMNS = (
    "entry_id", "version", "channel_id", "pick", "title", "platform", "followers", "price",
    "est_cpm", "vs_peers", "walk_away", "stage", "days_in_stage", "next_follow_up", "overdue",
    "priority", "manager", "notes",
)  # fmt: skip


def peer_text(percentile: float | None, peers: int | None, est_cpm: object = True) -> str:
    """Where a channel's est. CPM stands among its peers: 'p35 of 18' (35 % of the 18 peers
    are cheaper per thousand views); with too few peers, '— (3 peers)'; '—' for a channel
    with no est. CPM (``est_cpm`` None) to compare."""
    n = int(peers or 0)
    if est_cpm is None:
        return "—"
    if percentile is None or percentile != percentile or n < intelligence.MIN_PEERS:
        return f"— ({n} peer{'' if n == 1 else 's'})"
    return f"p{round(percentile)} of {n}"


def _price_text(amount: object, currency: str | None, kind: str | None) -> str:
    text = format_money(amount, currency)
    if amount is not None and kind:
        text += f" · {PRICE_KIND_LABELS.get(kind, kind).lower()}"
    return text


@st.cache_data(show_spinner=False, max_entries=16)
def _grid(path: str, generation: tuple[int, ...], campaign_id: int, today: dt.date) -> pl.DataFrame:
    cur = get_store().cursor()
    frame = shortlist.shortlist_frame(cur, campaign_id, today=today)
    ids = frame["channel_id"].to_list()
    hints = intelligence.price_hints(cur, ids) if ids else None
    by_channel = (
        {int(r["channel_id"]): r for r in hints.iter_rows(named=True)} if hints is not None else {}
    )
    rows = []
    for r in frame.iter_rows(named=True):
        hint = by_channel.get(int(r["channel_id"]), {})
        base = hint.get("base_currency")
        rows.append(
            {
                "entry_id": r["entry_id"],
                "version": r["version"],
                "channel_id": r["channel_id"],
                "pick": False,
                "title": r["title"] or r["handle"],
                "platform": PLATFORM_LABELS.get(r["platform"], r["platform"]),
                "followers": r["followers"],
                "price": _price_text(r["price"], r["price_currency"], r["price_kind"]),
                "est_cpm": format_money(hint.get("est_cpm"), base),
                "vs_peers": peer_text(
                    hint.get("percentile"), hint.get("peers"), hint.get("est_cpm")
                ),
                "walk_away": format_money(hint.get("walk_away"), base),
                "stage": r["stage"],
                "days_in_stage": r["days_in_stage"],
                "next_follow_up": r["next_follow_up"],
                "overdue": OVERDUE_MARK if r["overdue"] else "",
                "priority": r["priority"],
                "manager": r["manager"],
                "notes": r["notes"],
            }
        )
    schema = {
        "entry_id": pl.Int64, "version": pl.Int64, "channel_id": pl.Int64, "pick": pl.Boolean,
        "title": pl.String, "platform": pl.String, "followers": pl.Int64, "price": pl.String,
        "est_cpm": pl.String, "vs_peers": pl.String, "walk_away": pl.String, "stage": pl.String,
        "days_in_stage": pl.Int64, "next_follow_up": pl.Date, "overdue": pl.String,
        "priority": pl.String, "manager": pl.String, "notes": pl.String,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def shortlist_grid(campaign_id: int) -> pl.DataFrame:
    """The campaign's shortlist (shortlist.shortlist_frame) with price hints
    (intelligence.price_hints) formatted for the Campaign page's grid (``GRID_COLUMNS``),
    cached per day."""
    gens = _gen("outreach", "pricing", "registry", "placements")
    return _grid(resolve_db_path(), gens, campaign_id, dt.date.today())


# Widgets


def campaign_picker(
    label: str = "Campaign",
    *,
    key: str,
    include_closed: bool = True,
    placeholder: str = "Choose a campaign",
    default: int | None = None,
) -> int | None:
    """A select box of campaigns (name · brand · status); returns the chosen id, if any."""
    frame = campaign_list(include_closed)
    names = {
        int(r["id"]): " · ".join(
            x for x in (r["name"], r["brand"], label_of(STATUS_LABELS, r["status"])) if x
        )
        for r in frame.iter_rows(named=True)
    }
    ids = list(names)
    return st.selectbox(
        label,
        ids,
        index=ids.index(default) if default in names else None,
        format_func=names.__getitem__,
        placeholder=placeholder if ids else "No campaigns yet",
        key=key,
    )


def author_input() -> str | None:
    """The sidebar box "You are" (kept across pages): the author of moves, activities and
    messages sent from this browser tab. Returns the name, or None when left empty."""
    name = st.sidebar.text_input(
        "You are",
        key=AUTHOR_KEY,
        placeholder="Your name, for the activity log",
        help="Stage changes, activities and messages you log are signed with this name.",
        persist_state="session",
    )
    return current_author() if name is not None else None


def current_author() -> str | None:
    """The name typed in "You are", if any."""
    name = str(st.session_state.get(AUTHOR_KEY) or "").strip()
    return name or None


def open_campaign(campaign_id: int, channel_id: int | None = None) -> None:
    """Go to the Campaign page of one campaign; with ``channel_id``, straight to that channel's
    timeline, activities and messages in it."""
    st.session_state[CAMPAIGN_KEY] = campaign_id
    params = {"id": str(campaign_id)}
    if channel_id is not None:
        pick_channel(channel_id)
        params["channel"] = str(channel_id)
    st.switch_page(page("campaign"), query_params=params)


def pick_channel(channel_id: int) -> None:
    """Show one shortlisted channel on the Campaign page: its Channel tab, that channel picked."""
    st.session_state[CHANNEL_TAB_KEY] = CHANNEL_TAB
    st.session_state[CHANNEL_KEY] = channel_id
