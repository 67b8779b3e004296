"""Analysis: which placements, channels, formats and kinds of content paid off, in charts a
manager can put in front of a client; every chart and table downloads."""

from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from crm.charts.analysis import (
    KPIS,
    content_type_figure,
    cost_reach_figure,
    delivery_figure,
    delivery_rows,
    figure_html,
    format_kpi,
    funnel_figure,
    kpi_by_group_figure,
    over_time_figure,
    results_by_period,
)
from crm.exports import frame_bytes
from crm.formatting import format_count, format_money
from crm.metrics import FORMULAS
from crm.placements.kpis import GROUPS
from crm.ui import analysis as ui
from crm.ui.nav import page
from crm.ui.widgets import PLOTLY_CONFIG

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BARS = 20  # bars per chart: the chart and its controls fit 900 px

ui.open_picked()
flt = ui.analysis_filters()

st.title("Analysis")
if notice := st.session_state.pop("analysis.notice", None):
    st.info(notice, icon=":material/info:")

if not ui.has_placements():
    st.info(
        "**No placements yet.** Log a placement on the Placements page (its price, and its "
        "results once it is out), or import a file of placements and results. The charts "
        "comparing channels, formats and content types appear here as soon as there is one.",
        icon=":material/insights:",
    )
    left, right, _ = st.columns([1, 1, 3])
    left.page_link(page("placements"), label="Log a placement", icon=":material/list_alt:")
    right.page_link(page("import"), label="Import a file", icon=":material/upload_file:")
    st.stop()

currency = ui.currency()
totals = ui.totals(flt)
if not totals["placements"]:
    st.info(
        "No placement matches these filters. Loosen them or reset them in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.button("Reset filters", on_click=ui.reset_filters, icon=":material/filter_alt_off:")
    st.stop()


# the summary row: the same figures as `crm kpis`, for everything filtered
def _kpi_text(kpi: str) -> str:
    return format_kpi(kpi, totals[kpi], currency)


over_reach = totals["cpm_basis"] == "reach"
basis_note = " No impressions are known here: over reach." if over_reach else ""


def _exact(text: str, exact: str) -> str:
    return f"{text}. Exactly: {exact}"


summary = [
    ("Placements", ui.short_count(totals["placements"]),
     _exact("Placements filtered (not cancelled)", format_count(totals["placements"]))),
    ("Cost", ui.short_money(totals["cost"], currency),
     _exact(FORMULAS["cost"], format_money(totals["cost"], currency))),
    ("Reach", ui.short_count(totals["reach"]),
     _exact("Sum of the latest measured reach", format_count(totals["reach"]))),
    ("Clicks", ui.short_count(totals["clicks"]),
     _exact("Sum of the latest measured clicks", format_count(totals["clicks"]))),
    ("Conversions", ui.short_count(totals["conversions"]),
     _exact("Sum of the latest measured conversions", format_count(totals["conversions"]))),
    ("Revenue", ui.short_money(totals["revenue"], currency),
     _exact("Sum of the latest measured revenue", format_money(totals["revenue"], currency))),
    ("CPM", _kpi_text("cpm"), FORMULAS["cpm"] + basis_note),
    ("CPC", _kpi_text("cpc"), FORMULAS["cpc"]),
    ("CTR", _kpi_text("ctr"), FORMULAS["ctr"] + basis_note),
    ("CPA", _kpi_text("cpa"), FORMULAS["cpa"]),
    ("ROMI", _kpi_text("romi"), FORMULAS["romi"]),
    ("Delivery", _kpi_text("delivery"), FORMULAS["delivery"]),
]  # fmt: skip
for row in (summary[:6], summary[6:]):
    for column, (label, value, tip) in zip(st.columns(6), row, strict=True):
        column.metric(label, value, help=tip, border=True)
st.caption(
    f"Totals are ratios of sums. Amounts in {currency}, each converted at the rate of its date; "
    "each placement counts with its latest measurement; cancelled placements are left out."
)
if totals["missing_rates"]:
    st.warning(
        f"{format_count(totals['missing_rates'])} placements have a cost or revenue in a "
        f"currency with no rate to {currency} at their date: their money is left out of the "
        "totals. Add the rates in Settings.",
        icon=":material/currency_exchange:",
    )


def _downloads(
    where: DeltaGenerator,
    name: str,
    fig: go.Figure | None = None,
    frame: pl.DataFrame | None = None,
) -> None:
    """A "Download" popover: the chart as a self-contained HTML file, its data as CSV and Excel
    (each built only when clicked)."""
    with where.popover("Download", icon=":material/download:", width="stretch"):
        if fig is not None:
            st.download_button(
                "Chart (HTML, opens offline)",
                data=lambda: figure_html(fig),
                file_name=f"{name}.html",
                mime="text/html",
                key=f"analysis.download.{name}.html",
                on_click="ignore",
                width="stretch",
            )
            st.caption("PNG: the camera button in the chart's toolbar (on hover).")
        if frame is not None:
            for label, suffix, mime in (("CSV", ".csv", "text/csv"), ("Excel", ".xlsx", XLSX)):
                st.download_button(
                    f"Table ({label})",
                    data=lambda suffix=suffix: frame_bytes(frame, suffix, sheet=name[:31]),
                    file_name=f"{name}{suffix}",
                    mime=mime,
                    key=f"analysis.download.{name}{suffix}",
                    on_click="ignore",
                    width="stretch",
                )


def _chart(fig: go.Figure, key: str, group: str) -> None:
    """A chart whose bars or points open their placement or group when clicked."""
    st.plotly_chart(
        fig,
        width="stretch",
        key=key,
        on_select=partial(ui.on_pick, key, group),
        selection_mode="points",
        config=PLOTLY_CONFIG,
    )


CLICK_HINT = {
    "placement": "Click a bar to open that placement.",
    "channel": "Click a bar to open that channel's profile.",
    "month": "Click a bar to narrow the dates to that month.",
}


def _by_group() -> None:
    pick_group, pick_kpi, _, download = st.columns([2, 2, 3, 1.2], vertical_alignment="bottom")
    group = pick_group.selectbox(
        "Compare by",
        [g for g in GROUPS if g in ui.GROUP_LABELS],
        index=1,
        format_func=ui.GROUP_LABELS.__getitem__,
        key="analysis.group",
        persist_state="session",  # kept while another tab is open
    )
    kpi = pick_kpi.selectbox(
        "KPI",
        list(KPIS),
        format_func=lambda k: KPIS[k].name,
        key="analysis.kpi",
        help="Best first: the cheapest for a cost per thing, the highest for a rate.",
        persist_state="session",
    )
    table = ui.ranked(ui.kpi_table(group, flt), kpi)
    label = ui.GROUP_LABELS[group].lower()
    fig = kpi_by_group_figure(
        table, kpi, totals[kpi], currency=currency, group_label=label, limit=BARS
    )
    _downloads(download, f"{kpi}-by-{group}", fig, table)
    _chart(fig, f"analysis.chart.group.{group}.{kpi}", group)
    st.caption(
        CLICK_HINT.get(group, "Click a bar to narrow the filters to it.")
        + f" The dashed line is the value of all filtered placements ({KPIS[kpi].formula})."
    )
    view, config = ui.table_view(table.head(ui.TABLE_ROWS), group, currency)
    if table.height > ui.TABLE_ROWS:
        st.caption(
            f"The first {format_count(ui.TABLE_ROWS)} of {format_count(table.height)} rows; "
            "the download has them all."
        )
    st.dataframe(view, column_config=config, hide_index=True, height=320, placeholder="—")


def _cost_reach() -> None:
    rows = ui.chart_rows(flt)
    fig = cost_reach_figure(rows, currency=currency)
    _, download = st.columns([6.8, 1.2])
    _downloads(download, "cost-against-reach", fig, rows)
    _chart(fig, "analysis.chart.scatter", "placement")
    if rows.filter(pl.col("cost_base").is_not_null() & pl.col("reach").is_not_null()).is_empty():
        st.info(
            "No filtered placement has both a cost and a measured reach yet: enter the price "
            "when logging a placement and record its results once it is out.",
            icon=":material/bubble_chart:",
        )
    else:
        st.caption("Click a bubble to open that placement.")


def _funnel_time() -> None:
    rows = ui.chart_rows(flt)
    left, right = st.columns([2, 3], gap="large")
    with left:
        fig = funnel_figure(totals)
        _downloads(left, "funnel", fig)
        st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key="analysis.chart.funnel")
    with right:
        control, download = st.columns([3, 1.2], vertical_alignment="bottom")
        period = control.segmented_control(
            "Period",
            ["month", "week"],
            format_func=lambda p: {"month": "By month", "week": "By week"}[p],
            default="month",
            required=True,
            key="analysis.period",
            persist_state="session",
        )
        series = results_by_period(rows, period)
        fig = over_time_figure(series, period=period, currency=currency)
        _downloads(download, f"results-by-{period}", fig, series)
        st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key="analysis.chart.time")


