"""`crm import placements` and `crm kpis`: exit codes, output and what they write."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from crm import registry
from crm.cli import main
from crm.cli.placements import BY, KPI_SHOWN
from crm.placements.kpis import GROUPS
from crm.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    store = Store(str(path))
    registry.add_channel(store, "telegram", "anna")
    registry.add_channel(store, "vk", "club", kind="public_page")
    store.close()
    return path


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def results_csv(tmp_path: Path) -> Path:
    # one ad account's export: no channel column; spend, impressions or only reach, clicks
    path = tmp_path / "ads.csv"
    path.write_text(
        "ad,campaign,spent,impressions,reach,clicks,orders\n"
        "1,Весна,100,20000,,400,20\n"
        "2,Весна,300,,40000,200,10\n"
        "3,Лето,50,0,,0,0\n",
        encoding="utf-8",
    )
    return path


def _import(db: Path, path: Path, *extra: str) -> int:
    return main(
        ["--db", str(db), "import", "placements", str(path), "--channel", "vk:club",
         "--currency", "RUB", "--map", "ad=ref", "spent=price_paid", "orders=conversions",
         *extra]
    )  # fmt: skip


def test_import_placements_dry_run_json_writes_nothing(
    db: Path, results_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(db, results_csv, "--dry-run", "--format", "json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["new"], payload["rejected"], payload["dry_run"]) == (3, 0, True)
    assert "2 new campaigns will be created: Весна, Лето." in payload["warnings"]
    assert _rows(db, "select count(*) from placements") == [(0,)]
    assert _rows(db, "select count(*) from campaigns") == [(0,)]


def test_import_placements_writes_and_a_second_run_changes_nothing(
    db: Path, results_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(db, results_csv, "--provenance", "platform_stats") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "3 new, 0 updated, 0 unchanged, 0 rejected"
    assert _rows(db, "select ref, price_paid from placements order by id") == [
        ("1", Decimal("100.00")),
        ("2", Decimal("300.00")),
        ("3", Decimal("50.00")),
    ]
    assert _rows(db, "select distinct provenance from results") == [("platform_stats",)]
    assert _import(db, results_csv) == 0
    assert capsys.readouterr().out.splitlines()[0] == "0 new, 0 updated, 3 unchanged, 0 rejected"


def test_import_placements_refusals_exit_1(
    db: Path, results_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # prices without a currency, and none chosen
    args = ["--db", str(db), "import", "placements", str(results_csv), "--channel", "vk:club"]
    assert main([*args, "--map", "spent=price_paid"]) == 1
    assert "no currency" in capsys.readouterr().err
    assert main([*args, "--provenance", "rumour"]) == 2  # not one of the choices
    assert _rows(db, "select count(*) from placements") == [(0,)]


def test_kpis_csv_json_and_table(
    db: Path, results_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(db, results_csv)
    capsys.readouterr()
    assert main(["--db", str(db), "kpis", "--by", "campaign", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "campaign," + ",".join(KPI_SHOWN)
    # Весна: CPM over the ad that knows impressions (100 / 20 000 × 1000), CPC and CR over both
    assert lines[1] == (
        "Весна,2,400.00,20000,40000,,600,30,,5.0,0.6666666666666666,0.02,0.05,13.333333333333334,"
    )
    # Лето: zero impressions, clicks and orders: nothing to divide by
    assert lines[2] == "Лето,1,50.00,0,,,0,0,,,,,,,"
    assert main(["--db", str(db), "kpis", "--by", "platform", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == [
        {
            "platform": "VK", "placements": 3, "cost": "450.00", "impressions": 20000,
            "reach": 40000, "views": None, "clicks": 600, "conversions": 30, "revenue": None,
            "cpm": 7.5, "cpc": 0.75, "ctr": 0.02, "cr": 0.05, "cpa": 15.0, "romi": None,
        }
    ]  # fmt: skip
    assert main(["--db", str(db), "kpis", "--campaign", "весна"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["campaign", *KPI_SHOWN]
    assert table[2].split()[:3] == ["Весна", "2", "₽400.00"]
    assert table[3].split()[:3] == ["Total", "2", "₽400.00"]
    assert table[5] == "Money in RUB, the base currency; —: unknown, or nothing to divide by."


def test_kpis_marks_cpm_over_reach(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "reach.csv"
    path.write_text("ad,spent,reach,clicks,orders\n9,200,10000,50,\n", encoding="utf-8")
    assert _import(db, path) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "kpis", "--by", "channel"]) == 0
    out = capsys.readouterr().out.splitlines()
    row = out[2].split()
    assert row[0] == "vk:club"
    assert "₽20.00*" in row  # 200 / 10 000 reach × 1000
    assert "0.50\u00a0%*" in out[2]  # 50 / 10 000 (a no-break space before the sign)
    assert out[-1] == "* CPM and CTR over reach: no impressions known there."


def test_kpis_refusals(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "kpis", "--campaign", "Нет такой"]) == 1
    assert "There is no campaign “Нет такой”." in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "none.duckdb"), "kpis"]) == 1
    assert "There is no database" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()
    assert main(["--db", str(db), "kpis", "--by", "colour"]) == 2


def test_the_command_line_groups_are_the_kpi_groups() -> None:
    assert BY == GROUPS
