"""Files the `crm` command writes beside its work: where a report may go, and writing it whole.

Every check here runs before the database is opened, so a refused path costs nothing: the
report never lands on the database, its journal or the file being imported, and an existing
file is replaced only when asked to (``--force``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from crm.errors import ValidationError

# DuckDB keeps the changes not yet in the database file beside it, in PATH.wal
JOURNAL_SUFFIX = ".wal"


def require_database(db: str) -> None:
    """Refuse a command that only reads (an export, a dry run) when there is no database: it
    must not create an empty one."""
    if not Path(db).exists():
        raise ValidationError(f"There is no database at {db}. Create one with: crm --db {db} init")


def check_report_target(report: Path, *, db: str, inputs: list[Path], force: bool) -> None:
    """Refuse a report path that is the database, its journal, an input file, a folder, in a
    missing folder, or (without ``force``) a file that exists."""
    target = _resolved(report)
    database = _resolved(Path(db))
    journals = {_resolved(Path(db + JOURNAL_SUFFIX)), Path(f"{database}{JOURNAL_SUFFIX}")}
    if target == database or _same_file(report, Path(db)):
        raise ValidationError(
            f"The report {report} is the database itself; writing it there would destroy the "
            "database. Choose another file for --report."
        )
    if target in journals or any(_same_file(report, j) for j in journals):
        raise ValidationError(
            f"The report {report} is the database's journal; writing it there would damage the "
            "database. Choose another file for --report."
        )
    for source in inputs:
        if target == _resolved(source) or _same_file(report, source):
            raise ValidationError(
                f"The report {report} is the file being imported; writing it there would "
                "overwrite it. Choose another file for --report."
            )
    if report.is_dir():
        raise ValidationError(
            f"The report {report} is a folder; name a file in it for --report "
            f"(for example {report / 'rejected.csv'})."
        )
    if not target.parent.is_dir():
        raise ValidationError(f"Cannot write the report {report}: its folder does not exist.")
    if report.exists() or report.is_symlink():
        if not force:
            raise ValidationError(
                f"The report {report} already exists. Add --force to replace it, or choose "
                "another file."
            )
        if not report.is_file():
            raise ValidationError(
                f"The report {report} is not a regular file; choose another file for --report."
            )


@contextmanager
def staged(target: Path | None) -> Iterator[Path | None]:
    """A new, empty file beside ``target`` to write into; moved over ``target`` when the block
    ends without an error, removed when it fails. Created at once, so a folder that refuses
    files is found before the work starts. ``None`` passes through (no file wanted)."""
    if target is None:
        yield None
        return
    partial = _create_partial(target)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()


def _create_partial(target: Path) -> Path:
    for _ in range(8):
        partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
        try:
            # O_EXCL: never someone else's file; mode 0o666 less the umask, as a plain write
            descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ValidationError(
                f"Cannot write the report {target}: {exc.strerror or exc}."
            ) from None
        os.close(descriptor)
        return partial
    raise ValidationError(f"Cannot write the report {target}: no free temporary name beside it.")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written
        return path.absolute()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False
