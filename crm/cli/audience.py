"""`crm import audience`, `crm overlap`, `crm reach`, `crm optimize` and `crm export members`:
member lists in and out, and what a selection of channels really reaches (DESIGN.md, "The `crm`
command"; formulas METRICS.md, "Audience overlap").

Channels are named ``PLATFORM:HANDLE`` (or by a link) and keyed so in every output. A channel
without a member list is said to have none (``null`` in JSON, "no list" in a table), never
counted as zero. Money in JSON is exact decimal text, as `crm kpis` prints it; ratios are
numbers (0.25 = 25 %).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm.cli.output import OK, csv_text, err, table_text

if TYPE_CHECKING:  # `crm --help` need not load the engine
    import duckdb

    from crm.audience.lists import LoadResult
    from crm.audience.money import Plan
    from crm.audience.sets import Members
    from crm.store import Store

FORMATS = ("table", "csv", "json")
METRIC_CHOICES = ("share", "count", "jaccard")
NO_LIST = "no list"
# a spreadsheet holds at most this many rows under its header
XLSX_ROWS = 1_048_575
MEMBER_FORMATS = (".csv", ".txt", ".xlsx", ".parquet")
PROGRESS_AFTER = 1.0  # seconds a load runs before its progress is shown


# ---------------------------------------------------------------- registration


def add_audience_import(kinds: Any, parents: list[argparse.ArgumentParser]) -> None:
    """`crm import audience FILE --channel PLATFORM:HANDLE …` under the `import` command."""
    parser = kinds.add_parser(
        "audience",
        parents=parents,
        help="a channel's member list (one id per line, or CSV/TSV/XLSX with an id column); "
        "replaces its current list",
    )
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument(
        "--channel", metavar="PLATFORM:HANDLE", required=True, help="the channel the list is of"
    )
    parser.add_argument(
        "--column", metavar="NAME", help="the column of ids (default: id, user_id … else the first)"
    )
    parser.add_argument(
        "--ids",
        choices=("number", "text"),
        help="user ids (number) or usernames (text); default: numbers when every id is one",
    )
    parser.add_argument("--dry-run", action="store_true", help="read and count, write nothing")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(run=cmd_import_audience)


def add_audience_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """`crm overlap`, `crm reach` and `crm optimize`."""
    overlap = commands.add_parser(
        "overlap",
        parents=parents,
        help="audience overlap of channels: share (row's members found in column), count or "
        "Jaccard",
    )
    overlap.add_argument("channels", metavar="PLATFORM:HANDLE", nargs="+")
    overlap.add_argument(
        "--metric", choices=METRIC_CHOICES, default="share", help="default share (directional)"
    )
    overlap.add_argument("--format", choices=FORMATS, default="table")
    overlap.set_defaults(run=cmd_overlap)

    reach = commands.add_parser(
        "reach",
        parents=parents,
        help="unique reach, sum of audiences, duplication, expected frequency, exclusive audiences",
    )
    reach.add_argument("channels", metavar="PLATFORM:HANDLE", nargs="+")
    reach.add_argument("--format", choices=FORMATS, default="table")
    reach.set_defaults(run=cmd_reach)

    optimize = commands.add_parser(
        "optimize",
        parents=parents,
        help="the channels with the largest unique reach within a budget",
    )
    optimize.add_argument("--budget", metavar="AMOUNT", required=True, help="the most to spend")
    optimize.add_argument("--currency", metavar="CUR", required=True, help="of the budget")
    source = optimize.add_mutually_exclusive_group()
    source.add_argument(
        "--candidates",
        metavar="FILE",
        type=Path,
        help="the channels to choose from: one link or PLATFORM:HANDLE per line",
    )
    source.add_argument("--campaign", metavar="NAME", help="choose from a campaign's shortlist")
    optimize.add_argument(
        "--ad-format", metavar="FORMAT", default="post", help="whose prices count (default post)"
    )
    optimize.add_argument(
        "--include", metavar="PLATFORM:HANDLE", nargs="+", action="extend", default=[],
        help="channels the plan must hold",
    )  # fmt: skip
    optimize.add_argument(
        "--exclude", metavar="PLATFORM:HANDLE", nargs="+", action="extend", default=[],
        help="channels the plan must not hold",
    )  # fmt: skip
    optimize.add_argument("--format", choices=FORMATS, default="table")
    optimize.set_defaults(run=cmd_optimize)


def add_member_export(export: argparse.ArgumentParser) -> None:
    """`crm export members --channel PLATFORM:HANDLE --out FILE` beside the tables of
    `crm export`: a channel's members as loaded (user ids or usernames)."""
    export.add_argument(
        "--channel",
        metavar="PLATFORM:HANDLE",
        help="with TABLE members: the channel whose member list to export",
    )
    table_export = export.get_default("run")

    def run(args: argparse.Namespace) -> int:
        if str(args.table).strip().lower() == "members":
            return cmd_export_members(args)
        if args.channel is not None:
            from crm.errors import ValidationError

            raise ValidationError("--channel goes with `crm export members` only.")
        return int(table_export(args))

    export.set_defaults(run=run)


