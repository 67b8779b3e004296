"""Plotly figure builders: a data frame in, a figure out."""

from crm.charts.registry import PALETTE, followers_er_figure, platform_mix_figure

__all__ = ["PALETTE", "followers_er_figure", "platform_mix_figure"]
