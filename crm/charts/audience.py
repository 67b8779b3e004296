"""Figures of the Audience pages: overlap heatmap, Venn-style picture (2–3 channels), UpSet-style
chart (more), exclusive audiences, optimizer against naive pick, quality contributions.

Every builder takes plain values (labels, matrices, region counts from crm.audience.sets) and
returns a plotly figure; nothing here computes an overlap figure itself, except the cumulative
curve of a pick, which sums added reach with crm.audience.sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from crm.audience import sets as audience_sets
from crm.audience.sets import Members, Metric
from crm.charts.registry import PALETTE
from crm.formatting import format_count, format_money, format_percent
from crm.metrics import FORMULAS, NAMES

GREY = "#d1d5db"  # an absent member of an UpSet column, the shared part of a bar
INK = "#111827"
GREY_BLANK = "#eef0f3"  # a heatmap cell with no value  # dots of an UpSet column, the budget line
SCALE = "Blues"
UPSET_BARS = 15  # intersections an UpSet chart shows: one screen wide
# hover and axis words of each heatmap metric
METRIC_LABELS: dict[str, str] = {
    "share": "Share of the row's audience found in the column",
    "count": "Members in both",
    "jaccard": "Jaccard (shared / either)",
}
METRIC_FORMULAS: dict[str, str] = {
    "share": FORMULAS["share"],
    "count": FORMULAS["overlap"],
    "jaccard": FORMULAS["jaccard"],
}


def _cell_text(value: float | None, metric: Metric) -> str:
    if value is None:
        return ""
    return format_count(value) if metric == "count" else format_percent(value, 0)


def overlap_heatmap_figure(
    labels: Sequence[str], matrix: Sequence[Sequence[float | None]], metric: Metric
) -> go.Figure:
    """The overlap of every ordered pair as a heatmap: row = whose audience, column = where it
    is found. Share and Jaccard in percent, count in members; the diagonal (a channel with
    itself) and pairs that cannot be matched (two platforms) are left blank."""
    n = len(labels)
    scale = 1 if metric == "count" else 100
    z: list[list[float | None]] = [
        [
            None if i == j or matrix[i][j] is None else float(matrix[i][j] or 0) * scale
            for j in range(n)
        ]
        for i in range(n)
    ]
    text = [
        ["" if i == j else _cell_text(matrix[i][j], metric) for j in range(n)] for i in range(n)
    ]
    unit = "" if metric == "count" else " %"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(labels),
            y=list(labels),
            text=text,
            texttemplate="%{text}" if n <= 20 else None,
            colorscale=SCALE,
            zmin=0,
            zmax=100 if metric != "count" else None,
            hoverongaps=False,
            colorbar={"title": {"text": "members" if metric == "count" else "%"}},
            hovertemplate=(
                f"%{{y}}<br>in %{{x}}: <b>%{{text}}</b><extra>{METRIC_FORMULAS[metric]}</extra>"
            ),
            name=METRIC_LABELS[metric] + unit,
        )
    )
    side = max(320, min(900, 120 + 34 * n))
    fig.update_layout(
        height=side,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={
            "title": {"text": "found in (column)"},
            "side": "top",
            "tickangle": -40,
            "showgrid": False,
        },
        yaxis={"title": {"text": "audience of (row)"}, "autorange": "reversed", "showgrid": False},
        # blank cells (a channel with itself, two platforms) show as light grey, not as 0
        plot_bgcolor=GREY_BLANK,
    )
    return fig


# Venn-style picture: circles of equal size at fixed places (regions are labelled with their
# counts, so the areas need not be proportional), for 2 or 3 channels.
_CENTRES: dict[int, list[tuple[float, float]]] = {
    2: [(-0.55, 0.0), (0.55, 0.0)],
    3: [(-0.55, 0.35), (0.55, 0.35), (0.0, -0.6)],
}
_RADIUS = 1.0
# where each region's count is written: the region's members are in exactly these circles
_REGION_AT: dict[int, dict[frozenset[int], tuple[float, float]]] = {
    2: {
        frozenset({0}): (-1.0, 0.0),
        frozenset({1}): (1.0, 0.0),
        frozenset({0, 1}): (0.0, 0.0),
    },
    3: {
        frozenset({0}): (-1.05, 0.65),
        frozenset({1}): (1.05, 0.65),
        frozenset({2}): (0.0, -1.15),
        frozenset({0, 1}): (0.0, 0.85),
        frozenset({0, 2}): (-0.7, -0.35),
        frozenset({1, 2}): (0.7, -0.35),
        frozenset({0, 1, 2}): (0.0, 0.0),
    },
}
_NAME_AT: dict[int, list[tuple[float, float]]] = {
    2: [(-0.9, 1.2), (0.9, 1.2)],
    3: [(-1.2, 1.55), (1.2, 1.55), (0.0, -1.8)],
}


def venn_regions(
    count: int, regions: Sequence[tuple[frozenset[int], int]]
) -> dict[frozenset[int], int]:
    """Every region of a 2- or 3-set picture with its member count (0 where sets.regions has no
    such region)."""
    found = dict(regions)
    return {region: int(found.get(region, 0)) for region in _REGION_AT[count]}


def venn_figure(
    labels: Sequence[str], sizes: Sequence[int], regions: Sequence[tuple[frozenset[int], int]]
) -> go.Figure:
    """Two or three circles, each region marked with the members in exactly those channels
    (``regions`` as crm.audience.sets.regions gives them)."""
    n = len(labels)
    if n not in _CENTRES:
        raise ValueError("A Venn picture is drawn for 2 or 3 channels.")
    fig = go.Figure()
    for i, (x, y) in enumerate(_CENTRES[n]):
        color = PALETTE[i]
        fig.add_shape(
            type="circle",
            x0=x - _RADIUS,
            y0=y - _RADIUS,
            x1=x + _RADIUS,
            y1=y + _RADIUS,
            fillcolor=color,
            opacity=0.22,
            line={"color": color, "width": 2},
        )
    counts = venn_regions(n, regions)
    positions = _REGION_AT[n]
    keys = list(positions)
    fig.add_trace(
        go.Scatter(
            x=[positions[k][0] for k in keys],
            y=[positions[k][1] for k in keys],
            mode="text",
            text=[format_count(counts[k]) for k in keys],
            textfont={"size": 15, "color": INK},
            customdata=[" ∩ ".join(labels[i] for i in sorted(k)) for k in keys],
            hovertemplate="only in %{customdata}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    for i, (x, y) in enumerate(_NAME_AT[n]):
        fig.add_annotation(
            x=x,
            y=y,
            text=f"<b>{labels[i]}</b><br>{format_count(sizes[i])} members",
            showarrow=False,
            font={"color": PALETTE[i], "size": 13},
        )
    fig.update_layout(
        height=440,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "range": [-2.2, 2.2]},
        yaxis={"visible": False, "range": [-2.1, 1.9], "scaleanchor": "x"},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def upset_figure(
    labels: Sequence[str],
    regions: Sequence[tuple[frozenset[int], int]],
    limit: int = UPSET_BARS,
) -> go.Figure:
    """The largest intersections as bars (members in exactly those channels), with a dot matrix
    below saying which channels each bar is made of (``regions`` largest first)."""
    shown = list(regions[:limit])
    n = len(labels)
    columns = list(range(len(shown)))
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.03
    )
    names = [" ∩ ".join(labels[i] for i in sorted(region)) for region, _ in shown]
    fig.add_trace(
        go.Bar(
            x=columns,
            y=[count for _, count in shown],
            text=[format_count(count) for _, count in shown],
            textposition="outside",
            marker_color=PALETTE[0],
            customdata=names,
            hovertemplate="only in %{customdata}<br>%{y:,.0f} members<extra></extra>",
            name="Members in exactly these channels",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    # every cell a grey dot; a bar's channels dark, joined by a line
    fig.add_trace(
        go.Scatter(
            x=[c for c in columns for _ in range(n)],
            y=[r for _ in columns for r in range(n)],
            mode="markers",
            marker={"color": GREY, "size": 11},
            hoverinfo="skip",
            showlegend=False,
        ),
        row=2,
        col=1,
    )
    xs: list[int | None] = []
    ys: list[int | None] = []
    for c, (region, _) in enumerate(shown):
        for r in sorted(region):
            xs.append(c)
            ys.append(r)
        xs.append(None)
        ys.append(None)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            marker={"color": INK, "size": 11},
            line={"color": INK, "width": 2},
            hoverinfo="skip",
            showlegend=False,
            name="Channels of the bar",
        ),
        row=2,
        col=1,
    )
    fig.update_layout(
        height=360 + 22 * n,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        bargap=0.35,
        plot_bgcolor="rgba(0,0,0,0)",
    )
    fig.update_xaxes(showticklabels=False, showgrid=False, range=[-0.6, len(shown) - 0.4])
    fig.update_yaxes(title={"text": "Members"}, tickformat="~s", row=1, col=1)
    fig.update_yaxes(
        tickvals=list(range(n)),
        ticktext=list(labels),
        autorange="reversed",
        showgrid=False,
        zeroline=False,
        row=2,
        col=1,
    )
    return fig


def exclusive_figure(
    labels: Sequence[str], sizes: Sequence[int], exclusive: Sequence[int]
) -> go.Figure:
    """Each channel's audience split into its exclusive part (in no other channel of the
    selection) and the part it shares (horizontal stacked bars)."""
    shared = [size - own for size, own in zip(sizes, exclusive, strict=True)]
    share_text = [
        format_percent(own / size if size else None, 0)
        for size, own in zip(sizes, exclusive, strict=True)
    ]
    fig = go.Figure(
        [
            go.Bar(
                y=list(labels),
                x=list(exclusive),
                name=NAMES["exclusive"],
                orientation="h",
                marker_color=PALETTE[0],
                text=share_text,
                textposition="inside",
                hovertemplate=(
                    "%{y}<br>exclusive: %{x:,.0f} (%{text})"
                    f"<extra>{FORMULAS['exclusive']}</extra>"
                ),
            ),
            go.Bar(
                y=list(labels),
                x=shared,
                name="Shared with the others",
                orientation="h",
                marker_color=GREY,
                hovertemplate="%{y}<br>shared: %{x:,.0f}<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        barmode="stack",
        height=80 + 28 * max(len(labels), 1),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        xaxis={"title": {"text": "Members"}, "tickformat": "~s"},
        yaxis={"autorange": "reversed"},
    )
    return fig


@dataclass(frozen=True)
class PickCurve:
    """A pick as it is bought channel by channel: cumulative cost and unique reach."""

    name: str
    channels: list[str]
    costs: list[Decimal]
    reaches: list[int]


def pick_curve(
    name: str,
    ids: Sequence[int],
    sets: Mapping[int, Members],
    costs: Mapping[int, Decimal],
    labels: Mapping[int, str],
    *,
    greedy: bool = False,
) -> PickCurve:
    """The cumulative cost and unique reach of buying ``ids`` one after the other: in the
    given order, or (``greedy``) the one adding most reach per unit of money first."""
    order = list(ids)
    if greedy:
        order = []
        left = list(ids)
        covered = audience_sets.EMPTY
        while left:
            best = max(
                left,
                key=lambda i: (
                    Decimal(audience_sets.added_reach(sets[i], covered)) / costs[i]
                    if costs[i] > 0
                    else Decimal("Infinity")
                ),
            )
            order.append(best)
            left.remove(best)
            covered = audience_sets.union([covered, sets[best]])
    gains = audience_sets.marginal_gains([sets[i] for i in order])
    return PickCurve(
        name,
        [labels[i] for i in order],
        list(itertools.accumulate((costs[i] for i in order), initial=None)),
        list(itertools.accumulate(gains)),
    )


def picks_figure(curves: Sequence[PickCurve], budget: Decimal, currency: str) -> go.Figure:
    """Unique reach against money spent, channel by channel, for each pick (the optimizer's and
    the naive one), with the budget as a dashed line."""
    fig = go.Figure()
    for k, curve in enumerate(curves):
        fig.add_trace(
            go.Scatter(
                x=[0.0, *(float(c) for c in curve.costs)],
                y=[0, *curve.reaches],
                mode="lines+markers",
                name=curve.name,
                line={"color": PALETTE[k % len(PALETTE)], "width": 2.5, "shape": "linear"},
                customdata=["start", *curve.channels],
                text=["", *(format_money(c, currency) for c in curve.costs)],
                hovertemplate=(
                    f"{curve.name}<br>+ %{{customdata}}<br>spent %{{text}}"
                    "<br>unique reach %{y:,.0f}<extra></extra>"
                ),
            )
        )
    fig.add_vline(
        x=float(budget),
        line={"color": INK, "dash": "dash", "width": 1},
        annotation_text=f"budget {format_money(budget, currency)}",
        annotation_position="top left",
    )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        xaxis={
            "title": {"text": f"Money spent, {currency}"},
            "tickformat": "~s",
            "rangemode": "tozero",
        },
        yaxis={"title": {"text": NAMES["unique_reach"]}, "tickformat": "~s", "rangemode": "tozero"},
    )
    return fig


def contributions_figure(labels: Sequence[str], contributions: Sequence[float | None]) -> go.Figure:
    """What each quality signal adds to the score (horizontal bars); a signal with no data
    (contribution None) has no bar and says "not available"."""
    values = [0.0 if c is None else float(c) for c in contributions]
    text = ["not available" if c is None else f"{c:.1f}" for c in contributions]
    colors = [GREY if c is None else PALETTE[0] for c in contributions]
    fig = go.Figure(
        go.Bar(
            y=list(labels),
            x=values,
            orientation="h",
            text=text,
            textposition="outside",
            marker_color=colors,
            hovertemplate="%{y}: %{text}<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        height=80 + 34 * max(len(labels), 1),
        margin={"l": 10, "r": 60, "t": 10, "b": 10},
        xaxis={"title": {"text": "Points of the 0–100 score"}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )
    return fig
