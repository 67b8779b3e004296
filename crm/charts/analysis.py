"""Figures of the Analysis page: placements compared by their KPIs (crm.placements.kpis frames
and placements_frame rows in, plotly figures out).

A figure never ships one point per placement of a large workspace to the browser: the
scatter draws a seeded random sample, the per-placement bars the placements that matter most,
and each says so in its title.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go
import polars as pl

from crm.charts.registry import DAY_FORMAT, PALETTE, PLATFORM_COLORS
from crm.formatting import format_count, format_money, format_percent
from crm.metrics import FORMULAS, NAMES, ratio, ratio_expr
from crm.vocab.platforms import PLATFORM_LABELS

Period = Literal["month", "week"]
PERIODS: tuple[Period, ...] = ("month", "week")
PLAN_GREY = "#9ca3af"  # the planned reach behind the actual one
REFERENCE = "#111827"  # the overall value's line
MAX_POINTS = 2_000  # the scatter's sample: enough to see the shape, light for the browser
MAX_BARS = 30  # bars per chart: one screen at 1440 x 900
SI = ".3~s"  # axis ticks: 950, 23.2k, 4.1M (three digits at most)
FUNNEL_STEPS = (("reach", "Reach"), ("clicks", "Clicks"), ("conversions", "Conversions"))


@dataclass(frozen=True)
class Kpi:
    """How a KPI is shown: its METRICS.md name and formula, its unit, which way is better."""

    key: str
    unit: Literal["money", "percent", "times"]
    lower_is_better: bool

    @property
    def name(self) -> str:
        return NAMES[self._metric]

    @property
    def formula(self) -> str:
        return FORMULAS[self._metric]

    @property
    def _metric(self) -> str:
        # a placement's ERR (engagement / reach) is not a channel's ERR (averages per post)
        return "placement_err" if self.key == "err" else self.key


KPIS: dict[str, Kpi] = {
    k.key: k
    for k in (
        Kpi("cpm", "money", True),
        Kpi("cpc", "money", True),
        Kpi("cpa", "money", True),
        Kpi("cpv", "money", True),
        Kpi("cpe", "money", True),
        Kpi("ctr", "percent", False),
        Kpi("cr", "percent", False),
        Kpi("err", "percent", False),
        Kpi("romi", "percent", False),
        Kpi("roas", "times", False),
        Kpi("delivery", "percent", False),
    )
}


def format_kpi(kpi: str, value: object, currency: str) -> str:
    """A KPI's value for people: money in the base currency, a ratio in percent, ROAS as
    '2.50×'; '—' for unknown."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    unit = KPIS[kpi].unit
    if unit == "money":
        return format_money(value, currency)
    number = float(value)  # type: ignore[arg-type]
    if unit == "percent":
        return format_percent(number)
    return f"{number:.2f}×"


def placements_text(n: int | None) -> str:
    """'1 placement', '12 345 placements'."""
    return f"{format_count(n)} placement{'' if n == 1 else 's'}"


def _floats(frame: pl.DataFrame, column: str) -> list[float | None]:
    """A column as floats for plotly (money is Decimal in the frames; people read the text)."""
    values: list[float | None] = frame[column].cast(pl.Float64).to_list()
    return values


def _title(text: str, note: str = "") -> dict[str, Any]:
    subtitle = f"<br><span style='font-size:12px;color:#6b7280'>{note}</span>" if note else ""
    return {"text": text + subtitle, "x": 0, "xanchor": "left", "font": {"size": 15}}


def _reference_text(kpi: str, overall: object, currency: str) -> str:
    return f"All: {format_kpi(kpi, overall, currency)}"