# ---------------------------------------------------------------- shared


@dataclass(frozen=True)
class _Channel:
    id: int
    key: str  # PLATFORM:HANDLE


def _open(db: str | None) -> Store:
    """The store of an existing database (a read-only command never creates one)."""
    from crm.cli.files import require_database
    from crm.store import Store, resolve_db_path

    path = resolve_db_path(db)
    require_database(path)
    return Store(path)


def resolve_channels(cur: duckdb.DuckDBPyConnection, refs: Sequence[str]) -> list[_Channel]:
    """The registry's channels that ``refs`` (PLATFORM:HANDLE or links) name, in order, each
    once; refuses refs that are not channels or not in the registry, all named at once."""
    from crm.errors import ValidationError
    from crm.registry import find_channel
    from crm.vocab.platforms import parse_channel_key

    found: dict[int, _Channel] = {}
    unknown: list[str] = []
    for ref in refs:
        parsed = parse_channel_key(ref)  # a ref that names no channel: ValidationError
        channel_id = find_channel(cur, parsed)
        if channel_id is None:
            unknown.append(str(parsed))
        else:
            found.setdefault(channel_id, _Channel(channel_id, str(parsed)))
    if unknown:
        names = list(dict.fromkeys(unknown))
        there = "There are no channels" if len(names) > 1 else "There is no channel"
        raise ValidationError(f"{there} {', '.join(names)} in the registry.")
    return list(found.values())


def _json(payload: object) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def _money(value: Decimal | None) -> str | None:
    """Money for JSON: exact decimal text, as `crm kpis` prints it."""
    return None if value is None else str(value)


def _no_lists_note(missing: Sequence[_Channel], stream: Any = None) -> None:
    if missing:
        names = ", ".join(c.key for c in missing)
        verb = "has" if len(missing) == 1 else "have"
        text = (
            f"{names} {verb} no member list (load one with crm import audience); "
            "not counted, not taken as zero."
        )
        if stream is None:
            err(f"note: {text}")
        else:
            print(text, file=stream)


# ---------------------------------------------------------------- import audience


def cmd_import_audience(args: argparse.Namespace) -> int:
    from crm.audience.lists import import_audience_file

    store = _open(args.db)  # the channel must exist: a new, empty database cannot hold it
    try:
        if args.dry_run:
            result = _dry_run(store, args)
        else:
            result = import_audience_file(
                store,
                args.file,
                args.file.name,
                args.channel,
                column=args.column,
                id_kind=args.ids,
                progress=_Progress(),
            )
    finally:
        store.close()
    if args.format == "json":
        _json(
            {
                "channel": result.channel,
                "members": result.size,
                "duplicates": result.duplicates,
                "replaced": result.replaced,
                "id_kind": result.id_kind,
                "source": result.source,
                "dry_run": args.dry_run,
            }
        )
    elif args.dry_run:
        print(result.summary(dry_run=True))
    else:
        print(result.summary())
    return OK


