"""The Owners page in a real browser at 1440x900: every contact column in view, merging asks
first and says what moves, and the Add owner form keeps what was typed after a refusal."""

from __future__ import annotations

from crm import registry
from crm.store import Store

from .conftest import Demo, grid_drawn, settle, shoot, url

_SCROLLER = '[data-testid="stDataFrame"] .dvn-scroller'


def test_the_owners_grid_fits_the_screen(page, server) -> None:
    page.goto(url(server, "owners"))
    settle(page)
    page.get_by_text("of owners look like the same person").wait_for()
    grid_drawn(page)
    headers = [h.strip() for h in page.locator('[data-testid="stDataFrame"] th').all_inner_texts()]
    assert "Phone" in headers
    # no column is cut off: the grid needs no sideways scrolling at all
    widths = page.locator(_SCROLLER).first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths
    shoot(page, "owners-grid")


def _two_busiest(demo: Demo) -> tuple[dict, dict]:  # type: ignore[type-arg]
    store = Store(str(demo.path))
    try:
        owners = registry.list_owners(store.cursor()).sort("channels", descending=True)
        return owners.row(0, named=True), owners.row(1, named=True)
    finally:
        store.close()


def test_merging_asks_first_and_says_what_moves(page, own_server, demo: Demo) -> None:
    keep, twin = _two_busiest(demo)
    page.goto(url(own_server, "owners"))
    settle(page)
    grid_drawn(page)
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 18 + 35)  # the first owner: the busiest
    settle(page)
    page.get_by_role("heading", name=keep["name"]).wait_for()

    def pick_twin() -> None:
        picker = page.locator('[data-testid="stSelectbox"]').filter(
            has_text="The same person, entered again"
        )
        if not picker.is_visible():
            page.get_by_text("Merge a duplicate into this owner").click()
        picker.click()
        page.keyboard.type(twin["name"])  # the list is long: narrow it as a person would
        # the choices tell people apart: name, channels, contacts
        option = page.get_by_role("option").filter(has_text=twin["name"]).first
        assert f"{twin['channels']} channels" in option.inner_text()
        option.click()
        settle(page)
        page.get_by_role("button", name="Merge…").click()
        settle(page)

    pick_twin()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(f"{twin['name']} is deleted").wait_for()
    dialog.get_by_text("move from").wait_for()
    shoot(page, "owners-merge-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    settle(page)
    assert page.get_by_role("dialog").count() == 0
    assert page.get_by_text("Merged").count() == 0

    pick_twin()
    page.get_by_role("dialog").get_by_role("button", name=f"Merge into {keep['name']}").click()
    settle(page)
    page.get_by_text(f"Merged {twin['name']} into {keep['name']}").first.wait_for()


def test_add_owner_keeps_what_was_typed_after_a_refusal(page, own_server) -> None:
    page.goto(url(own_server, "owners"))
    settle(page)
    page.get_by_text("Add an owner").click()
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("E-mail").fill("not-an-email")
    form.get_by_label("Telegram").fill("@kept_handle")
    form.get_by_role("button", name="Add owner").click()
    settle(page)
    page.locator('[data-testid="stAlertContentError"]').first.wait_for()
    assert form.get_by_label("E-mail").input_value() == "not-an-email"
    assert form.get_by_label("Telegram").input_value() == "@kept_handle"
    shoot(page, "owners-add-refused")

    form.get_by_label("Name *").fill("Вера Кравец")
    form.get_by_label("E-mail").fill("vera@example.com")
    form.get_by_role("button", name="Add owner").click()
    settle(page)
    page.get_by_role("heading", name="Вера Кравец").wait_for()
    form = page.locator('[data-testid="stForm"]').first
    assert page.get_by_label("Telegram", exact=True).first.input_value() == ""
