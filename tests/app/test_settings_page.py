"""The Settings page: exchange rates by hand (a rate of zero refused), pipeline stages renamed,
added and deleted (refused while cards sit in the stage), the no-response wait."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import polars as pl
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.outreach.campaigns import close_campaign, create_campaign
from crm.outreach.events import move_cards, no_response_days
from crm.outreach.shortlist import add_to_shortlist, entry_id
from crm.outreach.stages import get_stage, list_stages, stage_counts
from crm.pricing.currencies import base_currency, rates_frame
from crm.ui.state import get_store

from .conftest import open_page


def _add_rate(at: AppTest, currency: str, rate: str, day: dt.date) -> None:
    at.selectbox(key="settings.rate_currency").set_value(currency)
    at.date_input(key="settings.rate_date").set_value(day)
    at.text_input(key="settings.rate_value").input(rate)
    at.text_input(key="settings.rate_source").input("Central Bank")
    next(b for b in at.button if b.label == "Add rate").click().run()
    assert not at.exception, at.exception


def _usd_on(day: dt.date) -> pl.DataFrame:
    return rates_frame(get_store().cursor(), "USD").filter(pl.col("date") == day)


def test_adds_a_rate_and_refuses_a_rate_of_zero(app: AppTest) -> None:
    day = dt.date(2031, 1, 15)  # after every demo rate: the row is this test's own
    open_page(app, "settings")
    _add_rate(app, "USD", "0", day)
    assert app.error and "more than 0" in app.error[0].value
    assert _usd_on(day).is_empty()

    _add_rate(app, "USD", "92.4537", day)
    assert not app.error
    rows = _usd_on(day)
    assert rows["rate"].to_list() == [Decimal("92.45370000")]
    assert rows["source"].to_list() == ["Central Bank"]
    assert [t.value for t in app.toast] == ["Saved the USD rate of 15.01.2031."]


def test_renames_a_stage(app: AppTest) -> None:
    cur = get_store().cursor()
    stage = get_stage(cur, "contacted")
    open_page(app, "settings")
    app.text_input(key=f"settings.stage.contacted.{stage.version}").input("Written to").run()
    assert not app.exception and not app.error
    assert get_stage(cur, "contacted").label == "Written to"
    # the box now shows the stored name; other stages kept theirs
    renamed = get_stage(cur, "contacted")
    assert app.text_input(key=f"settings.stage.contacted.{renamed.version}").value == "Written to"
    assert get_stage(cur, "replied").label == "Replied"


def test_refuses_a_blank_stage_name_and_shows_the_stored_one_again(app: AppTest) -> None:
    cur = get_store().cursor()
    stage = get_stage(cur, "replied")
    open_page(app, "settings")
    app.text_input(key=f"settings.stage.replied.{stage.version}").input("  ").run()
    assert app.error and app.error[0].value == "A stage needs a name."
    assert get_stage(cur, "replied") == stage
    assert app.text_input(key=f"settings.stage.replied.{stage.version}").value == "Replied"


def test_refuses_deleting_a_stage_holding_cards_then_deletes_it_once_empty(
    app: AppTest,
) -> None:
    store = get_store()
    cur = store.cursor()
    open_page(app, "settings")
    # a stage of its own, holding one card of a campaign of its own
    next(t for t in app.text_input if t.label == "Name *").input("Contract sent")
    next(b for b in app.button if b.label == "Add stage").click().run()
    assert not app.error, app.error
    assert [s.label for s in list_stages(cur)].count("Contract sent") == 1
    campaign = create_campaign(store, name="Settings test campaign")
    channel = int(registry.list_channels(cur)["id"][0])
    add_to_shortlist(store, campaign, [channel], stage="contract_sent")

    app.run()
    app.button(key="settings.delete.contract_sent").click().run()
    assert not app.exception
    assert app.error
    message = app.error[0].value
    assert "still holds 1 channel" in message and "Settings test campaign" in message
    assert "contract_sent" in [s.key for s in list_stages(cur)]

    # once the card is elsewhere the stage goes, and the list closes the gap
    entry = entry_id(cur, campaign, channel)
    assert entry is not None
    (version,) = cur.execute("select version from shortlist where id = ?", [entry]).fetchone()
    move_cards(store, {entry: version}, "contacted")
    app.run()
    app.button(key="settings.delete.contract_sent").click().run()
    assert not app.error, app.error
    stages = list_stages(cur)
    assert "contract_sent" not in [s.key for s in stages]
    assert [s.position for s in stages] == list(range(1, len(stages) + 1))


def test_stage_counts_include_the_cards_of_closed_campaigns(app: AppTest) -> None:
    store = get_store()
    cur = store.cursor()
    before = stage_counts(cur)["scheduled"]
    campaign = create_campaign(store, name="Closed settings campaign")
    channels = registry.list_channels(cur)["id"].head(3).to_list()
    add_to_shortlist(store, campaign, channels, stage="scheduled")
    close_campaign(store, campaign, 1)
    counts = stage_counts(cur)
    open_page(app, "settings")
    shown = [
        int(re.sub(r"\D", "", m.value.split(" · ")[0]))
        for m in app.markdown
        if re.fullmatch(r"[\d\u202f\u00a0 ,]+( · :orange-badge\[closing\])?", m.value)
    ]
    assert shown == [counts[s.key] for s in list_stages(cur)]
    assert counts["scheduled"] == before + 3  # the closed campaign's three cards count


def test_protected_stages_cannot_be_deleted_and_moving_up_reorders(app: AppTest) -> None:
    cur = get_store().cursor()
    open_page(app, "settings")
    assert app.button(key="settings.delete.declined").disabled
    before = [s.key for s in list_stages(cur)]
    app.button(key=f"settings.up.{before[2]}").click().run()
    assert not app.error, app.error
    after = [s.key for s in list_stages(cur)]
    assert after == [before[0], before[2], before[1], *before[3:]]


def test_sets_the_no_response_wait(app: AppTest) -> None:
    open_page(app, "settings")
    app.number_input(key="settings.no_response").set_value(10)
    next(b for b in app.button if b.label == "Save" and "no_response" in str(b.form_id)).click()
    app.run()
    assert not app.error, app.error
    assert no_response_days(get_store().cursor()) == 10


def test_the_base_currency_is_not_changed_while_rates_in_it_are_stored(app: AppTest) -> None:
    cur = get_store().cursor()
    stored = rates_frame(cur).height
    assert stored > 0  # the demo's daily rates
    open_page(app, "settings")
    app.selectbox(key="settings.base").set_value("EUR")
    next(b for b in app.button if b.label == "Save" and "base" in str(b.form_id)).click()
    app.run()
    assert not app.exception
    assert app.error and app.error[0].value.startswith("The base currency stays RUB")
    assert base_currency(cur) == "RUB" and rates_frame(cur).height == stored
