"""The Campaigns and Campaign pages: what they show matches what crm/ computes, and what they
write lands in the database through crm/."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import polars as pl
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.formatting import format_hours, format_money
from crm.outreach import events, templates
from crm.outreach.budget import campaign_money
from crm.outreach.campaigns import (
    campaign_id_by_name,
    campaigns_frame,
    close_campaign,
    create_campaign,
    get_campaign,
)
from crm.outreach.shortlist import add_to_shortlist, shortlist_frame
from crm.pricing.prices import add_price
from crm.ui.outreach import CAMPAIGN_KEY, peer_text
from crm.ui.state import get_store
from crm.vocab.platforms import PLATFORM_LABELS

from .conftest import open_page

NAME = "Autumn test push"


def _channels(n: int) -> pl.DataFrame:
    """The n biggest active channels of the demo, with a title."""
    frame = registry.list_channels(get_store().cursor())
    return frame.filter(pl.col("title").is_not_null()).head(n)


def _campaign(channels: int = 0, **fields: object) -> int:
    values: dict[str, object] = {
        "name": NAME,
        "brand": "Acme tea",
        "budget": "100000",
        "currency": "RUB",
        "starts_on": dt.date(2026, 9, 1),
        "ends_on": dt.date(2026, 11, 30),
    }
    values.update(fields)
    store = get_store()
    campaign_id = create_campaign(store, **values)  # type: ignore[arg-type]
    if channels:
        add_to_shortlist(store, campaign_id, _channels(channels)["id"].to_list())
    return campaign_id


def _open(app: AppTest, campaign_id: int, tab: str | None = None) -> AppTest:
    app.session_state[CAMPAIGN_KEY] = campaign_id
    if tab is not None:
        app.session_state["campaign.tab"] = tab
    return open_page(app, "campaign")


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def _button(app: AppTest, label: str):  # noqa: ANN202 - AppTest's element type
    return next(b for b in app.button if b.label == label)


# ---------------------------------------------------------------- Campaigns page


def test_new_campaign_refuses_an_end_before_the_start_then_creates_it(app: AppTest) -> None:
    open_page(app, "campaigns")
    next(t for t in app.text_input if t.label == "Name *").input(NAME)
    next(t for t in app.text_input if t.label == "Budget").input("250 000,50")
    next(d for d in app.date_input if d.label == "Starts on").set_value(dt.date(2026, 10, 1))
    next(d for d in app.date_input if d.label == "Ends on").set_value(dt.date(2026, 9, 1))
    _button(app, "Create campaign").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "The campaign cannot end (2026-09-01) before it starts (2026-10-01)."
    ]
    assert campaign_id_by_name(get_store().cursor(), NAME) is None

    # the form kept what was typed: only the end date is corrected
    next(d for d in app.date_input if d.label == "Ends on").set_value(dt.date(2026, 12, 1))
    _button(app, "Create campaign").click().run()
    assert not app.exception and not app.error
    campaign_id = campaign_id_by_name(get_store().cursor(), NAME)
    assert campaign_id is not None
    saved = get_campaign(get_store().cursor(), campaign_id)
    assert (saved.budget, saved.currency, saved.starts_on, saved.ends_on, saved.status) == (
        Decimal("250000.50"),
        "RUB",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 1),
        "active",
    )
    # the new campaign opens
    assert app.title[0].value == NAME
    assert [t.value for t in app.toast] == [f"Created the campaign {NAME}"]


def test_campaigns_list_shows_money_and_opens_a_campaign(app: AppTest) -> None:
    campaign_id = _campaign(channels=2)
    channel_id = _channels(1)["id"][0]
    add_price(
        get_store(),
        channel_id,
        format="post",
        kind="agreed",
        amount="30000",
        currency="RUB",
        on=dt.date(2026, 9, 5),
        campaign_id=campaign_id,
    )
    open_page(app, "campaigns")
    table = app.dataframe[0].value
    row = table[table["Name"] == NAME].iloc[0]
    money = campaign_money(get_store().cursor(), campaign_id)
    assert row["Budget"] == format_money(money.budget, "RUB")
    assert row["Planned"] == format_money(money.planned, "RUB") == "₽30\u202f000.00"
    assert row["Spent"] == format_money(money.spent, "RUB")
    assert (row["Channels"], row["Open"], row["Of budget"]) == (2, 2, 30)

    position = int(table.index[table["Name"] == NAME][0])
    app.session_state["campaigns.table"] = {
        "selection": {"rows": [position], "columns": [], "cells": []}
    }
    app.run()
    assert not app.exception
    assert app.title[0].value == NAME


def test_closed_campaigns_are_filtered_apart(app: AppTest) -> None:
    campaign_id = _campaign()
    close_campaign(get_store(), campaign_id, 1)
    open_page(app, "campaigns")
    names = list(app.dataframe[0].value["Name"]) if app.dataframe else []
    assert NAME not in names
    app.segmented_control(key="campaigns.show").set_value("closed").run()
    closed = campaigns_frame(get_store().cursor()).filter(pl.col("status") == "closed")
    assert NAME in closed["name"].to_list()
    shown = app.dataframe[0].value
    assert list(shown["Name"]) == closed["name"].to_list()
    assert set(shown["Status"]) == {"Closed"}


# ---------------------------------------------------------------- Campaign page


def test_campaign_page_money_equals_campaign_money(app: AppTest) -> None:
    campaign_id = _campaign(channels=3)
    store = get_store()
    first, second, third = _channels(3)["id"].to_list()
    for channel_id, kind, amount in (
        (first, "agreed", "70000"),
        (first, "paid", "70000"),
        (second, "agreed", "45000.50"),
        (third, "quoted", "99000"),
    ):
        add_price(
            store,
            channel_id,
            format="post",
            kind=kind,
            amount=amount,
            currency="RUB",
            on=dt.date(2026, 9, 10),
            campaign_id=campaign_id,
        )
    _open(app, campaign_id)
    money = campaign_money(store.cursor(), campaign_id)
    assert money.over_budget  # 70 000 + 45 000.50 agreed against 100 000
    for label, value in (
        ("Budget", money.budget),
        ("Planned", money.planned),
        ("Committed", money.committed),
        ("Spent", money.spent),
    ):
        assert _metric(app, label) == format_money(value, "RUB"), label
    assert _metric(app, "Planned") == "₽115\u202f000.50"
    assert any("exceeds the budget" in e.value for e in app.error)
    spec = app.get("plotly_chart")[0].proto.spec
    assert "#ef4444" in spec  # the plan's bar is red


def test_add_channels_from_pasted_text(app: AppTest) -> None:
    campaign_id = _campaign()
    picked = _channels(2)
    lines = [f"{r['platform']}:{r['handle']}" for r in picked.iter_rows(named=True)]
    _open(app, campaign_id)
    text = next(t for t in app.text_area if t.label.startswith("Links or PLATFORM:HANDLE"))
    text.input("\n".join([*lines, "telegram:surely_nobody_has_this_zz"]))
    _button(app, "Add to the shortlist").click().run()
    assert not app.exception and not app.error
    listed = shortlist_frame(get_store().cursor(), campaign_id)
    assert sorted(listed["channel_id"].to_list()) == sorted(picked["id"].to_list())
    (said,) = [w.value for w in app.warning]
    assert said.startswith("Added 2 channels to the shortlist.")
    assert "telegram:surely_nobody_has_this_zz is not in the registry" in said
    assert [t.value for t in app.toast] == ["Added 2 channels"]

    text = next(t for t in app.text_area if t.label.startswith("Links or PLATFORM:HANDLE"))
    text.input(lines[0])
    _button(app, "Add to the shortlist").click().run()
    (said,) = [w.value for w in app.warning]
    assert (
        said == f"Added 0 channels to the shortlist. 1 was already on the shortlist ({lines[0]})."
    )
    assert shortlist_frame(get_store().cursor(), campaign_id).height == 2


def test_the_shortlist_grid_fits_1440_wide_and_names_each_platform(app: AppTest) -> None:
    campaign_id = _campaign(channels=3)
    _open(app, campaign_id)
    (grid,) = [d for d in app.dataframe if "pick" in d.proto.column_order]
    order = list(grid.proto.column_order)
    config = json.loads(grid.proto.columns)
    # content of a 1440 × 900 window in the wide layout is about 1,300 px: every shown column
    # has a width, and together they leave room for the grid's border and scroll bar
    assert sum(config[c]["width"] for c in order) <= 1270
    assert order[:3] == ["pick", "title", "platform"]
    shown = app.session_state["campaign.held"][1]
    expected = [
        PLATFORM_LABELS[p]
        for p in shortlist_frame(get_store().cursor(), campaign_id)["platform"].to_list()
    ]
    assert shown["platform"].to_list() == expected


def test_add_channels_from_a_cp1251_file(app: AppTest) -> None:
    campaign_id = _campaign()
    picked = _channels(2)
    keys = [f"{r['platform']}:{r['handle']}" for r in picked.iter_rows(named=True)]
    body = "Название;Канал\n" + "".join(f"Ряд {i};{k}\n" for i, k in enumerate(keys))
    body += "Нет;telegram:surely_nobody_has_this_zz\n"
    _open(app, campaign_id)
    app.get("file_uploader")[0].upload("список.csv", body.encode("cp1251"), "text/csv")
    _button(app, "Add to the shortlist").click().run()
    assert not app.exception and not app.error
    listed = shortlist_frame(get_store().cursor(), campaign_id)
    assert sorted(listed["channel_id"].to_list()) == sorted(picked["id"].to_list())
    (said,) = [w.value for w in app.warning]
    assert "список.csv, line 4: telegram:surely_nobody_has_this_zz is not in the registry" in said


def test_add_channels_from_an_xlsx_list(app: AppTest) -> None:
    campaign_id = _campaign()
    picked = _channels(2)
    keys = [f"{r['platform']}:{r['handle']}" for r in picked.iter_rows(named=True)]
    out = io.BytesIO()
    pl.DataFrame({"links": keys}).write_excel(out, include_header=False)
    _open(app, campaign_id)
    app.get("file_uploader")[0].upload(
        "links.xlsx",
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    _button(app, "Add to the shortlist").click().run()
    assert not app.exception and not app.error and not app.warning
    listed = shortlist_frame(get_store().cursor(), campaign_id)
    assert sorted(listed["channel_id"].to_list()) == sorted(picked["id"].to_list())
    assert [t.value for t in app.toast] == ["Added 2 channels"]


def test_pipeline_tab_shows_the_campaigns_median_time_to_first_reply(app: AppTest) -> None:
    cur = get_store().cursor()
    summaries = {
        int(i): events.campaign_reply_summary(cur, int(i))
        for (i,) in cur.execute("select id from campaigns order by id").fetchall()
    }
    campaign_id, summary = next((i, s) for i, s in summaries.items() if s.replied)
    _open(app, campaign_id, tab="Pipeline")
    (metric,) = [m for m in app.metric if m.label == "Median time to first reply"]
    assert metric.value == format_hours(summary.median_hours)
    assert f"{summary.replied} of {summary.contacted} contacted" in str(metric.proto.delta)


def _edit(app: AppTest, rows: dict[int, dict[str, object]]) -> AppTest:
    key = app.session_state["campaign.table_key"]
    app.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return app.run()


def test_a_stage_edit_in_the_grid_moves_the_card_and_writes_an_event(app: AppTest) -> None:
    campaign_id = _campaign(channels=2)
    _open(app, campaign_id)
    before = shortlist_frame(get_store().cursor(), campaign_id)
    shown = app.session_state["campaign.held"][1]
    entry, channel_id = shown["entry_id"][0], shown["channel_id"][0]
    _edit(app, {0: {"stage": "contacted", "manager": "Olga"}})
    assert any("1 row changed" in m.value for m in app.markdown)
    app.button(key="campaign.save").click().run()
    assert not app.exception and not app.error
    after = shortlist_frame(get_store().cursor(), campaign_id).filter(pl.col("entry_id") == entry)
    assert (after["stage"][0], after["manager"][0]) == ("contacted", "Olga")
    (event,) = (
        events.timeline(get_store().cursor(), campaign_id, channel_id)
        .filter(pl.col("stage_from").is_not_null())
        .iter_rows(named=True)
    )
    assert (event["type"], event["stage_from"], event["stage_to"]) == (
        "stage",
        "shortlisted",
        "contacted",
    )
    assert [t.value for t in app.toast] == ["Saved 1 row of the shortlist"]
    # the other row was left alone
    other = before.filter(pl.col("entry_id") != entry)
    assert (
        shortlist_frame(get_store().cursor(), campaign_id)
        .filter(pl.col("entry_id") == other["entry_id"][0])["version"]
        .to_list()
        == other["version"].to_list()
    )


def test_ticked_cards_move_together(app: AppTest) -> None:
    campaign_id = _campaign(channels=3)
    _open(app, campaign_id)
    _edit(app, {0: {"pick": True}, 2: {"pick": True}})
    shown = app.session_state["campaign.held"][1]
    app.selectbox(key="campaign.move_to").set_value("replied").run()
    app.button(key="campaign.move").click().run()
    assert not app.exception and not app.error
    frame = shortlist_frame(get_store().cursor(), campaign_id)
    moved = {shown["entry_id"][0], shown["entry_id"][2]}
    stages = dict(zip(frame["entry_id"].to_list(), frame["stage"].to_list(), strict=True))
    assert {stages[e] for e in moved} == {"replied"}
    assert [s for e, s in stages.items() if e not in moved] == ["shortlisted"]
    assert [t.value for t in app.toast] == ["Moved 2 channels to Replied"]


def test_an_edit_over_a_card_moved_elsewhere_is_refused(app: AppTest) -> None:
    campaign_id = _campaign(channels=2)
    _open(app, campaign_id)
    shown = app.session_state["campaign.held"][1]
    entry = int(shown["entry_id"][0])
    # someone else moves the card meanwhile
    events.move_cards(get_store(), {entry: int(shown["version"][0])}, "declined", author="Ivan")
    _edit(app, {0: {"stage": "contacted"}})
    app.button(key="campaign.save").click().run()
    assert not app.exception
    (notice,) = [e.value for e in app.error]
    assert notice.startswith("Nothing was saved.") and "Ivan" in notice
    frame = shortlist_frame(get_store().cursor(), campaign_id)
    assert frame.filter(pl.col("entry_id") == entry)["stage"].to_list() == ["declined"]


def test_log_an_activity_for_a_channel(app: AppTest) -> None:
    campaign_id = _campaign(channels=1)
    channel_id = int(_channels(1)["id"][0])
    app.session_state["campaign.channel"] = channel_id
    _open(app, campaign_id, tab="Channel")
    next(s for s in app.selectbox if s.label == "Type").set_value("call")
    next(t for t in app.text_area if t.label == "What was said or done").input(
        "Asked for the price list"
    )
    next(t for t in app.text_input if t.label == "Author").input("Olga")
    _button(app, "Log activity").click().run()
    assert not app.exception and not app.error
    timeline = events.timeline(get_store().cursor(), campaign_id, channel_id)
    calls = timeline.filter(pl.col("type") == "call")
    assert calls.select("author", "text").rows() == [("Olga", "Asked for the price list")]
    assert [t.value for t in app.toast] == ["Logged: call"]
    shown = next(d.value for d in app.dataframe if "What" in d.value.columns)
    assert list(shown["What"])[:1] == ["Call"]


def test_render_a_template_for_a_channel_and_log_it_as_sent(app: AppTest) -> None:
    campaign_id = _campaign(channels=1)
    channel = _channels(1).row(0, named=True)
    subject, body = "{campaign}", "Hello! We would like a {format} in {channel} for {brand}."
    template_id = templates.save_template(
        get_store(), name="Test hello", language="en", subject=subject, body=body
    )
    app.session_state["campaign.channel"] = channel["id"]
    app.session_state["campaign.language"] = "en"
    app.session_state["campaign.template"] = template_id
    _open(app, campaign_id, tab="Channel")
    assert not app.error
    cur = get_store().cursor()
    values = templates.template_values(cur, campaign_id, channel["id"], language="en")
    expected = templates.render(body, values, subject=subject, language="en")
    assert [c.value for c in app.code] == [NAME, expected.text]
    assert expected.text == f"Hello! We would like a post in {channel['title']} for Acme tea."

    app.button(key="campaign.sent").click().run()
    assert not app.exception and not app.error
    sent = events.timeline(cur, campaign_id, channel["id"]).filter(pl.col("type") == "message")
    assert sent["text"].to_list() == [f"{NAME}\n\n{expected.text}"]
    assert [t.value for t in app.toast] == ["Logged the message as sent"]


def test_a_template_with_an_unknown_placeholder_names_it(app: AppTest) -> None:
    campaign_id = _campaign(channels=1)
    channel = _channels(1).row(0, named=True)
    # saving refuses such a template; one written before a placeholder was retired still exists
    with get_store().transaction("outreach") as cur:
        (template_id,) = cur.execute(
            "insert into templates (name, language, body) values (?, 'en', ?) returning id",
            ["Old one", "Dear {channel}, your {discount} awaits."],
        ).fetchall()[0]
    app.session_state["campaign.channel"] = channel["id"]
    app.session_state["campaign.language"] = "en"
    app.session_state["campaign.template"] = template_id
    _open(app, campaign_id, tab="Channel")
    (text,) = [c.value for c in app.code]
    assert text == f"Dear {channel['title']}, your [unknown placeholder “discount”] awaits."
    (error,) = [e.value for e in app.error]
    assert "{discount}" in error and "does not know" in error
    assert app.button(key="campaign.sent").disabled


def test_closed_campaign_is_read_only(app: AppTest) -> None:
    campaign_id = _campaign(channels=2)
    close_campaign(get_store(), campaign_id, 1)
    _open(app, campaign_id)
    assert any("closed" in i.value and "read-only" in i.value for i in app.info)
    assert not any(t.label.startswith("Links or") for t in app.text_area)
    assert "campaign.table_key" not in app.session_state
    assert len(app.dataframe) == 1  # the shortlist, as a plain table

    _button(app, "Reopen").click().run()
    assert get_campaign(get_store().cursor(), campaign_id).status == "active"
    assert [t.value for t in app.toast] == ["Campaign reopened"]


def test_details_form_saves_only_what_changed(app: AppTest) -> None:
    campaign_id = _campaign()
    _open(app, campaign_id, tab="Details")
    next(t for t in app.text_input if t.label == "Budget").input("150000")
    _button(app, "Save campaign").click().run()
    assert not app.exception and not app.error
    saved = get_campaign(get_store().cursor(), campaign_id)
    assert (saved.budget, saved.version, saved.brand) == (Decimal("150000.00"), 2, "Acme tea")
    assert [t.value for t in app.toast] == ["Campaign saved"]


def test_campaign_page_without_a_campaign_asks_for_one(app: AppTest) -> None:
    campaign_id = _campaign()
    open_page(app, "campaign")
    assert [t.value for t in app.title] == ["Campaign"]
    app.selectbox(key="campaign.pick").set_value(campaign_id).run()
    assert not app.exception
    assert app.title[0].value == NAME


def test_peer_text_says_too_few_peers() -> None:
    assert peer_text(35.4, 18) == "p35 of 18"
    assert peer_text(None, 3) == "— (3 peers)"
    assert peer_text(50.0, 4) == "— (4 peers)"
    assert peer_text(None, 1) == "— (1 peer)"
    assert peer_text(None, 0, None) == "—"  # no est. CPM: nothing to compare
