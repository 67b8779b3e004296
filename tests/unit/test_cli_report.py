"""`crm report`: a campaign's client report written whole to an HTML file, by name or id, in
English or Russian; clear refusals that write nothing (unknown campaign, a path that is not an
HTML file or is the database, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from crm import registry
from crm.cli import main
from crm.outreach import create_campaign
from crm.placements.placements import log_placement
from crm.placements.results import record_result
from crm.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with campaign "Spring" (id 1): one vk post of "Клуб <b>" with its results."""
    path = tmp_path / "crm.duckdb"
    store = Store(str(path))
    try:
        vk = registry.add_channel(store, "vk", "club", title="Клуб <b>", kind="public_page")
        cid = create_campaign(store, name="Spring", budget="50000")
        pid = log_placement(
            store, channel_id=vk, campaign_id=cid, published_at=dt.datetime(2026, 3, 5, 10),
            price_paid=Decimal("10000"), currency="RUB", erid="x1",
        )  # fmt: skip
        record_result(store, pid, measured_at=dt.datetime(2026, 3, 6, 10), reach=10_000,
                      impressions=20_000, clicks=300)  # fmt: skip
    finally:
        store.close()
    return path


def test_report_by_name_in_english(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "spring.html"
    assert main(["--db", str(db), "report", "spring", "--out", str(out)]) == 0
    assert f"Wrote the report of “Spring” (en) to {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "Клуб &lt;b&gt;" in page and "vk:club" in page
    assert "₽10\u202f000.00" in page  # the cost, as crm.formatting writes it
    assert not list(tmp_path.glob(".spring.html.*"))  # no partial file left behind


def test_report_by_id_in_russian_as_of(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.HTML"
    argv = ["report", "1", "--out", str(out), "--language", "ru", "--as-of", "2026-03-05T23:00",
            "--db", str(db)]  # fmt: skip
    assert main(argv) == 0
    page = out.read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "Отчёт по кампании" in page
    # before the only measurement: no results yet
    assert "Результаты на 05.03.2026 23:00" in page
    assert "Результаты по этой кампании ещё не записаны." in page


def test_refusals_write_nothing(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "old.html"
    out.write_text("keep me", encoding="utf-8")
    assert main(["--db", str(db), "report", "Autumn", "--out", str(out)]) == 1
    assert "There is no campaign “Autumn”" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"

    assert main(["--db", str(db), "report", "Spring", "--out", str(tmp_path / "r.pdf")]) == 1
    assert "must end in .html" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()

    size = db.stat().st_size
    assert main(["--db", str(db), "report", "Spring", "--out", str(db)]) == 1
    assert "is the database" in capsys.readouterr().err
    assert db.stat().st_size == size

    missing = tmp_path / "none" / "r.html"
    assert main(["--db", str(db), "report", "Spring", "--out", str(missing)]) == 1
    assert "folder does not exist" in capsys.readouterr().err

    nodb = tmp_path / "nothing.duckdb"
    assert main(["--db", str(nodb), "report", "Spring", "--out", str(tmp_path / "x.html")]) == 1
    assert "There is no database" in capsys.readouterr().err
    assert not nodb.exists()


def test_usage_errors(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "x.html")
    assert main(["--db", str(db), "report", "Spring", "--out", out, "--language", "de"]) == 2
    assert main(["--db", str(db), "report", "Spring", "--out", out, "--as-of", "soon"]) == 2
    assert "is not a date and time" in capsys.readouterr().err
    assert main(["--db", str(db), "report", "Spring"]) == 2
    assert not Path(out).exists()
