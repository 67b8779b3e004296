"""Figures of the outreach part: a campaign's money against its budget, its pipeline by stage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

import plotly.graph_objects as go

from crm.charts.registry import PALETTE
from crm.formatting import format_money, format_percent

OVER_BUDGET = "#ef4444"  # the plan bar turns this red when it exceeds the budget
CLOSING_GREY = "#9ca3af"  # closing stages (declined, no response): out of the race
# the three money figures of a campaign, top to bottom, with their bar colours
MONEY_BARS = (
    ("planned", "Planned", PALETTE[0]),
    ("committed", "Committed", PALETTE[1]),
    ("spent", "Spent", PALETTE[2]),
)
MONEY_HELP = {
    "planned": "Sum of the latest agreed price of each shortlisted channel in this campaign",
    "committed": "Agreed, not yet paid",
    "spent": "Sum of the paid prices of this campaign",
}


class MoneyFigures(Protocol):
    """What the budget bar needs of a campaign's money (crm.outreach.budget.CampaignMoney)."""

    @property
    def currency(self) -> str: ...

    @property
    def budget(self) -> Decimal | None: ...

    @property
    def planned(self) -> Decimal | None: ...

    @property
    def committed(self) -> Decimal | None: ...

    @property
    def spent(self) -> Decimal | None: ...

    @property
    def over_budget(self) -> bool: ...


def budget_share(amount: Decimal | None, budget: Decimal | None) -> float | None:
    """amount / budget as a ratio (0.48 = 48 % of the budget); None when either is unknown or
    the budget is zero."""
    if amount is None or budget is None or budget == 0:
        return None
    return float(amount / budget)


def budget_figure(money: MoneyFigures) -> go.Figure:
    """Planned, committed and spent as horizontal bars against a line at the budget; the plan's
    bar is red when it exceeds the budget. An unknown figure (a missing rate) has no bar and
    reads "—"."""
    names: list[str] = []
    values: list[float] = []
    colours: list[str] = []
    texts: list[str] = []
    for attr, name, colour in MONEY_BARS:
        amount: Decimal | None = getattr(money, attr)
        share = budget_share(amount, money.budget)
        names.append(name)
        # plotly draws floats; the amounts people read are the Decimal ones, in the text
        values.append(float(amount) if amount is not None else 0.0)
        colours.append(OVER_BUDGET if attr == "planned" and money.over_budget else colour)
        text = format_money(amount, money.currency)
        if share is not None:
            text += f" · {format_percent(share, 0)}"
        texts.append(text)
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker_color=colours,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    known = [v for v in values if v]
    top = max([*known, float(money.budget) if money.budget is not None else 0.0, 1.0])
    if money.budget is not None:
        fig.add_vline(
            x=float(money.budget),
            line={"color": "#111827", "width": 2, "dash": "dash"},
            annotation_text=f"Budget {format_money(money.budget, money.currency)}",
            annotation_position="top",
        )
    fig.update_layout(
        height=170,
        margin={"l": 10, "r": 10, "t": 28, "b": 10},
        showlegend=False,
        # room on the right for the text beside the longest bar
        xaxis={
            "range": [0, top * 1.3],
            "title": {"text": money.currency},
            "tickformat": "~s",
            "rangemode": "tozero",
        },
        yaxis={"autorange": "reversed"},
    )
    return fig


def pipeline_figure(
    stages: Sequence[tuple[str, str, bool]], counts: Mapping[str, int]
) -> go.Figure:
    """Channels per stage (``stages``: key, label, closing; in pipeline order) as horizontal
    bars, closing stages grey; every stage has its bar, an empty one too."""
    labels = [label for _, label, _ in stages]
    values = [counts.get(key, 0) for key, _, _ in stages]
    colours = [CLOSING_GREY if closing else PALETTE[0] for _, _, closing in stages]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker_color=colours,
            text=[str(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x} channels<extra></extra>",
        )
    )
    fig.update_layout(
        height=60 + 26 * max(len(labels), 1),
        margin={"l": 10, "r": 30, "t": 10, "b": 10},
        showlegend=False,
        xaxis={"title": {"text": "Channels"}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
    )
    return fig


__all__ = [
    "CLOSING_GREY",
    "MONEY_BARS",
    "MONEY_HELP",
    "OVER_BUDGET",
    "MoneyFigures",
    "budget_figure",
    "budget_share",
    "pipeline_figure",
]
