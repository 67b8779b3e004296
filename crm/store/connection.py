"""The store: one DuckDB connection per process, a cursor per operation, re-entrant write
transactions, generations per part, migrations on open."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn

import duckdb

from crm.errors import ConstraintViolation, CrmError, DatabaseLocked
from crm.store import migrations

DEFAULT_DB = Path("data") / "crm.duckdb"
MEMORY = ":memory:"
MIGRATIONS = migrations.MIGRATIONS_DIR

# Each store's generations start far from every other store's in this process, so that a
# cached read keyed by (reader, generation) never serves one database's rows for another's
# (Streamlit's st.cache_data is process-wide; tests open many stores in one process).
_STORE_SERIAL = itertools.count(1)
_GENERATION_SPAN = 1 << 40


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> str:
    """The database path: ``--db`` if given, else ``CRM_DB``, else ``data/crm.duckdb``."""
    if explicit:
        return str(explicit)
    return os.environ.get("CRM_DB") or str(DEFAULT_DB)


@dataclass
class Transaction:
    """The write transaction open on one thread: its cursor, who acts, which parts it touches."""

    cursor: duckdb.DuckDBPyConnection
    actor: str | None = None
    parts: set[str] = field(default_factory=set)
    # opened (at any depth) without naming a part: every part's generation moves on commit
    all_parts: bool = False
    # an inner block failed: DuckDB has no savepoints, so the whole transaction must roll back
    failure: BaseException | None = None

    def touch(self, part: str | tuple[str, ...] | None) -> None:
        """Add the parts a (possibly nested) block writes to."""
        if part is None:
            self.all_parts = True
        elif isinstance(part, str):
            self.parts.add(part)
        else:
            self.parts.update(part)

    @property
    def rollback_only(self) -> bool:
        return self.failure is not None


# Who opens a database: the message for a file another process holds says what to do there.
Opener = Literal["app", "cli"]
_LOCKED: dict[Opener, str] = {
    "cli": (
        "The database {path} is open in another program (probably the running app). "
        "Stop the app first, or use the app's own Import page while it runs."
    ),
    "app": (
        "The database {path} is open in another program (probably a crm command run in a "
        "terminal, or a second copy of the app). Wait for the command to finish or stop it, "
        "then reload this page."
    ),
}
# every DuckDB database file carries these bytes at offset 8 (after a checksum)
_MAGIC, _MAGIC_AT = b"DUCK", 8


def _check_database_file(path: Path) -> None:
    """Refuse a path that is not a DuckDB database: DuckDB would open some files (a .csv) as an
    in-memory database and lose every write. An empty file is taken for a new database."""
    if path.is_dir():
        raise CrmError(
            f"{path} is a folder, not a database file. Name a DuckDB database file, or a new "
            "file to create one."
        )
    if not path.exists():
        return
    if not path.is_file():  # a device or a pipe: never read (a pipe would block) nor remove
        raise CrmError(
            f"{path} is not a database file. Name a DuckDB database file, or a new file to "
            "create one."
        )
    try:
        with path.open("rb") as file:
            head = file.read(_MAGIC_AT + len(_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CrmError(f"Cannot open the database {path}: {exc.strerror or exc}.") from None
    if not head:
        path.unlink()  # DuckDB refuses an empty file; it holds nothing, so start afresh
        return
    if head[_MAGIC_AT:] != _MAGIC:
        raise CrmError(
            f"The file {path} is not a DuckDB database, so it was not opened (nothing was "
            "changed). Name a DuckDB database file, or a new file to create one."
        )


class Store:
    """Owns the process's DuckDB connection; hands out cursors and serialises writes."""

    def __init__(
        self,
        path: str = MEMORY,
        *,
        migrations_dir: Path | None = None,
        opener: Opener = "cli",
    ) -> None:
        """Open (creating and migrating if needed) the database at ``path``. ``opener`` says
        which program opens it, so that a refusal says what to do there."""
        self.path = path
        self.migrations_dir = migrations_dir or MIGRATIONS
        if path != MEMORY:
            _check_database_file(Path(path))
        self.is_new = path == MEMORY or not Path(path).exists()
        if path != MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(path)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseLocked(_LOCKED[opener].format(path=path)) from exc
            raise CrmError(f"Cannot open the database {path}: {exc}") from exc
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._epoch = next(_STORE_SERIAL) * _GENERATION_SPAN
        self._generations: dict[str, int] = {}
        try:
            self.applied_on_open = self.migrate()
        except BaseException:
            # release the file: the caller gets the error, not a half-open store holding a lock
            self._con.close()
            raise

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the shared connection, safe for one thread's use."""
        return self._con.cursor()

    def current_transaction(self) -> Transaction | None:
        """The write transaction this thread has open, if any."""
        tx: Transaction | None = getattr(self._local, "tx", None)
        return tx

    def current_actor(self) -> str | None:
        """Who acts in this thread's open transaction (for the audit log), if anyone said."""
        tx = self.current_transaction()
        return tx.actor if tx else None

    @contextmanager
    def transaction(
        self, part: str | tuple[str, ...] | None = None, *, actor: str | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """One serialised write transaction: all of it happens, or none of it.

        Opened while this thread has one open, it joins it (the same cursor; only the outermost
        commits), so writes compose into one user action. ``part`` names the parts written
        (``None``: all of them); their generations move on when the outermost commits.
        ``actor`` is kept for the audit log; nested blocks inherit the outer one's.
        DuckDB errors leave as the project's own: a broken constraint as
        ``ConstraintViolation``, anything else as ``CrmError``.
        """
        tx = self.current_transaction()
        if tx is not None:
            tx.touch(part)
            if tx.actor is None:
                tx.actor = actor
            try:
                yield tx.cursor
            except BaseException as exc:
                if tx.failure is None:
                    tx.failure = exc
                _reraise(exc)
            return
        with self._write_lock:
            cur = self._con.cursor()
            tx = Transaction(cur, actor)
            tx.touch(part)
            self._local.tx = tx
            try:
                cur.begin()
                try:
                    yield cur
                except BaseException as exc:
                    _rollback(cur)
                    _reraise(exc)
                if tx.failure is not None:
                    _rollback(cur)
                    raise CrmError(
                        f"Part of this change failed, so nothing was written: {_reason(tx.failure)}"
                    ) from tx.failure
                try:
                    cur.commit()
                except duckdb.Error as exc:
                    _rollback(cur)
                    _reraise(exc)
                self._bump(None if tx.all_parts else tx.parts)
            finally:
                self._local.tx = None
                cur.close()

    def generation(self, part: str) -> int:
        """A number that changes whenever a committed write may have changed the part's data;
        pass it to cached readers so that their results are keyed by it."""
        return self._epoch + self._generations.get(part, 0)

    def _bump(self, parts: Iterable[str] | None) -> None:
        # called with the write lock held; readers only read the ints
        if parts is None:
            self._epoch += 1
            return
        for part in parts:
            self._generations[part] = self._generations.get(part, 0) + 1

    def applied_migrations(self) -> list[str]:
        """The full names of the migrations applied to this database, in name order."""
        cur = self.cursor()
        try:
            return list(migrations.applied(cur))
        finally:
            cur.close()

    def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, each in its own transaction; their names."""
        with self._write_lock:
            applied = migrations.migrate(self._con, self.migrations_dir)
            if applied:
                self._bump(None)
            return applied

    def close(self) -> None:
        self._con.close()


def _reraise(exc: BaseException) -> NoReturn:
    """Leave the store with the project's exception for a DuckDB one; any other as it is."""
    if isinstance(exc, duckdb.ConstraintException):
        raise ConstraintViolation(_constraint_message(str(exc))) from exc
    if isinstance(exc, duckdb.Error):
        raise CrmError(
            f"The database refused the change and nothing was written: {_reason(exc)}"
        ) from exc
    raise exc


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    # after some failures (a refused commit) DuckDB has already ended the transaction; the
    # error worth reporting is the one that got us here, not the rollback's
    with suppress(duckdb.Error):
        cur.rollback()


def _constraint_message(detail: str) -> str:
    detail = detail.removeprefix("Constraint Error: ").strip()
    lower = detail.lower()
    if "duplicate key" in lower:
        return f"This would duplicate a record that must be unique ({detail}); nothing was written."
    if "not null" in lower:
        return f"A required value is missing ({detail}); nothing was written."
    if "foreign key" in lower:
        return (
            f"This refers to a record that does not exist, or removes one that others still "
            f"refer to ({detail}); nothing was written."
        )
    return f"This change breaks a rule of the database ({detail}); nothing was written."


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def open_store(path: str | None = None, *, opener: Opener = "cli") -> Store:
    """Open (creating and migrating if needed) the store at the resolved path."""
    return Store(resolve_db_path(path), opener=opener)
