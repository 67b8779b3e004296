"""The DuckDB store: connection, cursors, transactions, migrations, versioned records."""

from crm.store.connection import MEMORY, Store, open_store, resolve_db_path
from crm.store.records import refusal, update_versioned
from crm.store.sql import columns, quote_ident

__all__ = [
    "MEMORY",
    "Store",
    "columns",
    "open_store",
    "quote_ident",
    "refusal",
    "resolve_db_path",
    "update_versioned",
]
