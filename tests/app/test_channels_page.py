"""The Channels page as a new user meets it: resetting the filters, the grid's columns and
formats, adding a channel by its link, and an empty workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.fields import CHANNELS
from crm.metrics import FORMULAS, NAMES
from crm.registry import ChannelFilter
from crm.store import Store
from crm.ui.columns import COUNT_FORMAT, percent_format
from crm.ui.state import get_store
from crm.vocab.platforms import ChannelRef

from .conftest import ROOT, open_page

_F = "registry.filter."


def column_config(at: AppTest, index: int = 0) -> dict[str, dict[str, Any]]:
    """The column configuration the page sent with one of its grids."""
    config: dict[str, dict[str, Any]] = json.loads(at.dataframe[index].proto.columns)
    return config


def _reset(app: AppTest) -> AppTest:
    return next(b for b in app.sidebar.button if b.label == "Reset filters").click().run()


# 15: Reset filters


def test_reset_filters_resets_the_widgets_too(app: AppTest) -> None:
    open_page(app, "channels")
    app.sidebar.multiselect(key=_F + "platforms").set_value(["telegram"]).run()
    app.sidebar.number_input(key=_F + "followers_min").set_value(50_000).run()
    app.sidebar.text_input(key=_F + "search").input("zzzz").run()
    app.sidebar.segmented_control(key=_F + "archived").set_value("all").run()
    _reset(app)
    assert not app.exception
    # the browser keeps what its widgets show unless the run tells them their new value: a
    # reset that only forgets the values leaves the old ones on screen, and the next search
    # sends them back
    widgets = {
        "platforms": (app.sidebar.multiselect(key=_F + "platforms"), []),
        "followers_min": (app.sidebar.number_input(key=_F + "followers_min"), None),
        "search": (app.sidebar.text_input(key=_F + "search"), ""),
        "archived": (app.sidebar.segmented_control(key=_F + "archived"), "active"),
    }
    shown = {name: (w.value, w.proto.set_value) for name, (w, _) in widgets.items()}
    assert shown == {name: (value, True) for name, (_, value) in widgets.items()}

    app.sidebar.text_input(key=_F + "search").input("travel").run()
    expected = registry.list_channels(get_store().cursor(), ChannelFilter(search="travel"))
    assert expected.height > 0
    assert len(app.dataframe[0].value) == expected.height


def test_reset_from_home_gaps_also_resets_the_widgets(app: AppTest) -> None:
    open_page(app, "channels")
    app.sidebar.multiselect(key=_F + "platforms").set_value(["vk"]).run()
    open_page(app, "home")
    app.button(key="home.lacking.owner").click().run()
    assert app.sidebar.multiselect(key=_F + "platforms").value == []
    assert app.sidebar.multiselect(key=_F + "needs").value == ["owner"]


def test_search_box_takes_no_more_than_the_registry_reads(app: AppTest) -> None:
    open_page(app, "channels")
    assert app.sidebar.text_input(key=_F + "search").max_chars == registry.SEARCH_MAX


# 19: the grid


def test_grid_columns_come_from_the_field_specification(app: AppTest) -> None:
    open_page(app, "channels")
    config = column_config(app)
    order = list(app.dataframe[0].proto.column_order)
    # the numbers a buyer compares come right after the title and platform, so they are in
    # view at 1440 px without scrolling the grid sideways
    assert order[:8] == [
        "title",
        "platform",
        "followers",
        "avg_reach",
        "er",
        "err",
        "reach_rate",
        "growth",
    ]
    for column in ("title", "handle", "followers", "avg_reach", "niches", "measured_on", "er"):
        meta = CHANNELS.by_column(column).meta()
        assert config[column]["label"] == meta.label.split(" (")[0], column
        assert config[column]["help"] == (FORMULAS[meta.formula] if meta.formula else meta.help)
    assert config["growth"]["label"] == NAMES["growth"]
    assert config["reach_rate"]["help"] == FORMULAS["reach_rate"]
    # every column has a width, in pixels, so their sum can be checked against the screen
    widths = {c: config[c].get("width") for c in order}
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths[c] for c in order[:4]) + 40 < 980


def test_grid_numbers_and_percentages_follow_the_app_formats(app: AppTest) -> None:
    open_page(app, "channels")
    config = column_config(app)
    fmt = {c: config[c]["type_config"].get("format") for c in config if "type_config" in config[c]}
    assert fmt["followers"] == fmt["avg_reach"] == COUNT_FORMAT == "%'\u202f,d"
    assert fmt["er"] == fmt["err"] == percent_format(2) == "%.2f\u00a0%%"
    assert fmt["reach_rate"] == percent_format(1)
    assert fmt["growth"] == percent_format(1, signed=True) == "%+.1f\u00a0%%"
    # the grid holds percentage points as shown, so its printf format shows "4.51 %" as the
    # profile does
    expected = registry.list_channels(get_store().cursor()).head(20)
    shown = app.dataframe[0].value.head(20)
    er = [None if v != v else v for v in shown["er"]]
    assert er == pytest.approx([None if v is None else round(v * 100, 2) for v in expected["er"]])


def test_grid_shows_words_not_codes(app: AppTest) -> None:
    open_page(app, "channels")
    shown = app.dataframe[0].value
    assert not set(shown["platform"]) & {"vk", "telegram", "ok", "youtube"}
    assert set(shown["kind"]) <= {"Blogger", "Public page"}


# 16: add by link


def _link_box(app: AppTest):  # type: ignore[no-untyped-def]
    return next(t for t in app.text_input if t.label == "Add a channel by its link")


def _add(app: AppTest, link: str) -> AppTest:
    _link_box(app).input(link)
    return next(b for b in app.button if b.label == "Add channel").click().run()


def test_adding_a_known_link_opens_the_profile_saying_so(app: AppTest) -> None:
    cur = get_store().cursor()
    first = registry.get_channel(cur, int(registry.list_channels(cur)["id"][0]))
    open_page(app, "channels")
    _add(app, first.link)
    assert not app.exception
    assert app.title[0].value == (first.title or first.handle)
    assert any("already in the registry" in i.value for i in app.info), [i.value for i in app.info]


def test_after_adding_a_link_to_the_new_profile_is_shown(app: AppTest) -> None:
    open_page(app, "channels")
    _add(app, "https://t.me/a_new_channel_77")
    assert not app.exception
    new_id = registry.find_channel(get_store().cursor(), ChannelRef("telegram", "a_new_channel_77"))
    links = [link.proto for link in app.get("page_link")]
    assert any(p.label == "Open its profile" and p.query_string == f"id={new_id}" for p in links), (
        links
    )
    # the box is empty again for the next link
    assert _link_box(app).value == ""


def test_a_refused_link_stays_in_the_box(app: AppTest) -> None:
    open_page(app, "channels")
    _add(app, "https://example.com/someone")
    assert "not a link to a known platform" in app.error[0].value
    assert _link_box(app).value == "https://example.com/someone"


# 20: an empty workspace


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    path = tmp_path / "crm.duckdb"
    Store(str(path)).close()
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def test_an_empty_workspace_says_what_to_do(empty_app: AppTest) -> None:
    open_page(empty_app, "channels")
    texts = [i.value for i in empty_app.info]
    assert not any("No channel matches" in t for t in texts), texts
    assert any("import a file" in t.lower() and "link" in t for t in texts), texts
    assert empty_app.get("download_button") == []
    assert "Import a file" in [p.proto.label for p in empty_app.get("page_link")]


def test_filters_matching_nothing_still_say_so(app: AppTest) -> None:
    open_page(app, "channels")
    app.sidebar.number_input(key=_F + "followers_min").set_value(10**12).run()
    assert any("No channel matches these filters" in i.value for i in app.info)
    assert app.get("download_button") == []


def test_a_post_link_without_its_author_shows_the_refusal_and_stays(app: AppTest) -> None:
    open_page(app, "channels")
    post = "https://www.instagram.com/p/Cxyz123/"
    _add(app, post)
    assert [e.value for e in app.error] == [
        "This is a link to a post, not to a channel: open the post and copy the link of its author."
    ]
    assert _link_box(app).value == post


def test_a_post_link_naming_its_channel_adds_that_channel(app: AppTest) -> None:
    open_page(app, "channels")
    _add(app, "https://t.me/e2e_post_owner/123")
    assert not app.error
    assert "Added **telegram:e2e_post_owner**" in app.success[0].value


def _campaign(name: str = "Весна") -> int:
    from crm.outreach.campaigns import create_campaign

    return create_campaign(get_store(), name=name, budget="100000", currency="RUB")


def _shortlisted(campaign_id: int) -> list[int]:
    rows = (
        get_store()
        .cursor()
        .execute(
            "select channel_id from shortlist where campaign_id = ? order by channel_id",
            [campaign_id],
        )
    )
    return [r[0] for r in rows.fetchall()]


def test_ticked_channels_go_on_a_campaigns_shortlist_once(app: AppTest) -> None:
    campaign = _campaign()
    open_page(app, "channels")
    key = app.session_state["channels.table_key"]
    app.session_state[key] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    app.run()
    app.selectbox(key="channels.bulk_campaign").set_value(campaign).run()
    app.button(key="channels.bulk_shortlist").click().run()
    assert not app.exception
    ticked = registry.page_channels(get_store().cursor(), limit=2)[0]["id"].to_list()
    assert _shortlisted(campaign) == sorted(ticked)
    assert [s.value for s in app.success] == ["Added 2 channels to the shortlist."]
    # the same two again: said so, nothing doubled
    key = app.session_state["channels.table_key"]
    app.session_state[key] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    app.run()
    app.selectbox(key="channels.bulk_campaign").set_value(campaign).run()
    app.button(key="channels.bulk_shortlist").click().run()
    assert _shortlisted(campaign) == sorted(ticked)
    assert app.success[0].value.startswith("Added 0 channels to the shortlist. 2 were already")


def test_all_matching_channels_go_on_a_shortlist(app: AppTest) -> None:
    campaign = _campaign("Лето")
    open_page(app, "channels")
    app.sidebar.multiselect(key=_F + "platforms").set_value(["rutube"]).run()
    app.selectbox(key="channels.all_campaign").set_value(campaign).run()
    app.button(key="channels.add_all").click().run()
    assert not app.exception
    flt = ChannelFilter(platforms=("rutube",))
    expected = registry.matching_channel_ids(get_store().cursor(), flt)
    assert expected and _shortlisted(campaign) == expected


def test_track_record_filter_and_delivery_column_come_from_the_scorecards(app: AppTest) -> None:
    from crm.placements.scorecard import scorecards, track_record_ids

    open_page(app, "channels")
    app.sidebar.selectbox(key=_F + "track").set_value("delivered").run()
    assert not app.exception
    cur = get_store().cursor()
    ids = track_record_ids(cur, "delivered")
    expected = registry.page_channels(cur, ChannelFilter(ids=ids))[1]
    assert expected > 0
    shown = app.dataframe[0].value
    assert len(shown) == expected
    delivery = dict(scorecards(cur, list(ids)).select("channel_id", "delivery").iter_rows())
    rows = registry.page_channels(cur, ChannelFilter(ids=ids))[0]
    # in percentage points with the one decimal the grid shows
    assert list(shown["delivery"]) == pytest.approx(
        [round(delivery[i] * 100, 1) for i in rows["id"]]
    )
