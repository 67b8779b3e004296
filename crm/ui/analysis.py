"""What the Analysis page reads and keeps: its filters (sidebar), cached KPI reads keyed by the
generations of the parts they read, and what a click on a chart does (open a placement or a
channel, or narrow the filters to a group)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from crm.charts.analysis import KPIS
from crm.formatting import format_compact, format_count, format_money
from crm.metrics import FORMULAS, NAMES
from crm.placements import kpis
from crm.placements.placements import PlacementFilter
from crm.pricing.currencies import base_currency
from crm.store import resolve_db_path
from crm.ui.columns import COUNT_FORMAT, percent_format
from crm.ui.outreach import STATUS_LABELS, campaign_list, label_of
from crm.ui.placements import open_placement
from crm.ui.state import get_store
from crm.ui.widgets import open_channel
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import CONTENT_TYPE_LABELS, FORMAT_LABELS, KIND_LABELS

_F = "analysis.filter."  # session-state namespace of the filters
OPEN_KEY = "analysis.open"  # a click's target, opened at the top of the next run
TAB_KEY = "analysis.tab"  # the open tab (its label)
TABS = ("By group", "Cost and reach", "Funnel and time", "Delivery", "Content types")
# what the KPIs read: placements and results, campaigns (outreach), rates and the base
# currency (pricing), channels (registry)
_PARTS = ("placements", "outreach", "pricing", "registry")
# the columns the charts read, named as placements_frame names them
CHART_COLUMNS = (
    "id", "channel", "platform", "date", "cost_base", "reach", "clicks", "conversions",
    "planned_reach",
)  # fmt: skip
GROUP_LABELS = {
    "channel": "Channel",
    "campaign": "Campaign",
    "platform": "Platform",
    "format": "Format",
    "content_type": "Content type",
    "kind": "Channel kind",
    "month": "Month",
    "placement": "Placement",
}
# a click on a group's bar narrows this filter to it; a channel or placement opens instead
_GROUP_FILTERS = {
    "campaign": "campaigns",
    "platform": "platforms",
    "format": "formats",
    "content_type": "content_types",
    "kind": "kinds",
}
# the picker's first day (Streamlit's default is ten years back: older placements exist)
EARLIEST = dt.date(1990, 1, 1)
_CLEAR: dict[str, object] = {
    "campaigns": [],
    "date_from": None,
    "date_to": None,
    "platforms": [],
    "formats": [],
    "content_types": [],
    "kinds": [],
}


def _gen() -> tuple[int, ...]:
    store = get_store()
    return tuple(store.generation(p) for p in _PARTS)


# ---------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, max_entries=16)
def _totals(path: str, generation: tuple[int, ...], flt: PlacementFilter) -> dict[str, Any]:
    return kpis.kpi_totals(get_store().cursor(), flt)


@st.cache_data(show_spinner=False, max_entries=32)
def _table(path: str, generation: tuple[int, ...], by: str, flt: PlacementFilter) -> pl.DataFrame:
    return kpis.kpi_table(get_store().cursor(), by, flt)


@st.cache_data(show_spinner=False, max_entries=8)
def _rows(path: str, generation: tuple[int, ...], flt: PlacementFilter) -> pl.DataFrame:
    # the very rows the KPIs aggregate (cancelled ones left out, cost and reach as counted),
    # without the flags and links placements_frame adds: a third of its time at 100,000
    sql, params = kpis.figures_sql(flt)
    figures = f"""
        select id, channel, platform, on_date as date, cost as cost_base, reach, clicks,
               conversions, planned_reach
        from ({sql})
    """
    frame: pl.DataFrame = get_store().cursor().sql(figures, params=params).pl()
    return frame.select(CHART_COLUMNS)


@st.cache_data(show_spinner=False, max_entries=8)
def _currency(path: str, generation: tuple[int, ...]) -> str:
    return base_currency(get_store().cursor())


def totals(flt: PlacementFilter) -> dict[str, Any]:
    """The KPIs of everything filtered (kpis.kpi_totals), cached."""
    return _totals(resolve_db_path(), _gen(), flt)


def kpi_table(by: str, flt: PlacementFilter) -> pl.DataFrame:
    """The KPIs by one group (kpis.kpi_table), cached."""
    return _table(resolve_db_path(), _gen(), by, flt)


def chart_rows(flt: PlacementFilter) -> pl.DataFrame:
    """The filtered placements the charts draw, one row each, exactly as the KPIs count them
    (kpis.figures_sql: cancelled ones left out, cost in the base currency, latest
    measurement), in placements_frame's column names (``CHART_COLUMNS``), cached."""
    return _rows(resolve_db_path(), _gen(), flt)


def currency() -> str:
    """The workspace's base currency: every amount of the page is in it."""
    return _currency(resolve_db_path(), _gen())


