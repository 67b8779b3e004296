"""SQL helpers: the one way identifiers enter SQL text."""

from __future__ import annotations

from collections.abc import Iterable


def quote_ident(name: str) -> str:
    """Quote an SQL identifier; the only way identifiers enter SQL text."""
    return '"' + name.replace('"', '""') + '"'


def columns(names: Iterable[str]) -> str:
    """A comma-separated list of quoted column names."""
    return ", ".join(quote_ident(n) for n in names)
