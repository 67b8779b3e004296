"""Widgets shared by pages: the channel filters in the sidebar and the channel table."""

from __future__ import annotations

from typing import Literal

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from crm import registry
from crm.metrics import FORMULAS
from crm.ui.nav import page
from crm.vocab.platforms import PLATFORM_LABELS, PLATFORMS
from crm.vocab.terms import KINDS

KIND_LABELS = {"person": "Blogger", "public_page": "Public page"}
_F = "registry.filter."  # session-state namespace of the channel filters
_ARCHIVED = {"active": "Active", "archived": "Archived", "all": "All"}


def show_lacking(need: str) -> None:
    """Open the Channels page filtered to the active channels lacking one thing."""
    reset_filters()
    st.session_state[_F + "needs"] = [need]
    st.switch_page(page("channels"))


def reset_filters() -> None:
    """Forget every channel filter of this session."""
    for key in list(st.session_state):
        if str(key).startswith(_F):
            del st.session_state[key]


def _range(
    side: DeltaGenerator,
    label: str,
    key: str,
    low: float,
    step: float,
    unit: str = "",
    help: str | None = None,
) -> tuple[float | None, float | None]:
    """A 'from' and a 'to' box side by side; empty means no bound."""
    left, right = side.columns(2)
    bounds = []
    for column, word, suffix in ((left, "from", "min"), (right, "to", "max")):
        bounds.append(
            column.number_input(
                f"{label} {word}{unit}",
                min_value=low,
                step=step,
                value=None,
                key=f"{_F}{key}_{suffix}",
                help=help,
                persist_state="session",
            )
        )
    return bounds[0], bounds[1]


def channel_filters(options: dict[str, list[str]]) -> tuple[registry.ChannelFilter, str]:
    """The sidebar filter widgets; their values survive a page switch. Returns (filter, sort)."""
    side = st.sidebar
    side.subheader("Find channels")
    search = side.text_input(
        "Search",
        key=_F + "search",
        placeholder="title, handle, owner, notes",
        help="Case does not matter and a small typo is forgiven.",
        persist_state="session",
    )
    platforms = side.multiselect(
        "Platform",
        list(PLATFORMS),
        key=_F + "platforms",
        format_func=lambda p: PLATFORM_LABELS[p],
        persist_state="session",
    )
    kinds = side.multiselect(
        "Kind",
        list(KINDS),
        key=_F + "kinds",
        format_func=lambda k: KIND_LABELS[k],
        persist_state="session",
    )
    niches, countries, languages, tags = (
        side.multiselect(label, options[key], key=_F + key, persist_state="session")
        for label, key in (
            ("Niche", "niches"),
            ("Country", "countries"),
            ("Language", "languages"),
            ("Tag", "tags"),
        )
    )
    needs = side.multiselect(
        "Lacking",
        list(registry.NEEDS),
        format_func=lambda k: registry.NEEDS[k][0],
        key=_F + "needs",
        help="Channels whose data has gaps to fill before you can buy from them.",
        persist_state="session",
    )
    f_min, f_max = _range(side, "Followers", "followers", 0, 1000)
    er_min, er_max = _range(side, "ER", "er", 0.0, 0.5, unit=", %", help=FORMULAS["er"])
    archived = side.segmented_control(
        "Show",
        list(_ARCHIVED),
        format_func=lambda k: _ARCHIVED[k],
        default="active",
        key=_F + "archived",
        persist_state="session",
    )
    sort = side.selectbox(
        "Sort by",
        list(registry.SORTS),
        format_func=lambda k: registry.SORTS[k][0],
        key=_F + "sort",
        persist_state="session",
    )
    side.button("Reset filters", on_click=reset_filters, icon=":material/filter_alt_off:")
    flt = registry.ChannelFilter(
        search=search or "",
        platforms=platforms,
        kinds=kinds,
        niches=niches,
        countries=countries,
        languages=languages,
        tags=tags,
        followers_min=int(f_min) if f_min is not None else None,
        followers_max=int(f_max) if f_max is not None else None,
        er_min=er_min / 100 if er_min is not None else None,
        er_max=er_max / 100 if er_max is not None else None,
        archived=archived or "active",
        needs=needs,
    )
    return flt, sort or "followers"


CHANNEL_COLUMNS = {
    "title": st.column_config.TextColumn("Title", width="medium", pinned=True),
    "platform": st.column_config.TextColumn("Platform", width="small"),
    "handle": st.column_config.TextColumn("Handle"),
    "kind": st.column_config.TextColumn("Kind", width="small"),
    "owner": st.column_config.TextColumn("Owner"),
    "niches": st.column_config.ListColumn("Niches"),
    "country": st.column_config.TextColumn("Country", width="small"),
    "language": st.column_config.TextColumn("Lang", width="small"),
    "followers": st.column_config.NumberColumn("Followers", format="localized"),
    "growth": st.column_config.NumberColumn(
        "Growth, 4 wk", format="percent", help=FORMULAS["growth"]
    ),
    "avg_reach": st.column_config.NumberColumn(
        "Avg reach", format="localized", help="Average reach per post (latest snapshot)"
    ),
    "er": st.column_config.NumberColumn("ER", format="percent", help=FORMULAS["er"]),
    "err": st.column_config.NumberColumn("ERR", format="percent", help=FORMULAS["err"]),
    "reach_rate": st.column_config.NumberColumn(
        "Reach rate", format="percent", help=FORMULAS["reach_rate"]
    ),
    "measured_on": st.column_config.DateColumn("Measured", format="DD.MM.YYYY"),
    "tags": st.column_config.ListColumn("Tags"),
    "url": st.column_config.LinkColumn("Link", display_text="open ↗", width="small"),
}


def channel_table(frame: pl.DataFrame, key: str, max_height: int = 620) -> int | None:
    """Show channels as a sortable table; returns the id of the row the user picked, if any."""
    picked = [r for r in _channel_grid(frame, key, max_height, "single-row") if r < frame.height]
    return int(frame["id"][picked[0]]) if picked else None


def channel_picker(frame: pl.DataFrame, key: str, max_height: int = 620) -> list[int]:
    """Show channels as a sortable table with a checkbox per row; returns the positions of the
    ticked rows (in ``frame``'s order, as the table was drawn when they were ticked)."""
    return _channel_grid(frame, key, max_height, "multi-row")


def _channel_grid(
    frame: pl.DataFrame, key: str, max_height: int, mode: Literal["single-row", "multi-row"]
) -> list[int]:
    shown = frame.with_columns(
        pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform")),
        pl.col("kind").replace_strict(KIND_LABELS, default=pl.col("kind")),
        pl.col("title").fill_null(pl.col("handle")),
    )
    columns = [c for c in CHANNEL_COLUMNS if c in shown.columns]
    event = st.dataframe(
        shown,
        column_order=columns,
        column_config=CHANNEL_COLUMNS,
        hide_index=True,
        key=key,
        on_select="rerun",
        selection_mode=mode,
        height=min(max_height, 38 + 35 * frame.height),
        placeholder="—",
    )
    rows = event.selection.rows if event is not None else []
    return [int(r) for r in rows]


def open_channel(channel_id: int) -> None:
    """Go to the profile of one channel."""
    st.session_state["registry.channel_id"] = channel_id
    st.switch_page(page("channel"), query_params={"id": str(channel_id)})