def _dry_run(store: Store, args: argparse.Namespace) -> LoadResult:
    """What loading the file would do: read and checked as for real, nothing written."""
    from crm.audience.lists import LoadResult, read_member_file, resolve_channel

    cur = store.cursor()
    try:
        channel_id = resolve_channel(cur, args.channel)  # before reading a large file
        member_file = read_member_file(
            args.file, args.file.name, column=args.column, id_kind=args.ids, progress=_Progress()
        )
        key, current = cur.execute(
            "select c.platform || ':' || c.handle, a.size from channels c "
            "left join audiences a on a.channel_id = c.id where c.id = ?",
            [channel_id],
        ).fetchall()[0]
    finally:
        cur.close()
    return LoadResult(
        channel_id=channel_id,
        channel=str(key),
        size=member_file.size,
        duplicates=member_file.duplicates,
        replaced=None if current is None else int(current),
        id_kind=member_file.id_kind,
        source=member_file.filename,
    )


class _Progress:
    """Progress of a long load on stderr: once it has run PROGRESS_AFTER seconds, a line per
    tenth of the way and when the step changes (a small file loads without a word)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown: tuple[int, str] | None = None

    def __call__(self, fraction: float, phrase: str) -> None:
        step = (int(fraction * 10) * 10, phrase)
        if step == self.shown or time.monotonic() - self.started < PROGRESS_AFTER:
            return
        self.shown = step
        print(f"crm: {step[0]:3d} % {phrase}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- overlap


def cmd_overlap(args: argparse.Namespace) -> int:
    from crm.audience.lists import member_sets
    from crm.audience.sets import overlap_matrix
    from crm.errors import ValidationError

    store = _open(args.db)
    try:
        cur = store.cursor()
        channels = resolve_channels(cur, args.channels)
        if len(channels) < 2:
            raise ValidationError("Name at least two different channels to compare.")
        sets = member_sets(cur, [c.id for c in channels])
    finally:
        store.close()
    listed = [c for c in channels if c.id in sets]
    missing = [c for c in channels if c.id not in sets]
    values = overlap_matrix([sets[c.id] for c in listed], args.metric)
    at = {c.id: i for i, c in enumerate(listed)}

    def cell(row: _Channel, column: _Channel) -> float | None:
        if row.id not in at or column.id not in at:
            return None
        return values[at[row.id]][at[column.id]]

    matrix = {r.key: {c.key: cell(r, c) for c in channels} for r in channels}
    if args.format == "json":
        _json({"metric": args.metric, "matrix": matrix})
        _no_lists_note(missing)
        return OK
    keys = [c.key for c in channels]
    if args.format == "csv":
        rows = [{"channel": r, **matrix[r]} for r in keys]
        sys.stdout.write(csv_text(rows, ["channel", *keys]))
        _no_lists_note(missing)
        return OK
    shown = [
        {"channel": r.key, **{c.key: _overlap_cell(r, c, cell(r, c), sets, args.metric)
                              for c in channels}}
        for r in channels
    ]  # fmt: skip
    print(table_text(shown, ["channel", *keys]))
    notes = [""]
    if args.metric == "share":
        notes.append("Share: the row channel's members found in the column channel.")
    if any(
        a.id in sets and b.id in sets and not _same_platform(sets[a.id], sets[b.id])
        for a in channels
        for b in channels
    ):
        notes.append("—: members of two platforms cannot be matched.")
    print("\n".join(notes))
    _no_lists_note(missing, sys.stdout)
    return OK


def _same_platform(a: Members, b: Members) -> bool:
    return a.platforms == b.platforms


def _overlap_cell(
    row: _Channel, column: _Channel, value: float | None, sets: dict[int, Members], metric: str
) -> str:
    from crm.formatting import format_count, format_percent

    if row.id not in sets or column.id not in sets:
        return NO_LIST
    if metric == "count":
        return format_count(value)
    return format_percent(value, 1)


# ---------------------------------------------------------------- reach


def cmd_reach(args: argparse.Namespace) -> int:
    from crm.audience.lists import member_sets
    from crm.audience.sets import reach
    from crm.errors import ValidationError

    store = _open(args.db)
    try:
        cur = store.cursor()
        channels = resolve_channels(cur, args.channels)
        sets = member_sets(cur, [c.id for c in channels])
    finally:
        store.close()
    listed = [c for c in channels if c.id in sets]
    missing = [c for c in channels if c.id not in sets]
    if not listed:
        names = ", ".join(c.key for c in channels)
        raise ValidationError(
            f"None of {names} has a member list, so there is no reach to compute: load one "
            "with crm import audience."
        )
    figures = reach([sets[c.id] for c in listed])
    exclusive: dict[str, int | None] = dict.fromkeys((c.key for c in channels), None)
    exclusive.update({c.key: n for c, n in zip(listed, figures.exclusive, strict=True)})
    if args.format == "json":
        _json(
            {
                "unique_reach": figures.unique_reach,
                "sum_of_audiences": figures.sum_of_audiences,
                "duplication": figures.duplication,
                "expected_frequency": figures.expected_frequency,
                "exclusive": exclusive,
            }
        )
        _no_lists_note(missing)
        return OK
    members: dict[str, int | None] = {c.key: sets[c.id].size if c.id in sets else None
                                      for c in channels}  # fmt: skip
    summary = [
        ("Unique reach", _count(figures.unique_reach)),
        ("Sum of audiences", _count(figures.sum_of_audiences)),
        ("Duplication", _percent(figures.duplication)),
        ("Expected frequency", _frequency(figures.expected_frequency)),
    ]
    if args.format == "csv":
        rows = [{"channel": k, "members": members[k], "exclusive": exclusive[k]} for k in exclusive]
        sys.stdout.write(csv_text(rows, ("channel", "members", "exclusive")))
        for label, value in summary:
            print(f"{label}: {value}", file=sys.stderr)
        _no_lists_note(missing)
        return OK
    width = max(len(label) for label, _ in summary)
    print("\n".join(f"{label.ljust(width)}  {value}" for label, value in summary))
    print()
    rows = [
        {
            "channel": k,
            "members": NO_LIST if members[k] is None else _count(members[k]),
            "exclusive": NO_LIST if exclusive[k] is None else _count(exclusive[k]),
        }
        for k in exclusive
    ]
    print(table_text(rows, ("channel", "members", "exclusive")))
    if missing:
        print()
        _no_lists_note(missing, sys.stdout)
    return OK


def _count(value: int | None) -> str:
    from crm.formatting import format_count

    return format_count(value)


def _percent(value: float | None) -> str:
    from crm.formatting import format_percent

    return format_percent(value, 1)


def _frequency(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# ---------------------------------------------------------------- optimize


def cmd_optimize(args: argparse.Namespace) -> int:
    from crm.audience.lists import member_sets
    from crm.audience.money import channel_prices_base, plan_shortlist
    from crm.errors import ValidationError

    budget = _budget(args.budget)
    store = _open(args.db)
    try:
        cur = store.cursor()
        include = resolve_channels(cur, args.include)
        exclude = resolve_channels(cur, args.exclude)
        if args.candidates is not None:
            candidates = _candidates_file(cur, args.candidates)
        elif args.campaign is not None:
            candidates = _campaign_channels(cur, args.campaign)
        else:
            sets = member_sets(cur)
            priced = channel_prices_base(cur, sorted(sets), args.ad_format)
            ids = [cid for cid in sorted(sets) if cid in priced]
            if not ids and not include:
                raise ValidationError(
                    f"No channel has both a member list and a price for {args.ad_format}: "
                    "there is nothing to choose from."
                )
            candidates = [_Channel(cid, key) for cid, key in _keys(cur, ids).items()]
        every = {c.id: c.key for c in (*candidates, *include, *exclude)}
        sets = member_sets(cur, list(every))
        plan = plan_shortlist(
            cur,
            sets,
            [c.id for c in candidates],
            budget=budget,
            currency=args.currency,
            format=args.ad_format,
            must_include=[c.id for c in include],
            must_exclude=[c.id for c in exclude],
        )
        every.update(_keys(cur, [cid for cid, _ in plan.left_out if cid not in every]))
    finally:
        store.close()
    _print_plan(plan, sets, every, args.format)
    return OK


def _budget(text: str) -> Decimal:
    """The --budget amount (a decimal point or comma; spaces between thousands allowed)."""
    from crm.errors import ValidationError

    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValidationError(f"The budget “{text}” is not an amount (for example 150000).")
    if value <= 0:
        raise ValidationError(f"The budget must be an amount above zero, not {text}.")
    return value


def _keys(cur: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = cur.execute(
        "select id, platform || ':' || handle from channels "
        "where id in (select unnest(?::bigint[])) order by id",
        [list(ids)],
    ).fetchall()
    return {int(cid): str(key) for cid, key in rows}


def _candidates_file(cur: duckdb.DuckDBPyConnection, path: Path) -> list[_Channel]:
    """The channels a file names (one link or PLATFORM:HANDLE per line, or a channel
    column); refuses lines that name no channel or one not in the registry, by line."""
    from crm.errors import ValidationError
    from crm.importing.lists import channel_refs
    from crm.registry import find_channel
    from crm.vocab.platforms import parse_channel_key

    found: dict[int, _Channel] = {}
    bad: list[str] = []
    for line, text in channel_refs(path.read_bytes(), path.name):
        try:
            ref = parse_channel_key(text)
        except ValidationError as exc:
            bad.append(f"line {line}: {str(exc).rstrip('.')}")
            continue
        channel_id = find_channel(cur, ref)
        if channel_id is None:
            bad.append(f"line {line}: {ref}")
        else:
            found.setdefault(channel_id, _Channel(channel_id, str(ref)))
    if bad:
        shown = "; ".join(bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise ValidationError(
            f"The candidates file {path.name} names channels that are not in the registry: {shown}."
        )
    return list(found.values())


def _campaign_channels(cur: duckdb.DuckDBPyConnection, name: str) -> list[_Channel]:
    from crm.errors import NotFound, ValidationError
    from crm.outreach.campaigns import campaign_id_by_name
    from crm.outreach.shortlist import shortlist_frame

    campaign_id = campaign_id_by_name(cur, name)
    if campaign_id is None:
        raise NotFound(f"There is no campaign “{name}”.")
    frame = shortlist_frame(cur, campaign_id)
    if frame.is_empty():
        raise ValidationError(f"The campaign “{name}” has no channels on its shortlist.")
    return [
        _Channel(int(cid), f"{platform}:{handle}")
        for cid, platform, handle in frame.select("channel_id", "platform", "handle").iter_rows()
    ]


def _print_plan(plan: Plan, sets: dict[int, Members], keys: dict[int, str], fmt: str) -> None:
    from crm.audience.sets import marginal_gains

    base = plan.base_currency
    # what each channel adds, in the order the plan took them
    gains = marginal_gains([sets[cid] for cid in plan.chosen.ids])
    added = list(zip(plan.chosen.ids, gains, strict=True))
    left_out = [{"channel": keys[cid], "reason": reason} for cid, reason in plan.left_out]
    if fmt == "json":
        _json(
            {
                "chosen": [keys[cid] for cid in plan.chosen.ids],
                "cost": _money(plan.chosen.cost),
                "currency": base,
                "unique_reach": plan.chosen.unique_reach,
                "dedup_cpm": _money(plan.dedup_cpm),
                "naive": {
                    "chosen": [keys[cid] for cid in plan.naive.ids],
                    "cost": _money(plan.naive.cost),
                    "unique_reach": plan.naive.unique_reach,
                    "dedup_cpm": _money(plan.naive_dedup_cpm),
                },
                "left_out": left_out,
            }
        )
        return
    rows: list[dict[str, Any]] = [
        {
            "channel": keys[cid],
            "price": plan.costs[cid],
            "members": sets[cid].size,
            "added_reach": gain,
        }
        for cid, gain in added
    ]
    columns = ("channel", "price", "members", "added_reach")
    summary = _plan_summary(plan)
    if fmt == "csv":
        sys.stdout.write(csv_text([{**r, "price": str(r["price"])} for r in rows], columns))
        for line in summary:
            print(line, file=sys.stderr)
        for item in left_out:
            print(f"left out: {item['channel']}: {item['reason']}", file=sys.stderr)
        return
    from crm.formatting import format_count, format_money

    print("\n".join(summary))
    print()
    if rows:
        shown = [
            {
                "channel": r["channel"],
                "price": format_money(r["price"], base),
                "members": format_count(r["members"]),
                "added_reach": format_count(r["added_reach"]),
            }
            for r in rows
        ]
        print(table_text(shown, columns))
    else:
        print("No channel fits the budget.")
    if left_out:
        print()
        print("Left out:")
        print(table_text(left_out, ("channel", "reason")))


def _plan_summary(plan: Plan) -> list[str]:
    """The plan against the naive pick, for people."""
    from crm.formatting import format_count, format_money

    base = plan.base_currency
    budget = f"Budget: {plan.rate_note or format_money(plan.budget_base, base) + '.'}"
    lines = [
        budget,
        f"Prices: the latest agreed, else quoted, else listed price for {plan.format}, in {base}.",
        f"Method: {plan.chosen.method}",
        f"Guarantee: {plan.chosen.guarantee}",
        "",
    ]
    table = [
        {
            "pick": name,
            "channels": format_count(len(pick.ids)),
            "cost": format_money(pick.cost, base),
            "unique_reach": format_count(pick.unique_reach),
            "dedup_cpm": format_money(cpm, base),
        }
        for name, pick, cpm in (
            ("optimized", plan.chosen, plan.dedup_cpm),
            ("naive (largest followers first)", plan.naive, plan.naive_dedup_cpm),
        )
    ]
    lines.append(table_text(table, ("pick", "channels", "cost", "unique_reach", "dedup_cpm")))
    return lines


# ---------------------------------------------------------------- export members


def cmd_export_members(args: argparse.Namespace) -> int:
    from crm.audience.lists import export_members
    from crm.errors import ValidationError
    from crm.exports import frame_bytes

    out: Path = args.out
    suffix = out.suffix.lower()
    if args.channel is None:
        raise ValidationError("Name the channel: crm export members --channel PLATFORM:HANDLE.")
    if suffix not in MEMBER_FORMATS:
        raise ValidationError(
            f"Cannot tell the format of “{out}”: the file name must end in "
            f"{', '.join(MEMBER_FORMATS[:-1])} or {MEMBER_FORMATS[-1]}."
        )
    store = _open(args.db)
    try:
        cur = store.cursor()
        (channel,) = resolve_channels(cur, [args.channel])
        frame = export_members(cur, channel.id)
    finally:
        store.close()
    if suffix == ".xlsx" and frame.height > XLSX_ROWS:
        raise ValidationError(
            f"{channel.key} has {frame.height:,} members, more than a spreadsheet holds "
            f"({XLSX_ROWS:,}); export to .csv, .txt or .parquet."
        )
    if suffix == ".txt":  # one id per line, as member files come
        data = "".join(f"{v}\n" for v in frame["member"].to_list()).encode("utf-8")
    else:
        data = frame_bytes(frame, suffix, "members", bom=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    # written beside the target and moved in: a failed export leaves no half file
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"Wrote {frame.height:,} members of {channel.key} to {out}")
    return OK
