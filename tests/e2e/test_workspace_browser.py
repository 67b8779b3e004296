"""Home in a real browser: what the workspace holds, and starting an empty one (on a server of
its own, so it runs alone or in any order)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from crm.formatting import format_count

from .conftest import Demo, running_app, settle, shoot, url


def test_home_shows_the_workspace_counts(page, server, demo: Demo) -> None:
    page.goto(url(server, "home"))
    settle(page)
    page.get_by_role("heading", name="Outreach CRM").wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]')
    metrics.nth(7).wait_for()
    assert metrics.count() == 8  # 4 about the workspace, 4 about the gaps to fill
    shown = dict(
        zip(
            (t.strip() for t in page.locator('[data-testid="stMetricLabel"]').all_inner_texts()),
            (t.strip() for t in metrics.all_inner_texts()),
            strict=True,
        )
    )
    assert shown["Channels"] == format_count(demo.counts["channels"])
    assert shown["Metric snapshots"] == format_count(demo.counts["snapshots"])
    page.get_by_text("Gaps to fill").wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    shoot(page, "home")


def test_start_an_empty_workspace_after_confirmation(page, own_server, demo: Demo) -> None:
    page.goto(url(own_server, "home"))
    settle(page)
    page.get_by_test_id("stExpander").get_by_text("Workspace", exact=True).click()
    page.get_by_role("button", name="Start an empty workspace…").click()
    settle(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("It cannot be undone").wait_for()
    active, archived = demo.counts["channels"], demo.counts["archived"]
    assert isinstance(active, int) and isinstance(archived, int) and archived > 0
    dialog.get_by_text(
        f"{format_count(active + archived)} channels, {format_count(archived)} of them archived"
    ).wait_for()
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
    # the other pages read the emptied workspace at once, without a restart
    page.goto(url(own_server, "channels"))
    settle(page)
    # an empty workspace says how channels get in, and offers no download of nothing
    page.get_by_text("The workspace is empty").wait_for()
    assert page.get_by_text("No channel matches these filters").count() == 0
    assert page.locator('[data-testid="stPopoverButton"]', has_text="Download").count() == 0
    page.get_by_role("link", name="Import a file").wait_for()
    shoot(page, "channels-empty")


def test_where_to_start_are_buttons(page, server) -> None:
    page.goto(url(server, "home"))
    settle(page)
    for label in ("Import a file", "Browse channels", "Owners"):
        page.get_by_role("button", name=label, exact=True).wait_for()
    page.get_by_role("button", name="Browse channels", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="Channels", exact=True).wait_for()


def test_a_database_held_by_another_program_says_what_to_do(
    page, browser_available, demo: Demo, tmp_path: Path
) -> None:
    db = tmp_path / "crm.duckdb"
    shutil.copy(demo.path, db)
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(120)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(db)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline()
        with running_app(db, tmp_path / "streamlit.log") as server:
            page.goto(url(server, "home"))
            settle(page)
            page.get_by_text("is open in another program").wait_for()
            page.get_by_text("then reload this page").wait_for()
            assert page.get_by_text("Import page").count() == 0
            shoot(page, "locked")
    finally:
        holder.terminate()
        holder.wait()
