"""`crm import prices` and `crm import rates`: exit codes, output and what they write."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from crm import registry
from crm.cli import main
from crm.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    store = Store(str(path))
    registry.add_channel_from_url(store, "t.me/anna")
    registry.add_channel(store, "vk", "carl")
    store.close()
    return path


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def prices_csv(tmp_path: Path) -> Path:
    path = tmp_path / "prices.csv"
    path.write_text(
        "Канал;Формат;Цена;Дата\n"
        "t.me/anna;пост;12 000 ₽;01.03.2026\n"
        'vk:carl;сторис;"1,5 тыс";02.03.2026\n'
        "t.me/anna;пост;0;03.03.2026\n",
        encoding="utf-8",
    )
    return path


def test_import_prices_table_output_and_exit_0(db: Path, prices_csv: Path, capsys) -> None:
    code = main(["--db", str(db), "import", "prices", str(prices_csv), "--currency", "RUB"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:5] == [
        "2 new, 0 updated, 0 unchanged, 1 rejected",
        "",
        "line  reason",
        "----  --------------------------",
        "4     amount must be more than 0",
    ]
    assert _rows(db, "select amount, currency from prices order by id") == [
        (Decimal("12000.00"), "RUB"),
        (Decimal("1500.00"), "RUB"),
    ]


def test_import_prices_json_dry_run_and_map(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "list.csv"
    path.write_text("who,sum,cur\ntelegram:anna,100,USD\n", encoding="utf-8")
    args = ["--db", str(db), "import", "prices", str(path), "--dry-run", "--format", "json"]
    code = main([*args, "--map", "who=channel", "sum=amount", "--map", "cur=currency"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (payload["new"], payload["rejected"], payload["dry_run"]) == (1, 0, True)
    assert _rows(db, "select count(*) from prices") == [(0,)]


def test_import_prices_refusals_exit_1_and_write_nothing(
    db: Path, prices_csv: Path, capsys
) -> None:
    # rows with an amount but no currency, and none chosen
    assert main(["--db", str(db), "import", "prices", str(prices_csv)]) == 1
    assert "no currency" in capsys.readouterr().err
    missing = prices_csv.parent / "missing.csv"
    assert main(["--db", str(db), "import", "prices", str(missing)]) == 1
    assert "Cannot read" in capsys.readouterr().err
    assert _rows(db, "select count(*) from prices") == [(0,)]


def test_import_prices_usage_errors_exit_2(db: Path, prices_csv: Path, capsys) -> None:
    assert main(["--db", str(db), "import", "prices", str(prices_csv), "--map", "x"]) == 2
    assert main(["--db", str(db), "import", "prices", str(prices_csv), "--format", "xml"]) == 2
    capsys.readouterr()


def test_import_prices_report_and_csv_output(
    db: Path, prices_csv: Path, tmp_path: Path, capsys
) -> None:
    report = tmp_path / "rejected.csv"
    args = ["--db", str(db), "import", "prices", str(prices_csv), "--currency", "RUB"]
    assert main([*args, "--report", str(report), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["line,reason", "4,amount must be more than 0"]
    assert "2 new" in captured.err
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("4,amount must")
    # an existing report is replaced only with --force
    assert main([*args, "--report", str(report)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--report", str(report), "--force"]) == 0


def test_import_rates(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,rate\n2026-03-01,USD,92.5\n2026-03-01,EUR,0\n", encoding="utf-8")
    assert main(["--db", str(db), "import", "rates", str(path), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["new"], payload["rejected"]) == (1, 1)
    assert payload["rejects"] == [
        {
            "line": 3,
            "reason": "rate must be more than 0: it is how many units of the base currency one "
            "unit buys",
        }
    ]
    assert _rows(db, "select currency, rate from rates") == [("USD", Decimal("92.50000000"))]
    ambiguous = tmp_path / "dates.csv"
    ambiguous.write_text("date,currency,rate\n03/04/2026,USD,90\n", encoding="utf-8")
    assert main(["--db", str(db), "import", "rates", str(ambiguous)]) == 1
    assert "--date-order" in capsys.readouterr().err
    assert main(["--db", str(db), "import", "rates", str(ambiguous), "--date-order", "dmy"]) == 0
    assert "1 new" in capsys.readouterr().out
