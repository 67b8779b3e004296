"""The Analysis figures: traces, axes and values on small hand-made frames."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from crm.charts.analysis import (
    PLAN_GREY,
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
from crm.charts.registry import PLATFORM_COLORS

MONEY = pl.Decimal(18, 2)


def _groups() -> pl.DataFrame:
    """A kpi_table by channel: four groups, one without clicks (no CPC)."""
    return pl.DataFrame(
        {
            "key": ["3", "1", "2", "4"],
            "name": ["vk:c", "telegram:a", "youtube:b", "vk:d"],
            "placements": [2, 1, 3, 1],
            "cost": [Decimal("300.00"), Decimal("100.00"), Decimal("900.00"), Decimal("50.00")],
            "cpc": [Decimal("3.00"), Decimal("10.00"), Decimal("1.50"), None],
            "cpm": [Decimal("150.00"), Decimal("200.00"), Decimal("90.00"), Decimal("500.00")],
            "cpm_basis": ["impressions", "reach", "impressions", "impressions"],
            "ctr": [0.02, 0.05, None, 0.01],
        },
        schema_overrides={"cost": MONEY, "cpc": MONEY, "cpm": MONEY},
    )


def _placements() -> pl.DataFrame:
    """Rows of a placements_frame, only the columns the figures read."""
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "ref": ["ad-1", None, None, None, None],
            "channel": ["telegram:a", "vk:c", "vk:c", "youtube:b", "vk:d"],
            "platform": ["telegram", "vk", "vk", "youtube", "vk"],
            "cost_base": [Decimal("100.00"), Decimal("200.00"), None, Decimal("900.00"), Decimal("50.00")],
            "reach": [1000, 4000, 500, None, 2000],
            "clicks": [10, 40, 5, None, 20],
            "conversions": [1, None, 0, 3, 4],
            "planned_reach": [2000, 4000, None, 1000, 1000],
            "planned_on": [dt.date(2026, 1, 5), dt.date(2026, 1, 20), None, dt.date(2026, 2, 2), None],
            "published_at": [
                dt.datetime(2026, 1, 6, 12, 0),
                None,
                None,
                dt.datetime(2026, 2, 3, 9, 30),
                None,
            ],
            # published, else planned, else logged (placements_frame's date)
            "date": [
                dt.date(2026, 1, 6),
                dt.date(2026, 1, 20),
                dt.date(2026, 3, 1),
                dt.date(2026, 2, 3),
                None,
            ],
        },
        schema_overrides={"cost_base": MONEY},
    )  # fmt: skip


def test_format_kpi_by_unit() -> None:
    assert format_kpi("cpm", Decimal("150.00"), "RUB") == "₽150.00"
    assert format_kpi("ctr", 0.034, "RUB") == "3.4\u00a0%"
    assert format_kpi("roas", 2.5, "RUB") == "2.50×"
    assert format_kpi("cpa", None, "RUB") == "—"


def test_kpi_by_group_figure_sorts_cheapest_first_with_the_overall_line() -> None:
    fig = kpi_by_group_figure(
        _groups(), "cpc", Decimal("4.00"), currency="RUB", group_label="channel"
    )
    (bar,) = fig.data
    # a cost per click: cheapest first, the group without clicks has no bar
    assert list(bar.y) == ["youtube:b", "vk:c", "telegram:a"]
    assert list(bar.x) == [1.5, 3.0, 10.0]
    assert list(bar.customdata) == ["2", "3", "1"]
    assert list(bar.text) == ["₽1.50", "₽3.00", "₽10.00"]
    assert list(bar.hovertext) == ["3 placements", "2 placements", "1 placement"]
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1) == (4.0, 4.0)
    assert fig.layout.annotations[0].text == "All: ₽4.00"
    assert fig.layout.xaxis.title.text == "CPC, RUB"
    assert "1 without a CPC (no denominator)" in fig.layout.title.text
    assert fig.layout.xaxis.range[1] >= 10.0


def test_kpi_by_group_figure_puts_the_highest_rate_first_and_marks_cpm_over_reach() -> None:
    fig = kpi_by_group_figure(_groups(), "ctr", 0.03, currency="RUB", group_label="channel")
    (bar,) = fig.data
    assert list(bar.y) == ["telegram:a", "vk:c", "vk:d"]
    assert list(bar.x) == [0.05, 0.02, 0.01]
    # telegram:a has no impressions: its CTR is over reach, and its bar says so
    assert list(bar.text) == ["5.0\u00a0% · over reach", "2.0\u00a0%", "1.0\u00a0%"]
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.xaxis.title.text == "CTR"


def test_kpi_by_group_figure_draws_only_the_best_beyond_the_limit_and_says_so() -> None:
    fig = kpi_by_group_figure(
        _groups(), "cpm", None, currency="RUB", group_label="channel", limit=2
    )
    (bar,) = fig.data
    assert list(bar.y) == ["youtube:b", "vk:c"]
    assert "the 2 cheapest of 4 channels" in fig.layout.title.text
    assert not fig.layout.shapes  # no overall value, no line


def test_kpi_by_group_figure_of_no_known_value_is_empty_not_an_error() -> None:
    table = _groups().with_columns(pl.lit(None, dtype=MONEY).alias("cpc"))
    fig = kpi_by_group_figure(table, "cpc", None, currency="RUB")
    assert list(fig.data[0].y) == []
    assert "4 without a CPC" in fig.layout.title.text


def test_cost_reach_figure_one_trace_per_platform_sized_by_conversions() -> None:
    fig = cost_reach_figure(_placements(), currency="RUB")
    # placement 3 has no cost and 4 no reach: they cannot be placed
    assert [t.name for t in fig.data] == ["Telegram", "VK"]
    telegram, vk = fig.data
    assert list(telegram.x) == [100.0] and list(telegram.y) == [1000]
    assert list(telegram.customdata) == [1]
    assert list(telegram.hovertext) == ["telegram:a · #1 (ad-1)"]
    assert list(vk.customdata) == [2, 5]
    assert list(vk.x) == [200.0, 50.0]
    assert list(vk.y) == [4000, 2000]
    assert list(vk.marker.size) == [0, 4]  # unknown conversions: the smallest bubble
    assert list(vk.hovertext) == ["vk:c · #2", "vk:d · #5"]
    assert list(vk.text) == ["not measured", "4"]  # the conversions, in the hover
    # each platform its own colour, the same in every chart
    assert telegram.marker.color == PLATFORM_COLORS["telegram"]
    assert vk.marker.color == PLATFORM_COLORS["vk"]
    assert len(set(PLATFORM_COLORS.values())) == len(PLATFORM_COLORS)
    assert vk.marker.sizeref == pytest.approx(2 * 4 / 36**2)
    assert fig.layout.xaxis.title.text == "Cost, RUB"
    assert fig.layout.yaxis.title.text == "Reach"
    assert "2 without a cost or a reach left out" in fig.layout.title.text
    assert "random" not in fig.layout.title.text
    # costs 50–200 and reaches 1,000–4,000 fit linear axes
    assert fig.layout.xaxis.type is None and fig.layout.yaxis.type is None
    assert "log scale" not in fig.layout.title.text


def test_cost_reach_figure_draws_a_wide_spread_on_log_axes() -> None:
    rows = _placements().with_columns(
        pl.when(pl.col("id") == 2).then(pl.lit(Decimal("90000"))).otherwise(pl.col("cost_base"))
        .alias("cost_base")
    )  # fmt: skip
    fig = cost_reach_figure(rows, currency="RUB")
    # 50 to 90,000: the cost axis is logarithmic; reach (1,000–4,000) stays linear
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type is None
    assert "log scale" in fig.layout.title.text
    zero = rows.with_columns(
        pl.when(pl.col("id") == 5).then(pl.lit(Decimal("0"))).otherwise(pl.col("cost_base"))
        .alias("cost_base")
    )  # fmt: skip
    # a cost of zero cannot sit on a log axis: linear again
    assert cost_reach_figure(zero, currency="RUB").layout.xaxis.type is None


def test_cost_reach_figure_samples_a_large_frame_and_says_so() -> None:
    n = 5_000
    big = pl.DataFrame(
        {
            "id": list(range(1, n + 1)),
            "ref": [None] * n,
            "channel": ["vk:x"] * n,
            "platform": ["vk"] * n,
            "cost_base": [Decimal(i) for i in range(1, n + 1)],
            "reach": list(range(n)),
            "conversions": [1] * n,
        },
        schema_overrides={"cost_base": MONEY, "ref": pl.String},
    )
    fig = cost_reach_figure(big, currency="RUB", max_points=300)
    assert sum(len(t.x) for t in fig.data) == 300
    assert "a random 300 of 5\u202f000 placements shown" in fig.layout.title.text
    # the same sample on every run: the page does not jump around
    again = cost_reach_figure(big, currency="RUB", max_points=300)
    assert list(again.data[0].customdata) == list(fig.data[0].customdata)


def test_funnel_figure_steps_and_shares_of_the_step_before() -> None:
    fig = funnel_figure({"reach": 10_000, "clicks": 250, "conversions": 10})
    (funnel,) = fig.data
    assert list(funnel.y) == ["Reach", "Clicks", "Conversions"]
    assert list(funnel.x) == [10_000.0, 250.0, 10.0]
    # a log axis from below 10 to past 10 000: every step shows
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.range[0] < 1 and fig.layout.xaxis.range[1] > 4
    assert list(funnel.text) == [
        "10\u202f000",
        "250 · 2.5\u00a0% of reach",
        "10 · 4.0\u00a0% of clicks",
    ]


def test_funnel_figure_unknown_step_reads_a_dash() -> None:
    (funnel,) = funnel_figure({"reach": 1000, "clicks": None, "conversions": 3}).data
    assert list(funnel.text) == ["1\u202f000", "—", "3"]
    assert list(funnel.x) == [1000.0, None, 3.0]


def test_results_by_period_sums_by_month_and_week_at_each_placements_date() -> None:
    months = results_by_period(_placements(), "month")
    assert months.to_dicts() == [
        {
            "period": dt.date(2026, 1, 1),
            "placements": 2,
            "cost": Decimal("300.00"),
            "reach": 5000,
            "clicks": 50,
            "conversions": 1,
        },
        {
            "period": dt.date(2026, 2, 1),
            "placements": 1,
            "cost": Decimal("900.00"),
            "reach": 0,
            "clicks": 0,
            "conversions": 3,
        },
        # placement 3's cost has no rate: the month's cost is unknown, not 0
        {
            "period": dt.date(2026, 3, 1),
            "placements": 1,
            "cost": None,
            "reach": 500,
            "clicks": 5,
            "conversions": 0,
        },
    ]
    weeks = results_by_period(_placements(), "week")
    # 6 Jan 2026 (published) is in the week of Monday 5 Jan; 20 Jan (planned) of 19 Jan
    assert weeks["period"].to_list() == [
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 19),
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 23),
    ]
    assert weeks["reach"].to_list() == [1000, 4000, 0, 500]


def test_over_time_figure_reach_bars_and_click_conversion_lines() -> None:
    series = results_by_period(_placements(), "month")
    fig = over_time_figure(series, period="month", currency="RUB")
    bars, clicks, conversions = fig.data
    assert bars.type == "bar" and list(bars.y) == [5000, 0, 500]
    assert list(bars.x) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert list(bars.customdata) == [
        "2 placements · cost ₽300.00",
        "1 placement · cost ₽900.00",
        "1 placement · cost —",
    ]
    assert (clicks.name, list(clicks.y), clicks.yaxis) == ("Clicks", [50, 0, 5], "y2")
    assert (conversions.name, list(conversions.y)) == ("Conversions", [1, 3, 0])
    assert fig.layout.xaxis.tickformat == "%b %Y"
    assert fig.layout.xaxis.dtick == "M1"
    assert fig.layout.yaxis.title.text == "Reach"
    assert fig.layout.yaxis2.title.text == "Clicks, conversions"


def test_delivery_rows_and_figure_lowest_delivery_first() -> None:
    rows = delivery_rows(_placements())
    # placement 3 has no plan, 4 no reach yet
    assert rows["id"].to_list() == [1, 2, 5]
    assert rows["delivery"].to_list() == [0.5, 1.0, 2.0]
    fig = delivery_figure(_placements(), overall=0.9)
    planned, actual = fig.data
    assert list(planned.y) == ["telegram:a · #1 (ad-1)", "vk:c · #2", "vk:d · #5"]
    assert list(planned.x) == [2000, 4000, 1000]
    assert planned.marker.color == PLAN_GREY
    assert list(actual.x) == [1000, 4000, 2000]
    assert list(actual.text) == ["50\u00a0%", "100\u00a0%", "200\u00a0%"]
    assert list(actual.customdata) == [1, 2, 5]
    assert fig.layout.barmode == "group"
    assert "all: 90\u00a0%" in fig.layout.title.text
    assert "1 planned without a measured reach yet" in fig.layout.title.text


def test_delivery_figure_limit_keeps_the_furthest_below_plan() -> None:
    fig = delivery_figure(_placements(), limit=1)
    assert list(fig.data[0].customdata) == [1]
    assert "the 1 furthest below plan of 3" in fig.layout.title.text


def test_content_type_figure_one_panel_per_kpi_in_the_same_order() -> None:
    table = pl.DataFrame(
        {
            "key": ["review", "humor"],
            "name": ["Review", "Humor"],
            "placements": [2, 5],
            "cpm": [Decimal("120.00"), Decimal("80.00")],
            "ctr": [0.02, None],
            "cr": [0.1, 0.05],
            "cpa": [Decimal("50.00"), None],
        },
        schema_overrides={"cpm": MONEY, "cpa": MONEY},
    )
    fig = content_type_figure(table, currency="RUB")
    assert [t.name for t in fig.data] == ["CPM", "CTR", "CR", "CPA"]
    for trace in fig.data:
        assert list(trace.y) == ["Humor", "Review"]  # most placements first
        assert list(trace.customdata) == ["humor", "review"]
        assert list(trace.hovertext) == ["5 placements", "2 placements"]
    cpm, ctr, _, cpa = fig.data
    assert list(cpm.x) == [80.0, 120.0]
    assert list(cpm.text) == ["₽80.00", "₽120.00"]
    assert list(ctr.x) == [None, 0.02]
    assert list(ctr.text) == ["—", "2.0\u00a0%"]
    assert list(cpa.text) == ["—", "₽50.00"]
    assert [a.text for a in fig.layout.annotations] == ["CPM", "CTR", "CR", "CPA"]
    # four panels side by side on one y axis, none overlapping the next
    assert [t.xaxis for t in fig.data] == ["x", "x2", "x3", "x4"]
    assert {t.yaxis for t in fig.data} == {"y"}
    domains = [fig.layout[a].domain for a in ("xaxis", "xaxis2", "xaxis3", "xaxis4")]
    assert domains[0][0] == 0 and domains[-1][1] == pytest.approx(1)
    assert all(a[1] < b[0] for a, b in zip(domains, domains[1:], strict=False))
    assert fig.layout.xaxis2.tickformat == ".0%"  # CTR in percent


def test_figure_html_is_self_contained() -> None:
    html = figure_html(funnel_figure({"reach": 1, "clicks": 1, "conversions": 1})).decode()
    assert html.startswith("<!doctype html>")
    # no script fetched from elsewhere: it opens offline
    assert "<script src=" not in html
    assert "Plotly.newPlot" in html
    assert len(html) > 1_000_000  # plotly.js itself is inside
