"""Pricing: prices per channel and format over time, and the figures derived from them."""

from crm.pricing.prices import PriceRow, cents, channel_prices, per_thousand

__all__ = ["PriceRow", "cents", "channel_prices", "per_thousand"]
