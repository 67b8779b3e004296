"""The Channels page in a real browser at 1440x900, as a new user met it: resetting the
filters, the grid's first screen, the "Open profile" button, adding a channel by its link,
and the space above the title."""

from __future__ import annotations

from playwright.sync_api import expect

from crm import registry
from crm.formatting import format_count
from crm.registry import ChannelFilter
from crm.store import Store

from .conftest import Demo, grid_drawn, settle, shoot, url

# a grid's header cells are mirrored in a hidden table, for the columns drawn on screen
_HEADERS = '[data-testid="stDataFrame"] th'
_TRUNCATED = "el => [...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"


def _matching(page) -> str:  # type: ignore[no-untyped-def]
    caption = page.get_by_text("channels match").first.inner_text()
    return caption.split(" of ")[0].strip()


def _chosen(multiselect) -> list[str]:  # type: ignore[no-untyped-def]
    """What a multiselect shows as chosen (its tags: react-aria elements marked data-tag)."""
    tags = multiselect.locator('[data-testid="stMultiSelectTagsContainer"]').first
    return [t.strip() for t in tags.locator("[data-tag]").all_inner_texts()]


def _expected(demo: Demo, flt: ChannelFilter) -> int:
    store = Store(str(demo.path))
    try:
        return registry.list_channels(store.cursor(), flt).height
    finally:
        store.close()


def test_reset_filters_empties_the_sidebar_widgets(page, server, demo: Demo) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    platform = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Platform")
    platform.click()
    page.get_by_role("option", name="Telegram", exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    assert _chosen(platform) == ["Telegram"]
    telegram = _expected(demo, ChannelFilter(platforms=["telegram"]))
    assert _matching(page) == format_count(telegram)

    page.get_by_role("button", name="Reset filters").click()
    settle(page)
    # the widget shows no platform any more, not only the list
    assert _chosen(platform) == []
    shoot(page, "channels-reset")
    # and the next search does not bring the old platform back
    search = page.get_by_role("textbox", name="Search")
    search.fill("travel")
    search.press("Enter")
    settle(page)
    assert _matching(page) == format_count(_expected(demo, ChannelFilter(search="travel")))
    assert _chosen(platform) == []


def test_followers_reach_and_er_are_on_the_first_screen(page, server) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    grid_drawn(page)
    headers = [h.strip() for h in page.locator(_HEADERS).all_inner_texts()]
    assert headers[:5] == ["Title", "Platform", "Followers", "Average reach", "ER"], headers
    # another column is drawn after ER, so ER is whole on screen
    assert len(headers) > 5
    # numbers as the rest of the app writes them (1 919 603, 4.51 %): look at the shot
    shoot(page, "channels-grid")


def test_open_profile_shows_its_whole_label(page, server) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    grid_drawn(page)
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 18 + 35)
    settle(page)
    page.get_by_text("1 selected").wait_for()
    button = page.get_by_role("button", name="Open profile")
    assert not button.evaluate(_TRUNCATED)
    shoot(page, "channels-one-ticked")


def test_the_title_sits_near_the_top(page, server) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    title = page.get_by_role("heading", name="Channels", exact=True).bounding_box()
    assert title is not None
    assert title["y"] < 70, title  # Streamlit's default leaves it about 110 px down


def test_add_by_link_keeps_a_refused_link_and_links_the_new_profile(page, own_server) -> None:
    page.goto(url(own_server, "channels"))
    settle(page)
    box = page.get_by_label("Add a channel by its link")
    box.fill("https://example.com/someone")
    page.get_by_role("button", name="Add channel").click()
    settle(page)
    page.get_by_text("not a link to a known platform").wait_for()
    assert box.input_value() == "https://example.com/someone"

    post = "https://www.instagram.com/p/Cxyz123/"
    box.fill(post)
    page.get_by_role("button", name="Add channel").click()
    settle(page)
    page.get_by_text("This is a link to a post, not to a channel").wait_for()
    assert box.input_value() == post

    box.fill("https://t.me/e2e_linked_channel")
    page.get_by_role("button", name="Add channel").click()
    settle(page)
    page.get_by_text("Added telegram:e2e_linked_channel").first.wait_for()
    # the box is drawn anew after the add; the old one may linger a moment after the run ends
    expect(page.get_by_label("Add a channel by its link")).to_have_count(1)
    assert page.get_by_label("Add a channel by its link").input_value() == ""
    shoot(page, "channels-added-link")
    page.get_by_role("link", name="Open its profile").click()
    settle(page)
    page.get_by_role("heading", name="e2e_linked_channel").wait_for()

    page.goto(url(own_server, "channels"))
    settle(page)
    page.get_by_label("Add a channel by its link").fill("t.me/E2E_linked_channel/")
    page.get_by_role("button", name="Add channel").click()
    settle(page)
    page.get_by_role("heading", name="e2e_linked_channel").wait_for()
    page.get_by_text("is already in the registry").wait_for()
    shoot(page, "profile-already-known")


def test_home_gaps_open_the_channels_with_only_that_filter(page, server, demo: Demo) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    platform = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Platform")
    platform.click()
    page.get_by_role("option", name="VK", exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    page.locator('[data-testid="stTopNav"]').get_by_text("Home", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Show them").first.click()
    settle(page)
    page.get_by_role("heading", name="Channels", exact=True).wait_for()
    lacking = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Lacking")
    lacking.get_by_text("No owner").first.wait_for()
    settle(page)
    assert _chosen(lacking) == ["No owner"]
    assert _chosen(platform) == []
    assert _matching(page) == format_count(_expected(demo, ChannelFilter(needs=["owner"])))
