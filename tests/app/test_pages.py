"""Every page runs on the demo workspace, and what it shows matches what crm/ computes."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.formatting import format_count
from crm.registry import ChannelFilter
from crm.ui import nav
from crm.ui.state import get_store
from crm.vocab.platforms import ChannelRef

from .conftest import open_page


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# what each page shows first when opened from the navigation (the profile with no channel
# picked asks for one); a page added to crm/ui/nav.py needs its line here
TITLES = {
    "home": "Outreach CRM",
    "channels": "Channels",
    "channel": "Channel profile",
    "owners": "Owners",
    "import": "Import channels",
    "campaigns": "Campaigns",
    "campaign": "Campaign",
    "board": "Pipeline board",
    "templates": "Message templates",
    "placements": "Placements",
    "placement": "Placement",
    "analysis": "Analysis",
    "audience_lists": "Member lists",
    "overlap": "Overlap",
    "optimizer": "Optimizer",
    "quality": "Audience quality",
    "settings": "Settings",
}


@pytest.mark.parametrize("page", nav.names())
def test_every_page_runs_and_shows_its_title(app: AppTest, page: str) -> None:
    open_page(app, page)
    assert not app.error, [e.value for e in app.error]
    assert [t.value for t in app.title] == [TITLES[page]]


def test_home_shows_what_the_workspace_holds(app: AppTest) -> None:
    counts = registry.registry_counts(get_store().cursor())
    assert counts["channels"] >= 300
    assert _metric(app, "Channels") == format_count(counts["channels"])
    assert _metric(app, "Owners") == format_count(counts["owners"])
    assert _metric(app, "Metric snapshots") == format_count(counts["snapshots"])
    assert any("demo workspace" in i.value for i in app.info)


def test_channels_table_lists_active_channels(app: AppTest) -> None:
    open_page(app, "channels")
    expected = registry.list_channels(get_store().cursor())
    shown = app.dataframe[0].value
    assert len(shown) == expected.height
    assert list(shown["handle"][:5]) == expected["handle"].head(5).to_list()
    growth = registry.with_growth(get_store().cursor(), expected)["growth"].to_list()
    # in percentage points with the one decimal the grid shows (crm/ui/columns.py)
    assert [None if g != g else g for g in shown["growth"]] == pytest.approx(
        [None if g is None else round(g * 100, 1) for g in growth]
    )
    assert any(g is not None for g in growth)
    assert f"**{format_count(expected.height)}** of" in app.caption[0].value


def test_channels_filters_from_the_sidebar_and_keeps_them_across_pages(app: AppTest) -> None:
    open_page(app, "channels")
    app.sidebar.multiselect(key="registry.filter.platforms").set_value(["telegram"]).run()
    app.sidebar.number_input(key="registry.filter.followers_min").set_value(50_000).run()
    flt = ChannelFilter(platforms=["telegram"], followers_min=50_000)
    expected = registry.list_channels(get_store().cursor(), flt)
    assert expected.height > 0
    shown = app.dataframe[0].value
    assert sorted(shown["handle"]) == sorted(expected["handle"].to_list())
    assert set(shown["platform"]) == {"Telegram"}

    open_page(app, "home")
    open_page(app, "channels")
    assert app.sidebar.multiselect(key="registry.filter.platforms").value == ["telegram"]
    assert len(app.dataframe[0].value) == expected.height


def test_channels_search_tolerates_a_typo(app: AppTest) -> None:
    cur = get_store().cursor()
    title = registry.list_channels(cur, ChannelFilter(platforms=["vk"]))["title"][0]
    word = max(title.split(), key=len)
    typo = word[:2] + word[3:]  # one letter dropped
    open_page(app, "channels")
    app.sidebar.text_input(key="registry.filter.search").input(typo).run()
    expected = registry.list_channels(cur, ChannelFilter(search=typo))
    shown = app.dataframe[0].value
    assert title in list(shown["title"])
    assert len(shown) == expected.height


def test_add_channel_by_url_and_reopen_existing(app: AppTest) -> None:
    open_page(app, "channels")
    app.text_input[0].input("https://t.me/brand_new_channel_42")
    app.button[0].click().run()
    assert not app.exception
    assert "Added **telegram:brand_new_channel_42**" in app.success[0].value
    cur = get_store().cursor()
    new_id = registry.find_channel(cur, ChannelRef("telegram", "brand_new_channel_42"))
    assert new_id is not None
    assert "brand_new_channel_42" in list(app.dataframe[0].value["handle"])

    app.text_input[0].input("t.me/Brand_New_Channel_42/")
    app.button[0].click().run()
    assert not app.exception
    # the existing channel's profile is opened instead of a duplicate being made
    assert app.title[0].value == "brand_new_channel_42"
    count = cur.execute("select count(*) from channels where handle = 'brand_new_channel_42'")
    assert count.fetchall() == [(1,)]


def test_add_channel_of_unknown_site_is_refused(app: AppTest) -> None:
    open_page(app, "channels")
    before = registry.registry_counts(get_store().cursor())["channels"]
    app.text_input[0].input("https://example.com/someone")
    app.button[0].click().run()
    assert "not a link to a known platform" in app.error[0].value
    assert registry.registry_counts(get_store().cursor())["channels"] == before


def _open_profile(app: AppTest, channel_id: int) -> AppTest:
    app.session_state["registry.channel_id"] = channel_id
    return open_page(app, "channel")


def _busiest_owner_channel(cur) -> registry.Channel:
    owners = registry.list_owners(cur)
    owner_id = owners.sort("channels", descending=True)["id"][0]
    channel_id = registry.owner_channels(cur, owner_id)["id"][0]
    return registry.get_channel(cur, channel_id)


def test_profile_shows_latest_numbers_owner_and_chart(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _busiest_owner_channel(cur)
    _open_profile(app, ch.id)
    snaps = registry.list_snapshots(cur, ch.id)
    last = snaps.row(-1, named=True)
    assert app.title[0].value == (ch.title or ch.handle)
    assert _metric(app, "Followers") == format_count(last["followers"])
    change = registry.followers_change(snaps)
    shown = next(m.delta for m in app.metric if m.label == "Followers")
    assert shown == ("+" if change > 0 else "") + format_count(change)
    # followers and ER over time, and the price history when the channel has prices
    from crm.pricing.prices import price_history

    # the followers chart and the price history (the Audience tab draws its quality points)
    charts = [c for c in app.get("plotly_chart") if "profile.quality" not in c.proto.id]
    assert len(charts) == 1 + (not price_history(cur, ch.id).is_empty())
    owner = registry.get_owner(cur, ch.owner_id)
    assert any(owner.name in m.value for m in app.markdown)
    others = registry.owner_channels(cur, ch.owner_id).filter(pl.col("id") != ch.id)
    assert any(f"Other channels of this owner ({others.height})" in m.value for m in app.markdown)


def test_profile_shows_prices_with_cpf_and_est_cpm(app: AppTest) -> None:
    from crm.formatting import format_money
    from crm.pricing import channel_prices

    cur = get_store().cursor()
    priced = cur.execute("select min(channel_id) from prices").fetchall()[0][0]
    _open_profile(app, priced)
    expected = channel_prices(cur, priced)
    assert expected
    table = next(d.value for d in app.dataframe if "CPF" in d.value.columns)
    assert list(table["Price"]) == [format_money(p.amount, p.currency) for p in expected]
    assert list(table["CPF"]) == [format_money(p.cpf, p.currency) for p in expected]
    assert list(table["est. CPM"]) == [format_money(p.est_cpm, p.currency) for p in expected]


def test_profile_add_snapshot(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _busiest_owner_channel(cur)
    _open_profile(app, ch.id)
    before = registry.list_snapshots(cur, ch.id).height
    form_numbers = [n for n in app.number_input if n.label == "Followers"]
    form_numbers[0].set_value(123_456)
    next(n for n in app.number_input if n.label == "Avg reach per post").set_value(20_000)
    next(b for b in app.button if b.label == "Add snapshot").click().run()
    assert not app.exception
    snaps = registry.list_snapshots(cur, ch.id)
    assert snaps.height == before + 1
    assert 123_456 in snaps["followers"].to_list()
    today = snaps.filter(pl.col("followers") == 123_456)["measured_on"][0]
    assert [t.value for t in app.toast] == [f"Added the snapshot of {today.isoformat()}."]
    # measured today, it is the latest: the numbers at the top show it
    assert _metric(app, "Followers") == format_count(123_456)


def test_profile_edit_refuses_bad_email_and_saves_good_edits(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _busiest_owner_channel(cur)
    _open_profile(app, ch.id)
    next(t for t in app.text_input if t.label == "E-mail").input("not-an-email")
    next(b for b in app.button if b.label == "Save changes").click().run()
    assert "not a valid e-mail" in app.error[0].value
    assert registry.get_channel(cur, ch.id).version == ch.version

    next(t for t in app.text_input if t.label == "E-mail").input("ads@example.com")
    next(t for t in app.text_input if t.label == "Title").input("Renamed page")
    tags = next(m for m in app.multiselect if m.label == "Tags")
    tags.set_value([*ch.tags, "VIP"] if "VIP" not in ch.tags else ch.tags)
    next(b for b in app.button if b.label == "Save changes").click().run()
    assert not app.error
    saved = registry.get_channel(cur, ch.id)
    assert (saved.title, saved.email, saved.version) == (
        "Renamed page",
        "ads@example.com",
        ch.version + 1,
    )
    assert "VIP" in saved.tags and saved.niches == ch.niches


def test_profile_archive_and_restore(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _busiest_owner_channel(cur)
    _open_profile(app, ch.id)
    next(b for b in app.button if b.label == "Archive").click().run()
    assert registry.get_channel(cur, ch.id).archived
    assert [t.value for t in app.toast] == ["Archived"]
    assert ":orange-badge[archived]" in app.markdown[0].value
    next(b for b in app.button if b.label == "Restore").click().run()
    assert not registry.get_channel(cur, ch.id).archived
    assert [t.value for t in app.toast] == ["Restored"]
    assert "archived" not in app.markdown[0].value


def test_owners_page_lists_owners_and_adds_one(app: AppTest) -> None:
    open_page(app, "owners")
    owners = registry.list_owners(get_store().cursor())
    assert len(app.dataframe[0].value) == owners.height
    next(t for t in app.text_input if t.label == "Name *").input("Игорь Петров")
    next(t for t in app.text_input if t.label == "Telegram" and not t.value).input("@igor_ads")
    next(b for b in app.button if b.label == "Add owner").click().run()
    assert not app.exception and not app.error
    new_id = registry.find_owner_by_name(get_store().cursor(), "игорь петров")
    assert registry.get_owner(get_store().cursor(), new_id).telegram == "@igor_ads"


def test_profile_removes_a_wrong_snapshot(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _busiest_owner_channel(cur)
    before = registry.list_snapshots(cur, ch.id)
    _open_profile(app, ch.id)
    newest = before["id"][-1]
    assert app.selectbox(key="channel.doomed").value == newest
    app.button(key="channel.remove_snapshot").click().run()
    assert not app.exception
    after = registry.list_snapshots(cur, ch.id)
    assert after["id"].to_list() == before["id"].to_list()[:-1]
    assert [t.value for t in app.toast] == ["Snapshot removed"]
    assert app.selectbox(key="channel.doomed").value == after["id"][-1]


def test_owner_contacts_edit(app: AppTest) -> None:
    cur = get_store().cursor()
    owner_id = registry.list_owners(cur)["id"][0]
    app.session_state["owners.selected"] = owner_id
    open_page(app, "owners")
    edit_phone = [t for t in app.text_input if t.label == "Phone"][-1]  # not the "Add" form's
    edit_phone.input("+7 999 111-22-33")
    next(b for b in app.button if b.label == "Save contacts").click().run()
    assert not app.error
    owner = registry.get_owner(cur, owner_id)
    assert owner.phone == "+7 999 111-22-33"
    assert [t.value for t in app.toast] == ["Contacts saved"]
    assert [t for t in app.text_input if t.label == "Phone"][-1].value == "+7 999 111-22-33"


def test_profile_opens_the_owner(app: AppTest) -> None:
    cur = get_store().cursor()
    ch = _busiest_owner_channel(cur)
    _open_profile(app, ch.id)
    app.button(key="channel.owner").click().run()
    assert not app.exception
    owner = registry.get_owner(cur, ch.owner_id)
    assert app.title[0].value == "Owners"
    assert app.subheader[0].value == owner.name


def _tick(app: AppTest, rows: list[int]) -> AppTest:
    key = app.session_state["channels.table_key"]
    app.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return app.run()


def test_ticking_one_channel_offers_its_profile(app: AppTest) -> None:
    open_page(app, "channels")
    first = registry.list_channels(get_store().cursor()).row(0, named=True)
    _tick(app, [0])
    assert any(m.value == "**1 selected**" for m in app.markdown)
    next(b for b in app.button if b.label == "Open profile").click().run()
    assert not app.exception
    assert app.title[0].value == (first["title"] or first["handle"])


def test_bulk_tag_and_archive_from_the_channels_page(app: AppTest) -> None:
    open_page(app, "channels")
    cur = get_store().cursor()
    listed = registry.list_channels(cur)
    picked = [listed["id"][0], listed["id"][2]]
    _tick(app, [0, 2])
    assert any(m.value == "**2 selected**" for m in app.markdown)

    next(b for b in app.button if b.label == "Add tag").click().run()
    assert app.warning[0].value == "Type the tag first."

    app.text_input(key="channels.bulk_tag").input("шортлист весна")
    next(b for b in app.button if b.label == "Add tag").click().run()
    assert not app.exception and not app.error
    tagged = registry.list_channels(cur, ChannelFilter(tags=["шортлист весна"]))
    assert sorted(tagged["id"].to_list()) == sorted(picked)

    # after a bulk edit nothing is ticked any more: the next edit needs a new choice
    assert not any(m.value.endswith(" selected**") for m in app.markdown)
    _tick(app, [0, 2])
    next(b for b in app.button if b.label == "Archive").click().run()
    assert all(registry.get_channel(cur, i).archived for i in picked)
    assert len(app.dataframe[0].value) == listed.height - 2


def test_a_new_filter_clears_the_ticks(app: AppTest) -> None:
    open_page(app, "channels")
    _tick(app, [0, 1])
    assert any(m.value == "**2 selected**" for m in app.markdown)
    app.sidebar.multiselect(key="registry.filter.platforms").set_value(["vk"]).run()
    assert not any(m.value.endswith(" selected**") for m in app.markdown)


def test_delete_an_owner_keeps_their_channels(app: AppTest) -> None:
    cur = get_store().cursor()
    owners = registry.list_owners(cur).sort("channels", descending=True)
    owner_id = owners["id"][0]
    theirs = registry.owner_channels(cur, owner_id)["id"].to_list()
    app.session_state["owners.selected"] = owner_id
    open_page(app, "owners")
    app.button(key="owners.delete").click().run()
    assert not app.exception and not app.error
    assert registry.find_owner_by_name(cur, owners["name"][0]) is None
    assert all(registry.get_channel(cur, i).owner_id is None for i in theirs)
    assert len(app.dataframe[0].value) == owners.height - 1


def test_home_gaps_open_the_channels_that_lack_them(app: AppTest) -> None:
    needs = registry.needs_counts(get_store().cursor())
    assert needs["owner"] > 0
    assert _metric(app, registry.NEEDS["owner"][0]) == format_count(needs["owner"])
    app.button(key="home.lacking.owner").click().run()
    assert not app.exception
    assert app.title[0].value == "Channels"
    assert app.sidebar.multiselect(key="registry.filter.needs").value == ["owner"]
    shown = app.dataframe[0].value
    expected = registry.list_channels(get_store().cursor(), ChannelFilter(needs=["owner"]))
    assert len(shown) == min(expected.height, 500)
    assert set(shown["owner"].dropna()) == set()


def test_merge_a_duplicate_owner(app: AppTest) -> None:
    cur = get_store().cursor()
    owners = registry.list_owners(cur).sort("channels", descending=True)
    keep, twin = owners["id"][0], owners["id"][1]
    moving = registry.owner_channels(cur, twin)["id"].to_list()
    app.session_state["owners.selected"] = keep
    open_page(app, "owners")
    app.selectbox(key="owners.merge_twin").set_value(twin).run()
    app.button(key="owners.merge").click().run()
    app.button(key="owners.merge_confirm").click().run()  # after the dialog says what happens
    assert not app.exception and not app.error
    assert all(registry.get_channel(cur, i).owner_id == keep for i in moving)
    assert twin not in registry.list_owners(cur)["id"].to_list()
    assert [t.value for t in app.toast] == [
        f"Merged {owners['name'][1]} into {owners['name'][0]}: {len(moving)} channels moved"
    ]
    assert f"**Channels ({len(registry.owner_channels(cur, keep))})**" in [
        m.value for m in app.markdown
    ]
