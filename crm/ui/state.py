"""The process's store (one DuckDB connection, cached) and read-cache housekeeping."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from crm import registry
from crm.errors import CrmError, StaleEdit
from crm.store import Store, resolve_db_path

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


def run_write(
    action: Callable[[], T],
    *,
    toast_key: str,
    toast: str | Callable[[T], str],
    opened_key: str | None = None,
    then: Callable[[T], None] | None = None,
) -> None:
    """Run one write from a page: on success forget cached reads, queue ``toast`` for the next
    run (text, or made from the write's result) and rerun; a refused write shows why (a stale one below its form) and changes nothing."""
    try:
        result = action()
    except StaleEdit as exc:
        if opened_key is None:
            show_error(exc)
        else:
            mark_stale(opened_key, exc)
        return
    except CrmError as exc:
        show_error(exc)
        return
    clear_reads()
    if opened_key is not None:
        forget_opened(opened_key)
    if then is not None:
        then(result)
    st.session_state[toast_key] = toast(result) if callable(toast) else toast
    st.rerun()


def pending_toast(toast_key: str) -> None:
    """Show the toast a write queued before its rerun, once."""
    if message := st.session_state.pop(toast_key, None):
        st.toast(message, icon=":material/check:")


# Reads shared by several pages, cached per database until the next write (clear_reads).


@st.cache_data(show_spinner=False, max_entries=8)
def _known_values(path: str) -> dict[str, list[str]]:
    return registry.filter_options(_store_for(path).cursor())


@st.cache_data(show_spinner=False, max_entries=8)
def _owner_names(path: str) -> dict[int, str]:
    return registry.owner_names(_store_for(path).cursor())


def known_values() -> dict[str, list[str]]:
    """The niches, tags, countries and languages in use (registry.filter_options), cached."""
    return _known_values(resolve_db_path())


def owner_names() -> dict[int, str]:
    """Every owner's name by id (registry.owner_names), cached."""
    return _owner_names(resolve_db_path())
