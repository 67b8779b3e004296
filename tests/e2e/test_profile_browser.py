"""The channel profile in a real browser at 1440x900: words instead of codes, "—" for what is
not known, and every column of the prices table in view."""

from __future__ import annotations

from crm.formatting import format_count
from crm.store import Store
from crm.vocab.terms import PROVENANCE_LABELS

from .conftest import Demo, grid_drawn, settle, shoot, url


def _with_gaps(demo: Demo) -> tuple[int, str]:
    """A channel with prices whose latest snapshot has no source, and that snapshot's
    provenance."""
    store = Store(str(demo.path))
    try:
        rows = (
            store.cursor()
            .execute(
                """
                select s.channel_id, s.provenance from snapshots s
                where s.source is null and s.channel_id in (select channel_id from prices)
                  and s.id = (select max(id) from snapshots t where t.channel_id = s.channel_id)
                order by s.channel_id limit 1
                """
            )
            .fetchall()
        )
    finally:
        store.close()
    return int(rows[0][0]), str(rows[0][1])


def test_profile_names_codes_in_words_and_fits_its_tables(page, server, demo: Demo) -> None:
    channel_id, provenance = _with_gaps(demo)
    page.goto(url(server, "channel", f"id={channel_id}"))
    settle(page)
    caption = page.get_by_text("Measured ").first.inner_text()
    assert PROVENANCE_LABELS[provenance] in caption and provenance not in caption
    page.get_by_role("tab", name="Prices").click()
    settle(page)
    grid_drawn(page)
    prices = page.locator('[data-testid="stDataFrame"]').filter(has_text="est. CPM").first
    prices.scroll_into_view_if_needed()
    headers = [h.strip() for h in prices.locator("th").all_inner_texts()]
    assert headers[:6] == ["Format", "Kind", "Price", "CPF", "est. CPM", "Date"], headers
    widths = prices.locator(".dvn-scroller").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths  # the Date (and Source) whole on screen
    shoot(page, "profile-prices")

    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    snapshots = page.locator('[data-testid="stDataFrame"]').filter(has_text="Provenance").first
    snapshots.locator("td").first.wait_for(state="attached")
    cells = snapshots.locator("td").all_inner_texts()
    assert PROVENANCE_LABELS[provenance] in cells and provenance not in cells
    # an unknown source is drawn as "—" (the placeholder), not "None": look at the shot,
    # taken with the grid scrolled to its last columns
    snapshots.scroll_into_view_if_needed()
    box = snapshots.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60)
    page.mouse.wheel(800, 0)
    page.wait_for_timeout(300)
    shoot(page, "profile-snapshots")


def _add_snapshot(page, numbers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    form = page.locator('[data-testid="stForm"]').filter(has_text="Add snapshot")
    for label, value in numbers.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Add snapshot").click()
    settle(page)


def test_a_snapshot_says_added_or_replaced_and_warns_of_odd_numbers(
    page, own_server, demo: Demo
) -> None:
    import datetime as dt

    channel_id, _ = _with_gaps(demo)
    today = dt.date.today().isoformat()
    page.goto(url(own_server, "channel", f"id={channel_id}"))
    settle(page)
    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    _add_snapshot(page, {"Followers": "1000", "Avg reach per post": "5000"})
    page.get_by_text(f"Added the snapshot of {today}.").first.wait_for()
    warning = f"Average reach {format_count(5000)} is above followers {format_count(1000)}"
    page.get_by_text(warning).wait_for()
    shoot(page, "profile-snapshot-warning")

    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    # the day's snapshot takes the new followers and keeps its reach: no longer above them
    _add_snapshot(page, {"Followers": "6000"})
    page.get_by_text(f"Replaced the snapshot of {today}.").first.wait_for()
    assert page.get_by_text("is above followers").count() == 0


def test_numbers_the_latest_snapshot_lacks_show_with_their_date(
    page, own_server, demo: Demo
) -> None:
    channel_id, _ = _with_gaps(demo)
    page.goto(url(own_server, "channel", f"id={channel_id}"))
    settle(page)
    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    _add_snapshot(page, {"Followers": "77777"})
    page.get_by_text(format_count(77_777)).first.wait_for()
    page.get_by_text(" as of ").first.wait_for()
    # the five numbers above the tabs (the Prices tab's own figures follow them)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()[:5]
    assert "—" not in [v.strip() for v in values], values
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "profile-latest-known")
