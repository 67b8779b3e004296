"""Price history as a chart: every price of a channel in the base currency over time."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from crm.charts.registry import DAY_FORMAT, PALETTE, date_axis
from crm.formatting import format_money
from crm.vocab.terms import FORMAT_LABELS, PRICE_KIND_LABELS

_KIND_ORDER = {kind: i for i, kind in enumerate(PRICE_KIND_LABELS)}


def _hover(row: dict[str, object], base: str) -> str:
    """What a point says: its own amount and currency, and the rate it was converted at."""
    own = format_money(row["amount"], str(row["currency"]))
    if row["currency"] == base:
        rate = f"in {base}: no conversion"
    else:
        day = row["rate_date"]
        rate = f"= {format_money(row['amount_base'], base)} at the rate of " + (
            day.strftime(DAY_FORMAT) if hasattr(day, "strftime") else str(day)
        )
    extra = [str(row[c]) for c in ("campaign", "source") if row.get(c)]
    return "<br>".join([own, rate, *extra])


def _price_axis(placed: pl.DataFrame, base: str) -> dict[str, object]:
    """From zero to a little above the dearest price, so no point sits on the chart's edge."""
    axis: dict[str, object] = {"title": {"text": f"Price, {base}"}, "rangemode": "tozero"}
    if placed.height:
        top = float(placed["amount_base"].max())  # type: ignore[arg-type]
        axis["range"] = [0, top * 1.15 if top > 0 else 1]
    return axis


def price_history_figure(history: pl.DataFrame) -> go.Figure:
    """A channel's prices (``crm.pricing.price_history``) in the base currency over time, one
    line per format and kind; the hover gives the price as entered and the rate's date. Prices
    whose rate is missing cannot be placed and are counted in a note under the chart."""
    base = str(history["base_currency"][0]) if history.height else ""
    fig = go.Figure()
    placed = history.filter(pl.col("amount_base").is_not_null())
    series = placed.select("format", "kind").unique().to_dicts()
    series.sort(key=lambda s: (str(s["format"]), _KIND_ORDER.get(str(s["kind"]), 9)))
    for i, key in enumerate(series):
        rows = placed.filter(format=key["format"], kind=key["kind"]).sort("date", "id")
        label = (
            f"{FORMAT_LABELS.get(str(key['format']), key['format'])} · "
            f"{PRICE_KIND_LABELS.get(str(key['kind']), key['kind']).lower()}"
        )
        fig.add_trace(
            go.Scatter(
                x=rows["date"].to_list(),
                # money stays Decimal in crm; the chart only places it
                y=[float(v) for v in rows["amount_base"].to_list()],
                name=label,
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)], "width": 2},
                customdata=[_hover(r, base) for r in rows.iter_rows(named=True)],
                hovertemplate=(f"%{{x|{DAY_FORMAT}}}<br>%{{customdata}}<extra>{label}</extra>"),
            )
        )
    missing = history.height - placed.height
    notes = []
    if missing:
        prices = "1 price" if missing == 1 else f"{missing} prices"
        notes.append(
            {
                "text": f"{prices} not shown: no exchange rate to {base} on or before their date",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.3,
                "showarrow": False,
                "xanchor": "left",
            }
        )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=340,
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15},
        xaxis=date_axis(placed["date"].to_list()),
        yaxis=_price_axis(placed, base),
        annotations=notes,
    )
    return fig
