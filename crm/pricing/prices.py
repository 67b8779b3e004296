"""Prices of a channel and the per-thousand figures derived from them (METRICS.md: CPF, est. CPM).

Money stays Decimal with its currency; a zero or unknown denominator gives None. The formulas
are those of ``crm.metrics``; this module only rounds their results to cents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from crm import metrics
from crm.registry.queries import latest_snapshot

CENT = Decimal("0.01")


def cents(amount: Decimal | None) -> Decimal | None:
    """Money rounded half up to cents, None staying None."""
    return None if amount is None else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def per_thousand(amount: Decimal | None, base: float | Decimal | None) -> Decimal | None:
    """amount / base × 1000 in money, to the cent (``metrics.per_thousand``: CPF over followers,
    est. CPM over avg reach), or None when either is unknown or the base is zero."""
    return cents(metrics.per_thousand(amount, base))


@dataclass(frozen=True)
class PriceRow:
    """The latest price of one format and kind, with CPF and est. CPM from the latest snapshot."""

    format: str
    kind: str
    amount: Decimal
    currency: str
    date: dt.date
    source: str | None
    cpf: Decimal | None
    est_cpm: Decimal | None


def channel_prices(cur: duckdb.DuckDBPyConnection, channel_id: int) -> list[PriceRow]:
    """The newest price of each format and kind for a channel, with CPF and est. CPM over the
    channel's newest snapshot (its followers and avg reach as recorded there)."""
    rows = cur.execute(
        """
        select format, kind, amount, currency, date, source
        from prices
        where channel_id = ?
        qualify row_number() over (partition by format, kind order by date desc, id desc) = 1
        order by format, case kind when 'listed' then 1 when 'quoted' then 2
                                   when 'agreed' then 3 else 4 end
        """,
        [channel_id],
    ).fetchall()
    latest = latest_snapshot(cur, channel_id) or {}
    followers, reach = latest.get("followers"), latest.get("avg_reach")
    return [
        PriceRow(fmt, kind, amount, currency, date, source,
                 cents(metrics.cpf(amount, followers)), cents(metrics.est_cpm(amount, reach)))
        for fmt, kind, amount, currency, date, source in rows
    ]  # fmt: skip
