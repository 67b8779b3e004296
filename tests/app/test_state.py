"""crm/ui/state.py: reads cached under the generation of their part, never cleared globally."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.formatting import format_count
from crm.ui import state
from crm.ui.state import get_store, known_values, owner_names

from .conftest import open_page


@pytest.fixture
def no_global_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything clears every cached read."""

    def refuse() -> None:
        raise AssertionError("st.cache_data.clear() was called: reads must be keyed instead")

    monkeypatch.setattr(st.cache_data, "clear", refuse)


def test_a_stale_generation_key_is_not_reused(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, no_global_clear: None
) -> None:
    calls: list[str] = []
    real = registry.filter_options

    def counted(cur):  # type: ignore[no-untyped-def]
        calls.append("read")
        return real(cur)

    monkeypatch.setattr(registry, "filter_options", counted)
    store = get_store()
    old = store.generation("registry")
    other_part = store.generation("outreach")
    before = known_values()
    assert known_values() == before
    assert calls == ["read"]  # the second call was served from the cache
    assert "generation-test" not in before["tags"]

    ch = registry.get_channel(store.cursor(), registry.list_channels(store.cursor())["id"][0])
    registry.update_channel(store, ch.id, ch.version, tags=[*ch.tags, "generation-test"])

    assert store.generation("registry") != old
    assert store.generation("outreach") == other_part  # another part's reads stay cached
    after = known_values()
    assert calls == ["read", "read"]
    assert "generation-test" in after["tags"]
    # nothing was cleared: the result read before the write is still filed under the old
    # generation, where only a read that began before the write could ever ask for it
    assert state._known_values(store.path, old) == before
    assert calls == ["read", "read"]


def test_owner_names_follow_a_write_made_by_another_session(
    demo_db: Path, no_global_clear: None
) -> None:
    store = get_store()
    before = owner_names()
    new_id = registry.add_owner(store, "Ольга Новикова")
    assert new_id not in before
    assert owner_names()[new_id] == "Ольга Новикова"


def _tag_options(app: AppTest) -> list[str]:
    return list(app.sidebar.multiselect(key="registry.filter.tags").options)


def test_a_write_through_a_page_shows_in_the_next_run_without_a_global_clear(
    app: AppTest, no_global_clear: None
) -> None:
    open_page(app, "channels")
    assert "свежий тег" not in _tag_options(app)

    # a tag typed into a channel's edit form ...
    cur = get_store().cursor()
    ch = registry.get_channel(cur, registry.list_channels(cur)["id"][0])
    app.session_state["registry.channel_id"] = ch.id
    open_page(app, "channel")
    tags = next(m for m in app.multiselect if m.label == "Tags")
    tags.set_value([*ch.tags, "свежий тег"])
    next(b for b in app.button if b.label == "Save changes").click().run()
    assert not app.exception and not app.error
    assert [t.value for t in app.toast] == ["Changes saved"]
    # ... is offered by the form itself and by the sidebar filter on the next runs
    assert "свежий тег" in next(m for m in app.multiselect if m.label == "Tags").options
    open_page(app, "channels")
    assert "свежий тег" in _tag_options(app)

    # an owner added on the Owners page is at once in the bulk owner picker of the Channels page
    open_page(app, "owners")
    next(t for t in app.text_input if t.label == "Name *").input("Пётр Сидоров")
    next(b for b in app.button if b.label == "Add owner").click().run()
    assert not app.exception and not app.error
    assert app.subheader[0].value == "Пётр Сидоров"
    open_page(app, "channels")
    key = app.session_state["channels.table_key"]
    app.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    # shown with what tells owners apart: "Пётр Сидоров · no channels"
    options = app.selectbox(key="channels.bulk_owner").options
    assert any(o.startswith("Пётр Сидоров · ") for o in options), options


def test_the_home_counts_follow_a_write_made_by_another_session(
    app: AppTest, no_global_clear: None
) -> None:
    owners = registry.registry_counts(get_store().cursor())["owners"]
    assert next(m.value for m in app.metric if m.label == "Owners") == format_count(owners)
    registry.add_owner(get_store(), "Вера Орлова")
    app.run()
    assert next(m.value for m in app.metric if m.label == "Owners") == format_count(owners + 1)


def test_every_session_state_key_is_namespaced(app: AppTest) -> None:
    from crm.ui import nav

    allowed = {*nav.names(), "app", "registry"}
    open_page(app, "channels")
    key = app.session_state["channels.table_key"]
    app.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    cur = get_store().cursor()
    app.session_state["registry.channel_id"] = registry.list_channels(cur)["id"][0]
    for page in ("channel", "owners", "import", "home"):
        open_page(app, page)
    stragglers = [k for k in app.session_state if k.split(".")[0] not in allowed]
    assert stragglers == []


def test_a_database_held_by_another_program_says_what_to_do_in_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from crm.store import Store

    from .conftest import ROOT

    path = tmp_path / "crm.duckdb"
    Store(str(path)).close()
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline()
        monkeypatch.setenv("CRM_DB", str(path))
        monkeypatch.chdir(ROOT)
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
        assert not at.exception
        [message] = [e.value for e in at.error]
        # the app's own words: not the command line's "use the app's Import page"
        assert message.startswith(f"The database {path} is open in another program")
        assert message.endswith("then reload this page.")
    finally:
        holder.terminate()
        holder.wait()
