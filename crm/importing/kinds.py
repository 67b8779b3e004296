"""The kinds of file the Import page (and the command line) take, each on the one engine.

A kind names the engine's ImportKind (its entity: the fields a column may be mapped to, with
their synonyms; its checks and its write), how to plan a read file into a preview, and which
of the engine's choices it asks the user for. A new kind of import adds one entry here and its
module beside this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from crm.fields import Entity
from crm.importing.channels import CHANNEL_IMPORT, plan_channel_import
from crm.importing.placements import PLACEMENT_IMPORT, plan_placement_import
from crm.importing.plan import ImportKind, ImportPlan, Step, apply_plan
from crm.importing.prices import PRICE_IMPORT, plan_price_import
from crm.importing.rates import RATE_IMPORT, plan_rate_import
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


@dataclass(frozen=True)
class ImportKindSpec:
    """One kind of file people import: what it holds, its engine kind, its plan, its choices."""

    name: str  # "channels": also the CLI's `crm import NAME`
    label: str  # "Channels"
    record: str  # what one row becomes, in messages: "channel"
    description: str  # one sentence under the page title
    kind: ImportKind
    plan_with: Plan  # the kind's own plan, given the options it takes
    choices: tuple[Choice, ...]

    @property
    def entity(self) -> Entity:
        """The fields a file column may be mapped to."""
        return self.kind.entity

    def plan(
        self,
        cur: duckdb.DuckDBPyConnection,
        table: RawTable,
        mapping: dict[str, str | None],
        options: Mapping[str, Any],
    ) -> ImportPlan:
        """The preview of a read file, with the choices this kind takes (others ignored)."""
        return self.plan_with(cur, table, mapping, {k: options.get(k) for k in self.choices})

    def apply(self, store: Store, plan: ImportPlan, progress: Step | None) -> ImportResult:
        """Write a previewed file in one transaction (the engine's apply_plan)."""
        return apply_plan(store, self.kind, plan, progress=progress)


def _plan_channels(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None],
    options: Mapping[str, Any],
) -> ImportPlan:
    # the channel import names its options as keywords
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


IMPORT_KINDS: dict[str, ImportKindSpec] = {
    spec.name: spec
    for spec in (
        ImportKindSpec(
            "channels",
            "Channels",
            "channel",
            "A list of channels with their owners, contacts and numbers. Rows are matched on "
            "platform + handle: new channels are added, known ones updated.",
            CHANNEL_IMPORT,
            _plan_channels,
            ("platform", "provenance", "measured_on", "currency", "date_order"),
        ),
        ImportKindSpec(
            "prices",
            "Prices",
            "price",
            "A price list: channel (a link, PLATFORM:HANDLE, or a handle with a platform "
            "column), format, kind (listed, quoted, agreed, paid), amount, currency, date. "
            "Channels must be in the registry already.",
            PRICE_IMPORT,
            plan_price_import,
            ("platform", "currency", "date_order"),
        ),
        ImportKindSpec(
            "rates",
            "Exchange rates",
            "rate",
            "Exchange rates: date, currency and the rate, in units of the workspace's base "
            "currency per one unit of the currency.",
            RATE_IMPORT,
            plan_rate_import,
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
            PLACEMENT_IMPORT,
            plan_placement_import,
            ("provenance", "measured_on", "currency", "date_order", "campaign", "channel"),
        ),
    )
}
