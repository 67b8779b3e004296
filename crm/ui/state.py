"""The process's store (one DuckDB connection, cached) and read-cache housekeeping."""

from __future__ import annotations

import streamlit as st

from crm.db import Store, resolve_db_path


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    store = Store(path)
    if store.is_new and path != ":memory:":
        # a first start on a missing file gets a clearly labelled demo workspace
        from crm.demo import generate_demo

        generate_demo(store)
    return store


def get_store() -> Store:
    """The store for the configured database path (``CRM_DB`` or ``data/crm.duckdb``)."""
    return _store_for(resolve_db_path())


def clear_reads() -> None:
    """Forget cached reads after a write so every page shows the new data."""
    st.cache_data.clear()


def show_error(exc: Exception) -> None:
    """Show an expected error as a message, never a traceback."""
    st.error(str(exc), icon=":material/error:")
