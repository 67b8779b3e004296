"""Pricing: prices per channel and format over time, currencies and exchange rates, and the
figures derived from them (est. CPM, CPF, price hints against peers)."""

from crm.pricing.currencies import (
    KNOWN_CURRENCIES,
    Converted,
    base_currency,
    convert,
    converted_sql,
    delete_rate,
    rates_frame,
    set_base_currency,
    set_rate,
)
from crm.pricing.intelligence import MIN_PEERS, SIZE_BAND_MIN, PriceHint, price_hint, price_hints
from crm.pricing.prices import (
    PriceRow,
    add_price,
    cents,
    channel_prices,
    delete_price,
    latest_prices,
    per_thousand,
    price_history,
)

__all__ = [
    "KNOWN_CURRENCIES",
    "MIN_PEERS",
    "SIZE_BAND_MIN",
    "Converted",
    "PriceHint",
    "PriceRow",
    "add_price",
    "base_currency",
    "cents",
    "channel_prices",
    "convert",
    "converted_sql",
    "delete_price",
    "delete_rate",
    "latest_prices",
    "per_thousand",
    "price_hint",
    "price_hints",
    "price_history",
    "rates_frame",
    "set_base_currency",
    "set_rate",
]
