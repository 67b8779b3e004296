"""Normalising a read file into clean typed fields, with a reason for every refused row.

Generic over the entity: every mapped field's column goes through the normaliser of the
field's type (crm.fields → crm.parsing.types); an import kind adds only what is its own
(a channel's identity from handles, links and platforms) through ``Prepare``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from crm.fields import Entity, Field
from crm.importing.read import LINE, RawTable
from crm.importing.results import DuplicateRow
from crm.parsing.text import shorten_quoted
from crm.parsing.types import Reading, currency_sign, refusal

__all__ = [
    "Prepare",
    "Sources",
    "combined",
    "dedupe",
    "normalise_rows",
    "raw_column",
    "sources_of",
]

Sources = dict[str, list[str]]  # field name → the file's columns mapped to it
# a kind's own columns, computed before the generic loop: (columns by field name, reasons)
Prepare = Callable[
    [pl.DataFrame, Sources, Mapping[str, Any]], tuple[dict[str, pl.Series], list[pl.Series]]
]


def sources_of(columns: list[str], mapping: Mapping[str, str | None]) -> Sources:
    """The file's columns mapped to each field, in file order."""
    sources: Sources = {}
    for header in columns:
        target = mapping.get(header)
        if target:
            sources.setdefault(target, []).append(header)
    return sources


def _precision(column: pl.Series) -> float:
    values = column.drop_nulls()
    if values.len() == 0:
        return 0.0
    return int(values.str.contains(r"^\d+$").sum()) / values.len()


def combined(frame: pl.DataFrame, headers: list[str], field: Field) -> pl.Series | None:
    """The one text column a field reads from the file's columns mapped to it (None: none)."""
    if not headers:
        return None
    if len(headers) == 1:
        return frame[headers[0]]
    if field.spec.value_kind == "list":
        # "Category_1", "Category_2": the items of every column
        return frame.select(
            pl.concat_str(headers, separator=";", ignore_nulls=True).alias(field.name)
        ).to_series()
    if field.spec.value_kind in ("count", "number", "ratio", "money"):
        # the same number twice ("409.8M" and "409800000"): the plain integer wins, and a row
        # empty there falls back to the next column
        headers = sorted(headers, key=lambda h: -_precision(frame[h]))
    return frame.select(pl.coalesce(headers).alias(field.name)).to_series()


def raw_column(frame: pl.DataFrame, sources: Sources, field: Field) -> pl.Series:
    """The text a field reads from the file (see ``combined``); nulls where no column is
    mapped to it."""
    column = combined(frame, sources.get(field.name, []), field)
    if column is None:
        return pl.Series(field.name, [None] * frame.height, dtype=pl.String)
    return column


def normalise_rows(
    table: RawTable,
    mapping: Mapping[str, str | None],
    entity: Entity,
    *,
    prepare: Prepare | None = None,
    options: Mapping[str, Any] | None = None,
    reading: Reading | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows with a ``line`` and every importable field, clean and typed; rejects with line
    and reason). A row is rejected for the first reason found: the kind's own, then the
    fields' in entity order. Fields the file lacks are null columns of their type.

    ``reading`` takes the user's choices to the normalisers (the order of day and month,
    amounts written with тыс, K or млн) and brings back how each column was read;
    ``options["currency"]`` is the currency of amounts whose row names none."""
    frame = table.frame
    n = frame.height
    opts = options or {}
    sources = sources_of(table.columns, mapping)
    columns, reasons = prepare(frame, sources, opts) if prepare else ({}, [])
    raws = {
        f.name: combined(frame, sources.get(f.name, []), f)
        for f in entity.fields
        if f.importable and f.name not in columns
    }
    chosen = opts.get("currency")
    for f in entity.fields:
        amount = raws.get(f.name)
        if f.currency and amount is not None and f.currency in raws:
            # "5 000 ₽": the sign in the amount is the currency where no column gives one,
            # and the currency chosen for the import where neither does
            sign = currency_sign(amount)
            given = raws[f.currency]
            fallback = pl.lit(chosen, pl.String) if chosen else pl.lit(None, pl.String)
            currency = pl.select(
                pl.coalesce(given if given is not None else pl.lit(None, pl.String), sign)
            ).to_series()
            currency = pl.select(
                pl.when(amount.is_not_null())
                .then(pl.coalesce(currency, fallback))
                .otherwise(currency)
            ).to_series()
            raws[f.currency] = currency.alias(f.currency)
    for name, raw in raws.items():
        f = entity.by_name(name)
        if raw is None:
            columns[name] = f.spec.nulls(n, name)
            continue
        clean, reason = f.normalise(raw, reading=reading)
        columns[name] = clean.alias(name)
        reasons.append(reason)
    for name in raws:
        if entity.by_name(name).required:
            reasons.append(refusal(columns[name], columns[name].is_null(), f"no {name}"))
    ordered = {f.name: columns[f.name] for f in entity.fields if f.name in columns}
    rows = pl.DataFrame({"line": frame[LINE], **ordered})
    if not reasons:
        return rows, pl.DataFrame(schema={"line": pl.Int64, "reason": pl.String})
    reason = pl.select(pl.coalesce(reasons)).to_series()
    rejected = pl.DataFrame({"line": rows["line"], "reason": reason}).filter(
        pl.col("reason").is_not_null()
    )
    # every value a reason quotes, cut to a readable length (also the kind's own reasons)
    distinct = rejected["reason"].unique()
    cut = pl.DataFrame(
        {"reason": distinct, "cut": [shorten_quoted(r) for r in distinct.to_list()]},
        schema={"reason": pl.String, "cut": pl.String},
    )
    rejected = rejected.join(cut, on="reason", how="left", maintain_order="left").select(
        "line", reason="cut"
    )
    return rows.filter(reason.is_null()), rejected


def dedupe(rows: pl.DataFrame, key: tuple[str, ...]) -> tuple[pl.DataFrame, list[DuplicateRow]]:
    """One row per key: the later row wins; the earlier ones are reported with the key as
    ``a:b`` (``telegram:anna``)."""
    keyed = rows.with_columns(_kept=pl.col("line").max().over(key))
    dropped = keyed.filter(pl.col("line") != pl.col("_kept")).sort("line")
    label = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=":")
    duplicates = [
        DuplicateRow(line, name, kept)
        for line, name, kept in dropped.select("line", label.alias("_key"), "_kept").iter_rows()
    ]
    return keyed.filter(pl.col("line") == pl.col("_kept")).drop("_kept"), duplicates
