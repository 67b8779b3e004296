"""The process's store (one DuckDB connection, cached) and read-cache housekeeping."""

from __future__ import annotations

from typing import TypeVar

import streamlit as st

from crm.db import Store, resolve_db_path
from crm.errors import StaleEdit

T = TypeVar("T")


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


def opened_version(key: str, current: T) -> T:
    """The record as it was when its edit form was first shown in this session.

    The form is drawn from it and saved against its version, so a change made meanwhile in
    another session is refused as stale instead of silently overwritten or dropped.
    """
    if key not in st.session_state:
        st.session_state[key] = current
    return st.session_state[key]


def forget_opened(key: str) -> None:
    """Draw the edit form from the stored record again (after a save, or to reload)."""
    st.session_state.pop(key, None)
    st.session_state.pop(key + ".stale", None)


def mark_stale(key: str, exc: StaleEdit) -> None:
    """Remember that the save of this form was refused as stale (shown by ``stale_notice``)."""
    st.session_state[key + ".stale"] = str(exc)


def stale_notice(key: str) -> None:
    """Below the form (buttons cannot live in a form): explain the refusal, offer to reload."""
    message = st.session_state.get(key + ".stale")
    if message:
        st.error(message, icon=":material/sync_problem:")
        st.button(
            "Reload the current values", key=key + ".reload", on_click=forget_opened, args=(key,)
        )
