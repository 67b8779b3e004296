"""Importing placements and their results through the one engine: campaigns created (and the
preview saying so), a channel chosen for the whole file, refs updating instead of duplicating,
measurements with provenance and time, refused rows; and the real ad export's exact totals."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from crm import registry
from crm.errors import ImportRefused, StaleEdit
from crm.importing.kinds import IMPORT_KINDS
from crm.importing.placements import (
    apply_placement_import,
    import_placements_file,
    plan_placement_import,
)
from crm.importing.read import read_table
from crm.placements.kpis import kpi_table, kpi_totals
from crm.placements.placements import get_placement, update_placement
from crm.pricing import set_base_currency
from crm.store import Store

KAG_MAPPING: dict[str, str | None] = {
    "ad_id": "ref",
    "xyz_campaign_id": "campaign",
    "Impressions": "impressions",
    "Clicks": "clicks",
    "Spent": "price_paid",
    "Total_Conversion": "conversions",
}


@pytest.fixture
def channels(store: Store) -> dict[str, int]:
    return {
        "anna": registry.add_channel(store, "telegram", "anna"),
        "club": registry.add_channel(store, "vk", "club", kind="public_page"),
    }


def _write(tmp_path: Path, text: str, name: str = "placements.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(store: Store, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    return store.cursor().execute(sql, params or []).fetchall()


FILE = (
    "Ref;Кампания;Канал;Формат;Тип контента;Дата публикации;Стоимость;Валюта;Охват;Показы;"
    "Клики;Заказы;Выручка;Дата замера\n"
    "a-1;Весна;t.me/anna;пост;обзор;01.03.2026;10 000;RUB;5000;8000;120;4;20 000;02.03.2026\n"
    "a-2;Весна;vk:club;сторис;юмор;03.03.2026;150;USD;12000;;300;;;04.03.2026\n"
    ";Лето;telegram:anna;пост;;;5000;RUB;;;;;;\n"
)


def test_new_placements_with_campaigns_created_and_measurements(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    path = _write(tmp_path, FILE)
    table = read_table(path.read_bytes(), path.name)
    plan = plan_placement_import(store.cursor(), table, None, {"provenance": "platform_stats"})
    assert plan.counts()["new"] == 3
    assert "2 new campaigns will be created: Весна, Лето." in plan.warnings
    assert plan.preview["changes"].to_list() == [
        "new campaign: Весна", "new campaign: Весна", "new campaign: Лето",
    ]  # fmt: skip
    assert _rows(store, "select count(*) from campaigns") == [(0,)]  # a preview writes nothing
    result = apply_placement_import(store, plan)
    assert (result.new, result.rejected) == (3, 0)
    assert _rows(store, "select name, currency from campaigns order by id") == [
        ("Весна", "RUB"),
        ("Лето", "RUB"),
    ]
    placed = _rows(
        store,
        """
        select p.ref, k.name, p.channel_id, p.format, p.content_type, p.status, p.published_at,
               p.price_paid, p.currency
        from placements p join campaigns k on k.id = p.campaign_id order by p.id
        """,
    )
    assert placed == [
        ("a-1", "Весна", channels["anna"], "post", "review", "published",
         dt.datetime(2026, 3, 1), Decimal("10000.00"), "RUB"),
        ("a-2", "Весна", channels["club"], "story", "humor", "published",
         dt.datetime(2026, 3, 3), Decimal("150.00"), "USD"),
        (None, "Лето", channels["anna"], "post", None, "planned", None, Decimal("5000.00"), "RUB"),
    ]  # fmt: skip
    measured = _rows(
        store,
        """
        select p.ref, r.measured_at, r.reach, r.impressions, r.clicks, r.conversions, r.revenue,
               r.currency, r.provenance, r.source
        from results r join placements p on p.id = r.placement_id order by r.id
        """,
    )
    assert measured == [
        (
            "a-1",
            dt.datetime(2026, 3, 2),
            5000,
            8000,
            120,
            4,
            Decimal("20000.00"),
            "RUB",
            "platform_stats",
            "import: placements.csv",
        ),
        (
            "a-2",
            dt.datetime(2026, 3, 4),
            12000,
            None,
            300,
            None,
            None,
            None,
            "platform_stats",
            "import: placements.csv",
        ),
    ]  # fmt: skip  (the third row has no numbers: no measurement)


def test_a_reimport_by_ref_updates_and_measures_only_what_changed(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    import_placements_file(store, _write(tmp_path, FILE))
    again = import_placements_file(store, _write(tmp_path, FILE))
    # the row without a ref is a placement of its own each time; the refs are matched
    assert (again.new, again.updated, again.unchanged) == (1, 0, 2)
    assert _rows(store, "select count(*) from results") == [(2,)]
    changed = FILE.replace("10 000;RUB;5000;8000;120", "12 000;RUB;5000;8000;150")
    changed = changed.replace("150;USD;12000", "150;USD;12000")
    path = _write(tmp_path, changed)
    plan = plan_placement_import(store.cursor(), read_table(path.read_bytes(), path.name))
    preview = {r["ref"]: r for r in plan.preview.iter_rows(named=True)}
    assert preview["a-1"]["status"] == "updated"
    assert preview["a-1"]["changes"] == "price_paid: 10000.00 → 12000.00; clicks: 120 → 150"
    assert preview["a-2"]["status"] == "unchanged"
    apply_placement_import(store, plan)
    a1 = _rows(store, "select id, price_paid, version from placements where ref = 'a-1'")[0]
    assert a1[1:] == (Decimal("12000.00"), 2)
    # a second measurement for a-1 (clicks changed), none for a-2
    assert _rows(
        store, "select clicks from results where placement_id = ? order by id", [a1[0]]
    ) == [(120,), (150,)]
    assert _rows(store, "select count(*) from placements where ref is not null") == [(2,)]


def test_a_placement_changed_since_the_preview_refuses_the_write(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    import_placements_file(store, _write(tmp_path, FILE))
    path = _write(tmp_path, FILE.replace("10 000;RUB", "11 000;RUB"))
    plan = plan_placement_import(store.cursor(), read_table(path.read_bytes(), path.name))
    pid = int(_rows(store, "select id from placements where ref = 'a-1'")[0][0])
    update_placement(store, pid, get_placement(store.cursor(), pid).version, {"erid": "x1"})
    with pytest.raises(StaleEdit, match="changed since the preview"):
        apply_placement_import(store, plan)
    assert _rows(store, "select price_paid from placements where id = ?", [pid]) == [
        (Decimal("10000.00"),)
    ]


def test_the_channel_and_campaign_chosen_for_a_file_without_those_columns(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    path = _write(tmp_path, "id;spent;clicks\nx1;10;5\nx2;20;7\n")
    with pytest.raises(ImportRefused, match="no currency"):
        import_placements_file(
            store, path, mapping={"id": "ref", "spent": "price_paid"}, channel="vk:club"
        )
    result = import_placements_file(
        store,
        path,
        mapping={"id": "ref", "spent": "price_paid", "clicks": "clicks"},
        channel="https://vk.com/club",
        campaign="Осень",
        currency="EUR",
        provenance="shop_analytics",
        measured_on=dt.date(2026, 5, 1),
    )
    assert (result.new, result.rejected) == (2, 0)
    assert "1 new campaign will be created: Осень." in result.warnings
    assert _rows(
        store,
        """
        select p.ref, p.channel_id, k.name, k.currency, p.price_paid, p.currency, r.clicks,
               r.provenance, r.measured_at
        from placements p join campaigns k on k.id = p.campaign_id
        join results r on r.placement_id = p.id order by p.id
        """,
    ) == [
        ("x1", channels["club"], "Осень", "EUR", Decimal("10.00"), "EUR", 5, "shop_analytics",
         dt.datetime(2026, 5, 1)),
        ("x2", channels["club"], "Осень", "EUR", Decimal("20.00"), "EUR", 7, "shop_analytics",
         dt.datetime(2026, 5, 1)),
    ]  # fmt: skip
    # without a channel column or a chosen channel, a row whose ref names no placement yet
    # says why it was refused (one whose ref does updates that placement)
    unknown = _write(tmp_path, "id;clicks\ny1;3\nx2;8\n", "unknown.csv")
    none = import_placements_file(store, unknown, mapping={"id": "ref"}, dry_run=True)
    assert (none.rejected, none.updated) == (1, 1)
    assert none.rejects[0].line == 2
    assert none.rejects[0].reason.startswith("no channel: map a column of links")
    with pytest.raises(ImportRefused, match="names no handle"):
        import_placements_file(store, path, channel="vk:", dry_run=True)
    with pytest.raises(ImportRefused, match="Provenance must be one of"):
        import_placements_file(store, path, channel="vk:club", provenance="rumour")


def test_bad_rows_are_refused_with_a_reason_and_nothing_half_written(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "ref,channel,post_url,planned_on,published_at,measured_at,reach,clicks,impressions,"
        "content_type\n"
        "r1,telegram:nobody,,,,,10,,,\n"
        "r2,telegram:anna,https://vk.com/wall-1_2,,2026-03-01,,10,,,\n"
        "r3,telegram:anna,,2026-06-01,2023-01-01,,10,,,\n"
        "r4,telegram:anna,,,2026-03-05,2026-03-01,10,,,\n"
        "r5,telegram:anna,,,,,-5,,,\n"
        "r6,telegram:anna,,,,,10,,,dance\n"
        "r7,telegram:anna,https://t.me/anna/15,,2026-03-01,2026-03-02,100,120,100,review\n",
    )
    result = import_placements_file(store, path)
    reasons = {r.line: r.reason for r in result.rejects}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "telegram:nobody is not in the registry" in reasons[2]
    assert "is not a link to Telegram" in reasons[3]
    assert "more than two years before it was planned" in reasons[4]
    assert "before it was published" in reasons[5]
    assert reasons[6] == "reach cannot be negative"
    assert "content_type “dance” is not one of" in reasons[7]
    # clicks above impressions is allowed (real exports have it) and flagged elsewhere
    assert result.new == 1
    assert _rows(store, "select ref from placements") == [("r7",)]


def test_the_import_page_offers_placements() -> None:
    spec = IMPORT_KINDS["placements"]
    assert spec.label == "Placements"
    assert "provenance" in spec.choices and "currency" in spec.choices


def _kag_totals(path: Path) -> dict[str, dict[str, int | Decimal]]:
    """Per campaign, from the file itself: impressions, clicks, conversions and the spend with
    every row rounded half up to cents."""
    out: dict[str, dict[str, int | Decimal]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            c = out.setdefault(
                row["xyz_campaign_id"],
                {"impressions": 0, "clicks": 0, "conversions": 0, "spent": Decimal(0), "ads": 0},
            )
            c["impressions"] += int(row["Impressions"])
            c["clicks"] += int(row["Clicks"])
            c["conversions"] += int(row["Total_Conversion"])
            c["spent"] += Decimal(row["Spent"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            c["ads"] += 1
    return out


def test_the_real_ad_export_gives_the_file_s_exact_totals(store: Store, real_data: Path) -> None:
    path = real_data / "KAG_conversion_data.csv"
    set_base_currency(store, "USD")
    registry.add_channel(store, "facebook", "advertiser", kind="public_page")
    result = import_placements_file(
        store, path, mapping=KAG_MAPPING, channel="facebook:advertiser", currency="USD"
    )
    assert result.summary() == "1143 new, 0 updated, 0 unchanged, 0 rejected"
    assert "3 new campaigns will be created: 916, 936, 1178." in result.warnings
    expected = _kag_totals(path)
    rows = {r["name"]: r for r in kpi_table(store.cursor(), "campaign").iter_rows(named=True)}
    assert sorted(rows) == sorted(expected)
    for name, want in expected.items():
        got = rows[name]
        assert got["placements"] == want["ads"]
        assert (got["impressions"], got["clicks"], got["conversions"]) == (
            want["impressions"], want["clicks"], want["conversions"],
        )  # fmt: skip
        assert got["cost"] == want["spent"]
        assert got["cpm_basis"] == "impressions"
        assert got["cpm"] == pytest.approx(float(want["spent"]) * 1000 / want["impressions"])
        assert got["cpc"] == pytest.approx(float(want["spent"]) / want["clicks"])
        assert got["ctr"] == pytest.approx(want["clicks"] / want["impressions"])
        assert got["missing_rates"] == 0
    totals = kpi_totals(store.cursor())
    assert totals["impressions"] == sum(int(w["impressions"]) for w in expected.values())
    assert totals["conversions"] == sum(int(w["conversions"]) for w in expected.values())
    assert totals["cost"] == sum(Decimal(w["spent"]) for w in expected.values())
    # importing it again changes nothing and adds no measurement
    again = import_placements_file(
        store, path, mapping=KAG_MAPPING, channel="facebook:advertiser", currency="USD"
    )
    assert again.summary() == "0 new, 0 updated, 1143 unchanged, 0 rejected"
    assert _rows(store, "select count(*), count(distinct placement_id) from results") == [
        (1143, 1143)
    ]


def test_a_reimport_keeps_a_time_entered_in_the_app_and_gives_a_campaign(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    path = _write(tmp_path, "ref,channel,published_at,clicks\nz1,telegram:anna,2026-03-01,5\n")
    import_placements_file(store, path)
    pid = int(_rows(store, "select id from placements where ref = 'z1'")[0][0])
    placed = get_placement(store.cursor(), pid)
    update_placement(store, pid, placed.version, {"published_at": "2026-03-01 18:30"})
    # the same day in the file: the time of day typed in the app stays
    assert import_placements_file(store, path).unchanged == 1
    assert _rows(store, "select published_at from placements where id = ?", [pid]) == [
        (dt.datetime(2026, 3, 1, 18, 30),)
    ]
    moved = _write(tmp_path, "ref,campaign,published_at\nz1,Зима,2026-03-02\n", "moved.csv")
    result = import_placements_file(store, moved)
    assert (result.updated, result.warnings[-1]) == (1, "1 new campaign will be created: Зима.")
    assert _rows(
        store,
        "select k.name, p.published_at from placements p join campaigns k on k.id = p.campaign_id",
    ) == [("Зима", dt.datetime(2026, 3, 2))]


def test_imported_placements_move_their_shortlisted_cards_forward_only(
    store: Store, channels: dict[str, int], tmp_path: Path
) -> None:
    from crm.outreach import add_to_shortlist, create_campaign, move_cards

    spring = create_campaign(store, name="Весна")
    add_to_shortlist(store, spring, [channels["anna"], channels["club"]])
    entries = dict(_rows(store, "select channel_id, id from shortlist order by id"))
    # the VK page is already paid: an import never moves a card back
    move_cards(store, {entries[channels["club"]]: 1}, "paid", author="Анна")
    text = (
        "ref;campaign;channel;published_at;post_url;planned_on\n"
        "p-1;Весна;t.me/anna;01.03.2026;https://t.me/anna/15;\n"
        "p-2;Весна;vk:club;;;10.03.2026\n"
    )
    result = import_placements_file(store, _write(tmp_path, text), currency="RUB")
    assert (result.new, result.rejected) == (2, 0)
    assert _rows(store, "select channel_id, stage from shortlist order by channel_id") == [
        (channels["anna"], "published"),
        (channels["club"], "paid"),
    ]
    # the move is an event like any other, from where the card was
    assert _rows(
        store,
        "select stage_from, stage_to from events where channel_id = ? and type = 'stage' "
        "order by id desc limit 1",
        [channels["anna"]],
    ) == [("shortlisted", "published")]
