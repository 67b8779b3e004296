"""A person in a real browser: add a channel by its link, import a file, open a profile,
download the list. Each test runs alone or in any order (see conftest.py)."""

from __future__ import annotations

from pathlib import Path

from crm.formatting import format_count
from crm.ui.nav import names, section_of, title_of

from .conftest import ROOT, Demo, grid_drawn, settle, shoot, url


def test_a_deep_link_opened_first_gets_the_app_navigation(page, own_server, demo: Demo) -> None:
    # the server has run no script yet: the first page asked for is not the default one
    page.goto(url(own_server, "channels"))
    settle(page)
    page.get_by_role("heading", name="Channels", exact=True).wait_for()
    # the app's own navigation, in the top bar: Home, then one menu per part
    nav = page.locator('[data-testid="stTopNav"]')
    nav.get_by_text("Registry", exact=True).wait_for()
    sections = nav.locator('[data-testid="stTopNavSection"]').all_inner_texts()
    parts = list(dict.fromkeys(section_of(n) for n in names() if section_of(n)))
    assert [s.strip().splitlines()[-1] for s in sections] == parts
    nav.get_by_text("Registry", exact=True).click()
    menu = page.locator('[data-testid="stTopNavDropdownLink"]')
    menu.first.wait_for()
    # each link is an icon (its name as text) and the title
    registry = [t.strip().splitlines()[-1] for t in menu.all_inner_texts()]
    assert registry == [title_of(n) for n in names() if section_of(n) == "Registry"]
    page.keyboard.press("Escape")
    active, archived = demo.counts["channels"], demo.counts["archived"]
    page.get_by_text(
        f"{format_count(active)} of {format_count(active + archived)} channels match"
    ).wait_for()


def test_add_channel_by_url_and_see_it_in_the_table(page, own_server) -> None:
    page.goto(url(own_server, "channels"))
    settle(page)
    page.get_by_label("Add a channel by its link").fill("https://t.me/e2e_added_channel")
    page.get_by_role("button", name="Add channel").click()
    settle(page)
    page.get_by_text("Added telegram:e2e_added_channel").first.wait_for()
    page.get_by_role("textbox", name="Search").fill("e2e_added")
    page.get_by_role("textbox", name="Search").press("Enter")
    settle(page)
    # the data grid is a canvas; its cells are mirrored in a hidden table
    page.locator("td", has_text="e2e_added_channel").first.wait_for(state="attached")
    assert page.get_by_text("**1** of").count() == 0  # markdown was rendered, not shown raw
    page.get_by_text("1 of").first.wait_for()
    shoot(page, "channels-added")


def test_import_a_file_in_the_browser(page, own_server, demo: Demo) -> None:
    sample = ROOT / "data" / "samples" / "channels_sample.csv"
    page.goto(url(own_server, "import"))
    settle(page)
    page.get_by_role("heading", name="Import channels").wait_for()
    shoot(page, "import-start")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(sample))
    settle(page)
    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_text("New and updated rows").wait_for()
    shoot(page, "import-preview")
    page.get_by_role("button", name="Import 7 rows").click()
    settle(page)
    page.get_by_text("Imported 7 new").first.wait_for()
    shoot(page, "import-done")
    # the other pages read the new rows at once (their cached reads are keyed by generation)
    page.goto(url(own_server, "channels"))
    settle(page)
    active, archived = demo.counts["channels"] + 7, demo.counts["archived"]
    page.get_by_text(
        f"{format_count(active)} of {format_count(active + archived)} channels match"
    ).wait_for()


def test_channel_profile_shows_numbers_and_chart(page, server, demo: Demo) -> None:
    ch = demo.channel
    page.goto(url(server, "channel", f"id={ch.id}"))
    settle(page)
    page.get_by_role("heading", name=ch.title or ch.handle).wait_for()
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    # the numbers above the tabs (the Prices tab's own figures follow them)
    assert [label.strip() for label in labels][:5] == [
        "Followers",
        "Avg reach",
        "ER",
        "ERR",
        "Reach rate",
    ]
    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    shoot(page, "profile-metrics")
    page.get_by_role("tab", name="Edit").click()
    settle(page)
    assert page.get_by_label("Title").input_value() == (ch.title or "")
    shoot(page, "profile-edit")
    page.get_by_role("tab", name="Profile").click()
    settle(page)
    shoot(page, "profile")


def test_download_the_filtered_list(page, server) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    page.locator('[data-testid="stPopoverButton"]', has_text="Download").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("platform,handle,url,title,kind,owner,niche")
    caption = page.get_by_text("channels match").first.inner_text()
    assert len(lines) - 1 == int(caption.split(" of ")[0].replace("\u202f", "").strip())


def test_owners_page_lists_every_owner(page, server, demo: Demo) -> None:
    page.goto(url(server, "owners"))
    settle(page)
    page.get_by_role("heading", name="Owners").wait_for()
    page.get_by_text(f"{format_count(demo.owners)} owners.").wait_for()
    grid_drawn(page)
    shoot(page, "owners")
