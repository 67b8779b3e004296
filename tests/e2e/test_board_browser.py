"""The Pipeline board in a browser: a card ticked and moved shows in its new column, and
is still there after the page is reloaded (the filter kept in the address)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm import registry
from crm.outreach.campaigns import create_campaign
from crm.outreach.shortlist import add_to_shortlist
from crm.store import Store

from .conftest import Demo, running_app, settle, shoot, url

CAMPAIGN = "Browser board test"


@dataclass(frozen=True)
class BoardApp:
    """An app of this test's own, with one campaign whose one card sits in "Prospect"."""

    url: str
    title: str


@pytest.fixture
def board_app(browser_available: None, demo: Demo, tmp_path: Path) -> Iterator[BoardApp]:
    db = tmp_path / "crm.duckdb"
    shutil.copy(demo.path, db)
    # the card is written before the server starts: it holds the file while it runs
    store = Store(str(db))
    try:
        cur = store.cursor()
        channel = registry.get_channel(cur, int(registry.list_channels(cur)["id"][0]))
        campaign = create_campaign(store, name=CAMPAIGN)
        add_to_shortlist(store, campaign, [channel.id], stage="prospect")
    finally:
        store.close()
    with running_app(db, tmp_path / "streamlit.log") as server:
        yield BoardApp(server, channel.title or channel.handle)


def _column(page, stage: str):  # type: ignore[no-untyped-def]
    """The board's column of one stage (found by its heading)."""
    heading = page.locator("strong", has_text=re.compile(rf"^{re.escape(stage)}$"))
    return page.locator('[data-testid="stColumn"]').filter(has=heading).last


def test_a_moved_card_shows_in_its_new_column_after_a_reload(page, board_app: BoardApp) -> None:
    page.goto(url(board_app.url, "board"))
    settle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Campaign").first.click()
    page.get_by_role("option", name=CAMPAIGN).click()
    settle(page)
    card = _column(page, "Prospect").locator('[data-testid="stCheckbox"]', has_text=board_app.title)
    card.click()
    settle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Move to").click()
    page.get_by_role("option", name="Contacted", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Move 1 ticked to Contacted").click()
    settle(page)

    page.reload()
    settle(page)
    contacted = _column(page, "Contacted")
    contacted.get_by_text(board_app.title).first.wait_for()
    assert _column(page, "Prospect").get_by_text(board_app.title).count() == 0
    shoot(page, "board-after-move")
