"""The ``crm`` command: init, import channels, export (see DESIGN.md, "The `crm` command").

Exit 0 on success, 1 on rejected input (the reason on stderr, nothing written), 2 on a usage
error. Expected errors never print a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crm.db import Store, open_store, resolve_db_path
from crm.errors import CrmError
from crm.platforms import PROVENANCES

OK, REJECTED, USAGE = 0, 1, 2


# ---------------------------------------------------------------- parser


def _mapping_pair(text: str) -> tuple[str, str]:
    source, sep, target = text.partition("=")
    if not sep or not source.strip() or not target.strip():
        raise argparse.ArgumentTypeError(
            f"“{text}” is not SRC=DST (a column of the file = a field name, e.g. Подписчики=followers)"
        )
    return source.strip(), target.strip()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crm`` command."""
    # --db is accepted before the command and after it
    db_default = argparse.ArgumentParser(add_help=False)
    db_default.add_argument(
        "--db", metavar="PATH", help="database file (else $CRM_DB, else data/crm.duckdb)"
    )
    db_late = argparse.ArgumentParser(add_help=False)
    db_late.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="crm",
        description="Outreach CRM for opinion leaders and public pages.",
        parents=[db_default],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init", parents=[db_late], help="create or migrate the database; optionally fill the demo"
    )
    init.add_argument("--demo", action="store_true", help="fill the demo workspace")
    init.add_argument("--seed", type=int, default=0, help="demo seed (default 0)")
    init.set_defaults(run=_cmd_init)

    imp = commands.add_parser("import", help="import a file")
    kinds = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    channels = kinds.add_parser(
        "channels", parents=[db_late], help="channels (CSV, TSV or XLSX; upsert by platform+handle)"
    )
    channels.add_argument("file", metavar="FILE", type=Path)
    channels.add_argument("--platform", help="platform for rows that do not name one")
    channels.add_argument(
        "--map",
        metavar="SRC=DST",
        nargs="+",
        action="extend",
        type=_mapping_pair,
        default=[],
        help="map a file column to a field name (several allowed)",
    )
    channels.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    channels.add_argument(
        "--provenance",
        choices=PROVENANCES,
        default="manual",
        help="where the file's numbers come from (kept with each snapshot)",
    )
    channels.add_argument(
        "--measured-on",
        metavar="YYYY-MM-DD",
        type=dt.date.fromisoformat,
        help="date of the rows that have no date column (default: today)",
    )
    channels.add_argument(
        "--report",
        metavar="FILE.csv",
        type=Path,
        help="write the rejected rows (line, reason and their cells) to this CSV file",
    )
    channels.add_argument("--format", choices=("table", "csv", "json"), default="table")
    channels.set_defaults(run=_cmd_import_channels)

    export = commands.add_parser(
        "export", parents=[db_late], help="export a table to .csv, .xlsx or .parquet"
    )
    export.add_argument("table", metavar="TABLE")
    export.add_argument("--out", metavar="FILE", type=Path, required=True)
    export.set_defaults(run=_cmd_export)
    return parser


# ---------------------------------------------------------------- commands


def _cmd_init(args: argparse.Namespace) -> int:
    from crm.demo import generate_demo, set_workspace_kind, workspace_kind
    from crm.registry import registry_counts

    path = resolve_db_path(args.db)
    store = Store(path)
    try:
        applied = store.applied_on_open
        cur = store.cursor()
        counts = registry_counts(cur)
        if args.demo and counts["channels"] + counts["archived"]:
            total = counts["channels"] + counts["archived"]
            _err(
                f"{path} already holds {total} channels; the demo workspace is only generated "
                "into an empty database. Use another file: crm --db NEW.duckdb init --demo"
            )
            return REJECTED
        print(f"{'Created' if store.is_new else 'Opened'} {path}")
        print(f"Migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
        if args.demo:
            written = generate_demo(store, args.seed)
            print(
                f"Demo workspace (seed {args.seed}): {written['channels']} channels, "
                f"{written['owners']} owners, {written['snapshots']} snapshots, "
                f"{written['prices']} prices"
            )
        else:
            if workspace_kind(cur) is None and not counts["channels"] + counts["archived"]:
                with store.transaction() as tx:
                    set_workspace_kind(tx, "empty")
            print(
                f"Workspace: {counts['channels']} channels ({counts['archived']} archived), "
                f"{counts['owners']} owners, {counts['snapshots']} snapshots"
            )
    finally:
        store.close()
    return OK


def _cmd_import_channels(args: argparse.Namespace) -> int:
    from crm.imports import import_channels_file

    mapping = dict(args.map)
    store = open_store(args.db)
    try:
        result = import_channels_file(
            store,
            args.file,
            platform=args.platform,
            mapping=mapping or None,
            dry_run=args.dry_run,
            provenance=args.provenance,
            measured_on=args.measured_on,
            report=args.report,
        )
    finally:
        store.close()
    rejects = [{"line": r.line, "reason": r.reason} for r in result.rejects]
    if args.format == "json":
        counts = {k: getattr(result, k) for k in ("new", "updated", "unchanged", "rejected")}
        payload = {
            **counts,
            "duplicates": result.duplicates,
            "dry_run": result.dry_run,
            "summary": result.summary(),
            "rejects": rejects,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        # stdout stays a clean CSV of the rejected rows; the summary goes to stderr
        print(result.summary(), file=sys.stderr)
        sys.stdout.write(_csv(rejects, ("line", "reason")))
    else:
        print(result.summary())
        if rejects:
            print()
            print(_table(rejects, ("line", "reason")))
    return OK


def _cmd_export(args: argparse.Namespace) -> int:
    from crm.exports import check_export, export_table

    check_export(args.table, args.out)  # refuse before touching any file
    path = resolve_db_path(args.db)
    if not Path(path).exists():
        _err(f"There is no database at {path}. Create one with: crm --db {path} init")
        return REJECTED
    store = Store(path)
    try:
        rows = export_table(store.cursor(), args.table, args.out)
    finally:
        store.close()
    print(f"Wrote {rows} rows of {args.table.strip().lower()} to {args.out}")
    return OK


# ---------------------------------------------------------------- output


def _csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = [max([len(c), *(len(str(r[c])) for r in rows)]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = (str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _err(message: str) -> None:
    print(f"crm: {message}", file=sys.stderr)


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the ``crm`` command; returns the exit status (0 ok, 1 rejected, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 after --help
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except CrmError as exc:
        _err(str(exc))
        return REJECTED
    except OSError as exc:
        _err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return REJECTED


if __name__ == "__main__":
    sys.exit(main())
