"""Two people edit the same channel in two browsers: a change to another field is kept, a
change to the same field is refused with both values shown."""

from __future__ import annotations

from .conftest import VIEWPORT, Demo, settle, shoot, url


def _open_edit(browser, server: str, channel_id: int):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(20_000)
    page.goto(url(server, "channel", f"id={channel_id}"))
    settle(page)
    page.get_by_role("tab", name="Edit").click()
    settle(page)
    return page


def _save(page, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(field, exact=True).fill(value)
    page.get_by_role("button", name="Save changes").click()
    settle(page)


def test_two_sessions_edit_one_channel(browser, own_server, demo: Demo) -> None:
    ch = demo.channel
    mine = _open_edit(browser, own_server, ch.id)
    theirs = _open_edit(browser, own_server, ch.id)
    try:
        _save(theirs, "City", "Казань")
        theirs.get_by_text("Changes saved").first.wait_for()

        _save(mine, "Notes", "Asked for the autumn price list")
        mine.get_by_text("Changes saved").first.wait_for()
        mine.get_by_role("tab", name="Edit").click()
        assert mine.get_by_label("City", exact=True).input_value() == "Казань"

        _save(theirs, "Title", "Their title")
        _save(mine, "Title", "My title")
        mine.get_by_text("Someone else changed Title").wait_for()
        table = mine.locator('[data-testid="stTable"]')
        for value in ("Their title", "My title"):
            table.get_by_text(value, exact=True).wait_for()
        mine.get_by_role("button", name="Reload the current values").scroll_into_view_if_needed()
        shoot(mine, "profile-edit-refused")
        mine.get_by_role("button", name="Reload the current values").click()
        settle(mine)
        assert mine.get_by_label("Title", exact=True).input_value() == "Their title"
    finally:
        mine.context.close()
        theirs.context.close()
