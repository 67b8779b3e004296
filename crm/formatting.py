"""Numbers, percentages and money formatted for people; '—' for unknown."""

from __future__ import annotations

import math
from decimal import Decimal


def format_count(value: float | int | None) -> str:
    """12 345 with a thin space between thousands; '—' for unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{round(value):,}".replace(",", "\u202f")


def format_compact(value: float | int | None) -> str:
    """1.2M, 350K, 980; '—' for unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(v) >= limit:
            text = f"{v / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{round(v)}"


_CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UZS": "сўм"}


def format_money(amount: object, currency: str | None) -> str:
    """1 250,00 ₽ (a space between thousands, a decimal comma, the sign after), $1,250.00 for
    dollars; '—' for unknown."""
    if amount is None:
        return "—"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    code = (currency or "").upper()
    if code == "USD":
        return f"${value:,.2f}"
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0{_CURRENCY_SIGNS.get(code, code)}".rstrip()


def format_percent(ratio: float | None, digits: int = 1) -> str:
    """0.034 → '3.4 %'; '—' for unknown."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    return f"{ratio * 100:.{digits}f}\u00a0%"
