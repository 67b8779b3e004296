"""The engine's plan and write: map, normalise, dedupe, classify (the preview), then write it
in one transaction, refusing when a record it updates changed since the preview.

An import kind is a small module that builds one ``ImportKind``: its entity (crm.fields),
its own columns (``prepare``), a last touch to the clean rows (``finish``), the SQL that
classifies every row against the database, and the writes. Everything else is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from crm.errors import CrmError, ImportRefused, StaleEdit, ValidationError
from crm.fields import Entity
from crm.importing.mapping import mapping_warnings, resolve_mapping
from crm.importing.normalise import Prepare, dedupe, normalise_rows, sources_of
from crm.importing.read import RawTable, read_table
from crm.importing.report import rejects_csv
from crm.importing.results import DuplicateRow, ImportResult, RejectedRow
from crm.parsing.dates import DATE_ORDERS, DateOrder, read_as
from crm.parsing.text import shorten
from crm.parsing.types import RateUnit, Reading
from crm.store import Store, quote_ident
from crm.workspace import mark_imported

Step = Callable[[float, str], None]  # progress: fraction done, what is being done
Options = Mapping[str, Any]


@dataclass
class ImportPlan:
    """A normalised file ready to write, with every row classified (the preview).

    Besides the rows, a plan says how the file was read (``warnings``: several columns for one
    field, the unit of a rate column, the order of day and month, amounts rounded to cents,
    rows without a date) and what the user must settle before it can be written
    (``blockers``: a currency for prices that name none, the day/month order of dates that
    read both ways); ``apply_plan`` refuses a plan with blockers.
    """

    filename: str
    mapping: dict[str, str | None]
    rows: pl.DataFrame  # valid rows, one per key (the later row won)
    preview: pl.DataFrame  # line, status, the kind's preview columns, changes
    rejects: list[RejectedRow]
    duplicate_rows: list[DuplicateRow]
    options: dict[str, Any] = field(default_factory=dict)
    # the records the preview found, as they were then (record_id, record_version); None when
    # nobody was shown a preview (the command line imports at once), so nothing can be stale
    versions: pl.DataFrame | None = None
    kind: str = "channels"
    warnings: list[str] = field(default_factory=list)  # for the preview and the command line
    reading: Reading = field(default_factory=Reading)  # how each column was read
    missing_currency: int = 0  # rows with an amount, no currency of their own, none chosen
    ambiguous_dates: list[str] = field(default_factory=list)  # file columns: dates both ways
    blockers: list[str] = field(default_factory=list)  # what must be chosen before writing

    @property
    def platform(self) -> str | None:
        """The platform of rows that name none (channel imports)."""
        value = self.options.get("platform")
        return None if value is None else str(value)

    @property
    def default_kind(self) -> str:
        """The kind of new channels whose row names none (channel imports)."""
        return str(self.options.get("kind") or "person")

    @property
    def provenance(self) -> str:
        """Where the file's numbers come from."""
        return str(self.options.get("provenance") or "manual")

    @property
    def currency(self) -> str | None:
        """The currency chosen for amounts whose row names none (None: none chosen)."""
        value = self.options.get("currency")
        return None if value is None else str(value)

    @property
    def needs_currency(self) -> bool:
        """Rows have an amount but no currency, and none was chosen for the import."""
        return self.missing_currency > 0

    @property
    def date_order(self) -> DateOrder | None:
        """The day/month order the dates written with / or - are read in: settled by the
        values, else chosen by the user; None when no column needed one or it is still open."""
        orders = list(self.reading.date_orders.values())
        return orders[0] if orders else None

    @property
    def units(self) -> dict[str, RateUnit]:
        """Rate fields (er, err, reach_rate) → whether the file gave ratios or percents."""
        return dict(self.reading.units)

    @property
    def measured_on(self) -> dt.date:
        """The date of the rows that have no date of their own (channel imports)."""
        value = self.options.get("measured_on")
        return value if isinstance(value, dt.date) else dt.date.today()

    @property
    def undated(self) -> int:
        """Rows with numbers or a price but no date of their own: they get ``measured_on``."""
        if "undated" not in self.rows.columns:
            return 0
        return int(self.rows["undated"].sum())

    @property
    def ready(self) -> bool:
        """Nothing is left for the user to choose: the plan can be written."""
        return not self.blockers

    def counts(self) -> dict[str, int]:
        """Rows per status: new, updated, unchanged, rejected, duplicates."""
        status = self.preview["status"].value_counts()
        found = dict(zip(status["status"].to_list(), status["count"].to_list(), strict=True))
        return {
            "new": found.get("new", 0),
            "updated": found.get("updated", 0),
            "unchanged": found.get("unchanged", 0),
            "rejected": len(self.rejects),
            "duplicates": len(self.duplicate_rows),
        }

    def result(self, *, dry_run: bool) -> ImportResult:
        """The preview's counts as an import result."""
        return ImportResult(
            **self.counts(),
            rejects=list(self.rejects),
            duplicate_rows=list(self.duplicate_rows),
            dry_run=dry_run,
            warnings=list(self.warnings),
        )


