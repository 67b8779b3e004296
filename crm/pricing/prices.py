"""Prices of a channel and the per-thousand figures derived from them (METRICS.md: CPF, est. CPM).

Money stays Decimal with its currency; a zero or unknown denominator gives None.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from crm.registry import list_snapshots

CENT = Decimal("0.01")


def per_thousand(amount: Decimal | None, base: float | int | None) -> Decimal | None:
    """amount / base × 1000 in money (CPF over followers, est. CPM over avg reach), or None."""
    if amount is None or base is None or base <= 0:
        return None
    value = Decimal(amount) * 1000 / Decimal(str(base))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PriceRow:
    """The latest price of one format and kind, with CPF and est. CPM from the latest snapshot."""

    format: str
    kind: str
    amount: Decimal
    currency: str
    date: object
    source: str | None
    cpf: Decimal | None
    est_cpm: Decimal | None


def channel_prices(cur: duckdb.DuckDBPyConnection, channel_id: int) -> list[PriceRow]:
    """The newest price of each format and kind for a channel, with CPF and est. CPM."""
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
    snaps = list_snapshots(cur, channel_id)
    latest = snaps.row(-1, named=True) if snaps.height else {}
    followers, reach = latest.get("followers"), latest.get("avg_reach")
    return [
        PriceRow(fmt, kind, amount, currency, date, source,
                 per_thousand(amount, followers), per_thousand(amount, reach))
        for fmt, kind, amount, currency, date, source in rows
    ]  # fmt: skip
