"""Widgets shared by pages: the channel filters in the sidebar and the channel table."""

from __future__ import annotations

from typing import Literal

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from crm import registry
from crm.fields import CHANNELS, ColumnMeta
from crm.formatting import format_count
from crm.metrics import FORMULAS
from crm.placements.scorecard import TRACK_RECORDS, track_record_ids
from crm.ui.columns import as_percent_points, grid_config, metric_meta
from crm.ui.nav import page
from crm.ui.state import get_store, pending_toast
from crm.vocab.platforms import PLATFORM_LABELS, PLATFORMS
from crm.vocab.terms import KIND_LABELS, KINDS
from crm.workspace import clear_workspace

_F = "registry.filter."  # session-state namespace of the channel filters
_ARCHIVED = {"active": "Active", "archived": "Archived", "all": "All"}
# best match first while searching, else most followers (registry.default_sort)
_SORTS = ["relevance", *(k for k in registry.SORTS if k != "relevance")]
# every filter widget's value when nothing narrows the list
_CLEAR: dict[str, object] = {
    "search": "",
    **{key: [] for key in ("platforms", "kinds", "niches", "countries", "languages", "tags")},
    "needs": [],
    "track": None,
    **{f"{key}_{end}": None for key in ("followers", "er") for end in ("min", "max")},
    "archived": "active",
    "sort": _SORTS[0],
}

# every plotly chart's toolbar: no logo; its PNG download at twice the size
PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def show_lacking(need: str) -> None:
    """Open the Channels page filtered to the active channels lacking one thing."""
    reset_filters()
    st.session_state[_F + "needs"] = [need]
    st.switch_page(page("channels"))


def reset_filters() -> None:
    """Set every channel filter back to "no narrowing", widgets included.

    The values are set, not forgotten: a widget whose key is only deleted keeps showing its
    old value in the browser, which sends it back with the next change (a new search then
    silently filters by the old platform again). A value set in session state is sent to the
    widget. Call it in a button's ``on_click`` (or before the filter widgets are drawn)."""
    for name, value in _CLEAR.items():
        st.session_state[_F + name] = list(value) if isinstance(value, list) else value


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
        max_chars=registry.SEARCH_MAX,
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
    track = side.selectbox(
        "Track record",
        list(TRACK_RECORDS),
        index=None,
        format_func=lambda k: TRACK_RECORDS[k][0],
        placeholder="Any",
        key=_F + "track",
        help="From the channel's placements and outreach (its scorecard on the profile): "
        "delivery is actual reach / planned reach.",
        persist_state="session",
    )
    f_min, f_max = _range(side, "Followers", "followers", 0, 1000)
    er_min, er_max = _range(side, "ER", "er", 0.0, 0.5, unit=", %", help=FORMULAS["er"])
    # the starting value comes from session state (as a reset sets it), not from a default
    st.session_state.setdefault(_F + "archived", _CLEAR["archived"])
    archived = side.segmented_control(
        "Show",
        list(_ARCHIVED),
        format_func=lambda k: _ARCHIVED[k],
        required=True,
        key=_F + "archived",
        persist_state="session",
    )
    if st.session_state.get(_F + "sort") not in _SORTS:
        st.session_state[_F + "sort"] = _CLEAR["sort"]
    sort = side.selectbox(
        "Sort by",
        _SORTS,
        format_func=lambda k: registry.SORTS[k][0],
        key=_F + "sort",
        help="Best match first while searching; without a search text, most followers first.",
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
        ids=None if track is None else track_ids(track),
    )
    return flt, sort or registry.default_sort(flt)


@st.cache_data(show_spinner=False, max_entries=16)
def _track_ids(path: str, generations: tuple[int, ...], key: str) -> tuple[int, ...]:
    return track_record_ids(get_store().cursor(), key)


