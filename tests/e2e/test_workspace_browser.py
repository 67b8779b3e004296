"""Last of the browser tests (it empties the shared server's workspace): start an empty one."""

from __future__ import annotations

from .conftest import settle, shoot


def test_start_an_empty_workspace_after_confirmation(page, server) -> None:
    page.goto(server)
    settle(page)
    page.get_by_text("Workspace", exact=True).click()
    page.get_by_role("button", name="Start an empty workspace…").click()
    settle(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("It cannot be undone").wait_for()
    shoot(page, "home-empty-dialog")
    dialog.get_by_role("button", name="Delete everything and start empty").click()
    settle(page)
    page.get_by_text("The workspace is empty now").first.wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]')
    metrics.nth(3).wait_for()
    assert metrics.nth(0).inner_text() == "0"
    assert page.get_by_text("You are looking at a demo workspace").count() == 0
    page.get_by_text("No channels yet").wait_for()
    shoot(page, "home-empty")
