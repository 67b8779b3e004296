"""The Placements and Placement pages: what they write lands in the database through
crm.placements, and every figure they show is crm's."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.errors import ValidationError
from crm.formatting import format_money
from crm.outreach.campaigns import create_campaign, get_campaign
from crm.outreach.shortlist import add_to_shortlist, shortlist_frame
from crm.placements.evidence import attach_evidence, evidence_frame
from crm.placements.kpis import kpi_table
from crm.placements.placements import get_placement, log_placement, placements_frame
from crm.placements.results import record_result, results_frame
from crm.placements.utm import utm_link
from crm.pricing.currencies import base_currency
from crm.ui.nav import path_of
from crm.ui.outreach import CAMPAIGN_KEY
from crm.ui.placements import PLACEMENT_KEY, PREFILL_KEY, kpi_text
from crm.ui.state import get_store

from .conftest import open_page

NAME = "Весенний запуск Ягода"
# a 1×1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _telegram_channel() -> dict[str, object]:
    """The biggest active Telegram channel of the demo with a title."""
    frame = registry.list_channels(get_store().cursor())
    return frame.filter(pl.col("title").is_not_null() & (pl.col("platform") == "telegram")).row(
        0, named=True
    )


def _campaign(channel_id: int | None = None) -> int:
    store = get_store()
    campaign_id = create_campaign(
        store,
        name=NAME,
        budget="500000",
        currency="RUB",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    if channel_id is not None:
        add_to_shortlist(store, campaign_id, [channel_id])
    return campaign_id


def _stage(campaign_id: int, channel_id: int) -> str:
    frame = shortlist_frame(get_store().cursor(), campaign_id)
    return str(frame.filter(pl.col("channel_id") == channel_id)["stage"][0])


def _button(app: AppTest, label: str):  # noqa: ANN202 - AppTest's element type
    return next(b for b in app.button if b.label == label)


def _text(app: AppTest, label: str):  # noqa: ANN202
    return next(t for t in app.text_input if t.label == label)


def _ours(campaign_id: int) -> pl.DataFrame:
    return placements_frame(get_store().cursor()).filter(pl.col("campaign_id") == campaign_id)


def _open_placement(app: AppTest, placement_id: int, tab: str) -> AppTest:
    app.session_state[PLACEMENT_KEY] = placement_id
    app.session_state["placement.tab"] = tab
    return open_page(app, "placement")


# ---------------------------------------------------------------- logging


def test_log_a_placement_from_the_campaigns_channel_tab_moves_the_card_to_scheduled(
    app: AppTest,
) -> None:
    channel = _telegram_channel()
    channel_id = int(channel["id"])  # type: ignore[call-overload]
    campaign_id = _campaign(channel_id)
    assert _stage(campaign_id, channel_id) == "shortlisted"

    app.session_state[CAMPAIGN_KEY] = campaign_id
    app.session_state["campaign.tab"] = "Channel"
    app.session_state["campaign.channel"] = channel_id
    open_page(app, "campaign")
    _button(app, "Log a placement").click().run()
    assert not app.exception

    # the Placements page opened with its form filled with the campaign and the channel
    assert app.title[0].value == "Placements"
    app.switch_page(path_of("placements"))  # AppTest's next runs stay on that page
    k = f"placements.new.{app.session_state['placements.new.round']}."
    assert app.selectbox(key=k + "campaign").value == campaign_id
    assert app.selectbox(key=k + "channel").value == channel_id
    app.selectbox(key=k + "content_type").set_value("giveaway")
    app.date_input(key=k + "planned").set_value(dt.date(2026, 10, 5))
    _text(app, "Price agreed").input("25 000,50")
    _text(app, "Promo code").input("YAGODA10")
    app.number_input(key=k + "planned_reach").set_value(40000)
    _button(app, "Log placement").click().run()
    assert not app.exception and not app.error

    logged = _ours(campaign_id)
    assert logged.height == 1
    row = logged.row(0, named=True)
    assert (row["channel_id"], row["content_type"], row["planned_on"], row["status"]) == (
        channel_id,
        "giveaway",
        dt.date(2026, 10, 5),
        "planned",
    )
    assert (row["price_agreed"], row["currency"], row["promo_code"], row["planned_reach"]) == (
        Decimal("25000.50"),
        base_currency(get_store().cursor()),
        "YAGODA10",
        40000,
    )
    assert _stage(campaign_id, channel_id) == "scheduled"
    # the new placement opens, with the toast there
    assert app.title[0].value == channel["title"]
    assert [t.value for t in app.toast] == ["Placement logged"]


def test_a_post_url_of_another_platform_is_refused_and_the_form_keeps_what_was_typed(
    app: AppTest,
) -> None:
    channel = _telegram_channel()
    channel_id = int(channel["id"])  # type: ignore[call-overload]
    campaign_id = _campaign(channel_id)
    app.session_state[PREFILL_KEY] = (campaign_id, channel_id)
    open_page(app, "placements")
    k = f"placements.new.{app.session_state['placements.new.round']}."
    wrong = "https://vk.com/wall-1_2"
    _text(app, "Post URL").input(wrong)
    _text(app, "erid (ad label)").input("2SDnjcVm7Y1")
    app.date_input(key=k + "published_on").set_value(dt.date(2026, 10, 6))
    app.time_input(key=k + "published_time").set_value(dt.time(18, 30))
    _button(app, "Log placement").click().run()
    assert not app.exception

    with pytest.raises(ValidationError) as refused:
        log_placement(get_store(), channel_id=channel_id, post_url=wrong)
    assert [e.value for e in app.error] == [str(refused.value)]
    assert "is on VK" in str(refused.value)
    assert _ours(campaign_id).is_empty()
    assert _stage(campaign_id, channel_id) == "shortlisted"
    # everything typed is still there: only the link is corrected
    assert _text(app, "Post URL").value == wrong
    assert _text(app, "erid (ad label)").value == "2SDnjcVm7Y1"
    assert app.selectbox(key=k + "channel").value == channel_id

    _text(app, "Post URL").input(f"https://t.me/{channel['handle']}/42")
    _button(app, "Log placement").click().run()
    assert not app.exception and not app.error
    row = _ours(campaign_id).row(0, named=True)
    assert (row["status"], row["published_at"], row["erid"]) == (
        "published",
        dt.datetime(2026, 10, 6, 18, 30),
        "2SDnjcVm7Y1",
    )
    # a link and a time of publication move the card straight to Published
    assert _stage(campaign_id, channel_id) == "published"


def test_the_list_shows_crms_cost_and_flags_and_filters_flagged_ones(app: AppTest) -> None:
    channel = _telegram_channel()
    channel_id = int(channel["id"])  # type: ignore[call-overload]
    campaign_id = _campaign()
    store = get_store()
    base = base_currency(store.cursor())
    clean = log_placement(
        store, channel_id=channel_id, campaign_id=campaign_id, price_paid="12000",
        currency=base, planned_on=dt.date(2026, 10, 1),
    )  # fmt: skip
    flagged = log_placement(
        store, channel_id=channel_id, campaign_id=campaign_id, price_paid="8000",
        currency=base, published_at=dt.datetime(2026, 10, 2, 12, 0),
    )  # fmt: skip
    record_result(
        store, flagged, measured_at=dt.datetime(2026, 10, 3, 12, 0), impressions=100, clicks=120
    )
    app.session_state["placements.filter.campaigns"] = [campaign_id]
    open_page(app, "placements")
    table = app.dataframe[0].value
    assert len(table) == 2
    frame = _ours(campaign_id)
    by_id = {int(r["id"]): r for r in frame.iter_rows(named=True)}
    # newest first, as crm orders them
    assert list(table["Cost"]) == [format_money(by_id[i]["cost_base"], base) for i in frame["id"]]
    flags = by_id[flagged]["flags"]
    assert "Clicks (120) above impressions (100)" in flags
    assert any(f.startswith("No erid") for f in flags)
    assert not by_id[clean]["flags"]

    app.toggle(key="placements.filter.flagged").set_value(True).run()
    table = app.dataframe[0].value
    assert len(table) == 1
    assert table["Flags"][0] == " · ".join(f"⚠ {f}" for f in flags)

    # ticking a row opens that placement
    app.session_state["placements.table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    assert app.session_state[PLACEMENT_KEY] == flagged
    assert app.title[0].value == channel["title"]


# ---------------------------------------------------------------- one placement


def _placement(**fields: object) -> tuple[int, dict[str, object], int]:
    channel = _telegram_channel()
    campaign_id = _campaign()
    values: dict[str, object] = {
        "channel_id": int(channel["id"]),  # type: ignore[call-overload]
        "campaign_id": campaign_id,
        "price_paid": "30000",
        "currency": "RUB",
        "published_at": dt.datetime(2026, 10, 2, 12, 0),
        "erid": "2SDnjcVm7Y1",
        "planned_reach": 8000,
    }
    values.update(fields)
    placement_id = log_placement(get_store(), **values)  # type: ignore[arg-type]
    return placement_id, channel, campaign_id


def test_the_utm_builder_shows_exactly_crms_link_and_saves_it(app: AppTest) -> None:
    placement_id, channel, campaign_id = _placement()
    _open_placement(app, placement_id, "Tracked link")
    landing = "https://магазин.рф/весна/?ref=blog&utm_source=old#отзывы"
    next(t for t in app.text_input if t.label == "Landing URL").input(landing).run()
    assert not app.exception and not app.error
    expected = utm_link(
        landing,
        platform="telegram",
        kind=str(channel["kind"]),
        campaign=get_campaign(get_store().cursor(), campaign_id).name,
        handle=str(channel["handle"]),
        placement_id=placement_id,
    )
    assert [c.value for c in app.code] == [expected]

    _button(app, "Save link").click().run()
    assert not app.exception and not app.error
    saved = get_placement(get_store().cursor(), placement_id)
    assert (saved.landing_url, saved.utm_url) == (landing, expected)
    assert [t.value for t in app.toast] == ["Tracked link saved"]
    assert [c.value for c in app.code] == [expected]


def test_the_utm_builder_refuses_a_landing_url_that_is_not_a_web_link(app: AppTest) -> None:
    placement_id, _, _ = _placement()
    _open_placement(app, placement_id, "Tracked link")
    next(t for t in app.text_input if t.label == "Landing URL").input("ftp://shop.example/").run()
    assert not app.exception
    assert len(app.error) == 1 and not app.code
    assert get_placement(get_store().cursor(), placement_id).utm_url is None


def test_recording_a_result_shows_it_and_the_kpis_are_crms(app: AppTest) -> None:
    placement_id, _, _ = _placement()
    store = get_store()
    base = base_currency(store.cursor())
    _open_placement(app, placement_id, "Results")
    k = f"placement.record.{placement_id}.0"
    app.date_input(key=k + ".day").set_value(dt.date(2026, 10, 5))
    app.time_input(key=k + ".time").set_value(dt.time(12, 0))
    app.selectbox(key=k + ".provenance").set_value("screenshot")
    for name, value in (
        ("reach", 10000), ("impressions", 20000), ("views", 15000), ("likes", 400),
        ("comments", 50), ("shares", 30), ("saves", 20), ("clicks", 300), ("conversions", 12),
    ):  # fmt: skip
        app.number_input(key=f"{k}.{name}").set_value(value)
    _text(app, "Revenue").input("90 000")
    app.selectbox(key=k + ".currency").set_value("RUB")
    _button(app, "Record measurement").click().run()
    assert not app.exception and not app.error

    measured = results_frame(store.cursor(), placement_id)
    assert measured.height == 1
    assert (measured["reach"][0], measured["clicks"][0], measured["provenance"][0]) == (
        10000,
        300,
        "screenshot",
    )
    assert measured["measured_at"][0] == dt.datetime(2026, 10, 5, 12, 0)
    table = app.dataframe[0].value
    assert (table["Reach"][0], table["Clicks"][0], table["Revenue"][0]) == (
        10000,
        300,
        format_money(Decimal("90000"), "RUB"),
    )

    row = kpi_table(store.cursor(), "placement").filter(pl.col("key") == placement_id)
    kpis = row.row(0, named=True)
    shown = {m.label: m.value for m in app.metric}
    for label, name in (
        ("Cost", "cost"), ("Revenue", "revenue"), ("Reach", "reach"), ("Clicks", "clicks"),
        ("CPM", "cpm"), ("CPC", "cpc"), ("CTR", "ctr"), ("CR", "cr"), ("CPA", "cpa"),
        ("ROMI", "romi"), ("CPV", "cpv"), ("CPE", "cpe"), ("ERR", "err"), ("ROAS", "roas"),
        ("Delivery", "delivery"),
    ):  # fmt: skip
        assert shown[label] == kpi_text(name, kpis[name], base), label
    if base == "RUB":
        # by hand: 30 000 / 20 000 impressions × 1000; 30 000 / 300 clicks; 300 / 20 000
        assert shown["CPM"] == format_money(Decimal("1500"), "RUB")
        assert shown["CPC"] == format_money(Decimal("100"), "RUB")
        assert shown["CTR"] == "1.5\u00a0%"
        assert shown["ROMI"] == "200.0\u00a0%"
        assert shown["Delivery"] == "125.0\u00a0%"


def test_an_earlier_measurement_can_be_picked_for_the_kpis(app: AppTest) -> None:
    placement_id, _, _ = _placement()
    store = get_store()
    base = base_currency(store.cursor())
    first = dt.datetime(2026, 10, 3, 12, 0)
    record_result(store, placement_id, measured_at=first, impressions=10000, clicks=100)
    record_result(
        store, placement_id, measured_at=dt.datetime(2026, 10, 9, 12, 0), impressions=30000,
        clicks=200,
    )  # fmt: skip
    _open_placement(app, placement_id, "Results")
    latest = kpi_table(store.cursor(), "placement").filter(pl.col("key") == placement_id)
    assert {m.label: m.value for m in app.metric}["CPM"] == kpi_text("cpm", latest["cpm"][0], base)
    app.selectbox(key=f"placement.as_of.{placement_id}").set_value(first).run()
    assert not app.exception
    earlier = kpi_table(store.cursor(), "placement", as_of=first).filter(
        pl.col("key") == placement_id
    )
    assert {m.label: m.value for m in app.metric}["CPM"] == kpi_text("cpm", earlier["cpm"][0], base)
    assert earlier["cpm"][0] != latest["cpm"][0]


def test_a_measurement_with_no_number_is_refused_and_keeps_the_form(app: AppTest) -> None:
    placement_id, _, _ = _placement()
    _open_placement(app, placement_id, "Results")
    k = f"placement.record.{placement_id}.0"
    app.text_input(key=k + ".source").input("chat with the admin")
    _button(app, "Record measurement").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["Enter at least one number."]
    assert results_frame(get_store().cursor(), placement_id).is_empty()
    assert app.text_input(key=k + ".source").value == "chat with the admin"


def test_uploading_a_non_image_is_refused_and_an_image_is_kept(app: AppTest) -> None:
    placement_id, _, _ = _placement()
    store = get_store()
    _open_placement(app, placement_id, "Evidence")
    pdf = b"%PDF-1.4\n%fake report\n"
    uploader = app.get("file_uploader")[0]
    uploader.upload("stats.png", pdf, "image/png").run()
    _button(app, "Attach screenshot").click().run()
    assert not app.exception
    with pytest.raises(ValidationError) as refused:
        attach_evidence(store, placement_id, pdf, "stats.png")
    assert [e.value for e in app.error] == [str(refused.value)]
    assert evidence_frame(store.cursor(), placement_id).is_empty()

    app.get("file_uploader")[0].upload("stats.png", PNG, "image/png").run()
    _button(app, "Attach screenshot").click().run()
    assert not app.exception and not app.error
    kept = evidence_frame(store.cursor(), placement_id)
    assert kept["filename"].to_list() == ["stats.png"]
    assert [i.captions for i in app.get("image")] == [["stats.png"]]

    _button(app, "Remove").click().run()
    assert not app.exception
    assert evidence_frame(store.cursor(), placement_id).is_empty()


def test_the_edit_form_saves_only_what_changed(app: AppTest) -> None:
    placement_id, _, campaign_id = _placement(published_at=None, planned_on=dt.date(2026, 10, 1))
    _open_placement(app, placement_id, "Edit")
    _text(app, "Promo code").input("AUTUMN")
    _button(app, "Save placement").click().run()
    assert not app.exception and not app.error
    saved = get_placement(get_store().cursor(), placement_id)
    assert (saved.promo_code, saved.version, saved.planned_on, saved.price_paid) == (
        "AUTUMN",
        2,
        dt.date(2026, 10, 1),
        Decimal("30000.00"),
    )
    assert [t.value for t in app.toast] == ["Placement saved"]


def test_placement_page_without_a_placement_asks_for_one(app: AppTest) -> None:
    open_page(app, "placement")
    assert app.title[0].value == "Placement"
    assert not app.error


def test_log_a_placement_on_its_own_by_finding_the_channel(app: AppTest) -> None:
    channel = _telegram_channel()
    open_page(app, "placements")
    k = "placements.new.0."
    app.text_input(key=k + "search").input(str(channel["handle"])).run()
    assert not app.exception
    picker = app.selectbox(key=k + "channel")
    # the options are labelled title · platform · handle
    assert any(str(channel["handle"]) in label for label in picker.options)
    picker.set_value(channel["id"])
    _text(app, "Price paid").input("1 500")
    app.selectbox(key=k + "currency").set_value("USD")
    _button(app, "Log placement").click().run()
    assert not app.exception and not app.error
    placement_id = app.session_state[PLACEMENT_KEY]
    saved = get_placement(get_store().cursor(), placement_id)
    assert (saved.channel_id, saved.campaign_id, saved.price_paid, saved.currency) == (
        channel["id"],
        None,
        Decimal("1500.00"),
        "USD",
    )


def test_cancel_and_restore_a_placement(app: AppTest) -> None:
    placement_id, _, _ = _placement()
    _open_placement(app, placement_id, "Edit")
    _button(app, "Cancel the placement").click().run()
    assert not app.exception and not app.error
    assert get_placement(get_store().cursor(), placement_id).status == "cancelled"
    assert any("cancelled" in i.value for i in app.info)
    _button(app, "Restore the placement").click().run()
    assert not app.exception and not app.error
    # published before it was cancelled, it is published again
    assert get_placement(get_store().cursor(), placement_id).status == "published"
