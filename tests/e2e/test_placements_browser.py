"""A person logs a placement on the Placements page, records its result on its own page, finds
it in a chart on the Analysis page, and downloads the campaign's client report with it inside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from crm.formatting import format_count, format_money
from crm.pricing import base_currency

from .conftest import Demo, settle, shoot, url

PRICE, REACH, CLICKS = 12_345, 54_321, 321


def _pick(demo: Demo) -> tuple[int, str, str, str, str]:
    """An active campaign of the demo, and a channel with no placement anywhere (so finding it in
    a chart or the report can only be this test's doing): campaign id and name, the base
    currency, the channel's platform:handle and its handle."""
    con = duckdb.connect(str(demo.path), read_only=True)
    try:
        campaign_id, name = con.execute(
            "select id, name from campaigns where status = 'active' order by id limit 1"
        ).fetchall()[0]
        platform, handle = con.execute(
            """
            select c.platform, c.handle from channels c
            where not c.archived and c.title is not null
              and not exists (select 1 from placements p where p.channel_id = c.id)
            order by c.id limit 1
            """
        ).fetchall()[0]
        base = base_currency(con)
    finally:
        con.close()
    return int(campaign_id), str(name), base, f"{platform}:{handle}", str(handle)


def _choose(scope, label: str, typed: str, option: str | re.Pattern[str]) -> None:  # type: ignore[no-untyped-def]
    """Open a select box, type to narrow its (virtualised) list, click the option."""
    scope.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    scope.page.keyboard.type(typed)
    scope.page.get_by_role("option").filter(has_text=option).first.click()


def test_log_record_chart_and_report(page, own_server: str, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    campaign_id, campaign, base, key, handle = _pick(demo)

    # ---- log the placement
    page.goto(url(own_server, "placements"))
    settle(page)
    page.locator('[data-testid="stExpander"]').filter(has_text="Log a placement").locator(
        "summary"
    ).click()
    settle(page)
    form = page.locator('[data-testid="stExpander"]').filter(has_text="Log a placement")
    _choose(form, "Campaign", campaign[:12], campaign)
    settle(page)
    search = form.get_by_label("Find a channel", exact=True)
    search.fill(handle)
    search.press("Enter")
    settle(page)
    # options read "title · platform · handle" (a shortlisted one adds " · stage")
    _choose(form, "Channel", handle, re.compile(rf"· {re.escape(handle)}( · |$)"))
    settle(page)
    price = form.get_by_label("Price paid", exact=True)
    price.fill(str(PRICE))
    price.press("Enter")
    settle(page)
    form.get_by_role("button", name="Log placement").click()
    settle(page)

    # ---- the Placement page opens: record a measurement
    page.wait_for_url(re.compile(r"[?&]id=\d+"))
    placement_id = int(re.search(r"[?&]id=(\d+)", page.url).group(1))  # type: ignore[union-attr]
    settle(page)
    record = page.locator('[data-testid="stForm"]').filter(has_text="Record a measurement")
    for label, value in (("Reach", REACH), ("Clicks", CLICKS)):
        box = record.get_by_label(label, exact=True)
        box.fill(str(value))
        box.press("Tab")  # leaves the box: its value is taken
    record.get_by_role("button", name="Record measurement").click()
    page.get_by_text("Measurement recorded").first.wait_for()
    settle(page)
    shoot(page, "placement-recorded")

    # ---- the Analysis page: the placement is a bubble of cost against reach
    page.goto(url(own_server, "analysis"))
    settle(page)
    page.get_by_role("tab", name="Cost and reach").click()
    settle(page)
    # the tab's own chart (those of the other tabs are in the page too, hidden)
    page.locator(".js-plotly-plot").filter(visible=True).first.wait_for()
    page.wait_for_timeout(500)
    traces = json.loads(
        page.evaluate(
            "() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot'))"
            # _fullData: the traces as drawn, numbers decoded (data keeps plotly's binary form)
            ".flatMap(d => (d._fullData || []).map(t => ({hovertext: Array.from(t.hovertext || []),"
            " x: Array.from(t.x || []), y: Array.from(t.y || [])}))))"
        )
    )
    label = f"{key} · #{placement_id}"
    found = [
        (t["x"][i], t["y"][i])
        for t in traces
        for i, text in enumerate(t.get("hovertext") or [])
        if text == label
    ]
    assert found == [(PRICE, REACH)], f"{label} not in the cost-against-reach chart"
    shoot(page, "analysis-cost-reach")

    # ---- the Campaign page: download the client report, the placement inside
    page.goto(url(own_server, "campaign", f"id={campaign_id}"))
    settle(page)
    page.locator('[data-testid="stPopoverButton"]', has_text="Client report").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the report").click()
    report = Path(info.value.path()).read_text(encoding="utf-8")
    assert info.value.suggested_filename == f"campaign-{campaign_id}-report-en.html"
    assert report.startswith("<!DOCTYPE html>") and "Campaign report" in report
    table = report[report.index('<section id="placements">') :]
    row = next(r for r in table.split("<tr>") if key in r)
    assert format_count(REACH) in row and format_count(CLICKS) in row
    assert format_money(PRICE, base) in row
    assert not re.search(r"<script[^>]*\bsrc\s*=", report)
