"""Hostile input through the ``crm`` command: files in and out that must never cost data.

Every refusal exits 1 with its reason on stderr, never a traceback, and leaves the database,
the input file and any existing report exactly as they were.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from crm.cli import main
from crm.errors import DatabaseLocked
from crm.exports import frame_bytes
from crm.importing.read import read_table
from crm.importing.report import rejects_csv
from crm.importing.results import ImportResult, RejectedRow
from crm.registry import add_channel
from crm.store import Store
from tests.unit.test_read import bad_crc, damaged_deflate, tiny_huge_dimension, xfd_on_every_row

SHEET = "xl/worksheets/sheet1.xml"
PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def count(db: Path, table: str = "channels") -> int:
    con = duckdb.connect(str(db), read_only=True)  # also proves the file still opens
    try:
        return int(con.execute(f"select count(*) from {table}").fetchall()[0][0])
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    assert main(["--db", str(path), "init"]) == 0
    return path


@pytest.fixture
def channels(tmp_path: Path) -> Path:
    """200 good rows and one rejected (negative followers)."""
    rows = ["platform,handle,title,followers"]
    rows += [f"telegram,chan_{i},Title {i},{100 + i}" for i in range(200)]
    rows.append("telegram,bad_one,Bad,-5")
    path = tmp_path / "f.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# ---------------------------------------------------------------- 1. where --report may write


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_report_naming_the_database_is_refused_before_the_import(
    db: Path, channels: Path, capsys: pytest.CaptureFixture[str], dry_run: bool
) -> None:
    before = db.read_bytes()
    extra = ["--dry-run"] if dry_run else []
    code, out, err = run(
        capsys, "--db", db, "import", "channels", channels, "--report", db, "--force", *extra
    )
    assert (code, out) == (1, "")
    assert err == (
        f"crm: The report {db} is the database itself; writing it there would destroy the "
        "database. Choose another file for --report.\n"
    )
    assert db.read_bytes() == before and count(db) == 0


def test_a_report_naming_the_database_by_another_path_is_refused(
    db: Path, channels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "sub"
    link.mkdir()
    alias = link / ".." / "w.duckdb"
    code, _, err = run(capsys, "--db", db, "import", "channels", channels, "--report", alias)
    assert code == 1 and "is the database itself" in err
    hard = tmp_path / "hard.duckdb"
    os.link(db, hard)  # the same file under another name
    code, _, err = run(
        capsys, "--db", db, "import", "channels", channels, "--report", hard, "--force"
    )
    assert code == 1 and "is the database itself" in err
    assert count(db) == 0


def test_a_report_naming_the_journal_is_refused(
    db: Path, channels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wal = Path(f"{db}.wal")
    code, _, err = run(capsys, "--db", db, "import", "channels", channels, "--report", wal)
    assert code == 1
    assert err == (
        f"crm: The report {wal} is the database's journal; writing it there would damage the "
        "database. Choose another file for --report.\n"
    )
    assert not wal.exists() and count(db) == 0


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_report_naming_the_input_file_is_refused(
    db: Path, channels: Path, capsys: pytest.CaptureFixture[str], dry_run: bool
) -> None:
    before = channels.read_bytes()
    extra = ["--dry-run"] if dry_run else []
    args = ["--db", db, "import", "channels", channels, "--report", channels, "--force", *extra]
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err == (
        f"crm: The report {channels} is the file being imported; writing it there would "
        "overwrite it. Choose another file for --report.\n"
    )
    assert channels.read_bytes() == before and count(db) == 0


def test_a_report_naming_a_folder_is_refused_before_the_import(
    db: Path, channels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", db, "import", "channels", channels, "--report", tmp_path)
    assert code == 1
    assert err == (
        f"crm: The report {tmp_path} is a folder; name a file in it for --report "
        f"(for example {tmp_path / 'rejected.csv'}).\n"
    )
    assert count(db) == 0


def test_a_report_in_a_missing_folder_is_refused_before_the_import(
    db: Path, channels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "nope" / "r.csv"
    code, _, err = run(capsys, "--db", db, "import", "channels", channels, "--report", report)
    assert code == 1
    assert err == f"crm: Cannot write the report {report}: its folder does not exist.\n"
    assert count(db) == 0 and not report.parent.exists()


def test_an_existing_report_is_replaced_only_with_force(
    db: Path, channels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "rejected.csv"
    report.write_text("keep me\n", encoding="utf-8")
    args = ["--db", db, "import", "channels", channels, "--report", report]
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err == (
        f"crm: The report {report} already exists. Add --force to replace it, or choose "
        "another file.\n"
    )
    assert report.read_text(encoding="utf-8") == "keep me\n" and count(db) == 0

    code, out, _ = run(capsys, *args, "--force")
    assert code == 0 and out.startswith("200 new, 0 updated, 0 unchanged, 1 rejected")
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["line,reason,platform,handle,title,followers", line_of_the_bad_row()]
    assert count(db) == 200
    # written beside the target and renamed into place: nothing else is left in the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "rejected.csv", "w.duckdb"]


def line_of_the_bad_row() -> str:
    return "202,followers cannot be negative,telegram,bad_one,Bad,'-5"


def test_a_failed_import_leaves_no_report_and_no_partial_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("platform,handle\n", encoding="utf-8")
    report = tmp_path / "out" / "rejected.csv"
    report.parent.mkdir()
    code, _, err = run(capsys, "--db", db, "import", "channels", empty, "--report", report)
    assert code == 1 and "no data rows" in err
    assert list(report.parent.iterdir()) == []


def test_a_dry_run_report_holds_the_rejected_rows(
    db: Path, channels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "rejected.csv"
    code, out, _ = run(
        capsys, "--db", db, "import", "channels", channels, "--dry-run", "--report", report
    )
    assert code == 0 and out.startswith("200 new, 0 updated, 0 unchanged, 1 rejected (dry run")
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["line,reason,platform,handle,title,followers", line_of_the_bad_row()]
    assert count(db) == 0


# ---------------------------------------------------------------- 2. what --db may name


def test_a_database_path_that_is_a_csv_file_is_refused(
    channels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = channels.read_bytes()
    code, out, err = run(capsys, "--db", channels, "import", "channels", channels)
    assert (code, out) == (1, "")
    assert err == (
        f"crm: The file {channels} is not a DuckDB database, so it was not opened (nothing was "
        "changed). Name a DuckDB database file, or a new file to create one.\n"
    )
    assert channels.read_bytes() == before
    for argv in (["init"], ["export", "channels", "--out", str(channels.with_name("x.csv"))]):
        code, _, err = run(capsys, "--db", channels, *argv)
        assert code == 1 and "is not a DuckDB database" in err
    assert channels.read_bytes() == before and not channels.with_name("x.csv").exists()


def test_a_database_path_that_is_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", tmp_path, "init")
    assert code == 1
    assert err == (
        f"crm: {tmp_path} is a folder, not a database file. Name a DuckDB database file, or a "
        "new file to create one.\n"
    )


def test_an_empty_file_is_a_new_database(
    tmp_path: Path, channels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.duckdb"
    path.touch()
    code, out, _ = run(capsys, "--db", path, "import", "channels", channels)
    assert code == 0 and out.startswith("200 new")
    assert count(path) == 200


def test_a_dry_run_on_a_missing_database_creates_none(
    tmp_path: Path, channels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.duckdb"
    code, out, err = run(capsys, "--db", path, "import", "channels", channels, "--dry-run")
    assert (code, out) == (1, "")
    assert err == f"crm: There is no database at {path}. Create one with: crm --db {path} init\n"
    assert list(tmp_path.iterdir()) == [channels]


# ---------------------------------------------------------------- 3. formulas in every CSV


def test_the_cli_export_neutralises_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.duckdb"
    store = Store(str(path))
    for i, payload in enumerate(PAYLOADS):
        add_channel(store, "telegram", f"evil_{i}", notes="-note")
        with store.transaction() as cur:  # as stored, unstripped (forms would strip them)
            cur.execute("update channels set title = ? where handle = ?", [payload, f"evil_{i}"])
    store.close()
    out = tmp_path / "channels.csv"
    code, _, _ = run(capsys, "--db", path, "export", "channels", "--out", out)
    assert code == 0
    back = pl.read_csv(out, infer_schema=False).sort("handle")
    assert back["title"].to_list() == [f"'{p}" for p in PAYLOADS]
    assert back["notes"].to_list() == ["'-note"] * len(PAYLOADS)


def test_the_download_neutralises_formulas_and_keeps_numbers() -> None:
    frame = pl.DataFrame(
        {
            "title": [*PAYLOADS, "plain", "it's = fine", None],
            "delta": [-5, -1, 0, 3, -7, 1, 2, -3, 4, None],
            "ratio": [-0.5, None, 1.0, 2.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
    data = frame_bytes(frame, ".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(data[3:]))
    assert back["title"].to_list() == [*(f"'{p}" for p in PAYLOADS), "plain", "it's = fine", None]
    assert back["delta"].to_list() == frame["delta"].to_list()  # still numbers, still negative
    assert back["ratio"].to_list() == frame["ratio"].to_list()
    assert back.schema["delta"] == pl.Int64 and back.schema["ratio"] == pl.Float64


def test_the_rejects_report_neutralises_formulas_in_reasons_cells_and_headers() -> None:
    text = "handle,=cmd\n" + "".join(
        f'"{p.replace(chr(34), chr(34) * 2)}",x\n' for p in ["=1+1", "@SUM(1+1)", "+7 900"]
    )
    table = read_table(text.encode(), "f.csv")
    result = ImportResult(
        rejected=2, rejects=[RejectedRow(2, "=reason"), RejectedRow(4, "handle “+7 900” bad")]
    )
    back = pl.read_csv(io.BytesIO(rejects_csv(result, table)[3:]), infer_schema=False)
    assert back.columns == ["line", "reason", "handle", "'=cmd"]
    assert back.rows() == [
        ("2", "'=reason", "'=1+1", "x"),
        ("4", "handle “+7 900” bad", "'+7 900", "x"),
    ]


def test_an_exported_csv_imports_back_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.duckdb"
    store = Store(str(path))
    add_channel(store, "telegram", "evil", title="=1+1", notes="@note", phone="+7 900 123-45-67")
    store.close()
    out = tmp_path / "channels.csv"
    assert run(capsys, "--db", path, "export", "channels", "--out", out)[0] == 0
    table = read_table(out.read_bytes(), out.name)
    row = table.frame.row(0, named=True)
    assert (row["title"], row["notes"], row["phone"]) == ("=1+1", "@note", "+7 900 123-45-67")


# ---------------------------------------------------------------- 4. hostile workbooks


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            xfd_on_every_row,
            "The file hostile.xlsx has cells in column XFD, column 16,384 of its first sheet",
        ),
        (lambda: damaged_deflate(SHEET), "The file hostile.xlsx is not a readable Excel workbook"),
        (bad_crc, "The file hostile.xlsx is not a readable Excel workbook: Bad CRC-32"),
    ],
)
def test_hostile_workbooks_through_the_command(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], build, message: str
) -> None:
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(build())
    code, out, err = run(capsys, "--db", db, "import", "channels", path)
    assert (code, out) == (1, "")
    assert err.startswith(f"crm: {message}") and err.count("\n") == 1
    assert count(db) == 0


def test_a_tiny_workbook_declaring_every_cell_imports_its_rows(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tiny.xlsx"
    path.write_bytes(tiny_huge_dimension())
    code, out, _ = run(capsys, "--db", db, "import", "channels", path, "--platform", "vk")
    assert code == 0 and out.startswith("1 new")


# ---------------------------------------------------------------- 5. line endings


def test_mixed_line_endings_lose_no_row(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ends = ["\r\n", "\n", "\r"]
    lines = ["platform,handle,followers", *(f"telegram,chan_{i},{100 + i}" for i in range(12))]
    path = tmp_path / "mixed.csv"
    path.write_bytes("".join(f"{x}{ends[i % 3]}" for i, x in enumerate(lines)).encode())
    code, out, _ = run(capsys, "--db", db, "import", "channels", path)
    assert code == 0 and out.startswith("12 new, 0 updated, 0 unchanged, 0 rejected")
    assert count(db) == 12


# ---------------------------------------------------------------- 6. readable messages


def test_an_unterminated_quote_is_reported_in_one_short_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(
        'platform,handle,title\ntelegram,a,"' + "x" * 2_000_000 + "\ntelegram,b,B\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", db, "import", "channels", path)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and len(err) < 400, err[:500]
    assert "quote" in err and "…" in err
    assert count(db) == 0


def test_long_rejected_values_are_cut_in_every_output(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "platform,handle,followers\ntelegram,ok_one,5\ntelegram,long_one," + "9x" * 5000 + "\n",
        encoding="utf-8",
    )
    base = ["--db", db, "import", "channels", path, "--dry-run"]
    code, out, _ = run(capsys, *base)
    assert code == 0 and max(len(line) for line in out.splitlines()) < 200
    assert "…" in out
    code, out, _ = run(capsys, *base, "--format", "json")
    reason = json.loads(out)["rejects"][0]["reason"]
    assert reason == f"followers “{'9x' * 39}9…” is not a number"
    code, out, _ = run(capsys, *base, "--format", "csv")
    assert out.splitlines()[1] == f"3,followers “{'9x' * 39}9…” is not a number"
    report = tmp_path / "r.csv"
    assert run(capsys, *base, "--report", report)[0] == 0
    back = pl.read_csv(report, infer_schema=False)
    assert back["reason"].to_list() == [reason]
    assert back["followers"].to_list() == ["9x" * 5000]  # the row's own cell stays whole


# ---------------------------------------------------------------- 7. who holds the lock


@pytest.fixture
def held(db: Path):
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
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield db
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_message_fits_the_program_that_opens(held: Path) -> None:
    with pytest.raises(DatabaseLocked) as cli:
        Store(str(held))
    assert str(cli.value) == (
        f"The database {held} is open in another program (probably the running app). "
        "Stop the app first, or use the app's own Import page while it runs."
    )
    with pytest.raises(DatabaseLocked) as app:
        Store(str(held), opener="app")
    assert str(app.value) == (
        f"The database {held} is open in another program (probably a crm command run in a "
        "terminal, or a second copy of the app). Wait for the command to finish or stop it, "
        "then reload this page."
    )
