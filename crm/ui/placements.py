"""What the Placements and Placement pages share: cached reads (keyed by the generations of the
parts they read, as crm/ui/state.py does), labels, the channel choices of the log form, KPI
figures as text, and opening a placement or the log form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from crm import registry
from crm.errors import NotFound
from crm.formatting import format_count, format_money, format_percent
from crm.placements import evidence, kpis, placements, results
from crm.placements.placements import PlacementFilter
from crm.store import resolve_db_path
from crm.ui.nav import page
from crm.ui.outreach import shortlist_table, stage_labels
from crm.ui.state import get_store
from crm.vocab import terms
from crm.vocab.platforms import PLATFORM_LABELS

PLACEMENT_KEY = "placements.placement_id"  # the placement the Placement page shows
PREFILL_KEY = "placements.prefill"  # (campaign id, channel id) the log form opens with

# what a placement list reads: placements and results, campaigns and shortlists (outreach),
# prices and rates (pricing: costs in the base currency), channels (registry)
_PARTS = ("placements", "outreach", "pricing", "registry")

# the labels of a placement's content type and status (crm.vocab.terms), re-exported for pages
CONTENT_TYPE_LABELS = terms.CONTENT_TYPE_LABELS
STATUS_LABELS = terms.PLACEMENT_STATUS_LABELS
STATUS_BADGES = {
    "planned": ":blue-badge[Planned]",
    "published": ":green-badge[Published]",
    "cancelled": ":gray-badge[Cancelled]",
}
METRIC_LABELS = {
    "reach": "Reach",
    "impressions": "Impressions",
    "views": "Views",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "clicks": "Clicks",
    "conversions": "Conversions",
}
# KPIs shown as money (in the base currency) and as percentages; the rest are counts
MONEY_KPIS = ("cost", "revenue", "cpm", "cpv", "cpc", "cpa", "cpe")
RATIO_KPIS = ("ctr", "cr", "err", "romi", "roas", "delivery")


def _gen(*parts: str) -> tuple[int, ...]:
    store = get_store()
    return tuple(store.generation(p) for p in parts)


# ---------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, max_entries=16)
def _placements(path: str, generation: tuple[int, ...], flt: PlacementFilter) -> pl.DataFrame:
    return placements.placements_frame(get_store().cursor(), flt)


def placements_table(
    flt: PlacementFilter | None = None, *, flagged_only: bool = False
) -> pl.DataFrame:
    """Placements with their latest results, cost in the base currency and flags
    (placements.placements_frame), cached; ``flagged_only`` keeps those with a flag."""
    frame = _placements(resolve_db_path(), _gen(*_PARTS), flt or PlacementFilter())
    if flagged_only:
        frame = frame.filter(pl.col("flags").list.len() > 0)
    return frame


@st.cache_data(show_spinner=False, max_entries=32)
def _results(path: str, generation: tuple[int, ...], placement_id: int) -> pl.DataFrame:
    return results.results_frame(get_store().cursor(), placement_id)


def results_table(placement_id: int) -> pl.DataFrame:
    """Every measurement of a placement, newest first (results.results_frame), cached."""
    return _results(resolve_db_path(), _gen("placements"), placement_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _evidence(path: str, generation: tuple[int, ...], placement_id: int) -> pl.DataFrame:
    return evidence.evidence_frame(get_store().cursor(), placement_id)


def evidence_table(placement_id: int) -> pl.DataFrame:
    """The screenshots kept for a placement (evidence.evidence_frame), cached."""
    return _evidence(resolve_db_path(), _gen("placements"), placement_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _evidence_file(
    path: str, generation: tuple[int, ...], evidence_id: int
) -> tuple[str, str, bytes]:
    return evidence.evidence_bytes(get_store().cursor(), evidence_id)


def evidence_file(evidence_id: int) -> tuple[str, str, bytes]:
    """One screenshot's file name, type and bytes (evidence.evidence_bytes), cached."""
    return _evidence_file(resolve_db_path(), _gen("placements"), evidence_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _kpis(
    path: str,
    generation: tuple[int, ...],
    key: tuple[int, int | None, str, str],
    as_of: dt.datetime | None,
) -> dict[str, Any] | None:
    placement_id, campaign_id, platform, handle = key
    # narrowed to the placement's campaign, platform and channel handle (which its row always
    # matches): the KPIs of one placement need not aggregate the whole workspace
    flt = PlacementFilter(
        campaign_ids=(campaign_id,) if campaign_id is not None else (),
        platforms=(platform,),
        search=handle,
    )
    table = kpis.kpi_table(get_store().cursor(), "placement", flt, as_of=as_of)
    row = table.filter(pl.col("key").cast(pl.String) == str(placement_id))
    return row.row(0, named=True) if row.height else None


def placement_kpis(
    placement: placements.Placement,
    platform: str,
    handle: str,
    as_of: dt.datetime | None = None,
) -> dict[str, Any] | None:
    """The KPI row of one placement (kpis.kpi_table by placement) on its channel (``platform``,
    ``handle``), from its latest measurement or the latest at or before ``as_of``, cached;
    None for a placement KPIs leave out (cancelled)."""
    key = (placement.id, placement.campaign_id, platform, handle)
    return _kpis(resolve_db_path(), _gen(*_PARTS), key, as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def _flags(path: str, generation: tuple[int, ...], placement_id: int) -> list[str]:
    return placements.flags(get_store().cursor(), placement_id)


def placement_flags(placement_id: int) -> list[str]:
    """What to check about one placement (placements.flags: no erid, clicks above impressions,
    dates, a missing rate), cached."""
    return _flags(resolve_db_path(), _gen(*_PARTS), placement_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _found_channels(path: str, generation: tuple[int, ...], text: str) -> dict[int, str]:
    flt = registry.ChannelFilter(search=text, archived="all")
    found, _ = registry.page_channels(get_store().cursor(), flt, limit=50)
    return {int(r["id"]): channel_label(r) for r in found.iter_rows(named=True)}


def channel_label(row: dict[str, Any]) -> str:
    """A channel for people in a picker: title · platform · handle (two pages of one title
    are told apart by the rest)."""
    platform = PLATFORM_LABELS.get(row["platform"], row["platform"])
    return " · ".join(x for x in (row.get("title"), platform, row["handle"]) if x)


def channel_choices(
    search: str, campaign_id: int | None, keep: int | None = None
) -> dict[int, str]:
    """The channels the log form offers, by id: the campaign's shortlist first (with each
    card's stage), then the channels matching ``search`` (title, handle or a pasted link, at
    most 50), and ``keep`` (the channel already chosen) whatever the search."""
    out: dict[int, str] = {}
    if campaign_id is not None:
        labels = stage_labels()
        for r in shortlist_table(campaign_id).iter_rows(named=True):
            stage = labels.get(r["stage"], r["stage"])
            out[int(r["channel_id"])] = f"{channel_label(r)} · {stage}"
    text = search.strip()
    if text:
        for channel_id, name in _found_channels(resolve_db_path(), _gen("registry"), text).items():
            out.setdefault(channel_id, name)
    if keep is not None and keep not in out:
        try:
            ch = registry.get_channel(get_store().cursor(), keep)
        except NotFound:  # a channel deleted meanwhile is simply not offered
            return out
        out[keep] = channel_label({"title": ch.title, "platform": ch.platform, "handle": ch.handle})
    return out


# ---------------------------------------------------------------- figures as text


def kpi_text(name: str, value: object, currency: str | None) -> str:
    """One KPI for people: money in the base currency, ratios as percentages, counts grouped;
    '—' for an unknown figure (a zero or missing denominator)."""
    if value is None:
        return "—"
    if name in MONEY_KPIS:
        return format_money(value, currency)
    if name in RATIO_KPIS:
        return format_percent(float(value), 1)  # type: ignore[arg-type]
    return format_count(value)  # type: ignore[arg-type]


def flags_text(flags: list[str] | None) -> str:
    """A placement's flags in one cell: '⚠ No erid … · ⚠ Clicks …'; empty without flags."""
    return " · ".join(f"⚠ {f}" for f in flags or [])


# ---------------------------------------------------------------- going places


def open_placement(placement_id: int) -> None:
    """Go to the Placement page of one placement."""
    st.session_state[PLACEMENT_KEY] = placement_id
    st.switch_page(page("placement"), query_params={"id": str(placement_id)})


def new_placement(campaign_id: int | None = None, channel_id: int | None = None) -> None:
    """Go to the Placements page with its "Log a placement" form open, filled with the campaign
    and channel given."""
    st.session_state[PREFILL_KEY] = (campaign_id, channel_id)
    st.switch_page(page("placements"))


def take_prefill() -> tuple[int | None, int | None] | None:
    """The campaign and channel ``new_placement`` asked the log form to open with, once."""
    held = st.session_state.pop(PREFILL_KEY, None)
    return (held[0], held[1]) if held is not None else None
