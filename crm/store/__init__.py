"""The DuckDB store: connection, cursors, re-entrant transactions, generations, migrations,
versioned records."""

from crm.errors import Conflict
from crm.store.connection import MEMORY, Store, Transaction, open_store, resolve_db_path
from crm.store.records import check_versions, refusal, update_versioned
from crm.store.sql import columns, quote_ident

__all__ = [
    "MEMORY",
    "Conflict",
    "Store",
    "Transaction",
    "check_versions",
    "columns",
    "open_store",
    "quote_ident",
    "refusal",
    "resolve_db_path",
    "update_versioned",
]
