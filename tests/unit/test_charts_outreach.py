"""The outreach figures: a campaign's money against its budget, its pipeline by stage."""

from __future__ import annotations

from decimal import Decimal

from crm.charts.outreach import (
    CLOSING_GREY,
    MONEY_BARS,
    OVER_BUDGET,
    budget_figure,
    budget_share,
    pipeline_figure,
)
from crm.charts.registry import PALETTE
from crm.outreach.budget import CampaignMoney


def _money(**figures: object) -> CampaignMoney:
    values: dict[str, object] = {
        "currency": "RUB",
        "budget": Decimal("100000.00"),
        "planned": Decimal("60000.00"),
        "committed": Decimal("25000.00"),
        "spent": Decimal("35000.00"),
        "over_budget": False,
        "missing_rates": [],
        "planned_channels": 3,
        "paid_channels": 1,
    }
    values.update(figures)
    return CampaignMoney(**values)  # type: ignore[arg-type]


def test_budget_share_is_amount_over_budget_and_unknown_without_either() -> None:
    assert budget_share(Decimal("60000.00"), Decimal("100000.00")) == 0.6
    assert budget_share(Decimal("150.00"), Decimal("100.00")) == 1.5
    assert budget_share(None, Decimal("100.00")) is None
    assert budget_share(Decimal("1.00"), None) is None
    assert budget_share(Decimal("1.00"), Decimal("0")) is None


def test_budget_figure_has_a_bar_per_figure_and_a_line_at_the_budget() -> None:
    fig = budget_figure(_money())
    (bar,) = fig.data
    assert list(bar.y) == ["Planned", "Committed", "Spent"]
    assert list(bar.x) == [60000.0, 25000.0, 35000.0]
    assert list(bar.marker.color) == [colour for _, _, colour in MONEY_BARS]
    assert list(bar.text) == [
        "₽60\u202f000.00 · 60\u00a0%",
        "₽25\u202f000.00 · 25\u00a0%",
        "₽35\u202f000.00 · 35\u00a0%",
    ]
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1) == (100000.0, 100000.0)
    assert fig.layout.annotations[0].text == "Budget ₽100\u202f000.00"
    assert fig.layout.xaxis.title.text == "RUB"
    # the axis reaches past the budget line, with room for the text beside the bars
    assert fig.layout.xaxis.range[1] >= 100000.0


def test_budget_figure_turns_the_plan_red_over_budget() -> None:
    fig = budget_figure(
        _money(planned=Decimal("120000.00"), committed=Decimal("85000.00"), over_budget=True)
    )
    (bar,) = fig.data
    assert bar.marker.color[0] == OVER_BUDGET
    assert bar.marker.color[1:] == (PALETTE[1], PALETTE[2])
    assert bar.text[0] == "₽120\u202f000.00 · 120\u00a0%"
    assert fig.layout.xaxis.range[1] >= 120000.0


def test_budget_figure_shows_an_unknown_figure_as_a_dash_and_no_budget_as_no_line() -> None:
    fig = budget_figure(_money(budget=None, planned=None, currency="USD"))
    (bar,) = fig.data
    assert list(bar.x) == [0.0, 25000.0, 35000.0]
    assert list(bar.text) == ["—", "$25\u202f000.00", "$35\u202f000.00"]
    assert not fig.layout.shapes
    assert not fig.layout.annotations


def test_pipeline_figure_has_every_stage_in_order_closing_ones_grey() -> None:
    stages = [
        ("shortlisted", "Shortlisted", False),
        ("contacted", "Contacted", False),
        ("declined", "Declined", True),
    ]
    fig = pipeline_figure(stages, {"contacted": 4, "declined": 1, "gone": 9})
    (bar,) = fig.data
    assert list(bar.y) == ["Shortlisted", "Contacted", "Declined"]
    assert list(bar.x) == [0, 4, 1]
    assert list(bar.marker.color) == [PALETTE[0], PALETTE[0], CLOSING_GREY]
    assert fig.layout.yaxis.autorange == "reversed"
