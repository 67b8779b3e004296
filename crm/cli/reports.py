"""`crm report CAMPAIGN --out FILE.html [--language ru|en] [--as-of WHEN]`: a campaign's client
report, one HTML file that opens offline (crm.reports)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from crm.cli.files import JOURNAL_SUFFIX, require_database, staged
from crm.cli.output import OK
from crm.errors import ValidationError

REPORT_SUFFIXES = (".html", ".htm")


def _as_of(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a date and time; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None


def add_report_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `crm report` to the ``crm`` command's subcommands."""
    report = commands.add_parser(
        "report",
        parents=parents,
        help="a campaign's client report: one HTML file that opens offline",
    )
    report.add_argument("campaign", metavar="CAMPAIGN", help="the campaign's name or id")
    report.add_argument(
        "--out",
        metavar="FILE.html",
        type=Path,
        required=True,
        help="the HTML file to write (replaced if it exists)",
    )
    report.add_argument(
        "--language", choices=("en", "ru"), default="en", help="the report's language (en)"
    )
    report.add_argument(
        "--as-of",
        metavar="WHEN",
        type=_as_of,
        help="results as of this time (YYYY-MM-DD[THH:MM]); default: each placement's latest",
    )
    report.set_defaults(run=cmd_report)


def check_report_out(out: Path, db: str) -> None:
    """Refuse an output that is not an .html file, is the database or its journal, a folder,
    or in a folder that does not exist (before anything is opened)."""
    target = out.resolve()
    database = Path(db).resolve()
    if target in (database, Path(f"{database}{JOURNAL_SUFFIX}")):
        raise ValidationError(
            f"{out} is the database (or its journal); writing the report there would destroy "
            "it. Choose another file for --out."
        )
    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise ValidationError(
            f"The report is an HTML file: its name must end in .html, not “{out.name}”."
        )
    if out.is_dir():
        raise ValidationError(f"{out} is a folder; name a file in it for --out.")
    if not target.parent.is_dir():
        raise ValidationError(f"Cannot write the report {out}: its folder does not exist.")


def find_campaign_id(cur: Any, text: str) -> int:
    """The campaign a user names: by name (case ignored), else by id; a clear refusal else."""
    from crm.outreach.campaigns import campaign_id_by_name

    found = campaign_id_by_name(cur, text)
    if found is not None:
        return found
    if text.strip().isdigit():
        rows = cur.execute("select id from campaigns where id = ?", [int(text)]).fetchall()
        if rows:
            return int(rows[0][0])
    raise ValidationError(
        f"There is no campaign “{text}”. Name it as the Campaigns page shows it, or give its id."
    )


def cmd_report(args: argparse.Namespace) -> int:
    from crm.reports import campaign_report_html
    from crm.store import Store, resolve_db_path

    db = resolve_db_path(args.db)
    check_report_out(args.out, db)
    require_database(db)
    store = Store(db)
    try:
        cur = store.cursor()
        campaign_id = find_campaign_id(cur, args.campaign)
        page = campaign_report_html(cur, campaign_id, language=args.language, as_of=args.as_of)
        name = cur.execute("select name from campaigns where id = ?", [campaign_id]).fetchall()
    finally:
        store.close()
    # written beside the target and moved over it whole: a failure leaves no half a file
    with staged(args.out) as partial:
        (partial or args.out).write_text(page, encoding="utf-8")
    print(f"Wrote the report of “{name[0][0]}” ({args.language}) to {args.out}")
    return OK
