"""`crm import placements` and `crm kpis`: placements and their results in, their KPIs out."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from crm.cli.output import OK, add_import_options, csv_text, run_import, table_text
from crm.vocab.terms import PROVENANCES

# `crm kpis`: the columns after the group's name, as issue 8 lists them
KPI_SHOWN = (
    "placements", "cost", "impressions", "reach", "views", "clicks", "conversions", "revenue",
    "cpm", "cpc", "ctr", "cr", "cpa", "romi",
)  # fmt: skip
_MONEY = ("cost", "revenue", "cpm", "cpc", "cpa")
_PERCENT = ("ctr", "cr", "romi")
# the groups of `crm kpis --by`, as crm.placements.kpis.GROUPS (kept here so `crm --help` does
# not load the engine; a test holds them equal)
BY = ("placement", "channel", "campaign", "platform", "format", "content_type", "kind", "month")


def add_placement_import(kinds: Any, parents: list[argparse.ArgumentParser]) -> None:
    """`crm import placements FILE …` under the `import` command's kinds."""
    parser = kinds.add_parser(
        "placements",
        parents=parents,
        help="placements and their results (upsert by ref; new campaigns are created)",
    )
    add_import_options(parser, currency_of="prices and revenue")
    parser.add_argument(
        "--campaign", metavar="NAME", help="campaign of rows that name none (created if new)"
    )
    parser.add_argument(
        "--channel",
        metavar="PLATFORM:HANDLE",
        help="channel of every row, for a file of one channel's (or ad account's) results",
    )
    parser.add_argument(
        "--provenance",
        choices=PROVENANCES,
        default="manual",
        help="where the file's numbers come from (kept with each measurement)",
    )
    parser.add_argument(
        "--measured-on",
        metavar="YYYY-MM-DD",
        type=dt.date.fromisoformat,
        help="date of the measurements whose row has none (default: the time of the import)",
    )
    parser.set_defaults(run=cmd_import_placements)


def add_kpis_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """`crm kpis [--by …] [--campaign NAME] [--format table|csv|json]`."""
    parser = commands.add_parser(
        "kpis",
        parents=parents,
        help="placement KPIs (CPM, CPC, CTR, CR, CPA, ROMI …) by placement, channel, campaign …",
    )
    parser.add_argument("--by", choices=BY, default="campaign", help="group by (default campaign)")
    parser.add_argument("--campaign", metavar="NAME", help="only this campaign's placements")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(run=cmd_kpis)


def cmd_import_placements(args: argparse.Namespace) -> int:
    from crm.importing.placements import import_placements_file

    return run_import(
        args,
        import_placements_file,
        campaign=args.campaign,
        channel=args.channel,
        currency=args.currency,
        provenance=args.provenance,
        measured_on=args.measured_on,
    )


def cmd_kpis(args: argparse.Namespace) -> int:
    from crm.cli.files import require_database
    from crm.errors import NotFound
    from crm.outreach.campaigns import campaign_id_by_name
    from crm.placements.kpis import kpi_table, kpi_totals
    from crm.placements.placements import PlacementFilter
    from crm.pricing import base_currency
    from crm.store import Store, resolve_db_path

    path = resolve_db_path(args.db)
    require_database(path)
    store = Store(path)
    try:
        cur = store.cursor()
        flt = None
        if args.campaign is not None:
            campaign_id = campaign_id_by_name(cur, args.campaign)
            if campaign_id is None:
                raise NotFound(f"There is no campaign “{args.campaign}”.")
            flt = PlacementFilter(campaign_ids=(campaign_id,))
        frame = kpi_table(cur, args.by, flt)
        totals = kpi_totals(cur, flt)
        base = base_currency(cur)
    finally:
        store.close()
    columns = (args.by, *KPI_SHOWN)
    rows = [
        {args.by: r["name"], **{c: r[c] for c in KPI_SHOWN}} for r in frame.iter_rows(named=True)
    ]
    if args.format == "json":
        print(json.dumps([_plain(r) for r in rows], ensure_ascii=False, indent=2))
    elif args.format == "csv":
        print(csv_text(rows, columns), end="")
    else:
        over_reach = {r["name"] for r in frame.iter_rows(named=True) if r["cpm_basis"] == "reach"}
        shown = [_shown(r, base, r[args.by] in over_reach) for r in rows]
        total = {args.by: "Total", **{c: totals[c] for c in KPI_SHOWN}}
        print(table_text([*shown, _shown(total, base, totals["cpm_basis"] == "reach")], columns))
        notes = [f"Money in {base}, the base currency; —: unknown, or nothing to divide by."]
        if over_reach or totals["cpm_basis"] == "reach":
            notes.append("* CPM and CTR over reach: no impressions known there.")
        if totals["missing_rates"]:
            notes.append(
                f"{totals['missing_rates']} placement(s) left out of the money: an exchange "
                "rate is missing (crm import rates)."
            )
        print("\n".join(["", *notes]))
    return OK


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row for JSON: money as exact decimal text, other numbers as they are."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def _shown(row: dict[str, Any], base: str, over_reach: bool) -> dict[str, str]:
    """A row of the table for people: money with its sign, ratios as percents, '—' unknown."""
    from crm.formatting import format_count, format_money, format_percent

    out: dict[str, str] = {}
    for column, value in row.items():
        if column in _MONEY:
            out[column] = format_money(value, base)
        elif column in _PERCENT:
            out[column] = format_percent(value, 2)
        elif column in KPI_SHOWN:
            out[column] = format_count(value)
        else:
            out[column] = str(value)
    if over_reach:
        for column in ("cpm", "ctr"):
            if out[column] != "—":
                out[column] += "*"
    return out