def _delivery() -> None:
    rows = ui.chart_rows(flt)
    fig = delivery_figure(rows, overall=totals["delivery"], limit=BARS)
    _, download = st.columns([6.8, 1.2])
    _downloads(download, "delivery", fig, delivery_rows(rows))
    _chart(fig, "analysis.chart.delivery", "placement")
    if delivery_rows(rows).is_empty():
        st.info(
            "No filtered placement has both a planned and a measured reach yet: enter the "
            "planned reach when logging a placement to compare plan and result here.",
            icon=":material/target:",
        )
    else:
        st.caption("Click a bar to open that placement. " + FORMULAS["delivery"] + ".")


def _content() -> None:
    types = ui.kpi_table("content_type", flt)
    fig = content_type_figure(types, currency=currency)
    _, download = st.columns([6.8, 1.2])
    _downloads(download, "content-types", fig, types)
    _chart(fig, "analysis.chart.content", "content_type")
    st.caption("Click a bar to narrow the filters to that content type.")
    view, config = ui.table_view(types, "content_type", currency)
    st.dataframe(view, column_config=config, hide_index=True, placeholder="—")


# only the open tab runs (on_change="rerun"): a filter change at 100,000 placements reads and
# draws what is on screen, not five tabs of charts
tabs = st.tabs(list(ui.TABS), key=ui.TAB_KEY, on_change="rerun")
for tab, draw in zip(
    tabs, (_by_group, _cost_reach, _funnel_time, _delivery, _content), strict=True
):
    if tab.open:
        with tab:
            draw()
