"""The ``crm`` command: exit codes, messages and files, in-process and as a real process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from crm.cli import main
from crm.exports import CHANNEL_FIELDS
from crm.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _count(db: Path, table: str = "channels") -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "crm.duckdb"


@pytest.fixture
def channels_csv(tmp_path: Path) -> Path:
    path = tmp_path / "channels.csv"
    path.write_text(
        "platform,handle,title,followers,avg_reach\n"
        "telegram,first_one,First,1200,300\n"
        "vk,second_one,Second,12.5K,1000\n"
        "telegram,bad_one,Bad,-5,10\n",
        encoding="utf-8",
    )
    return path


def test_init_creates_a_migrated_database(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--db", str(db), "init"]) == 0
    out = capsys.readouterr().out
    assert f"Created {db}" in out
    assert "Migrations applied: 001_registry.sql" in out
    assert db.exists() and _count(db) == 0
    assert main(["--db", str(db), "init"]) == 0
    out = capsys.readouterr().out
    assert f"Opened {db}" in out and "none (up to date)" in out
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select value from workspace where key = 'kind'").fetchall() == [("empty",)]
    con.close()


def test_init_demo_and_refusal_on_a_filled_database(
    db: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["init", "--demo", "--seed", "1", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Demo workspace (seed 1): 320 channels" in out
    assert _count(db) == 320 and _count(db, "snapshots") == 320 * 26
    assert main(["--db", str(db), "init", "--demo"]) == 1
    captured = capsys.readouterr()
    assert "already holds 320 channels" in captured.err
    assert "Traceback" not in captured.err
    assert _count(db) == 320


def test_db_from_environment_and_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRM_DB", raising=False)
    assert main(["init"]) == 0
    assert (tmp_path / "data" / "crm.duckdb").exists()
    monkeypatch.setenv("CRM_DB", str(tmp_path / "env.duckdb"))
    assert main(["init"]) == 0
    assert (tmp_path / "env.duckdb").exists()
    assert "env.duckdb" in capsys.readouterr().out


def test_export_channels_csv_has_the_exact_header(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["--db", str(db), "init", "--demo", "--seed", "1"]) == 0
    out = tmp_path / "exports" / "channels.csv"
    assert main(["--db", str(db), "export", "channels", "--out", str(out)]) == 0
    assert f"Wrote 320 rows of channels to {out}" in capsys.readouterr().out
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(CHANNEL_FIELDS)
    assert (
        lines[0] == "platform,handle,url,title,kind,owner,niche,country,city,language,email,"
        "telegram,phone,owner_email,owner_telegram,owner_phone,tags,notes,followers,avg_reach,"
        "avg_views,avg_engagement,avg_likes,avg_comments,avg_shares,measured_on,er,err,reach_rate"
    )
    assert len(lines) == 321


@pytest.mark.parametrize(
    ("table", "out", "message"),
    [
        ("nope", "x.csv", "no table “nope”"),
        ("channels", "x.txt", "must end in .csv, .xlsx or .parquet"),
    ],
)
def test_export_refusals_exit_1(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture, table: str, out: str, message: str
) -> None:
    target = tmp_path / out
    assert main(["--db", str(db), "export", table, "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not target.exists()


def test_locked_database_exits_1_with_advice(db: Path, tmp_path: Path, capsys) -> None:
    assert main(["--db", str(db), "init"]) == 0
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        capsys.readouterr()
        out = tmp_path / "channels.csv"
        assert main(["--db", str(db), "export", "channels", "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert "open in another program" in err
        assert "Stop the app first" in err
        assert "Traceback" not in err
        assert not out.exists()
        assert main(["--db", str(db), "init", "--demo"]) == 1
    finally:
        holder.kill()
        holder.wait()


def test_bad_map_is_a_usage_error(db: Path, channels_csv: Path, capsys) -> None:
    code = main(["--db", str(db), "import", "channels", str(channels_csv), "--map", "followers"])
    assert code == 2
    err = capsys.readouterr().err
    assert "SRC=DST" in err and "usage:" in err
    assert not db.exists()


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["frobnicate", "vk:a", "vk:b"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main([]) == 2


def test_import_channels_reports_rejected_rows(
    db: Path, channels_csv: Path, capsys: pytest.CaptureFixture
) -> None:
    base = ["--db", str(db), "import", "channels", str(channels_csv)]
    assert main([*base, "--dry-run"]) == 1  # a dry run creates no database
    assert "There is no database at" in capsys.readouterr().err and not db.exists()
    assert main(["--db", str(db), "init"]) == 0
    capsys.readouterr()
    assert main([*base, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "2 new, 0 updated, 0 unchanged, 1 rejected (dry run: nothing written)"
    )
    assert _count(db) == 0
    assert main(base) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 new, 0 updated, 0 unchanged, 1 rejected"
    assert lines[2].split() == ["line", "reason"]
    assert lines[4].startswith("4 ")
    assert _count(db) == 2

    assert main([*base, "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["unchanged"] == 2 and payload["rejected"] == 1
    assert [r["line"] for r in payload["rejects"]] == [4]
    assert payload["dry_run"] is False

    assert main([*base, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "line,reason"
    assert captured.out.splitlines()[1].startswith("4,")
    assert "1 rejected" in captured.err


def test_import_channels_with_a_mapping(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "mapped.csv"
    path.write_text("Охваты всего,Ссылка\n100,https://t.me/xyz_chan\n", encoding="utf-8")
    argv = ["--db", str(db), "import", "channels", str(path), "--map", "Охваты всего=followers"]
    assert main([*argv, "Ссылка=url"]) == 0
    assert capsys.readouterr().out.startswith("1 new")
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """
        select c.platform, c.handle, s.followers
        from channels c join snapshots s on s.channel_id = c.id
        """
    ).fetchall()
    con.close()
    assert rows == [("telegram", "xyz_chan", 100)]


def test_import_refused_exits_1(db: Path, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "missing.csv"
    assert main(["--db", str(db), "import", "channels", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "missing.csv" in err and "Traceback" not in err
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n", encoding="utf-8")
    assert main(["--db", str(db), "import", "channels", str(empty)]) == 1
    assert _count(db) == 0


def test_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "CRM_DB": str(tmp_path / "env.duckdb")}
    run = subprocess.run(
        [sys.executable, "-m", "crm.cli", "init", "--demo", "--seed", "1"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "320 channels" in run.stdout
    out = tmp_path / "owners.xlsx"
    script = Path(sys.executable).parent / "crm"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crm.cli"]
    run = subprocess.run(
        [*command, "export", "owners", "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.exists()
    run = subprocess.run(
        [*command, "export", "nope", "--out", str(tmp_path / "a.csv")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1
    assert "no table “nope”" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run(
        [*command, "import", "channels", "x.csv", "--map", "oops"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2


def test_export_from_a_missing_database_creates_nothing(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "channels.csv"
    assert main(["--db", str(db), "export", "channels", "--out", str(out)]) == 1
    assert "There is no database" in capsys.readouterr().err
    assert not db.exists() and not out.exists()


def test_import_channels_writes_the_rejects_report(
    db: Path, channels_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    report = tmp_path / "rejected.csv"
    args = ["--db", str(db), "import", "channels", str(channels_csv), "--report", str(report)]
    assert main(args) == 0
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    header = channels_csv.read_text(encoding="utf-8").splitlines()[0]
    assert lines[0] == "line,reason," + header
    assert len(lines) == 2 and lines[1].startswith("4,")
    fresh = tmp_path / "fresh.duckdb"
    bad = ["--db", str(fresh), "import", "channels", str(channels_csv), "--report", "/nope/r.csv"]
    assert main(bad) == 1
    assert "Cannot write the report /nope/r.csv: its folder does not exist." in (
        capsys.readouterr().err
    )
    assert not fresh.exists()  # refused before anything was opened or written


def test_import_channels_provenance_and_date(db: Path, channels_csv: Path) -> None:
    args = ["--db", str(db), "import", "channels", str(channels_csv)]
    assert main([*args, "--provenance", "platform_stats", "--measured-on", "2026-03-01"]) == 0
    store = Store(str(db))
    rows = store.cursor().execute("select distinct measured_on, provenance from snapshots")
    assert rows.fetchall() == [(dt.date(2026, 3, 1), "platform_stats")]
    store.close()
    assert main([*args, "--measured-on", "yesterday"]) == 2
    assert main([*args, "--provenance", "rumour"]) == 2


def test_every_import_takes_the_common_options_and_its_own() -> None:
    from crm.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    kinds = next(a for a in commands["import"]._actions if a.dest == "what").choices
    common = {"--map", "--dry-run", "--report", "--force", "--format", "--date-order", "--db"}
    own = {
        name: {o for a in sub._actions for o in a.option_strings} - common - {"-h", "--help"}
        for name, sub in kinds.items()
    }
    assert own == {
        "channels": {"--platform", "--currency", "--provenance", "--measured-on"},
        "prices": {"--platform", "--currency"},
        "rates": set(),
        "placements": {"--campaign", "--channel", "--currency", "--provenance", "--measured-on"},
        # a member list is one column and a bad id refuses the whole file: no mapping, no report
        "audience": {"--channel", "--column", "--ids"},
    }
    for name, sub in kinds.items():
        if name != "audience":
            assert common <= {o for a in sub._actions for o in a.option_strings}
