"""The store: one DuckDB connection per process, a cursor per operation, migrations."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from crm.errors import CrmError, DatabaseLocked

DEFAULT_DB = Path("data") / "crm.duckdb"
MEMORY = ":memory:"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> str:
    """The database path: ``--db`` if given, else ``CRM_DB``, else ``data/crm.duckdb``."""
    if explicit:
        return str(explicit)
    return os.environ.get("CRM_DB") or str(DEFAULT_DB)


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in MIGRATIONS.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Store:
    """Owns the process's DuckDB connection; hands out cursors and serialises writes."""

    def __init__(self, path: str = MEMORY) -> None:
        self.path = path
        self.is_new = path == MEMORY or not Path(path).exists()
        if path != MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(path)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseLocked(
                    f"The database {path} is open in another program (probably the running app). "
                    "Stop the app first, or use the app's own Import page while it runs."
                ) from exc
            raise CrmError(f"Cannot open the database {path}: {exc}") from exc
        self._write_lock = threading.RLock()
        self.applied_on_open = self.migrate()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the shared connection, safe for one thread's use."""
        return self._con.cursor()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One serialised write transaction: all of it happens, or none of it."""
        with self._write_lock:
            cur = self._con.cursor()
            cur.begin()
            try:
                yield cur
            except BaseException:
                cur.rollback()
                raise
            else:
                cur.commit()
            finally:
                cur.close()

    def applied_migrations(self) -> list[int]:
        cur = self.cursor()
        rows = cur.execute("select version from schema_migrations order by version").fetchall()
        return [r[0] for r in rows]

    def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, each in its own transaction."""
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute(
                """
                create table if not exists schema_migrations (
                    version integer primary key,
                    name varchar not null,
                    applied_at timestamp not null default current_timestamp
                )
                """
            )
        done = set(self.applied_migrations())
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            with self.transaction() as cur:
                cur.execute(sql)
                cur.execute(
                    "insert into schema_migrations (version, name) values (?, ?)", [version, name]
                )
            applied.append(name)
        return applied

    def close(self) -> None:
        self._con.close()


def open_store(path: str | None = None) -> Store:
    """Open (creating and migrating if needed) the store at the resolved path."""
    return Store(resolve_db_path(path))
