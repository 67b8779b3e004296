"""Plotly figure builders: a data frame in, a figure out."""

from crm.charts.registry import (
    DAY_FORMAT,
    PALETTE,
    date_axis,
    followers_er_figure,
    platform_mix_figure,
)

__all__ = ["DAY_FORMAT", "PALETTE", "date_axis", "followers_er_figure", "platform_mix_figure"]