def has_placements() -> bool:
    """Whether the workspace holds any placement at all (cancelled ones too)."""
    everything = totals(PlacementFilter(status=("planned", "published", "cancelled")))
    return bool(everything["placements"])


# ---------------------------------------------------------------- the summary row

# above this a figure of the summary row is shortened (1.97M): a metric box at 1440 px holds
# about nine characters; the exact figure is in its tooltip
SHORT_FROM = 100_000


def short_count(value: int | float | None) -> str:
    """A count for a metric box: 35 958 in full, 4 096 984 as 4.1M; '—' for unknown."""
    if value is not None and abs(value) >= SHORT_FROM:
        return format_compact(value)
    return format_count(value)


def short_money(amount: Any, currency: str) -> str:
    """An amount for a metric box: ₽268.17 in full, ₽1 974 815.44 as ₽2M; '—' for unknown."""
    if amount is None or abs(amount) < SHORT_FROM:
        return format_money(amount, currency)
    sign = format_money(Decimal(0), currency).replace("0.00", "")
    return f"{sign}{format_compact(amount)}"


# ---------------------------------------------------------------- the KPI table

TABLE_ROWS = 1_000  # rows a grid shows (the download has them all)
_MONEY = ("cost", "revenue", "cpm", "cpv", "cpc", "cpa", "cpe")
_COUNTS = ("placements", "impressions", "reach", "views", "clicks", "conversions")
_RATIOS = ("ctr", "cr", "err", "romi", "delivery")
TABLE_COLUMNS = (
    "name", "placements", "cost", "impressions", "reach", "views", "clicks", "conversions",
    "revenue", "cpm", "cpv", "cpc", "ctr", "cr", "cpa", "cpe", "err", "romi", "roas",
    "delivery",
)  # fmt: skip
MONEY_FORMAT = "%'\u202f,.2f"  # 1 250.00, grouped as crm.ui.columns.COUNT_FORMAT groups counts


def ranked(table: pl.DataFrame, kpi: str) -> pl.DataFrame:
    """A KPI table best first by one KPI (cheapest for a cost per thing, highest for a rate),
    groups without it last."""
    return table.sort(kpi, descending=not KPIS[kpi].lower_is_better, nulls_last=True)


