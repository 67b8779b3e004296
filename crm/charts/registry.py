"""Plotly figure builders: a data frame in, a figure out (tested through their traces)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from crm.metrics import FORMULAS, NAMES
from crm.vocab.platforms import PLATFORM_LABELS

PALETTE = ["#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308"]
# one colour per platform in every chart that colours by platform (close to each brand's own,
# and apart from each other: VK and Facebook are both blue, so Facebook takes the darker one)
PLATFORM_COLORS = {
    "vk": "#0077ff", "ok": "#f7931e", "telegram": "#26a5e4", "instagram": "#d62976",
    "youtube": "#e11d1d", "tiktok": "#111827", "dzen": "#8b5cf6", "rutube": "#14b8a6",
    "x": "#6b7280", "facebook": "#1e3a8a", "twitch": "#9146ff", "other": "#a3a3a3",
}  # fmt: skip
DAY_FORMAT = "%d %b %Y"
# a lone date gets this much room either side: plotly would otherwise zoom to milliseconds
LONE_DATE_MARGIN = dt.timedelta(days=7)


def date_axis(dates: Sequence[dt.date | None]) -> dict[str, Any]:
    """An x axis of calendar days (never times of day), with room around a single date."""
    axis: dict[str, Any] = {"type": "date", "tickformat": DAY_FORMAT, "hoverformat": DAY_FORMAT}
    known = {d for d in dates if d is not None}
    if len(known) == 1:
        (day,) = known
        axis["range"] = [(day - LONE_DATE_MARGIN).isoformat(), (day + LONE_DATE_MARGIN).isoformat()]
    return axis


def followers_er_figure(snapshots: pl.DataFrame, title: str = "") -> go.Figure:
    """Followers over time (left axis) with ER and ERR in percent (right axis)."""
    fig = go.Figure()
    dates = snapshots["measured_on"].to_list()
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=snapshots["followers"].to_list(),
            name="Followers",
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2.5},
            hovertemplate=f"%{{x|{DAY_FORMAT}}}<br>%{{y:,.0f}} followers<extra></extra>",
        )
    )
    for column, color in (("er", PALETTE[1]), ("err", PALETTE[2])):
        label = NAMES[column]
        values = [None if v is None else v * 100 for v in snapshots[column].to_list()]
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=values,
                name=f"{label}, %",
                mode="lines+markers",
                yaxis="y2",
                line={"color": color, "width": 1.5, "dash": "dot"},
                hovertemplate=(
                    f"%{{x|{DAY_FORMAT}}}<br>{label} %{{y:.2f}} %<extra>{FORMULAS[column]}</extra>"
                ),
            )
        )
    fig.update_layout(
        title={"text": title} if title else None,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        height=360,
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        xaxis=date_axis(dates),
        yaxis={"title": {"text": "Followers"}, "rangemode": "tozero", "tickformat": "~s"},
        yaxis2={
            "title": {"text": f"{NAMES['er']} / {NAMES['err']}, %"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickformat": ".1f",
        },
    )
    return fig


def platform_mix_figure(per_platform: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Channels per platform, split into persons and public pages (horizontal bars)."""
    labels = [PLATFORM_LABELS.get(r["platform"], r["platform"]) for r in per_platform]
    pages = [r["public_pages"] for r in per_platform]
    persons = [r["channels"] - r["public_pages"] for r in per_platform]
    fig = go.Figure(
        [
            go.Bar(
                y=labels,
                x=persons,
                name="Bloggers (person)",
                orientation="h",
                marker_color=PALETTE[0],
            ),
            go.Bar(
                y=labels, x=pages, name="Public pages", orientation="h", marker_color=PALETTE[1]
            ),
        ]
    )
    fig.update_layout(
        barmode="stack",
        height=60 + 28 * max(len(labels), 1),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        xaxis={"title": {"text": "Channels"}},
        yaxis={"autorange": "reversed"},
    )
    return fig