Write = Callable[[duckdb.DuckDBPyConnection, ImportPlan, str, Step], None]


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import provides; the engine does the rest.

    ``classify_sql`` selects from ``import_incoming`` (the clean rows, one per key) every row
    with at least ``record_id`` and ``record_version`` (the matching record, null when new),
    ``status`` (new, updated or unchanged) and ``changes`` (text for people), plus whatever
    its writes need. ``write`` reads that classification from the temp table ``import_rows``
    inside the import's transaction.
    """

    entity: Entity
    classify_sql: str
    write: Write
    preview: tuple[str, ...]  # row columns the preview shows between status and changes
    prepare: Prepare | None = None  # the kind's own columns, before the generic fields
    finish: Callable[[pl.DataFrame, Options], pl.DataFrame] | None = None
    check_mapping: Callable[[list[str], dict[str, str | None]], None] | None = None
    parts: tuple[str, ...] | None = None  # the parts of the workspace it writes (None: all)
    # the kind's own refusals of clean rows, which may need the database (a price for a
    # channel the registry lacks): a reason per row, null where the row is kept
    check_rows: Callable[[duckdb.DuckDBPyConnection, pl.DataFrame, Options], pl.Series] | None = (
        None
    )
    # what the import sets going through another part's own writes, in the same transaction
    # (a placement moves its channel's card on the pipeline): reads the written rows from
    # ``import_rows`` and calls that part with the store
    after_write: Callable[[Store, duckdb.DuckDBPyConnection, ImportPlan], None] | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """The fields that identify a record: one row per key survives the dedupe."""
        return self.entity.key

    def key_sql(self, alias: str) -> str:
        """A record's key as text (``telegram:anna``) over the rows under ``alias``."""
        parts = ", ".join(f"{alias}.{quote_ident(k)}" for k in self.key)
        return f"concat_ws(':', {parts})"


