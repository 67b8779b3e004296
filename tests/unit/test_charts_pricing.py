import datetime as dt
from decimal import Decimal

import polars as pl

from crm.charts.pricing import price_history_figure

D = dt.date
MONEY = pl.Decimal(18, 2)


def _history(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "id": pl.Int64, "format": pl.String, "kind": pl.String, "amount": MONEY,
            "currency": pl.String, "date": pl.Date, "source": pl.String, "note": pl.String,
            "campaign_id": pl.Int64, "campaign": pl.String, "amount_base": MONEY,
            "rate_date": pl.Date, "base_currency": pl.String,
        },
        orient="row",
    )  # fmt: skip


def test_one_line_per_format_and_kind_in_the_base_currency() -> None:
    frame = _history(
        [
            (1, "post", "listed", Decimal("100"), "USD", D(2026, 3, 5), "kit", None, None, None,
             Decimal("9000.00"), D(2026, 3, 1), "RUB"),
            (2, "post", "listed", Decimal("12000"), "RUB", D(2026, 3, 20), None, None, None, None,
             Decimal("12000.00"), None, "RUB"),
            (3, "post", "agreed", Decimal("100"), "USD", D(2026, 3, 12), None, None, 1, "Spring",
             Decimal("9500.00"), D(2026, 3, 10), "RUB"),
            (4, "story", "quoted", Decimal("50"), "EUR", D(2026, 2, 1), None, None, None, None,
             None, None, "RUB"),
        ]
    )  # fmt: skip
    fig = price_history_figure(frame)
    assert [t.name for t in fig.data] == ["Post · listed", "Post · agreed"]
    listed, agreed = fig.data
    assert list(listed.x) == [D(2026, 3, 5), D(2026, 3, 20)]
    assert list(listed.y) == [9000.0, 12000.0]
    assert listed.customdata[0] == "$100.00<br>= ₽9\u202f000.00 at the rate of 01 Mar 2026<br>kit"
    assert listed.customdata[1] == "₽12\u202f000.00<br>in RUB: no conversion"
    assert agreed.customdata[0].endswith("at the rate of 10 Mar 2026<br>Spring")
    assert fig.layout.yaxis.title.text == "Price, RUB"
    # room above the dearest price, so its point never sits on the chart's edge
    assert list(fig.layout.yaxis.range) == [0, 12000.0 * 1.15]
    assert [a.text for a in fig.layout.annotations] == [
        "1 price not shown: no exchange rate to RUB on or before their date"
    ]


def test_an_empty_history_is_an_empty_chart() -> None:
    fig = price_history_figure(_history([]))
    assert list(fig.data) == []
    assert list(fig.layout.annotations) == []
