"""The Import page in a real browser at 1440x900, as a new user met it: importing into the
demo first offers an empty workspace, a refused preview is the only message, and after the
import its button is gone and the workspace is no longer called a demo."""

from __future__ import annotations

from pathlib import Path

from .conftest import ROOT, settle, shoot, url

SAMPLE = ROOT / "data" / "samples" / "channels_sample.csv"
_FILE = '[data-testid="stFileUploader"] input[type="file"]'


def test_importing_into_the_demo_starts_an_empty_workspace_first(page, own_server) -> None:
    page.goto(url(own_server, "import"))
    settle(page)
    page.get_by_text("This is the demo workspace").wait_for()
    page.locator(_FILE).set_input_files(str(SAMPLE))
    settle(page)
    # the offer comes before the preview
    offer = page.get_by_role("button", name="Start an empty workspace first")
    preview = page.get_by_role("button", name="Preview")
    offer_box, preview_box = offer.bounding_box(), preview.bounding_box()
    assert offer_box is not None and preview_box is not None
    assert offer_box["y"] < preview_box["y"]
    shoot(page, "import-demo-notice")
    offer.click()
    settle(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("of them archived").wait_for()
    dialog.get_by_role("button", name="Delete everything and start empty").click()
    settle(page)
    page.get_by_text("The workspace is empty now").first.wait_for()
    assert page.get_by_text("This is the demo workspace").count() == 0
    assert page.get_by_text("Demo workspace").count() == 0  # the sidebar's label is gone

    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_role("button", name="Import 7 rows").click()
    settle(page)
    page.get_by_text("Imported 7 new").first.wait_for()
    settle(page)  # the import reruns the page to draw the result: let that run finish
    assert page.get_by_role("button", name="Import 7 rows").count() == 0
    shoot(page, "import-finished")


def test_importing_into_the_demo_anyway_drops_the_demo_label(page, own_server) -> None:
    page.goto(url(own_server, "import"))
    settle(page)
    page.locator(_FILE).set_input_files(str(SAMPLE))
    settle(page)
    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_role("button", name="Import 7 rows").click()
    settle(page)
    page.get_by_text("Imported 7 new").first.wait_for()
    settle(page)  # the import reruns the page to draw the result: let that run finish
    assert page.get_by_role("button", name="Import 7 rows").count() == 0
    assert page.get_by_text("Demo workspace").count() == 0
    page.goto(url(own_server, "home"))
    settle(page)
    page.get_by_role("heading", name="Outreach CRM").wait_for()
    assert page.get_by_text("You are looking at a demo workspace").count() == 0


def test_a_refused_preview_is_the_only_message(page, server, tmp_path: Path) -> None:
    bad = tmp_path / "list.csv"
    bad.write_text("Канал,Кол-во\nanna,100\n", encoding="utf-8")
    page.goto(url(server, "import"))
    settle(page)
    page.locator(_FILE).set_input_files(str(bad))
    settle(page)
    page.get_by_text("Press Preview").wait_for()
    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_text("No column holds handles or links").wait_for()
    assert page.get_by_text("Press Preview").count() == 0
    shoot(page, "import-refused")


def test_another_file_of_the_same_name_and_size_is_previewed_afresh(
    page, server, tmp_path: Path
) -> None:
    first, second = tmp_path / "a" / "list.csv", tmp_path / "b" / "list.csv"
    for path, handle in ((first, "anna"), (second, "bori")):
        path.parent.mkdir()
        path.write_text(f"handle,platform\n{handle},telegram\n", encoding="utf-8")
    assert first.stat().st_size == second.stat().st_size
    page.goto(url(server, "import"))
    settle(page)
    page.locator(_FILE).set_input_files(str(first))
    settle(page)
    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_text("New and updated rows").wait_for()
    page.locator(_FILE).set_input_files(str(second))
    settle(page)
    page.get_by_text("Press Preview").wait_for()
    assert page.get_by_text("New and updated rows").count() == 0
    assert page.get_by_role("button", name="Import 1 row").count() == 0


def test_a_file_that_needs_a_currency_asks_for_it(page, server, tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("handle,platform,followers,price\nanna,telegram,100,5000\n", encoding="utf-8")
    page.goto(url(server, "import"))
    settle(page)
    page.locator(_FILE).set_input_files(str(prices))
    settle(page)
    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_text("1 row has a price but no currency").wait_for()
    page.get_by_text("no date of its own").wait_for()
    assert page.get_by_role("button", name="Import 1 row").is_disabled()
    page.get_by_role("button", name="Import 1 row").scroll_into_view_if_needed()
    shoot(page, "import-needs-currency")
    page.locator('[data-testid="stSelectbox"]').filter(
        has_text="Currency of prices that name none"
    ).click()
    page.get_by_role("option", name="RUB", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Preview").click()
    settle(page)
    page.get_by_text("New and updated rows").wait_for()
    assert page.get_by_text("price but no currency").count() == 0
    assert page.get_by_role("button", name="Import 1 row").is_enabled()
    page.get_by_role("button", name="Import 1 row").scroll_into_view_if_needed()
    shoot(page, "import-currency-chosen")
