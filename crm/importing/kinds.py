"""The kinds of file the Import page (and the command line) take, each on the one engine.

A kind names its entity (the fields a column may be mapped to, with their synonyms), how to
plan a read file into a preview, how to write it, and which of the engine's choices it asks
the user for. A new kind of import adds one entry here and its module beside this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from crm.fields import CHANNELS, PLACEMENTS, PRICES, RATES, Entity
from crm.importing.channels import apply_import, plan_channel_import
from crm.importing.placements import apply_placement_import, plan_placement_import
from crm.importing.plan import ImportPlan, Step
from crm.importing.prices import apply_price_import, plan_price_import
from crm.importing.rates import apply_rate_import, plan_rate_import
from crm.importing.read import RawTable
from crm.importing.results import ImportResult
from crm.store import Store

# the choices a kind may ask for beside the mapping: a platform for rows that name none, where
# the numbers come from, the date of undated rows, the campaign of rows that name none and the
# channel of a file without a channel column; and, once a preview found them needed, the
# currency of amounts that name none and the order of day and month in ambiguous dates
Choice = Literal[
    "platform", "provenance", "measured_on", "currency", "date_order", "campaign", "channel"
]
Plan = Callable[
    [duckdb.DuckDBPyConnection, RawTable, dict[str, str | None], Mapping[str, Any]], ImportPlan
]
Apply = Callable[[Store, ImportPlan, Step | None], ImportResult]


@dataclass(frozen=True)
class ImportKindSpec:
    """One kind of file people import: what it holds, its fields, its plan and its write."""

    name: str  # "channels": also the CLI's `crm import NAME`
    label: str  # "Channels"
    record: str  # what one row becomes, in messages: "channel"
    description: str  # one sentence under the page title
    entity: Entity
    plan: Plan
    apply: Apply
    choices: tuple[Choice, ...]


def _plan_channels(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None],
    options: Mapping[str, Any],
) -> ImportPlan:
    measured_on = options.get("measured_on")
    return plan_channel_import(
        cur,
        table,
        mapping,
        options.get("platform"),
        provenance=str(options.get("provenance") or "manual"),
        measured_on=measured_on if isinstance(measured_on, dt.date) else None,
        currency=options.get("currency"),
        date_order=options.get("date_order"),
    )


def _apply_channels(store: Store, plan: ImportPlan, progress: Step | None) -> ImportResult:
    return apply_import(store, plan, progress=progress)


def _plan_prices(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None],
    options: Mapping[str, Any],
) -> ImportPlan:
    wanted = ("platform", "currency", "date_order")
    return plan_price_import(cur, table, mapping, {k: options.get(k) for k in wanted})


def _apply_prices(store: Store, plan: ImportPlan, progress: Step | None) -> ImportResult:
    return apply_price_import(store, plan, progress=progress)


def _plan_rates(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None],
    options: Mapping[str, Any],
) -> ImportPlan:
    return plan_rate_import(cur, table, mapping, {"date_order": options.get("date_order")})


def _apply_rates(store: Store, plan: ImportPlan, progress: Step | None) -> ImportResult:
    return apply_rate_import(store, plan, progress=progress)


def _plan_placements(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None],
    options: Mapping[str, Any],
) -> ImportPlan:
    wanted = ("campaign", "channel", "provenance", "measured_on", "currency", "date_order")
    return plan_placement_import(cur, table, mapping, {k: options.get(k) for k in wanted})


def _apply_placements(store: Store, plan: ImportPlan, progress: Step | None) -> ImportResult:
    return apply_placement_import(store, plan, progress=progress)


IMPORT_KINDS: dict[str, ImportKindSpec] = {
    spec.name: spec
    for spec in (
        ImportKindSpec(
            "channels",
            "Channels",
            "channel",
            "A list of channels with their owners, contacts and numbers. Rows are matched on "
            "platform + handle: new channels are added, known ones updated.",
            CHANNELS,
            _plan_channels,
            _apply_channels,
            ("platform", "provenance", "measured_on", "currency", "date_order"),
        ),
        ImportKindSpec(
            "prices",
            "Prices",
            "price",
            "A price list: channel (a link, PLATFORM:HANDLE, or a handle with a platform "
            "column), format, kind (listed, quoted, agreed, paid), amount, currency, date. "
            "Channels must be in the registry already.",
            PRICES,
            _plan_prices,
            _apply_prices,
            ("platform", "currency", "date_order"),
        ),
        ImportKindSpec(
            "rates",
            "Exchange rates",
            "rate",
            "Exchange rates: date, currency and the rate, in units of the workspace's base "
            "currency per one unit of the currency.",
            RATES,
            _plan_rates,
            _apply_rates,
            ("date_order",),
        ),
        ImportKindSpec(
            "placements",
            "Placements",
            "placement",
            "Placements and their results: ref (the source's own id), campaign, channel (a link "
            "or PLATFORM:HANDLE), format, content type, dates, prices, reach, impressions, "
            "clicks, conversions, revenue. A ref seen before updates its placement; a campaign "
            "not seen before is created. Channels must be in the registry already.",
            PLACEMENTS,
            _plan_placements,
            _apply_placements,
            ("provenance", "measured_on", "currency", "date_order", "campaign", "channel"),
        ),
    )
}
