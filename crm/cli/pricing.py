"""`crm import prices` and `crm import rates`: price lists and exchange rates in."""

from __future__ import annotations

import argparse

from crm.cli.output import run_import


def cmd_import_prices(args: argparse.Namespace) -> int:
    from crm.importing.prices import import_prices_file

    mapping = dict(args.map)
    return run_import(
        args,
        lambda store, report: import_prices_file(
            store,
            args.file,
            mapping=mapping or None,
            dry_run=args.dry_run,
            report=report,
            currency=args.currency,
            date_order=args.date_order,
            platform=args.platform,
        ),
    )


def cmd_import_rates(args: argparse.Namespace) -> int:
    from crm.importing.rates import import_rates_file

    mapping = dict(args.map)
    return run_import(
        args,
        lambda store, report: import_rates_file(
            store,
            args.file,
            mapping=mapping or None,
            dry_run=args.dry_run,
            report=report,
            date_order=args.date_order,
        ),
    )
