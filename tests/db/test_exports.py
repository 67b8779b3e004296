"""Exports: exact rows with the DESIGN.md field names, and a round trip through each format."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm.errors import ValidationError
from crm.exports import (
    CHANNEL_FIELDS,
    PLACEMENT_FIELDS,
    export_table,
    frame_bytes,
    table_frame,
)
from crm.outreach import create_campaign
from crm.placements.placements import cancel_placement, log_placement
from crm.placements.results import record_result
from crm.pricing import set_rate
from crm.registry import add_channel, add_owner, add_snapshot, get_channel, set_archived
from crm.store import Store

JAN, FEB = dt.date(2026, 1, 10), dt.date(2026, 2, 10)


@pytest.fixture
def small(store: Store) -> Store:
    """Four channels built by hand: a normal one, followers 0, no snapshot (archived), no reach."""
    irina = add_owner(
        store,
        "Ирина Котова",
        email="ads@recepty.ru",
        telegram="@irina_ads",
        phone="+7 900 123-45-67",
    )
    alpha = add_channel(
        store, "telegram", "alpha", title="Рецепты", kind="public_page", owner_id=irina,
        niches="food, travel", country="Russia", city="Moscow", language="ru",
        tags=["проверен", "VIP"], notes="Скидка от трёх постов",
    )  # fmt: skip
    add_snapshot(
        store, alpha, measured_on=JAN, followers=1000, avg_reach=300, avg_views=350,
        avg_likes=20, avg_comments=5, avg_shares=5, avg_engagement=30, provenance="platform_stats",
        source="TGStat",
    )  # fmt: skip
    add_snapshot(
        store, alpha, measured_on=FEB, followers=2000, avg_reach=500, avg_views=600,
        avg_likes=40, avg_comments=5, avg_shares=5, avg_engagement=50, provenance="screenshot",
    )  # fmt: skip
    zero = add_channel(store, "vk", "zero", title="Zero Club", owner_id=irina, email="z@club.ru")
    add_snapshot(
        store, zero, measured_on=FEB, followers=0, avg_reach=0, avg_engagement=0,
        provenance="manual",
    )  # fmt: skip
    gone = add_channel(store, "youtube", "gone", title="Gone")
    set_archived(store, gone, get_channel(store.cursor(), gone).version, True)
    insta = add_channel(store, "instagram", "anna.travel", kind="person")
    add_snapshot(store, insta, measured_on=JAN, followers=4000, avg_engagement=100)
    with store.transaction() as cur:
        cur.execute(
            """
            insert into prices (channel_id, format, kind, amount, currency, date, source, note)
            values (?, 'post', 'listed', 15000.50, 'RUB', ?, 'медиакит', null),
                   (?, 'story', 'quoted', 120, 'USD', ?, 'chat', 'на месяц')
            """,
            [alpha, JAN, insta, FEB],
        )
    return store


def _channel_rows(store: Store) -> list[dict]:
    return table_frame(store.cursor(), "channels").to_dicts()


def test_channels_rows_exactly(small: Store) -> None:
    rows = _channel_rows(small)
    assert [r["platform"] + ":" + r["handle"] for r in rows] == [
        "instagram:anna.travel", "telegram:alpha", "vk:zero", "youtube:gone",
    ]  # fmt: skip
    assert rows[1] == {
        "platform": "telegram", "handle": "alpha", "url": "https://t.me/alpha",
        "title": "Рецепты", "kind": "public_page", "owner": "Ирина Котова",
        "niche": "food, travel", "country": "Russia", "city": "Moscow", "language": "ru",
        "email": None, "telegram": None, "phone": None,
        "owner_email": "ads@recepty.ru", "owner_telegram": "@irina_ads",
        "owner_phone": "+7 900 123-45-67",
        "tags": "проверен, VIP", "notes": "Скидка от трёх постов", "followers": 2000,
        "avg_reach": 500.0, "avg_views": 600.0, "avg_engagement": 50.0, "avg_likes": 40.0,
        "avg_comments": 5.0, "avg_shares": 5.0, "measured_on": FEB, "er": 0.025, "err": 0.1,
        "reach_rate": 0.25,
    }  # fmt: skip
    zero = rows[2]
    assert (zero["followers"], zero["er"], zero["err"]) == (0, None, None)
    # the channel's own contacts and its owner's are separate columns (they import back apart)
    assert (zero["email"], zero["owner_email"]) == ("z@club.ru", "ads@recepty.ru")
    assert (zero["telegram"], zero["owner_telegram"]) == (None, "@irina_ads")
    gone = rows[3]
    assert gone["followers"] is None and gone["measured_on"] is None and gone["er"] is None
    assert gone["niche"] is None and gone["tags"] is None
    insta = rows[0]
    assert insta["er"] == 100 / 4000 and insta["err"] is None  # reach unknown


def test_other_tables_exactly(small: Store) -> None:
    cur = small.cursor()
    owners = table_frame(cur, "owners").to_dicts()
    assert owners == [
        {"name": "Ирина Котова", "email": "ads@recepty.ru", "telegram": "@irina_ads",
         "phone": "+7 900 123-45-67", "other_contact": None, "notes": None, "channels": 2},
    ]  # fmt: skip
    snaps = table_frame(cur, "snapshots")
    assert snaps.columns == [
        "channel", "measured_on", "followers", "avg_reach", "avg_views", "avg_engagement",
        "avg_likes", "avg_comments", "avg_shares", "provenance", "source",
    ]  # fmt: skip
    assert snaps.select("channel", "measured_on", "followers", "provenance", "source").rows() == [
        ("instagram:anna.travel", JAN, 4000, "manual", None),
        ("telegram:alpha", JAN, 1000, "platform_stats", "TGStat"),
        ("telegram:alpha", FEB, 2000, "screenshot", None),
        ("vk:zero", FEB, 0, "manual", None),
    ]
    prices = table_frame(cur, "prices").to_dicts()
    assert prices == [
        {"channel": "instagram:anna.travel", "format": "story", "kind": "quoted",
         "amount": Decimal("120.00"), "currency": "USD", "date": FEB, "source": "chat",
         "note": "на месяц"},
        {"channel": "telegram:alpha", "format": "post", "kind": "listed",
         "amount": Decimal("15000.50"), "currency": "RUB", "date": JAN, "source": "медиакит",
         "note": None},
    ]  # fmt: skip


def test_csv_round_trip(small: Store, tmp_path: Path) -> None:
    out = tmp_path / "channels.csv"
    assert export_table(small.cursor(), "channels", out) == 4
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(CHANNEL_FIELDS)
    back = pl.read_csv(out, try_parse_dates=True)
    assert back.columns == list(CHANNEL_FIELDS)
    assert back["title"].to_list() == [None, "Рецепты", "Zero Club", "Gone"]
    assert back["er"].to_list() == [0.025, 0.025, None, None]
    assert back["err"].to_list() == [None, 0.1, None, None]
    assert back["measured_on"].to_list() == [JAN, FEB, FEB, None]


def test_parquet_round_trip(small: Store, tmp_path: Path) -> None:
    cur = small.cursor()
    for table in ("channels", "owners", "snapshots", "prices"):
        out = tmp_path / f"{table}.parquet"
        export_table(cur, table, out)
        assert_frame_equal(pl.read_parquet(out), table_frame(cur, table))


def read_xlsx(data: bytes | Path) -> pl.DataFrame:
    return pl.read_excel(data, engine="calamine")


def test_xlsx_round_trip(small: Store, tmp_path: Path) -> None:
    out = tmp_path / "channels.xlsx"
    assert export_table(small.cursor(), "channels", out) == 4
    back = read_xlsx(out)
    assert back.columns == list(CHANNEL_FIELDS)
    assert back.height == 4
    alpha = back.row(1, named=True)
    assert alpha["handle"] == "alpha" and alpha["title"] == "Рецепты"
    assert alpha["followers"] == 2000 and alpha["er"] == 0.025 and alpha["err"] == 0.1
    assert alpha["measured_on"] == FEB  # a date cell, read back as a date
    assert alpha["owner_phone"] == "+7 900 123-45-67" and alpha["url"] == "https://t.me/alpha"
    zero = back.row(2, named=True)
    assert zero["followers"] == 0 and zero["er"] is None and zero["err"] is None

    prices = tmp_path / "prices.xlsx"
    assert export_table(small.cursor(), "prices", prices) == 2
    assert read_xlsx(prices).row(1)[:5] == ("telegram:alpha", "post", "listed", 15000.5, "RUB")


def sheet_parts(data: bytes) -> tuple[str, str, dict[str, str]]:
    """The sheet's XML, its table's XML, and the number format of each column's data cells."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        table = book.read("xl/tables/table1.xml").decode()
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", ns)}
    codes["0"] = "General"
    xfs = [xf.get("numFmtId") for xf in styles.iterfind("m:cellXfs/m:xf", ns)]
    formats = {
        column: codes[xfs[int(style)]]
        for column, style in re.findall(r'<c r="([A-Z]+)2" s="(\d+)"', sheet)
    }
    return sheet, table, formats


