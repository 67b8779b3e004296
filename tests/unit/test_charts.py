from __future__ import annotations

import datetime as dt

import polars as pl

from crm import charts
from crm.metrics import FORMULAS, NAMES


def _snaps(dates: list[dt.date], followers: list[int], er: list[float | None],
           err: list[float | None]) -> pl.DataFrame:  # fmt: skip
    return pl.DataFrame({"measured_on": dates, "followers": followers, "er": er, "err": err})


def test_followers_er_figure_plots_followers_and_percent_ratios() -> None:
    snaps = _snaps([dt.date(2026, 10, 1), dt.date(2026, 11, 1)], [1000, 1200], [0.05, None],
                   [0.2, 0.25])  # fmt: skip
    fig = charts.followers_er_figure(snaps)
    names = [t.name for t in fig.data]
    assert names == ["Followers", "ER, %", "ERR, %"]
    assert list(fig.data[0].y) == [1000, 1200]
    assert list(fig.data[1].y) == [5.0, None]
    assert list(fig.data[2].y) == [20.0, 25.0]
    assert fig.data[1].yaxis == "y2"
    assert fig.layout.yaxis.title.text == "Followers"
    assert fig.layout.yaxis2.title.text == "ER / ERR, %"
    assert (fig.layout.xaxis.type, fig.layout.xaxis.tickformat) == ("date", "%d %b %Y")
    assert fig.layout.xaxis.range is None  # plotly fits several dates itself


def test_followers_er_figure_takes_names_and_tooltips_from_metrics() -> None:
    fig = charts.followers_er_figure(_snaps([dt.date(2026, 10, 1)], [1000], [0.05], [0.2]))
    for trace, key in ((fig.data[1], "er"), (fig.data[2], "err")):
        assert trace.name == f"{NAMES[key]}, %"
        assert trace.hovertemplate == (
            f"%{{x|%d %b %Y}}<br>{NAMES[key]} %{{y:.2f}} %<extra>{FORMULAS[key]}</extra>"
        )


def test_a_single_snapshot_shows_days_around_its_date_not_milliseconds() -> None:
    fig = charts.followers_er_figure(_snaps([dt.date(2026, 10, 1)], [1000], [0.05], [0.2]))
    xaxis = fig.layout.xaxis
    assert (xaxis.type, xaxis.tickformat, xaxis.hoverformat) == ("date", "%d %b %Y", "%d %b %Y")
    assert xaxis.range == ("2026-09-24", "2026-10-08")


def test_date_axis_ignores_unknown_dates() -> None:
    assert charts.date_axis([None, dt.date(2026, 1, 10), dt.date(2026, 1, 10)]) == {
        "type": "date",
        "tickformat": "%d %b %Y",
        "hoverformat": "%d %b %Y",
        "range": ["2026-01-03", "2026-01-17"],
    }
    assert charts.date_axis([]) == {
        "type": "date",
        "tickformat": "%d %b %Y",
        "hoverformat": "%d %b %Y",
    }


def test_platform_mix_figure_splits_persons_and_pages() -> None:
    fig = charts.platform_mix_figure(
        [
            {"platform": "vk", "channels": 10, "public_pages": 7},
            {"platform": "telegram", "channels": 4, "public_pages": 4},
        ]
    )
    assert list(fig.data[0].y) == ["VK", "Telegram"]
    assert list(fig.data[0].x) == [3, 0]
    assert list(fig.data[1].x) == [7, 4]
    assert fig.layout.barmode == "stack"
