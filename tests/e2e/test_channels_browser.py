"""A person in a real browser: open the app, add a channel by its link, find it in the table."""

from __future__ import annotations

from pathlib import Path

from .conftest import ROOT, settle, shoot


def test_a_deep_link_opened_first_gets_the_app_navigation(page, server) -> None:
    # first in this file on purpose: the server has run no script yet
    page.goto(server + "/channels")
    settle(page)
    page.get_by_role("heading", name="Channels", exact=True).wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Channel profile").wait_for()
    assert nav.get_by_text("import channels").count() == 0


def test_home_page_renders(page, server) -> None:
    page.goto(server)
    settle(page)
    page.get_by_text("Where to start").wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]')
    metrics.nth(7).wait_for()
    assert metrics.count() == 8  # 4 about the workspace, 4 about the gaps to fill
    page.get_by_text("Gaps to fill").wait_for()
    shoot(page, "home")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    shoot(page, "home")


def test_add_channel_by_url_and_see_it_in_the_table(page, server) -> None:
    page.goto(server + "/channels")
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


def test_profile_and_owners_pages_render(page, server) -> None:
    page.goto(server + "/channel")
    settle(page)
    page.get_by_text("Pick a channel").wait_for()
    page.goto(server + "/owners")
    settle(page)
    page.get_by_role("heading", name="Owners").wait_for()
    # the grid's cells are mirrored in a hidden table once it has drawn
    page.locator('[data-testid="stDataFrame"] td').first.wait_for(state="attached")
    page.wait_for_timeout(300)
    shoot(page, "owners")


def test_import_a_file_in_the_browser(page, server) -> None:
    sample = ROOT / "data" / "samples" / "channels_sample.csv"
    page.goto(server + "/import_channels")
    settle(page)
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


def test_channel_profile_shows_chart(page, server) -> None:
    page.goto(server + "/channels")
    settle(page)
    page.get_by_role("textbox", name="Search").fill("")
    page.goto(server + "/channel?id=1")
    settle(page)
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    shoot(page, "profile-metrics")
    page.get_by_role("tab", name="Profile").click()
    settle(page)
    shoot(page, "profile")


def test_download_the_filtered_list(page, server) -> None:
    page.goto(server + "/channels")
    settle(page)
    page.get_by_role("textbox", name="Search").fill("")
    page.locator('[data-testid="stPopoverButton"]', has_text="Download").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("platform,handle,url,title,kind,owner,niche")
    caption = page.get_by_text("channels match").first.inner_text()
    assert len(lines) - 1 == int(caption.split(" of ")[0].replace("\u202f", "").strip())
