"""The process's store (one DuckDB connection, cached), reads cached by generation, and the
state an edit form keeps between runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar, cast

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from crm import registry
from crm.errors import CrmError, StaleEdit
from crm.store import Store, resolve_db_path

T = TypeVar("T")

# session-state keys of the whole app (pages use their own "<page>." namespace)
_PAGE = "app.page"
_VISIT = "app.visit"


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    # a refusal (the file held by another program) says what to do in the app, not the CLI
    store = Store(path, opener="app")
    if store.is_new and path != ":memory:":
        # a first start on a missing file gets a clearly labelled demo workspace
        from crm.demo import generate_demo

        generate_demo(store)
    return store


def get_store() -> Store:
    """The store for the configured database path (``CRM_DB`` or ``data/crm.duckdb``)."""
    return _store_for(resolve_db_path())


def show_error(exc: Exception) -> None:
    """Show an expected error as a message, never a traceback."""
    st.error(str(exc), icon=":material/error:")


# Page visits: an edit form is drawn afresh on every visit to its page.


def note_page(current: StreamlitPage) -> None:
    """Record the page this run shows (streamlit_app.py calls it on every run); arriving from
    another page starts a new visit."""
    if st.session_state.get(_PAGE) != current.url_path:
        st.session_state[_PAGE] = current.url_path
        st.session_state[_VISIT] = visit() + 1


def visit() -> int:
    """How many times this session has arrived on a page: changes whenever the page does."""
    return int(st.session_state.get(_VISIT, 0))


# Edit forms: drawn from the record as first shown on this visit, saved with what the user saw.


class Record(Protocol):
    """What an edit form needs of a record: which one it is and its version."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=Record)


def opened_version(key: str, current: R) -> R:
    """The record as its edit form first showed it on this visit to the page.

    The form is drawn from it, so a change made meanwhile in another session does not swap
    values under the user's hands; the save then says what the user saw (``form_changes``),
    so only an edit to a field someone else changed too is refused. A new visit to the page,
    or another record, draws the form from the stored record again.
    """
    held = st.session_state.get(key)
    if held is not None:
        opened_on, record = held
        if opened_on == visit() and record.id == current.id:
            return cast(R, record)
    forget_opened(key)
    st.session_state[key] = (visit(), current)
    return current


