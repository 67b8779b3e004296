"""Edits made while someone else edits too: only a change to the same field is refused, a
refusal shows both values, and a page entered again shows the stored record."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from crm import registry
from crm.ui.state import get_store

from .conftest import open_page


def _channel(cur) -> registry.Channel:  # type: ignore[no-untyped-def]
    """A channel with an owner, a title and no city called Elsewhere."""
    owners = registry.list_owners(cur).sort("channels", descending=True)
    channel_id = registry.owner_channels(cur, owners["id"][0])["id"][0]
    return registry.get_channel(cur, channel_id)


def _open_profile(app: AppTest, channel_id: int) -> AppTest:
    app.session_state["registry.channel_id"] = channel_id
    app.query_params["id"] = str(channel_id)
    return open_page(app, "channel")


def _field(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(t for t in [*app.text_input, *app.text_area] if t.label == label)


def _save(app: AppTest, label: str = "Save changes") -> AppTest:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception, app.exception
    return app


def test_an_edit_to_another_field_is_saved_on_top_of_theirs(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _channel(cur)
    _open_profile(app, ch.id)
    # another session saves a new city while this one has the form open
    registry.update_channel(get_store(), ch.id, ch.version, city="Elsewhere")
    _field(app, "Title").input("My new title")
    _save(app)
    assert not app.error
    assert [t.value for t in app.toast] == ["Changes saved"]
    saved = registry.get_channel(cur, ch.id)
    assert (saved.title, saved.city, saved.notes) == ("My new title", "Elsewhere", ch.notes)
    # the form is drawn from the stored record again, with both changes
    assert (_field(app, "Title").value, _field(app, "City").value) == ("My new title", "Elsewhere")


def test_an_edit_to_the_field_they_changed_is_refused_with_both_values(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _channel(cur)
    _open_profile(app, ch.id)
    registry.update_channel(get_store(), ch.id, ch.version, title="Their title")
    _field(app, "Title").input("My title")
    _field(app, "City").input("Mine too")
    _save(app)
    assert registry.get_channel(cur, ch.id).title == "Their title"
    assert registry.get_channel(cur, ch.id).city == ch.city  # nothing of the edit was written
    assert [e.value for e in app.error] == [
        "Someone else changed Title since you opened this form, so nothing was saved. Here is "
        "what you saw, what is stored now and what you entered; reload the current values, "
        "then make your change again."
    ]
    table = app.table[0].value
    assert table.to_dict("records") == [
        {"Field": "Title", "You saw": ch.title, "Stored now": "Their title", "Yours": "My title"}
    ]
    # what the user typed stays in the form until they choose to reload
    assert _field(app, "Title").value == "My title"

    next(b for b in app.button if b.label == "Reload the current values").click().run()
    assert not app.error and not app.table
    assert _field(app, "Title").value == "Their title"
    _field(app, "Title").input("My title after all")
    _save(app)
    assert not app.error
    assert registry.get_channel(cur, ch.id).title == "My title after all"


def test_a_page_entered_again_shows_the_current_values(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _channel(cur)
    _open_profile(app, ch.id)
    assert _field(app, "Title").value == ch.title
    registry.update_channel(get_store(), ch.id, ch.version, title="Renamed elsewhere")
    app.run()
    # on the same visit the form keeps what it showed, and says the channel moved on
    assert app.title[0].value == "Renamed elsewhere"
    assert _field(app, "Title").value == ch.title
    assert any("changed elsewhere" in c.value for c in app.caption)

    open_page(app, "channels")
    open_page(app, "channel")
    assert app.title[0].value == "Renamed elsewhere"
    assert _field(app, "Title").value == "Renamed elsewhere"
    assert not any("changed elsewhere" in c.value for c in app.caption)
    _field(app, "City").input("Тверь")
    _save(app)
    assert not app.error
    saved = registry.get_channel(cur, ch.id)
    assert (saved.title, saved.city) == ("Renamed elsewhere", "Тверь")


def test_another_channel_opened_meanwhile_draws_the_form_afresh(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _channel(cur)
    other = registry.get_channel(
        cur, next(i for i in registry.list_channels(cur)["id"] if i != ch.id)
    )
    _open_profile(app, ch.id)
    registry.update_channel(get_store(), ch.id, ch.version, title="Renamed elsewhere")
    _open_profile(app, other.id)
    assert _field(app, "Title").value == (other.title or "")
    _open_profile(app, ch.id)
    assert _field(app, "Title").value == "Renamed elsewhere"


def test_a_save_without_changes_writes_nothing(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _channel(cur)
    _open_profile(app, ch.id)
    _save(app)
    assert [t.value for t in app.toast] == ["Nothing to save: no field was changed."]
    assert registry.get_channel(cur, ch.id).version == ch.version


def _open_owner(app: AppTest, owner_id: int) -> AppTest:
    app.session_state["owners.selected"] = owner_id
    return open_page(app, "owners")


def _owner_field(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    # the Add form comes first on the page; the edit form's fields are the last of each label
    return [t for t in [*app.text_input, *app.text_area] if t.label == label][-1]


def test_owner_edit_to_another_field_is_saved_on_top_of_theirs(app: AppTest) -> None:
    cur = get_store().cursor()
    owner = registry.get_owner(cur, registry.list_owners(cur)["id"][0])
    _open_owner(app, owner.id)
    registry.update_owner(get_store(), owner.id, owner.version, notes="from another session")
    _owner_field(app, "Phone").input("+7 999 111-22-33")
    _save(app, "Save contacts")
    assert not app.error
    assert [t.value for t in app.toast] == ["Contacts saved"]
    saved = registry.get_owner(cur, owner.id)
    assert (saved.phone, saved.notes) == ("+7 999 111-22-33", "from another session")
    assert _owner_field(app, "Notes").value == "from another session"


def test_owner_edit_to_the_field_they_changed_is_refused(app: AppTest) -> None:
    cur = get_store().cursor()
    owner = registry.get_owner(cur, registry.list_owners(cur)["id"][0])
    _open_owner(app, owner.id)
    registry.update_owner(get_store(), owner.id, owner.version, phone="+7 111 111-11-11")
    _owner_field(app, "Phone").input("+7 000 000-00-00")
    _save(app, "Save contacts")
    assert "Someone else changed Phone" in app.error[0].value
    assert app.table[0].value.to_dict("records") == [
        {
            "Field": "Phone",
            "You saw": owner.phone or "(empty)",
            "Stored now": "+7 111 111-11-11",
            "Yours": "+7 000 000-00-00",
        }
    ]
    assert registry.get_owner(cur, owner.id).phone == "+7 111 111-11-11"
    next(b for b in app.button if b.label == "Reload the current values").click().run()
    assert _owner_field(app, "Phone").value == "+7 111 111-11-11"


def test_owner_form_shows_current_values_after_leaving_the_page(app: AppTest) -> None:
    cur = get_store().cursor()
    owner = registry.get_owner(cur, registry.list_owners(cur)["id"][0])
    _open_owner(app, owner.id)
    registry.update_owner(get_store(), owner.id, owner.version, email="new@example.com")
    app.run()
    assert _owner_field(app, "E-mail").value == (owner.email or "")
    open_page(app, "home")
    open_page(app, "owners")
    assert _owner_field(app, "E-mail").value == "new@example.com"


def test_deleting_an_owner_changed_meanwhile_is_refused_below_the_form(app: AppTest) -> None:
    cur = get_store().cursor()
    owner = registry.get_owner(cur, registry.list_owners(cur)["id"][0])
    _open_owner(app, owner.id)
    registry.update_owner(get_store(), owner.id, owner.version, notes="still in talks")
    app.button(key="owners.delete").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Someone else changed this record since you opened it. "
        "Reload the page to see their changes, then edit again."
    ]
    assert registry.get_owner(cur, owner.id).notes == "still in talks"
    next(b for b in app.button if b.label == "Reload the current values").click().run()
    assert not app.error
    assert _owner_field(app, "Notes").value == "still in talks"


def _tick(app: AppTest, rows: list[int]) -> AppTest:
    key = app.session_state["channels.table_key"]
    app.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return app.run()


def test_bulk_edit_over_rows_changed_meanwhile_is_refused(app: AppTest) -> None:
    open_page(app, "channels")
    cur = get_store().cursor()
    listed = registry.list_channels(cur)
    picked = [int(listed["id"][0]), int(listed["id"][1])]
    _tick(app, [0, 1])
    assert any(m.value == "**2 selected**" for m in app.markdown)
    # another session edits one of the ticked channels before Archive is pressed
    changed = registry.get_channel(cur, picked[1])
    registry.update_channel(get_store(), changed.id, changed.version, notes="edited elsewhere")
    next(b for b in app.button if b.label == "Archive").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Nothing was changed: some of the 2 channels you ticked were changed elsewhere since "
        "the table showed them. The table now shows their current data; tick the channels again."
    ]
    assert not any(registry.get_channel(cur, i).archived for i in picked)
    assert not any(m.value.endswith(" selected**") for m in app.markdown)

    # ticked again on the current table, the same edit goes through
    _tick(app, [0, 1])
    next(b for b in app.button if b.label == "Archive").click().run()
    assert not app.error
    assert all(registry.get_channel(cur, i).archived for i in picked)
    assert [t.value for t in app.toast] == ["2 of 2 selected channels changed"]


def _jump_to_the_top(cur) -> int:  # type: ignore[no-untyped-def]
    """Another session measures the last channel of the list with more followers than any:
    the default sort (followers) moves it to the first row. Returns its id."""
    last = int(registry.list_channels(cur)["id"][-1])
    registry.add_snapshot(
        get_store(), last, measured_on=dt.date.today(), provenance="manual", followers=10**9
    )
    return last


def test_bulk_edit_acts_on_the_rows_as_the_table_showed_them(app: AppTest) -> None:
    open_page(app, "channels")
    cur = get_store().cursor()
    first = int(registry.list_channels(cur)["id"][0])
    _tick(app, [0])
    # the rows move under the tick before the click: the click acts on the row the user saw
    top = _jump_to_the_top(cur)
    app.text_input(key="channels.bulk_tag").input("как показано")
    next(b for b in app.button if b.label == "Add tag").click().run()
    assert not app.exception and not app.error
    tagged = registry.list_channels(cur, registry.ChannelFilter(tags=["как показано"]))
    assert tagged["id"].to_list() == [first]
    assert app.dataframe[0].value["handle"][0] == registry.get_channel(cur, top).handle


def test_ticks_are_cleared_when_the_rows_under_them_changed(app: AppTest) -> None:
    open_page(app, "channels")
    cur = get_store().cursor()
    _jump_to_the_top(cur)
    _tick(app, [0, 1])
    assert not app.exception
    assert [e.value for e in app.error] == [
        "The list changed while channels were ticked (someone edited it meanwhile), so the "
        "ticks were cleared rather than left on other rows. Tick the channels again."
    ]
    assert not any(m.value.endswith(" selected**") for m in app.markdown)
    _tick(app, [0, 1])
    assert any(m.value == "**2 selected**" for m in app.markdown)
    assert not app.error
