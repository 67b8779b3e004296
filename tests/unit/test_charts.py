import datetime as dt

import polars as pl

from crm import charts


def test_followers_er_figure_plots_followers_and_percent_ratios() -> None:
    snaps = pl.DataFrame(
        {
            "measured_on": [dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
            "followers": [1000, 1200],
            "er": [0.05, None],
            "err": [0.2, 0.25],
        }
    )
    fig = charts.followers_er_figure(snaps)
    names = [t.name for t in fig.data]
    assert names == ["Followers", "ER, %", "ERR, %"]
    assert list(fig.data[0].y) == [1000, 1200]
    assert list(fig.data[1].y) == [5.0, None]
    assert list(fig.data[2].y) == [20.0, 25.0]
    assert fig.data[1].yaxis == "y2"
    assert fig.layout.yaxis.title.text == "Followers"
    assert fig.layout.yaxis2.title.text == "ER / ERR, %"


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