def _letters(index: int) -> str:
    """The spreadsheet column letters of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def test_xlsx_cells_are_typed_formatted_and_never_formulas(small: Store) -> None:
    add_channel(small, "telegram", "evil", title='=HYPERLINK("http://evil","x")', notes="@SUM(1)")
    frame = table_frame(small.cursor(), "channels")
    data = frame_bytes(frame, ".xlsx", "channels")
    sheet, table, formats = sheet_parts(data)
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    back = read_xlsx(data)
    evil = back.filter(pl.col("handle") == "evil").row(0, named=True)
    assert evil["title"] == '=HYPERLINK("http://evil","x")' and evil["notes"] == "@SUM(1)"
    column = {name: _letters(i) for i, name in enumerate(CHANNEL_FIELDS)}
    assert formats[column["followers"]] == "#,##0"
    assert formats[column["avg_reach"]] == "#,##0.0"
    assert formats[column["er"]] == formats[column["err"]] == "0.00%"
    assert formats[column["measured_on"]] == "yyyy-mm-dd"
    assert formats[column["title"]] == "General"
    # the header row: frozen, with filters, columns as wide as their text
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet
    assert f'<autoFilter ref="A1:{column[CHANNEL_FIELDS[-1]]}6"/>' in table
    widths = dict(re.findall(r'<col min="(\d+)" max="\d+" width="([\d.]+)"', sheet))
    assert float(widths["1"]) < float(widths[str(CHANNEL_FIELDS.index("notes") + 1)])


FORMULAS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def add_evil(store: Store) -> None:
    """A channel for each payload, title and notes set as they are (forms would strip them)."""
    for i, payload in enumerate(FORMULAS):
        add_channel(store, "telegram", f"evil_{i}", phone="+7 900 123-45-67")
        with store.transaction() as cur:
            cur.execute(
                "update channels set title = ?, notes = ? where handle = ?",
                [payload, payload, f"evil_{i}"],
            )


def test_xlsx_writes_every_formula_payload_as_text(small: Store) -> None:
    add_evil(small)
    data = frame_bytes(table_frame(small.cursor(), "channels"), ".xlsx", "channels")
    sheet, _, _ = sheet_parts(data)
    assert "<f>" not in sheet and "<f " not in sheet
    back = read_xlsx(data).filter(pl.col("handle").str.starts_with("evil_")).sort("handle")
    # text exactly as stored: no quote mark added (Excel never runs a text cell)
    assert back["title"].to_list() == back["notes"].to_list() == FORMULAS


def test_csv_exports_neutralise_formulas_and_keep_numbers(small: Store, tmp_path: Path) -> None:
    add_evil(small)
    out = tmp_path / "channels.csv"
    export_table(small.cursor(), "channels", out)
    downloaded = frame_bytes(table_frame(small.cursor(), "channels"), ".csv")
    assert downloaded[3:] == out.read_bytes()  # the page's download and the CLI write the same
    back = pl.read_csv(out, infer_schema=False).filter(pl.col("handle").str.starts_with("evil_"))
    assert back["title"].to_list() == [f"'{p}" for p in FORMULAS]
    assert set(back["phone"].to_list()) == {"'+7 900 123-45-67"}
    frame = pl.DataFrame({"text": ["-1", "x"], "n": [-1, 2], "x": [-0.5, None]})
    assert frame_bytes(frame, ".csv", bom=False) == b"text,n,x\n'-1,-1,-0.5\nx,2,\n"


def test_xlsx_money_dates_with_time_zones_and_an_empty_frame() -> None:
    frame = pl.DataFrame(
        {
            "amount": [Decimal("15000.50"), None],
            "at": [dt.datetime(2026, 2, 10, 12, 30, tzinfo=dt.UTC), None],
            "reach_rate": [0.5, None],
        },
        schema_overrides={"amount": pl.Decimal(18, 2)},
    )
    data = frame_bytes(frame, ".xlsx", "prices")
    _, _, formats = sheet_parts(data)
    assert formats == {"A": "#,##0.00", "B": "yyyy-mm-dd hh:mm", "C": "0.00%"}
    # the time zone is dropped, the wall-clock time kept; the empty row is empty cells
    assert read_xlsx(data).rows() == [(15000.5, dt.datetime(2026, 2, 10, 12, 30), 0.5)]
    empty = frame_bytes(frame.clear(), ".xlsx", "prices")
    assert pl.read_excel(empty, engine="calamine", raise_if_empty=False).columns == frame.columns


def test_refusals_write_nothing(small: Store, tmp_path: Path) -> None:
    cur = small.cursor()
    with pytest.raises(ValidationError, match="must end in .csv, .xlsx or .parquet"):
        export_table(cur, "channels", tmp_path / "channels.json")
    with pytest.raises(ValidationError, match="no table “nope”"):
        export_table(cur, "nope", tmp_path / "nope.csv")
    assert list(tmp_path.iterdir()) == []


def test_empty_workspace_exports_headers_only(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "channels.csv"
    assert export_table(store.cursor(), "channels", out) == 0
    assert out.read_text(encoding="utf-8").strip() == ",".join(CHANNEL_FIELDS)


def test_channels_frame_follows_the_channels_page_filter(small: Store) -> None:
    from crm.exports import channels_frame
    from crm.registry import ChannelFilter

    cur = small.cursor()
    active = channels_frame(cur, ChannelFilter())
    assert active["handle"].to_list() == ["anna.travel", "alpha", "zero"]
    assert active.columns == list(CHANNEL_FIELDS)
    vk = channels_frame(cur, ChannelFilter(platforms=["vk"]))
    assert vk.select("platform", "handle", "followers", "er").to_dicts() == [
        {"platform": "vk", "handle": "zero", "followers": 0, "er": None}
    ]
    archived = channels_frame(cur, ChannelFilter(archived="archived"))
    assert archived["handle"].to_list() == ["gone"]


def test_frame_bytes_formats(small: Store) -> None:
    frame = table_frame(small.cursor(), "channels")
    data = frame_bytes(frame, ".csv")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel then reads Cyrillic correctly
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(CHANNEL_FIELDS)
    back = read_xlsx(frame_bytes(frame, ".xlsx"))
    assert back.columns == list(CHANNEL_FIELDS)
    assert back.height == frame.height
    with pytest.raises(ValidationError, match="Cannot write"):
        frame_bytes(frame, ".json")


def test_outreach_and_rates_exports_exactly(store: Store, tmp_path: Path) -> None:
    """campaigns, shortlist, events and rates with the DESIGN.md field names and exact rows."""
    from crm.outreach.campaigns import create_campaign
    from crm.outreach.events import log_activity, move_cards
    from crm.outreach.shortlist import add_to_shortlist, update_entry
    from crm.pricing import set_rate

    alpha = add_channel(store, "telegram", "alpha")
    beta = add_channel(store, "vk", "beta")
    spring = create_campaign(
        store, name="Spring", brand="Kefir", goal="sales", budget="150000.50", currency="RUB",
        starts_on="2026-03-01", ends_on="2026-03-31", audience_notes="Moms",
    )  # fmt: skip
    create_campaign(store, name="autumn", status="draft")
    t0 = dt.datetime(2026, 3, 2, 10, 0)
    add_to_shortlist(store, spring, [beta, alpha], author="Olga", at=t0)
    entries = dict(store.cursor().execute("select channel_id, id from shortlist").fetchall())
    move_cards(store, {entries[beta]: 1}, "contacted", author="Olga", at=t0 + dt.timedelta(hours=1))
    update_entry(store, entries[alpha], 1, {"priority": "high", "next_follow_up": "2026-03-05",
                                            "manager": "Ivan", "notes": "=2+2"})  # fmt: skip
    log_activity(store, spring, beta, "call", "Asked for prices", author="Olga",
                 at=t0 + dt.timedelta(hours=2))  # fmt: skip
    set_rate(store, "USD", dt.date(2026, 3, 1), "90.5", source="CBR")
    set_rate(store, "EUR", dt.date(2026, 3, 1), "98")
    cur = store.cursor()

    campaigns = table_frame(cur, "campaigns")
    assert campaigns.columns == [
        "name", "brand", "goal", "budget", "currency", "starts_on", "ends_on", "audience_notes",
        "status",
    ]  # fmt: skip
    assert campaigns.rows() == [
        ("autumn", None, "reach", None, "RUB", None, None, None, "draft"),
        ("Spring", "Kefir", "sales", Decimal("150000.50"), "RUB", dt.date(2026, 3, 1),
         dt.date(2026, 3, 31), "Moms", "active"),
    ]  # fmt: skip
    shortlist = table_frame(cur, "shortlist")
    assert shortlist.columns == [
        "campaign", "channel", "stage", "priority", "manager", "next_follow_up", "notes",
    ]  # fmt: skip
    assert shortlist.rows() == [
        ("Spring", "telegram:alpha", "shortlisted", "high", "Ivan", dt.date(2026, 3, 5), "=2+2"),
        ("Spring", "vk:beta", "contacted", "normal", None, None, None),
    ]
    events = table_frame(cur, "events")
    assert events.columns == [
        "campaign", "channel", "at", "type", "stage_from", "stage_to", "author", "text",
    ]  # fmt: skip
    assert events.rows() == [
        ("Spring", "vk:beta", t0, "stage", None, "shortlisted", "Olga", None),
        ("Spring", "telegram:alpha", t0, "stage", None, "shortlisted", "Olga", None),
        ("Spring", "vk:beta", dt.datetime(2026, 3, 2, 11), "stage", "shortlisted", "contacted",
         "Olga", None),
        ("Spring", "vk:beta", dt.datetime(2026, 3, 2, 12), "call", None, None, "Olga",
         "Asked for prices"),
    ]  # fmt: skip
    rates = table_frame(cur, "rates")
    assert rates.columns == ["date", "currency", "rate", "source"]
    assert rates.rows() == [
        (dt.date(2026, 3, 1), "EUR", Decimal("98.00000000"), None),
        (dt.date(2026, 3, 1), "USD", Decimal("90.50000000"), "CBR"),
    ]
    for table, rows in (("campaigns", 2), ("shortlist", 2), ("events", 4), ("rates", 2)):
        out = tmp_path / f"{table}.csv"
        assert export_table(cur, table, out) == rows
        assert pl.read_csv(out).columns == table_frame(cur, table).columns
    # a formula-like note is neutralised in the file, as in every export
    assert "'=2+2" in (tmp_path / "shortlist.csv").read_text(encoding="utf-8")


# ---------------------------------------------------------------- placements


def test_placements_export_rows_with_latest_results_and_kpis(store: Store, tmp_path: Path) -> None:
    anna = add_channel(store, "telegram", "anna")
    spring = create_campaign(store, name="Весна")
    set_rate(store, "USD", dt.date(2026, 1, 1), Decimal("90"))
    first = log_placement(
        store, channel_id=anna, campaign_id=spring, ref="a-1", content_type="review",
        published_at=dt.datetime(2026, 3, 1, 18, 30), price_paid=Decimal("100"), currency="USD",
        planned_reach=8000,
    )  # fmt: skip
    record_result(store, first, measured_at=dt.datetime(2026, 3, 2), reach=3000, clicks=10)
    record_result(
        store, first, measured_at=dt.datetime(2026, 3, 8), reach=4000, impressions=6000,
        likes=70, comments=20, shares=10, clicks=60, conversions=3, revenue=Decimal("27000"),
        currency="RUB", provenance="platform_stats",
    )  # fmt: skip
    gone = log_placement(store, channel_id=anna, planned_on=dt.date(2026, 4, 1))
    cancel_placement(store, gone, 1)
    frame = table_frame(store.cursor(), "placements")
    assert frame.columns == list(PLACEMENT_FIELDS)
    rows = frame.to_dicts()
    assert [r["id"] for r in rows] == [first, gone]
    row = rows[0]
    assert {k: row[k] for k in ("ref", "campaign", "channel", "format", "content_type", "status")} == {
        "ref": "a-1", "campaign": "Весна", "channel": "telegram:anna", "format": "post",
        "content_type": "review", "status": "published",
    }  # fmt: skip
    # the latest measurement (8 March), not the first
    assert (row["reach"], row["impressions"], row["clicks"], row["conversions"]) == (
        4000, 6000, 60, 3,
    )  # fmt: skip
    assert (row["revenue"], row["revenue_currency"], row["provenance"]) == (
        Decimal("27000.00"), "RUB", "platform_stats",
    )  # fmt: skip
    # 100 USD at 90 on the day of the placement; the KPIs over the base currency
    assert (row["base_currency"], row["cost_base"], row["revenue_base"]) == (
        "RUB", Decimal("9000.00"), Decimal("27000.00"),
    )  # fmt: skip
    assert (row["cpm"], row["cpm_basis"]) == (1500.0, "impressions")  # 9000 / 6000 × 1000
    assert row["cpc"] == 150.0  # 9000 / 60
    assert row["ctr"] == 0.01  # 60 / 6000
    assert row["cpa"] == 3000.0
    assert row["cpe"] == 90.0  # 9000 / (70 + 20 + 10)
    assert row["err"] == 0.025  # 100 / 4000
    assert (row["romi"], row["roas"], row["delivery"]) == (2.0, 3.0, 0.5)
    assert row["flags"] == "No erid (ad label) on a published telegram placement"
    cancelled = rows[1]
    assert (cancelled["status"], cancelled["cost_base"], cancelled["cpm"]) == (
        "cancelled",
        None,
        None,
    )
    # every format writes it
    for suffix in (".csv", ".xlsx", ".parquet"):
        assert export_table(store.cursor(), "placements", tmp_path / f"p{suffix}") == 2
    back = pl.read_csv(tmp_path / "p.csv")
    assert back.columns == list(PLACEMENT_FIELDS)
    assert back["cpm"].to_list() == [1500.0, None]
