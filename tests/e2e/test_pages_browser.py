"""Every page of the navigation in a real browser at 1440x900: it shows its title, and a
screenshot lands in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from crm.ui.nav import PageName, names

from ..app.test_pages import TITLES  # each page's title, as AppTest checks it too
from .conftest import Demo, grid_drawn, settle, shoot, url

WITH_GRID = {"channels", "owners"}


@pytest.mark.parametrize("name", names())
def test_every_page_shows_its_title(page, server, name: PageName) -> None:
    page.goto(url(server, name))
    settle(page)
    page.get_by_role("heading", name=TITLES[name], exact=True).wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    if name in WITH_GRID:
        grid_drawn(page)
    shoot(page, f"page-{name}")


def test_channels_page_with_ticked_rows(page, server, demo: Demo) -> None:
    page.goto(url(server, "channels"))
    settle(page)
    grid_drawn(page)
    # the first column of the grid holds the row checkboxes; the bar of actions appears above
    # the grid after the first tick, so its place is measured again for every click
    grid = page.locator('[data-testid="stDataFrame"]').first
    for row in (1, 2):
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 18, box["y"] + 18 + 35 * row)
        settle(page)
        grid_drawn(page)
    page.get_by_text("2 selected").wait_for()
    shoot(page, "channels-ticked")
