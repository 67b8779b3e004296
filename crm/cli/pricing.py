"""`crm import prices` and `crm import rates`: price lists and exchange rates in."""

from __future__ import annotations

import argparse

from crm.cli.output import run_import


def cmd_import_prices(args: argparse.Namespace) -> int:
    from crm.importing.prices import import_prices_file

    return run_import(args, import_prices_file, currency=args.currency, platform=args.platform)


def cmd_import_rates(args: argparse.Namespace) -> int:
    from crm.importing.rates import import_rates_file

    return run_import(args, import_rates_file)