def kpi_by_group_figure(
    table: pl.DataFrame,
    kpi: str,
    overall: object,
    *,
    currency: str,
    group_label: str = "group",
    limit: int = MAX_BARS,
) -> go.Figure:
    """One KPI by group (a kpi_table frame) as horizontal bars, best first (cheapest for a cost
    per thing, highest for a rate), with the overall value (kpi_totals) as a dashed line.

    Groups whose KPI is unknown (zero or missing denominator) have no bar and are counted in
    the subtitle; beyond ``limit`` groups only the best are drawn, and the subtitle says so.
    A CPM or CTR over reach (the group has no impressions) is marked in its bar's text.
    customdata holds each group's key, for a click to open or filter to it.
    """
    spec = KPIS[kpi]
    known = table.filter(pl.col(kpi).is_not_null())
    ranked = known.sort(kpi, descending=not spec.lower_is_better, nulls_last=True)
    shown = ranked.head(limit)
    values = _floats(shown, kpi)
    over_reach = (
        shown["cpm_basis"].to_list()
        if kpi in ("cpm", "ctr") and "cpm_basis" in shown.columns
        else [None] * shown.height
    )
    texts = [
        format_kpi(kpi, v, currency) + (" · over reach" if basis == "reach" else "")
        for v, basis in zip(shown[kpi].to_list(), over_reach, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=[str(n) for n in shown["name"].to_list()],
            x=values,
            orientation="h",
            marker_color=PALETTE[0],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=[str(k) for k in shown["key"].to_list()],
            hovertext=[placements_text(p) for p in shown["placements"].to_list()],
            hovertemplate=f"%{{y}}<br>{spec.name} %{{text}}<br>%{{hovertext}}<extra></extra>",
        )
    )
    notes = []
    if ranked.height > shown.height:
        best = "cheapest" if spec.lower_is_better else "highest"
        notes.append(f"the {shown.height} {best} of {format_count(ranked.height)} {group_label}s")
    missing = table.height - known.height
    if missing:
        notes.append(f"{format_count(missing)} without a {spec.name} (no denominator)")
    top = max([v for v in values if v is not None] + [0.0])
    if overall is not None:
        line = float(overall)  # type: ignore[arg-type]
        top = max(top, line)
        fig.add_vline(
            x=line,
            line={"color": REFERENCE, "width": 1.5, "dash": "dash"},
            annotation_text=_reference_text(kpi, overall, currency),
            annotation_position="top right",
        )
    unit = f", {currency}" if spec.unit == "money" else ""
    xaxis: dict[str, Any] = {
        "title": {"text": f"{spec.name}{unit}"},
        "rangemode": "tozero",
        "range": [min([0.0, *(v for v in values if v is not None)]) * 1.3, top * 1.3 or 1.0],
    }
    if spec.unit == "percent":
        xaxis["tickformat"] = ".0%"
    fig.update_layout(
        title=_title(f"{spec.name} by {group_label}", " · ".join(notes)),
        height=110 + 24 * max(shown.height, 1),
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        showlegend=False,
        xaxis=xaxis,
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig


def placement_labels(rows: pl.DataFrame) -> list[str]:
    """Each placement named for people: 'vk:handle · #12', with its source's own id when the
    frame has a ``ref`` ('… · #12 (ad-1)')."""
    parts = [pl.col("channel"), pl.lit(" · #"), pl.col("id").cast(pl.String)]
    if "ref" in rows.columns:
        parts.append(
            pl.when(pl.col("ref").is_not_null())
            .then(pl.concat_str(pl.lit(" ("), pl.col("ref"), pl.lit(")")))
            .otherwise(pl.lit(""))
        )
    labels: list[str] = rows.select(pl.concat_str(parts).alias("label"))["label"].to_list()
    return labels


def cost_reach_figure(
    placements: pl.DataFrame,
    *,
    currency: str,
    max_points: int = MAX_POINTS,
    seed: int = 0,
) -> go.Figure:
    """Cost against reach, one bubble per placement (size = conversions, colour = platform,
    hover names the placement, customdata its id).

    Placements without a known cost or reach cannot be placed and are counted in the subtitle.
    Above ``max_points`` a seeded random sample is drawn (the same one on every run), and the
    subtitle says how many of how many are shown.
    """
    known = placements.filter(pl.col("cost_base").is_not_null() & pl.col("reach").is_not_null())
    sample = known if known.height <= max_points else known.sample(max_points, seed=seed)
    sample = sample.sort("id")
    conversions = sample["conversions"].fill_null(0).cast(pl.Float64)
    biggest = float(conversions.max() or 0.0)  # type: ignore[arg-type]
    # bubble areas in proportion to conversions, the biggest 36 px across; none still shows
    sizeref = 2.0 * biggest / 36.0**2 if biggest else 1.0
    fig = go.Figure()
    for i, platform in enumerate(sorted(set(sample["platform"].to_list()))):
        rows = sample.filter(pl.col("platform") == platform)
        names = placement_labels(rows)
        fig.add_trace(
            go.Scatter(
                # arrays, not lists: plotly checks a list element by element (2,000 points)
                x=rows["cost_base"].cast(pl.Float64).to_numpy(),
                y=rows["reach"].cast(pl.Float64).to_numpy(),
                mode="markers",
                name=PLATFORM_LABELS.get(platform, platform),
                marker={
                    "size": rows["conversions"].fill_null(0).to_numpy(),
                    "sizemode": "area",
                    "sizeref": sizeref,
                    "sizemin": 5,
                    "color": PLATFORM_COLORS.get(platform, PALETTE[i % len(PALETTE)]),
                    "opacity": 0.7,
                    "line": {"width": 0.5, "color": "white"},
                },
                customdata=rows["id"].to_numpy(),
                hovertext=np.array(names, dtype=object),
                # formatted by polars: babel would take a tenth of a second for 2,000 points
                text=rows["conversions"].cast(pl.String).fill_null("not measured").to_numpy(),
                hovertemplate=(
                    f"%{{hovertext}}<br>Cost %{{x:,.2f}} {currency}<br>Reach %{{y:,.0f}}"
                    "<br>Conversions %{text}<extra></extra>"
                ),
            )
        )
    notes = ["bubble size = conversions"]
    if sample.height < known.height:
        notes.append(
            f"a random {format_count(sample.height)} of {format_count(known.height)} "
            "placements shown"
        )
    left_out = placements.height - known.height
    if left_out:
        notes.append(f"{format_count(left_out)} without a cost or a reach left out")
    # costs and reaches of bloggers span orders of magnitude: on linear axes one big deal
    # squeezes every other bubble into a corner, so wide spreads are drawn on log axes
    logs = {"x": _wide(sample["cost_base"]), "y": _wide(sample["reach"])}
    if any(logs.values()):
        notes.append("log scale")
    fig.update_layout(
        title=_title("Cost against reach", " · ".join(notes)),
        height=460,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        # legend markers of one size: a bubble's own size says nothing about its platform
        legend={"orientation": "h", "y": -0.15, "itemsizing": "constant"},
        xaxis=_axis(f"Cost, {currency}", logs["x"]),
        yaxis=_axis("Reach", logs["y"]),
    )
    return fig


WIDE_SPREAD = 100  # the largest value this many times the smallest: a log axis reads better


def _wide(values: pl.Series) -> bool:
    """Whether positive values span a range a linear axis cannot show (none zero or less)."""
    numbers = values.cast(pl.Float64).drop_nulls()
    if numbers.is_empty() or float(numbers.min()) <= 0:  # type: ignore[arg-type]
        return False
    return float(numbers.max()) >= WIDE_SPREAD * float(numbers.min())  # type: ignore[arg-type]


def _axis(title: str, log: bool) -> dict[str, object]:
    if log:
        return {"title": {"text": title}, "type": "log", "tickformat": SI}
    return {"title": {"text": title}, "rangemode": "tozero", "tickformat": SI}


def funnel_figure(totals: Mapping[str, Any]) -> go.Figure:
    """Reach → clicks → conversions of everything filtered (kpi_totals), each step's share of
    the one before; an unknown step reads '—'."""
    labels = [label for _, label in FUNNEL_STEPS]
    raw = [totals.get(key) for key, _ in FUNNEL_STEPS]
    # a log axis: clicks are often under 1 % of reach, and would not show on a linear one
    values = [float(v) if v else None for v in raw]
    texts = []
    for i, value in enumerate(raw):
        text = format_count(value)
        before = raw[i - 1] if i else None
        if value is not None and before:
            share = ratio(float(value), float(before))
            text += f" · {format_percent(share)} of {labels[i - 1].lower()}"
        texts.append(text)
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker_color=[PALETTE[0], PALETTE[1], PALETTE[2]],
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    known = [v for v in values if v]
    # decades from below the smallest step to past the largest, with room for the text
    low = math.floor(math.log10(min(known))) - 0.3 if known else 0.0
    high = math.log10(max(known)) + 1.2 if known else 1.0
    fig.update_layout(
        title=_title("Funnel", "reach → clicks → conversions, latest measurements · log scale"),
        height=300,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        showlegend=False,
        xaxis={"type": "log", "range": [low, high], "tickformat": SI},
        yaxis={"autorange": "reversed"},
    )
    return fig


def results_by_period(placements: pl.DataFrame, period: Period = "month") -> pl.DataFrame:
    """Sums per month or week of a placements_frame, each placement at its ``date`` (published,
    else planned, else logged, as the KPIs by month go): period (its first day, a week's
    Monday), placements, cost, reach, clicks, conversions. Aggregated in polars, never row by
    row."""
    every = "1mo" if period == "month" else "1w"
    dated = placements.filter(pl.col("date").is_not_null())
    return (
        dated.group_by(pl.col("date").dt.truncate(every).alias("period"))
        .agg(
            pl.len().cast(pl.Int64).alias("placements"),
            # a period whose costs are all unknown (missing rates) has an unknown cost, not 0
            pl.when(pl.col("cost_base").count() > 0).then(pl.col("cost_base").sum()).alias("cost"),
            *(pl.col(c).sum().cast(pl.Int64).alias(c) for c in ("reach", "clicks", "conversions")),
        )
        .sort("period")
    )


def over_time_figure(
    series: pl.DataFrame, *, period: Period = "month", currency: str = ""
) -> go.Figure:
    """Results over time (a ``results_by_period`` frame): reach as bars (left axis), clicks and
    conversions as lines (right axis); the hover adds the placements and their cost."""
    days: list[dt.date] = series["period"].to_list()
    word = "Month" if period == "month" else "Week of"
    tick = "%b %Y" if period == "month" else DAY_FORMAT
    cost = [format_money(c, currency) for c in series["cost"].to_list()]
    extra = [
        f"{placements_text(n)} · cost {c}"
        for n, c in zip(series["placements"].to_list(), cost, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=days,
            y=series["reach"].to_list(),
            name="Reach",
            marker_color=PALETTE[0],
            opacity=0.8,
            customdata=extra,
            hovertemplate="Reach %{y:,.0f}<br>%{customdata}<extra></extra>",
        )
    )
    for column, label, colour in (
        ("clicks", "Clicks", PALETTE[1]),
        ("conversions", "Conversions", PALETTE[2]),
    ):
        fig.add_trace(
            go.Scatter(
                x=days,
                y=series[column].to_list(),
                name=label,
                mode="lines+markers",
                yaxis="y2",
                line={"color": colour, "width": 2},
                hovertemplate=f"{label} %{{y:,.0f}}<extra></extra>",
            )
        )
    fig.update_layout(
        title=_title(
            "Results over time",
            f"by {period}, each placement at its publication date (else its planned date)",
        ),
        height=360,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
        xaxis={
            "type": "date",
            "tickformat": tick,
            "hoverformat": f"{word} {tick}",
            # one tick a month (or week): plotly's own choice repeats a month's name
            "dtick": "M1" if period == "month" else 7 * 24 * 3600 * 1000,
        },
        yaxis={"title": {"text": "Reach"}, "rangemode": "tozero", "tickformat": SI},
        yaxis2={
            "title": {"text": "Clicks, conversions"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickformat": SI,
        },
    )
    return fig


def delivery_rows(placements: pl.DataFrame) -> pl.DataFrame:
    """The placements with a planned reach and a measured reach, with their delivery (actual
    reach / planned reach), lowest delivery first."""
    return (
        placements.filter(pl.col("planned_reach").is_not_null() & pl.col("reach").is_not_null())
        .with_columns(ratio_expr("reach", "planned_reach").alias("delivery"))
        .filter(pl.col("delivery").is_not_null())
        .sort(["delivery", "id"])
    )


def delivery_figure(
    placements: pl.DataFrame, *, overall: object = None, limit: int = MAX_BARS
) -> go.Figure:
    """Planned against actual reach per placement (grey plan, blue actual, delivery in the
    text), the ones furthest below plan first; the overall delivery (kpi_totals) in the title.
    Placements planned but not yet measured are counted in the subtitle; customdata holds each
    placement's id."""
    rows = delivery_rows(placements)
    shown = rows.head(limit)
    labels = placement_labels(shown)
    ids = shown["id"].to_list()
    fig = go.Figure(
        [
            go.Bar(
                y=labels,
                x=shown["planned_reach"].to_list(),
                name="Planned reach",
                orientation="h",
                marker_color=PLAN_GREY,
                customdata=ids,
                hovertemplate="%{y}<br>Planned reach %{x:,.0f}<extra></extra>",
            ),
            go.Bar(
                y=labels,
                x=shown["reach"].to_list(),
                name="Actual reach",
                orientation="h",
                marker_color=PALETTE[0],
                customdata=ids,
                text=[format_percent(d, 0) for d in shown["delivery"].to_list()],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}<br>Actual reach %{x:,.0f} · delivery %{text}<extra></extra>",
            ),
        ]
    )
    planned = placements.filter(pl.col("planned_reach").is_not_null()).height
    notes = []
    if overall is not None:
        notes.append(f"all: {format_percent(float(overall), 0)}")  # type: ignore[arg-type]
    if rows.height > shown.height:
        notes.append(f"the {shown.height} furthest below plan of {format_count(rows.height)}")
    unmeasured = planned - rows.height
    if unmeasured:
        notes.append(f"{format_count(unmeasured)} planned without a measured reach yet")
    fig.update_layout(
        title=_title("Delivery: planned against actual reach", " · ".join(notes)),
        barmode="group",
        height=130 + 34 * max(shown.height, 1),
        margin={"l": 10, "r": 40, "t": 70, "b": 10},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        xaxis={"title": {"text": "Reach"}, "rangemode": "tozero", "tickformat": SI},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig


CONTENT_KPIS = ("cpm", "ctr", "cr", "cpa")


def content_type_figure(
    table: pl.DataFrame, *, currency: str, kpis: Sequence[str] = CONTENT_KPIS
) -> go.Figure:
    """Content types side by side on several KPIs (a kpi_table frame by content_type): one
    panel per KPI, the types in the same order in each, placements in the hover; customdata
    holds each type's key, for a click to filter to it."""
    ordered = table.sort("placements", descending=True)
    names = [str(n) for n in ordered["name"].to_list()]
    keys = [str(k) for k in ordered["key"].to_list()]
    counts = [placements_text(p) for p in ordered["placements"].to_list()]
    # one panel per KPI side by side, sharing the y axis (built in one go: make_subplots and
    # per-panel updates cost several times as much at every script run)
    gap = 0.03
    width = (1 - gap * (len(kpis) - 1)) / len(kpis)
    traces: list[go.Bar] = []
    layout: dict[str, Any] = {}
    titles: list[dict[str, Any]] = []
    for i, kpi in enumerate(kpis):
        spec = KPIS[kpi]
        axis = "x" if i == 0 else f"x{i + 1}"
        traces.append(
            go.Bar(
                y=names,
                x=_floats(ordered, kpi),
                xaxis=axis,
                yaxis="y",
                orientation="h",
                name=spec.name,
                marker_color=PALETTE[i % len(PALETTE)],
                text=[format_kpi(kpi, v, currency) for v in ordered[kpi].to_list()],
                textposition="auto",
                customdata=keys,
                hovertext=counts,
                hovertemplate=(
                    f"%{{y}}<br>{spec.name} %{{text}}<br>%{{hovertext}}<extra>{spec.formula}</extra>"
                ),
            )
        )
        left = i * (width + gap)
        layout["xaxis" if i == 0 else f"xaxis{i + 1}"] = {
            "domain": [left, left + width],
            "anchor": "y",
            "rangemode": "tozero",
            "showticklabels": False,
            "tickformat": ".0%" if spec.unit == "percent" else SI,
        }
        titles.append(
            {
                "text": spec.name,
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
        )
    return go.Figure(
        traces,
        {
            **layout,
            "yaxis": {"autorange": "reversed", "automargin": True},
            "annotations": titles,
            "title": _title("By content type", "the same types in the same order in every panel"),
            "height": 140 + 30 * max(len(names), 1),
            "margin": {"l": 10, "r": 10, "t": 100, "b": 10},
            "showlegend": False,
        },
    )


def figure_html(fig: go.Figure) -> bytes:
    """A figure as a self-contained HTML file (plotly.js inside: opens offline)."""
    html: str = fig.to_html(include_plotlyjs=True, full_html=True)
    return html.encode("utf-8")


__all__ = [
    "CONTENT_KPIS",
    "FUNNEL_STEPS",
    "KPIS",
    "MAX_BARS",
    "MAX_POINTS",
    "PERIODS",
    "PLAN_GREY",
    "Kpi",
    "Period",
    "content_type_figure",
    "cost_reach_figure",
    "delivery_figure",
    "delivery_rows",
    "figure_html",
    "format_kpi",
    "funnel_figure",
    "kpi_by_group_figure",
    "over_time_figure",
    "placement_labels",
    "placements_text",
    "results_by_period",
]
