"""The Message templates page: templates listed and edited, an unknown placeholder refused by
name, the preview filled in for a channel of a campaign, and sending logged as an activity."""

from __future__ import annotations

import polars as pl
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import timeline
from crm.outreach.shortlist import add_to_shortlist
from crm.outreach.templates import save_template, templates_frame
from crm.ui.state import get_store

from .conftest import open_page

BODY = "Hello {owner}! {campaign} by {brand} would like a {format} on {channel}."


def _field(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(t for t in [*at.text_input, *at.text_area] if t.label == label)


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _templates() -> pl.DataFrame:
    return templates_frame(get_store().cursor())


def test_the_page_lists_templates_and_the_placeholders(app: AppTest) -> None:
    save_template(get_store(), name="First contact EN", language="en", body=BODY)
    open_page(app, "templates")
    assert not app.error
    listed = app.dataframe[0].value
    assert "First contact EN" in listed["name"].to_list()
    legend = next(m.value for m in app.markdown if "`{owner}`" in m.value)
    for name in ("owner", "channel", "format", "price", "date", "campaign", "brand"):
        assert f"`{{{name}}}`" in legend


def test_saving_a_template_with_an_unknown_placeholder_is_refused_naming_it(
    app: AppTest,
) -> None:
    before = _templates().height
    open_page(app, "templates")
    _field(app, "Name *").input("Promo offer")
    _field(app, "Text *").input("Hi {owner}, use the code {promo_code} for {price}.").run()
    # the preview names it at once, before any save
    assert any("{promo_code}" in e.value for e in app.error)
    _button(app, "Save template").click().run()
    assert not app.exception
    refusal = [e.value for e in app.error if "Known placeholders" in e.value]
    assert refusal and "{promo_code}" in refusal[0] and "{owner}" not in refusal[0].split(":")[1]
    assert _templates().height == before
    # what was typed is still there, to be corrected
    assert _field(app, "Text *").value == "Hi {owner}, use the code {promo_code} for {price}."

    _field(app, "Text *").input("Hi {owner}, a post for {price}?")
    _button(app, "Save template").click().run()
    assert not app.error, app.error
    saved = _templates().filter(pl.col("name") == "Promo offer")
    assert saved["body"].to_list() == ["Hi {owner}, a post for {price}?"]


def test_the_preview_is_filled_in_for_a_channel_and_sending_logs_a_message(
    app: AppTest,
) -> None:
    store = get_store()
    cur = store.cursor()
    template = save_template(store, name="Pitch", language="en", body=BODY, subject="{campaign}")
    campaign = create_campaign(store, name="Spring launch", brand="Acme")
    channel = registry.get_channel(cur, int(registry.list_channels(cur)["id"][0]))
    add_to_shortlist(store, campaign, [channel.id], stage="contacted")
    owner = registry.get_owner(cur, channel.owner_id).name if channel.owner_id else None

    app.session_state["templates.selected"] = template
    open_page(app, "templates")
    app.selectbox(key="templates.preview_campaign").set_value(campaign).run()
    app.selectbox(key=f"templates.preview_channel.{campaign}").set_value(channel.id).run()
    assert not app.exception
    who = owner if owner else "[no owner's name]"
    expected = f"Hello {who}! Spring launch by Acme would like a post on {channel.title or channel.handle}."
    assert [c.value for c in app.code] == ["Spring launch", expected]

    app.session_state["outreach.author"] = "Maria"
    _button(app, "Log as sent").click().run()
    assert not app.exception and not app.error, app.error
    logged = timeline(cur, campaign, channel.id).row(0, named=True)
    assert (logged["type"], logged["author"]) == ("message", "Maria")
    assert logged["text"] == f"Spring launch\n\n{expected}"


def test_a_template_is_edited_and_deleted(app: AppTest) -> None:
    template = save_template(get_store(), name="Reminder", language="ru", body="Напоминаю, {owner}")
    app.session_state["templates.selected"] = template
    open_page(app, "templates")
    _field(app, "Subject").input("Напоминание: {campaign}")
    _button(app, "Save template").click().run()
    assert not app.error, app.error
    row = _templates().filter(pl.col("id") == template).row(0, named=True)
    assert (row["subject"], row["version"]) == ("Напоминание: {campaign}", 2)

    app.button(key="templates.delete").click().run()
    assert not app.error, app.error
    assert template not in _templates()["id"].to_list()
    assert [t.value for t in app.toast] == ["Deleted the template “Reminder”."]