def table_view(
    table: pl.DataFrame, group: str, currency: str
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """A KPI table as the grid shows it (money as numbers in ``currency``, ratios in percentage
    points) and its column configuration, every KPI with its formula in the tooltip."""
    view = table.select(TABLE_COLUMNS).with_columns(
        *(pl.col(c).cast(pl.Float64) for c in _MONEY),
        *((pl.col(c).cast(pl.Float64) * 100).round(1) for c in _RATIOS),
        pl.col("roas").cast(pl.Float64).round(2),
    )
    config: dict[str, Any] = {
        "name": st.column_config.TextColumn(GROUP_LABELS[group], width=220, pinned=True)
    }
    for c in _COUNTS:
        config[c] = st.column_config.NumberColumn(c.capitalize(), format=COUNT_FORMAT)
    for c in _MONEY:
        label = NAMES.get(c, c.capitalize())
        tip = FORMULAS.get(c, f"{label}, in {currency}")
        config[c] = st.column_config.NumberColumn(
            f"{label}, {currency}", format=MONEY_FORMAT, help=tip
        )
    for c in _RATIOS:
        spec = KPIS[c]
        config[c] = st.column_config.NumberColumn(
            spec.name, format=percent_format(1), help=spec.formula
        )
    config["roas"] = st.column_config.NumberColumn(
        KPIS["roas"].name, format="%.2f×", help=KPIS["roas"].formula
    )
    config["revenue"] = st.column_config.NumberColumn(
        f"Revenue, {currency}", format=MONEY_FORMAT, help="Revenue of the latest measurements"
    )
    return view, config


# ---------------------------------------------------------------- filters


def reset_filters() -> None:
    """Set every filter back to "everything" (values set, not forgotten: see
    crm.ui.widgets.reset_filters). Call it in a button's ``on_click``."""
    for name, value in _CLEAR.items():
        st.session_state[_F + name] = list(value) if isinstance(value, list) else value


def is_filtered(flt: PlacementFilter) -> bool:
    """Whether any filter narrows the placements."""
    return flt != PlacementFilter()


def _pick(
    side: DeltaGenerator, label: str, labels: Mapping[str, str], name: str, placeholder: str
) -> list[str]:
    """One sidebar multiselect of the filter, its choices shown by their labels, kept for the
    session."""
    return side.multiselect(
        label,
        list(labels),
        format_func=labels.__getitem__,
        key=_F + name,
        placeholder=placeholder,
        persist_state="session",
    )


def analysis_filters() -> PlacementFilter:
    """The sidebar filters (campaign, dates, platform, format, content type, channel kind);
    their values survive a page switch."""
    side = st.sidebar
    side.subheader("Filter placements")
    frame = campaign_list(True)
    names = {
        int(r["id"]): " · ".join(
            x for x in (r["name"], r["brand"], label_of(STATUS_LABELS, r["status"])) if x
        )
        for r in frame.iter_rows(named=True)
    }
    # a campaign deleted meanwhile is dropped from the choice, not an error
    held = st.session_state.get(_F + "campaigns")
    if held and any(c not in names for c in held):
        st.session_state[_F + "campaigns"] = [c for c in held if c in names]
    campaigns = side.multiselect(
        "Campaign",
        list(names),
        format_func=names.__getitem__,
        key=_F + "campaigns",
        placeholder="All campaigns",
        persist_state="session",
    )
    left, right = side.columns(2)
    date_from = left.date_input(
        "From",
        value=None,
        min_value=EARLIEST,
        key=_F + "date_from",
        format="DD.MM.YYYY",
        help="A placement's date: published, else planned.",
        persist_state="session",
    )
    date_to = right.date_input(
        "To",
        value=None,
        min_value=EARLIEST,
        key=_F + "date_to",
        format="DD.MM.YYYY",
        persist_state="session",
    )
    platforms = _pick(side, "Platform", PLATFORM_LABELS, "platforms", "All platforms")
    formats = _pick(side, "Format", FORMAT_LABELS, "formats", "All formats")
    content_types = _pick(
        side, "Content type", CONTENT_TYPE_LABELS, "content_types", "All content types"
    )
    kinds = _pick(side, "Channel kind", KIND_LABELS, "kinds", "Bloggers and public pages")
    side.button("Reset filters", on_click=reset_filters, icon=":material/filter_alt_off:")
    if isinstance(date_from, dt.date) and isinstance(date_to, dt.date) and date_to < date_from:
        side.warning("“To” is before “From”: no placement can match. Swap the dates.")
    return PlacementFilter(
        campaign_ids=tuple(campaigns),
        date_from=date_from if isinstance(date_from, dt.date) else None,
        date_to=date_to if isinstance(date_to, dt.date) else None,
        platforms=tuple(platforms),
        formats=tuple(formats),
        content_types=tuple(content_types),
        kinds=tuple(kinds),
    )


# ---------------------------------------------------------------- clicks


def picked(chart_key: str) -> list[Any]:
    """The customdata of the points or bars picked on a chart (its selection state)."""
    state = st.session_state.get(chart_key)
    if not state:
        return []
    if isinstance(state, str):  # as the browser sends it, before it is read as an event
        state = json.loads(state)
    selection: Mapping[str, Any] = state.get("selection", {}) if hasattr(state, "get") else {}
    return [p.get("customdata") for p in selection.get("points", []) if "customdata" in p]


def month_bounds(key: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a month given as 'YYYY-MM' (a KPI table's month key)."""
    year, month = (int(x) for x in key.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def narrow_to(group: str, key: str) -> bool:
    """Narrow the filters to one group (campaign, platform, format, content type, kind or
    month); False when the group cannot be a filter (a group without a key). Call it before
    the filter widgets are drawn (a chart's ``on_select`` callback)."""
    if key in ("", "None"):
        return False
    if group == "month":
        first, last = month_bounds(key)
        st.session_state[_F + "date_from"] = first
        st.session_state[_F + "date_to"] = last
        return True
    name = _GROUP_FILTERS.get(group)
    if name is None:
        return False
    st.session_state[_F + name] = [int(key) if group == "campaign" else key]
    return True


def on_pick(chart_key: str, group: str) -> None:
    """A chart's ``on_select`` callback: a placement or a channel is opened (at the top of the
    next run: a callback cannot switch pages), any other group narrows the filters to it."""
    chosen = picked(chart_key)
    if not chosen:
        return
    first = chosen[0]
    key = str(first[0] if isinstance(first, list) else first)
    if group in ("placement", "channel"):
        st.session_state[OPEN_KEY] = (group, int(key))
    elif not narrow_to(group, key):
        st.session_state["analysis.notice"] = "That group has no value to filter by."


def open_picked() -> None:
    """Open what a click asked for (``on_pick``), once; call it at the top of the page."""
    target = st.session_state.pop(OPEN_KEY, None)
    if target is None:
        return
    kind, target_id = target
    if kind == "placement":
        open_placement(target_id)
    else:
        open_channel(target_id)


__all__ = [
    "CHART_COLUMNS",
    "GROUP_LABELS",
    "OPEN_KEY",
    "TABLE_COLUMNS",
    "TABS",
    "TAB_KEY",
    "TABLE_ROWS",
    "analysis_filters",
    "chart_rows",
    "currency",
    "has_placements",
    "is_filtered",
    "kpi_table",
    "month_bounds",
    "narrow_to",
    "on_pick",
    "open_picked",
    "picked",
    "ranked",
    "table_view",
    "reset_filters",
    "short_count",
    "short_money",
    "totals",
]