def classify(
    cur: duckdb.DuckDBPyConnection, kind: ImportKind, rows: pl.DataFrame, table: str
) -> None:
    """Create the temp table ``table``: every row classified by the kind's SQL."""
    # as Arrow: DuckDB scans a registered Arrow table faster than a polars frame; its strings
    # as polars holds them (string views), not copied into Arrow's older large strings
    cur.register("import_incoming", rows.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        cur.execute(f"create or replace temp table {quote_ident(table)} as {kind.classify_sql}")
    finally:
        cur.unregister("import_incoming")


def _preview(
    cur: duckdb.DuckDBPyConnection, kind: ImportKind, rows: pl.DataFrame, shown: list[str]
) -> pl.DataFrame:
    """The preview's columns of every classified row, with the record and its version."""
    columns = ", ".join(quote_ident(c) for c in shown)
    # as Arrow, as in classify
    cur.register("import_incoming", rows.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        frame: pl.DataFrame = cur.sql(
            f"""
            select {columns}, record_id::bigint as record_id,
                   record_version::bigint as record_version
            from ({kind.classify_sql}) order by line
            """
        ).pl()
    except duckdb.Error as exc:
        raise CrmError(f"Cannot compare the file with the database: {exc}") from exc
    finally:
        cur.unregister("import_incoming")
    return frame


T = TypeVar("T")


def no_column(columns: list[str], what: str, advice: str) -> ImportRefused:
    """The refusal of a file in which no column ``what`` ("holds the amounts"): the columns
    it has, and ``advice`` on which to map."""
    found = ", ".join(shorten(c) for c in columns)
    return ImportRefused(f"No column {what}. Columns found: {found}. {advice}")


def choice(check: Callable[[Any], T], value: object) -> T:
    """A choice the user made for an import (a currency, a platform), checked by ``check``: a
    value it refuses refuses the import, with the check's own sentence."""
    try:
        return check(value)
    except ValidationError as exc:
        raise ImportRefused(str(exc)) from None


def date_order_choice(value: object) -> DateOrder | None:
    """The order of day and month chosen for dates that read both ways: dmy, mdy or none."""
    if value is None:
        return None
    for order in DATE_ORDERS:
        if value == order:
            return order
    raise ImportRefused(
        f"The date order must be dmy (day first) or mdy (month first), not “{value}”."
    )


def plan_import(
    cur: duckdb.DuckDBPyConnection,
    kind: ImportKind,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    options: Options | None = None,
    *,
    preview: bool = True,
) -> ImportPlan:
    """Map, normalise and dedupe a read file, and classify each row as new, updated,
    unchanged or rejected, without writing anything (the preview).

    With ``preview=False`` the rows are not compared with the database (an import that is
    written at once is classified inside its write anyway): the plan has no preview rows.
    ``options``: the kind's own, and the engine's: ``date_order`` (dmy or mdy) of dates that
    read both ways, ``currency`` of amounts whose row names none, ``abbreviated_amounts``
    (amounts may be written with тыс, K or млн, as price lists write them).
    """
    opts = dict(options or {})
    opts["date_order"] = date_order_choice(opts.get("date_order"))
    resolved = resolve_mapping(table.columns, mapping, kind.entity)
    if kind.check_mapping:
        kind.check_mapping(table.columns, resolved)
    reading = Reading(
        date_order=opts["date_order"], abbreviated=bool(opts.get("abbreviated_amounts"))
    )
    rows, rejected = normalise_rows(
        table, resolved, kind.entity, prepare=kind.prepare, options=opts, reading=reading
    )
    if kind.finish:
        rows = kind.finish(rows, opts)
    if kind.check_rows is not None and rows.height:
        reason = kind.check_rows(cur, rows, opts)
        refused = pl.DataFrame({"line": rows["line"], "reason": reason}).filter(
            pl.col("reason").is_not_null()
        )
        rejected = pl.concat([rejected, refused.cast(rejected.schema)]).sort("line")
        rows = rows.filter(reason.is_null())
    rows, duplicates = dedupe(rows, kind.key)
    shown = ["line", "status", *kind.preview, "changes"]
    if preview:
        classified = _preview(cur, kind, rows, shown)
        versions: pl.DataFrame | None = classified.filter(pl.col("record_id").is_not_null()).select(
            "record_id", "record_version"
        )
        previewed = classified.select(shown)
    else:
        versions = None
        previewed = pl.DataFrame(schema={c: rows.schema.get(c, pl.String) for c in shown})
    rejects = [RejectedRow(line, reason) for line, reason in rejected.sort("line").iter_rows()]
    sources = sources_of(table.columns, resolved)
    missing = _missing_currency(kind.entity, rows)
    ambiguous = [h for name in reading.ambiguous for h in sources.get(name, [name])[:1]]
    blockers = [_currency_blocker(kind.entity, name, n) for name, n in missing.items()]
    blockers += [
        _date_blocker(column, reading.both_ways[name])
        for name, column in zip(reading.ambiguous, ambiguous, strict=True)
    ]
    warnings = [*mapping_warnings(table.columns, resolved, kind.entity), *reading.notes, *blockers]
    return ImportPlan(
        filename=table.filename,
        mapping=resolved,
        rows=rows,
        preview=previewed,
        rejects=rejects,
        duplicate_rows=duplicates,
        options=opts,
        versions=versions,
        kind=kind.entity.name,
        warnings=warnings,
        reading=reading,
        missing_currency=sum(missing.values()),
        ambiguous_dates=ambiguous,
        blockers=blockers,
    )


def _missing_currency(entity: Entity, rows: pl.DataFrame) -> dict[str, int]:
    """Amount fields → rows that have an amount but no currency (none in the row, none chosen)."""
    out: dict[str, int] = {}
    for f in entity.fields:
        if f.currency and f.name in rows.columns and f.currency in rows.columns:
            n = rows.filter(pl.col(f.name).is_not_null() & pl.col(f.currency).is_null()).height
            if n:
                out[f.name] = n
    return out


def _currency_blocker(entity: Entity, name: str, n: int) -> str:
    rows = "1 row has" if n == 1 else f"{n} rows have"
    article = "an" if name[:1] in "aeiou" else "a"
    return (
        f"{rows} {article} {name} but no currency: choose the currency of these {name}s "
        f"(--{entity.by_name(name).currency} CUR on the command line)."
    )


def _date_blocker(column: str, example: str) -> str:
    return (
        f"The dates in column “{column}” read both ways ({example}: {read_as(example, 'dmy')} "
        f"or {read_as(example, 'mdy')}): choose the order (--date-order dmy or mdy on the "
        "command line)."
    )


_SHOWN_STALE = 5


def refuse_stale(cur: duckdb.DuckDBPyConnection, kind: ImportKind, plan: ImportPlan) -> None:
    """Refuse the write when a record it would update changed since the preview (another
    session edited it, or created it): its version differs from the one the preview saw."""
    if plan.versions is None:
        return
    cur.register("import_versions", plan.versions)
    try:
        stale = cur.execute(
            f"""
            select {kind.key_sql("r")}
            from import_rows r
            left join import_versions v on v.record_id = r.record_id
            where r.status = 'updated' and v.record_version is distinct from r.record_version
            order by r.line
            """
        ).fetchall()
    finally:
        cur.unregister("import_versions")
    if not stale:
        return
    names = [str(s[0]) for s in stale[:_SHOWN_STALE]]
    more = ", …" if len(stale) > _SHOWN_STALE else ""
    word = kind.entity.record if len(stale) == 1 else kind.entity.name
    raise StaleEdit(
        f"{len(stale)} {word} changed since the preview ({', '.join(names)}{more}). "
        "Preview the file again."
    )


def apply_plan(
    store: Store,
    kind: ImportKind,
    plan: ImportPlan,
    source: str | None = None,
    progress: Step | None = None,
) -> ImportResult:
    """Write a planned import in one transaction (rows re-classified inside it); all or
    nothing. Refuses with StaleEdit when a record it updates changed since the preview.
    ``source`` is kept with what it writes (default ``import: FILENAME``)."""
    source = source or f"import: {plan.filename}"
    if plan.blockers:
        raise ImportRefused(" ".join(plan.blockers))
    step = progress or (lambda _fraction, _text: None)
    # the store turns a DuckDB error into the project's own, after rolling everything back
    parts = None if kind.parts is None else (*kind.parts, "workspace")
    with store.transaction(parts) as cur:
        step(0.1, "Comparing with the database")
        classify(cur, kind, plan.rows, "import_rows")
        refuse_stale(cur, kind, plan)
        kind.write(cur, plan, source, step)
        if kind.after_write is not None:
            kind.after_write(store, cur, plan)
        counts = dict(
            cur.execute("select status, count(*) from import_rows group by status").fetchall()
        )
        cur.execute("drop table import_rows")
        if counts.get("new", 0) or counts.get("updated", 0):
            # a demo workspace holding the user's own rows is no longer a demo
            mark_imported(cur)
    step(1.0, "Done")
    return ImportResult(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        rejected=len(plan.rejects),
        duplicates=len(plan.duplicate_rows),
        rejects=list(plan.rejects),
        duplicate_rows=list(plan.duplicate_rows),
        dry_run=False,
        warnings=list(plan.warnings),
    )


PlanFile = Callable[[duckdb.DuckDBPyConnection, RawTable, bool], ImportPlan]


def import_file(
    store: Store,
    kind: ImportKind,
    path: str | Path,
    plan_file: PlanFile,
    *,
    dry_run: bool = False,
    report: str | Path | None = None,
    progress: Step | None = None,
) -> ImportResult:
    """Read a file, plan it with ``plan_file(cursor, table, preview)`` and write it in one
    transaction (with ``dry_run``, only count); refuses unreadable files and plans with
    blockers. With ``report``, the rejected rows (line, reason, their cells) go there as CSV."""
    file = Path(path)
    if report is not None and not Path(report).resolve().parent.is_dir():
        raise ImportRefused(f"Cannot write the report {report}: its folder does not exist.")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"Cannot read {file}: {exc.strerror or exc}.") from None
    table = read_table(data, file.name)
    # written at once: compared with the database inside the write only
    plan = plan_file(store.cursor(), table, dry_run)
    if plan.blockers:
        raise ImportRefused(" ".join(plan.blockers))
    if dry_run:
        result = plan.result(dry_run=True)
    else:
        result = apply_plan(store, kind, plan, progress=progress)
    if report is not None:
        try:
            Path(report).write_bytes(rejects_csv(result, table))
        except OSError as exc:
            raise CrmError(f"Cannot write the report {report}: {exc.strerror or exc}.") from None
    return result