def track_ids(key: str) -> tuple[int, ...]:
    """The channels with one track record (crm.placements.scorecard), cached until a write."""
    store = get_store()
    parts = ("placements", "outreach", "pricing", "registry")
    return _track_ids(store.path, tuple(store.generation(p) for p in parts), key)


_META = CHANNELS.by_column
# the channel grid's columns in order, with their widths in pixels: the title and platform,
# then the numbers buyers compare, fit the first screen at 1440 px; the rest scroll
CHANNEL_COLUMNS: dict[str, tuple[ColumnMeta, int]] = {
    "title": (_META("title").meta(), 200),
    "platform": (_META("platform").meta(), 90),
    "followers": (_META("followers").meta(), 95),
    "avg_reach": (_META("avg_reach").meta(), 115),
    "er": (_META("er").meta(), 72),
    "err": (_META("err").meta(), 72),
    "reach_rate": (metric_meta("reach_rate"), 95),
    "growth": (metric_meta("growth"), 110),
    "delivery": (metric_meta("delivery"), 90),
    "owner": (_META("owner").meta(), 180),
    "handle": (_META("handle").meta(), 170),
    "kind": (_META("kind").meta(), 100),
    "niches": (_META("niches").meta(), 180),
    "country": (_META("country").meta(), 110),
    "language": (_META("language").meta(), 90),
    "measured_on": (_META("measured_on").meta(), 120),
    "tags": (_META("tags").meta(), 160),
    "url": (_META("url").meta(), 150),
}
_CHANNEL_CONFIG = grid_config(CHANNEL_COLUMNS, pinned="title")


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
    shown = as_percent_points(
        frame.with_columns(
            pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform")),
            pl.col("kind").replace_strict(KIND_LABELS, default=pl.col("kind")),
            pl.col("title").fill_null(pl.col("handle")),
        ),
        CHANNEL_COLUMNS,
    )
    columns = [c for c in CHANNEL_COLUMNS if c in shown.columns]
    event = st.dataframe(
        shown,
        column_order=columns,
        column_config=_CHANNEL_CONFIG,
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


# Starting an empty workspace: offered on Home and on the Import page (before importing into
# the demo), confirmed in one dialog that says exactly what is deleted.

_CLEAR_ASKED = "app.clear_asked"  # the message to toast once the workspace is empty


def ask_to_clear_workspace(done: str) -> None:
    """Open the "Start an empty workspace?" dialog (a button's ``on_click``); ``done`` is the
    toast after the workspace was emptied."""
    st.session_state[_CLEAR_ASKED] = done


def _forget_clear() -> None:
    st.session_state.pop(_CLEAR_ASKED, None)


def clear_workspace_dialog() -> None:
    """Show the dialog while it is asked for; call it on every run of a page that offers it.
    Kept open by session state rather than by the click, so its own buttons work."""
    if st.session_state.get(_CLEAR_ASKED):
        _confirm_clear()
    pending_toast("app.cleared")


@st.dialog("Start an empty workspace?", on_dismiss=_forget_clear)
def _confirm_clear() -> None:
    store = get_store()
    counts = registry.registry_counts(store.cursor())
    active, archived = counts["channels"], counts["archived"]
    channels = f"{format_count(active + archived)} channel{'' if active + archived == 1 else 's'}"
    if archived:
        channels += f", {format_count(archived)} of them archived"
    st.markdown(
        f"This deletes all {channels}, {format_count(counts['owners'])} owners, their "
        f"{format_count(counts['snapshots'])} metric snapshots and their prices from this "
        "database. It cannot be undone."
    )
    go, stop = st.columns([3, 1])
    if go.button("Delete everything and start empty", type="primary", key="app.clear_confirm"):
        clear_workspace(store)
        st.session_state["app.cleared"] = st.session_state.pop(_CLEAR_ASKED, None) or (
            "The workspace is empty now."
        )
        st.rerun()
    if stop.button("Cancel", key="app.clear_cancel", width="stretch"):
        _forget_clear()
        st.rerun()