def form_changes(
    record: object, shown: Mapping[str, Any], entered: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields the user changed in a form: (their new values, the record's values as shown).

    ``shown`` holds the values the widgets started from and ``entered`` what they hold now;
    a field counts as changed only when the two differ, so a save never rewrites what the user
    left alone (and someone else may have changed meanwhile).
    """
    names = [name for name, value in entered.items() if value != shown[name]]
    return {name: entered[name] for name in names}, {name: getattr(record, name) for name in names}


def save_form(
    record: Any,
    shown: Mapping[str, Any],
    entered: Mapping[str, Any],
    update: Callable[..., int],
    *,
    toast_key: str,
    toast: str,
    opened_key: str,
) -> None:
    """Save an edit form of a versioned record: only the fields the user changed, against the
    values as first shown (``update(version, seen=..., **changes)``), or say nothing changed."""
    changes, before = form_changes(record, shown, entered)
    if not changes:
        st.toast("Nothing to save: no field was changed.", icon=":material/info:")
        return
    run_write(
        lambda: update(record.version, seen=before, **changes),
        toast_key=toast_key,
        toast=toast,
        opened_key=opened_key,
    )


def forget_opened(key: str) -> None:
    """Draw the edit form from the stored record again (after a save, or to reload)."""
    st.session_state.pop(key, None)
    st.session_state.pop(key + ".stale", None)


def mark_stale(key: str, exc: StaleEdit) -> None:
    """Remember that the save of this form was refused as stale (shown by ``stale_notice``)."""
    conflicts = [(c.field, c.seen, c.current, c.yours) for c in exc.conflicts]
    st.session_state[key + ".stale"] = (str(exc), conflicts)


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def stale_notice(
    key: str,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
) -> None:
    """Below the form (buttons cannot live in a form): explain the refusal, field by field
    (``labels`` names them, ``formats`` shows their values), and offer to reload."""
    held = st.session_state.get(key + ".stale")
    if not held:
        return
    message, conflicts = held
    labels, formats = labels or {}, formats or {}
    if conflicts:
        named = [labels.get(field, field) for field, *_ in conflicts]
        st.error(
            f"Someone else changed {', '.join(named)} since you opened this form, so nothing "
            "was saved. Here is what you saw, what is stored now and what you entered; reload "
            "the current values, then make your change again.",
            icon=":material/sync_problem:",
        )
        st.table(
            [
                {
                    "Field": labels.get(field, field),
                    "You saw": formats.get(field, _show)(seen),
                    "Stored now": formats.get(field, _show)(current),
                    "Yours": formats.get(field, _show)(yours),
                }
                for field, seen, current, yours in conflicts
            ],
            hide_index=True,
        )
    else:
        st.error(message, icon=":material/sync_problem:")
    st.button(
        "Reload the current values",
        key=key + ".reload",
        on_click=forget_opened,
        args=(key,),
        icon=":material/refresh:",
    )


def run_write(
    action: Callable[[], T],
    *,
    toast_key: str,
    toast: str | Callable[[T], str],
    opened_key: str | None = None,
    then: Callable[[T], None] | None = None,
) -> None:
    """Run one write from a page: on success queue ``toast`` for the next run (text, or made
    from the write's result) and rerun; a refused write shows why (a stale one below its form,
    after a rerun) and changes nothing. Cached reads need no clearing: a commit moves the
    generation of the parts it wrote."""
    try:
        result = action()
    except StaleEdit as exc:
        if opened_key is None:
            show_error(exc)
            return
        # shown by stale_notice in its place below the form, which this run may have drawn
        # already (an action further down the page); the form keeps what the user entered
        mark_stale(opened_key, exc)
        st.rerun()
    except CrmError as exc:
        show_error(exc)
        return
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


# Reads shared by several pages. Every cached reader takes the generation of the part it reads
# (read before the data is): a commit moves it on, so the next run asks under a new key, and a
# read that began before the commit stays filed under the old one and is never served again.


@st.cache_data(show_spinner=False, max_entries=8)
def _known_values(path: str, generation: int) -> dict[str, list[str]]:
    return registry.filter_options(_store_for(path).cursor())


@st.cache_data(show_spinner=False, max_entries=8)
def _owner_names(path: str, generation: int) -> dict[int, str]:
    return registry.owner_names(_store_for(path).cursor())


def known_values() -> dict[str, list[str]]:
    """The niches, tags, countries and languages in use (registry.filter_options), cached."""
    path = resolve_db_path()
    return _known_values(path, _store_for(path).generation("registry"))


def owner_names() -> dict[int, str]:
    """Every owner's name by id (registry.owner_names), cached."""
    path = resolve_db_path()
    return _owner_names(path, _store_for(path).generation("registry"))


@st.cache_data(show_spinner=False, max_entries=8)
def _owner_choices(path: str, generation: int) -> list[registry.OwnerChoice]:
    return registry.owner_choices(_store_for(path).cursor())


def owner_choices() -> list[registry.OwnerChoice]:
    """Every owner with contacts and channel count (registry.owner_choices), cached: for pickers
    that must tell two owners of one name apart."""
    path = resolve_db_path()
    return _owner_choices(path, _store_for(path).generation("registry"))


def requested_id(session_key: str) -> int | None:
    """The record a page is asked to show: the URL's ``?id=`` first (a link can be shared and
    reloaded), else the one this session last opened there."""
    param = st.query_params.get("id")
    if param and param.isdigit():
        return int(param)
    held = st.session_state.get(session_key)
    return None if held is None else int(held)
