"""`crm import audience`, `crm overlap`, `crm reach`, `crm optimize`, `crm export members`:
printed figures against hand-computed ones, refusals (exit 1, one sentence, nothing written).

The workspace of every test: four VK pages and one Telegram channel,
  vk:a = 1…10, vk:b = 6…15, vk:c = {1, 2, 3, 20}, telegram:t = 1…5 (Telegram's own ids:
  another platform, never matched with VK's), vk:d without a list;
post prices a 1000, b 500, c 400, t 300, d 200 RUB; followers a 5000 > b 4000 > c 3000 > t 2000.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pytest

from crm import registry
from crm.cli import audience as cli_audience
from crm.cli import main
from crm.formatting import format_count, format_money, format_percent
from crm.outreach.campaigns import create_campaign
from crm.outreach.shortlist import add_to_shortlist
from crm.pricing import add_price
from crm.store import Store
from crm.vocab.platforms import ChannelRef

LISTS = {
    "vk:a": range(1, 11),
    "vk:b": range(6, 16),
    "vk:c": (1, 2, 3, 20),
    "telegram:t": range(1, 6),
}
PRICES = {"vk:a": 1000, "vk:b": 500, "vk:c": 400, "telegram:t": 300, "vk:d": 200}
FOLLOWERS = {"vk:a": 5000, "vk:b": 4000, "vk:c": 3000, "telegram:t": 2000, "vk:d": 1000}
DAY = dt.date(2026, 1, 10)


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _run(db: Path, *argv: str) -> int:
    return main(["--db", str(db), *argv])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    store = Store(str(path))
    for key in PRICES:
        platform, handle = key.split(":")
        cid = registry.add_channel(store, platform, handle, kind="public_page")
        registry.add_snapshot(store, cid, followers=FOLLOWERS[key], measured_on=DAY)
        add_price(
            store, cid, format="post", kind="listed", amount=str(PRICES[key]), currency="RUB",
            on=DAY,
        )  # fmt: skip
    store.close()
    for key, ids in LISTS.items():
        source = tmp_path / f"{key.replace(':', '_')}.txt"
        source.write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
        assert _run(path, "import", "audience", str(source), "--channel", key) == 0
    return path


PICKS = ("optimized", "naive (largest followers first)")


def _cells(line: str) -> list[str]:
    """The cells of a printed table's line (cells are two or more spaces apart)."""
    return re.split(r" {2,}", line.strip())


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


# ---------------------------------------------------------------- import audience


def test_import_prints_the_summary_and_replaces_the_list(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_audience, "PROGRESS_AFTER", 0.0)  # as a long load shows it
    capsys.readouterr()
    source = tmp_path / "members.csv"
    source.write_text("uid,name\n7,x\n8,y\n7,x\n30,z\n", encoding="utf-8")
    assert _run(db, "import", "audience", str(source), "--channel", "vk:c", "--column", "uid") == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        "Loaded 3 members (user ids) for vk:c; 1 duplicate dropped; replaced a list of 4."
    )
    assert "crm: 100 % done" in captured.err.splitlines()  # progress goes to stderr
    rows = _rows(db, "select size, source from audiences a join channels c on c.id = a.channel_id "
                     "where c.handle = 'c'")  # fmt: skip
    assert rows == [(3, "members.csv")]
    history = _rows(db, "select size, dropped_duplicates from audience_loads al "
                        "join channels c on c.id = al.channel_id where c.handle = 'c' order by al.id")  # fmt: skip
    assert history == [(4, 0), (3, 1)]


def test_import_json_and_usernames(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    source = tmp_path / "names.txt"
    source.write_text("@Anna\nboris\nanna\n", encoding="utf-8")
    assert _run(db, "import", "audience", str(source), "--channel", "vk:d", "--ids", "text",
                "--format", "json") == 0  # fmt: skip
    assert _json(capsys) == {
        "channel": "vk:d", "members": 2, "duplicates": 1, "replaced": None,
        "id_kind": "text", "source": "names.txt", "dry_run": False,
    }  # fmt: skip


def test_import_dry_run_counts_and_writes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ids.txt"
    source.write_text("5\n6\n5\n999\n", encoding="utf-8")
    before = (
        _rows(db, "select count(*) from members"),
        _rows(db, "select count(*) from audience_loads"),
    )
    capsys.readouterr()
    assert _run(db, "import", "audience", str(source), "--channel", "vk:c", "--dry-run") == 0
    assert capsys.readouterr().out.strip() == (
        "Would load 3 members (user ids) for vk:c; 1 duplicate dropped; would replace a list "
        "of 4. Dry run: nothing written."
    )
    assert _run(db, "import", "audience", str(source), "--channel", "vk:d", "--dry-run",
                "--format", "json") == 0  # fmt: skip
    payload = _json(capsys)
    assert isinstance(payload, dict)
    assert (payload["members"], payload["replaced"], payload["dry_run"]) == (3, None, True)
    after = (
        _rows(db, "select count(*) from members"),
        _rows(db, "select count(*) from audience_loads"),
    )
    assert after == before


def test_import_refusals_exit_1_and_write_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ids.txt"
    source.write_text("1\n-5\n", encoding="utf-8")
    loads = _rows(db, "select count(*) from audience_loads")
    capsys.readouterr()
    assert _run(db, "import", "audience", str(source), "--channel", "vk:d") == 1
    assert "row" in capsys.readouterr().err.lower()  # the bad row is named
    assert _run(db, "import", "audience", str(source), "--channel", "vk:nosuch") == 1
    assert "vk:nosuch" in capsys.readouterr().err
    assert _rows(db, "select count(*) from audience_loads") == loads
    missing = tmp_path / "none.duckdb"
    assert _run(missing, "import", "audience", str(source), "--channel", "vk:a") == 1
    assert "There is no database" in capsys.readouterr().err
    assert not missing.exists()


# ---------------------------------------------------------------- overlap


def test_overlap_share_json_is_directional_with_nulls(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _run(db, "overlap", "vk:a", "vk:b", "vk:c", "telegram:t", "vk:d",
                "--format", "json") == 0  # fmt: skip
    payload = _json(capsys)
    assert isinstance(payload, dict)
    assert payload["metric"] == "share"
    m = payload["matrix"]
    assert list(m) == ["vk:a", "vk:b", "vk:c", "telegram:t", "vk:d"]
    assert (m["vk:a"]["vk:b"], m["vk:a"]["vk:c"], m["vk:c"]["vk:a"]) == (0.5, 0.3, 0.75)
    assert (m["vk:b"]["vk:c"], m["vk:a"]["vk:a"]) == (0.0, 1.0)
    assert m["vk:a"]["telegram:t"] is None  # two platforms cannot be matched
    assert m["telegram:t"]["telegram:t"] == 1.0
    assert m["vk:d"] == dict.fromkeys(m, None)  # no list: null, never 0
    assert m["vk:a"]["vk:d"] is None


def test_overlap_count_and_jaccard(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _run(db, "overlap", "vk:a", "vk:b", "vk:c", "--metric", "count", "--format", "json") == 0
    m = _json(capsys)["matrix"]  # type: ignore[index]
    assert [[m[r][c] for c in ("vk:a", "vk:b", "vk:c")] for r in ("vk:a", "vk:b", "vk:c")] == [
        [10, 5, 3],
        [5, 10, 0],
        [3, 0, 4],
    ]
    assert _run(db, "overlap", "vk:a", "vk:b", "vk:c", "--metric", "jaccard", "--format",
                "json") == 0  # fmt: skip
    m = _json(capsys)["matrix"]  # type: ignore[index]
    assert m["vk:a"]["vk:b"] == pytest.approx(5 / 15)
    assert m["vk:c"]["vk:a"] == pytest.approx(3 / 11)


def test_overlap_table_and_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _run(db, "overlap", "vk:a", "vk:c", "telegram:t", "vk:d") == 0
    out = capsys.readouterr().out
    rows = [_cells(line) for line in out.splitlines()[:6]]
    pct = format_percent
    assert rows[0] == ["channel", "vk:a", "vk:c", "telegram:t", "vk:d"]
    assert rows[2:] == [
        ["vk:a", pct(1.0, 1), pct(0.3, 1), "—", "no list"],
        ["vk:c", pct(0.75, 1), pct(1.0, 1), "—", "no list"],
        ["telegram:t", "—", "—", pct(1.0, 1), "no list"],
        ["vk:d", "no list", "no list", "no list", "no list"],
    ]
    assert "vk:d has no member list" in out
    assert "members of two platforms cannot be matched" in out
    assert _run(db, "overlap", "vk:a", "vk:b", "--metric", "count", "--format", "csv") == 0
    assert capsys.readouterr().out.splitlines() == [
        "channel,vk:a,vk:b", "vk:a,10,5", "vk:b,5,10",
    ]  # fmt: skip


def test_overlap_refusals(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _run(db, "overlap", "vk:a", "vk:zzz", "ok:yyy") == 1
    assert capsys.readouterr().err.strip() == (
        "crm: There are no channels vk:zzz, ok:yyy in the registry."
    )
    assert _run(db, "overlap", "vk:a", "vk:a") == 1
    assert "at least two different channels" in capsys.readouterr().err
    missing = tmp_path / "none.duckdb"
    assert _run(missing, "overlap", "vk:a", "vk:b") == 1
    assert not missing.exists()


# ---------------------------------------------------------------- reach


def test_reach_json_matches_the_hand_computed_figures(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _run(db, "reach", "vk:a", "vk:b", "vk:c", "vk:d", "--format", "json") == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    # union 1…15 and 20 = 16; sizes 10 + 10 + 4 = 24
    assert payload == {
        "unique_reach": 16,
        "sum_of_audiences": 24,
        "duplication": pytest.approx(1 - 16 / 24),
        "expected_frequency": pytest.approx(24 / 16),
        "exclusive": {"vk:a": 2, "vk:b": 5, "vk:c": 1, "vk:d": None},
    }
    assert "vk:d has no member list" in captured.err


def test_reach_across_platforms_adds_them_and_prints_a_table(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _run(db, "reach", "vk:a", "vk:b", "telegram:t") == 0
    lines = capsys.readouterr().out.splitlines()
    # VK: 1…15 = 15 people; Telegram's 5 are other people: 20 of 25
    assert [_cells(line) for line in lines[:4]] == [
        ["Unique reach", "20"],
        ["Sum of audiences", "25"],
        ["Duplication", format_percent(1 - 20 / 25, 1)],
        ["Expected frequency", "1.25"],
    ]
    assert [_cells(line) for line in lines[5:]] == [
        ["channel", "members", "exclusive"],
        ["-" * len("telegram:t"), "-------", "---------"],
        ["vk:a", "10", "5"],
        ["vk:b", "10", "5"],
        ["telegram:t", "5", "5"],
    ]


def test_reach_csv_and_no_list_at_all(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _run(db, "reach", "vk:a", "vk:c", "--format", "csv") == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["channel,members,exclusive", "vk:a,10,7", "vk:c,4,1"]
    assert "Unique reach: 11" in captured.err
    assert _run(db, "reach", "vk:d") == 1
    assert "None of vk:d has a member list" in capsys.readouterr().err


# ---------------------------------------------------------------- optimize


def test_optimize_json_picks_the_best_reach_within_the_budget(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _run(db, "optimize", "--budget", "1000", "--currency", "RUB", "--format", "json") == 0
    payload = _json(capsys)
    assert isinstance(payload, dict)
    # within 1000: {b, t} reaches 10 + 5 = 15 for 800; {a} 10; {b, c} 14; {b, c, t} costs 1200
    assert sorted(payload["chosen"]) == ["telegram:t", "vk:b"]
    assert (payload["cost"], payload["currency"], payload["unique_reach"]) == ("800.00", "RUB", 15)
    assert payload["dedup_cpm"] == "53333.33"  # 800 / 15 × 1000
    # naive: largest followers first: vk:a (1000) fills the budget
    assert payload["naive"] == {
        "chosen": ["vk:a"], "cost": "1000.00", "unique_reach": 10, "dedup_cpm": "100000.00",
    }  # fmt: skip
    assert payload["left_out"] == []  # vk:d has no list: not a candidate when none are named
    assert list(payload) == [
        "chosen", "cost", "currency", "unique_reach", "dedup_cpm", "naive", "left_out",
    ]  # fmt: skip


def test_optimize_candidates_file_include_exclude_and_left_out(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    candidates = tmp_path / "candidates.txt"
    candidates.write_text("vk:a\nhttps://vk.com/b\nvk:c\nvk:d\n", encoding="utf-8")
    capsys.readouterr()
    assert _run(db, "optimize", "--budget", "1000", "--currency", "RUB", "--candidates",
                str(candidates), "--exclude", "vk:b", "--format", "json") == 0  # fmt: skip
    payload = _json(capsys)
    assert isinstance(payload, dict)
    assert payload["chosen"] == ["vk:a"]  # {a} 10 beats {c} 4; b excluded
    assert payload["left_out"] == [
        {"channel": "vk:b", "reason": "excluded"},
        {"channel": "vk:d", "reason": "no member list"},
    ]
    assert _run(db, "optimize", "--budget", "1000", "--currency", "RUB", "--candidates",
                str(candidates), "--include", "vk:c", "--format", "json") == 0  # fmt: skip
    payload = _json(capsys)
    assert isinstance(payload, dict)
    # c must be in: 400 left = 600: {c, b} reaches 4 + 10 = 14 (a does not fit beside c)
    assert sorted(payload["chosen"]) == ["vk:b", "vk:c"]
    assert (payload["cost"], payload["unique_reach"]) == ("900.00", 14)


def test_optimize_campaign_and_a_converted_budget(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crm.pricing import set_rate

    store = Store(str(db))
    campaign = create_campaign(store, name="Весна")
    ids = [registry.find_channel(store.cursor(), ChannelRef("vk", h)) for h in ("a", "c")]
    add_to_shortlist(store, campaign, [i for i in ids if i is not None])
    set_rate(store, "USD", DAY, "100")
    store.close()
    capsys.readouterr()
    assert _run(db, "optimize", "--budget", "10", "--currency", "usd", "--campaign", "Весна",
                "--format", "json") == 0  # fmt: skip
    payload = _json(capsys)
    assert isinstance(payload, dict)
    # 10 USD = 1000 RUB: a (1000) reaches 10; c alone 4; both cost 1400
    assert (payload["chosen"], payload["cost"], payload["currency"]) == (["vk:a"], "1000.00", "RUB")
    assert _run(db, "optimize", "--budget", "10", "--currency", "USD", "--campaign", "Осень") == 1
    assert capsys.readouterr().err.strip() == "crm: There is no campaign “Осень”."


def test_optimize_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _run(db, "optimize", "--budget", "1000", "--currency", "RUB") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Budget: {format_money(1000, 'RUB')}."
    assert lines[2].startswith("Method: ") and lines[3].startswith("Guarantee: ")
    picks = {cells[0]: cells[1:] for cells in map(_cells, lines) if cells[0] in PICKS}
    assert picks == {
        "optimized": ["2", format_money(800, "RUB"), "15", format_money("53333.33", "RUB")],
        "naive (largest followers first)": [
            "1", format_money(1000, "RUB"), "10", format_money("100000.00", "RUB"),
        ],
    }  # fmt: skip
    rows = [_cells(line) for line in lines if line.startswith(("vk:", "telegram:"))]
    # price, members, and what each adds to those taken before it (b and t share no one)
    assert sorted(rows) == [
        ["telegram:t", format_money(300, "RUB"), "5", "5"],
        ["vk:b", format_money(500, "RUB"), format_count(10), format_count(10)],
    ]


def test_optimize_refusals_exit_1(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    cases = {
        ("--budget", "0", "--currency", "RUB"): "above zero",
        ("--budget", "-5", "--currency", "RUB"): "above zero",
        ("--budget", "lots", "--currency", "RUB"): "is not an amount",
        ("--budget", "100", "--currency", "EUR"): "no EUR rate",
        ("--budget", "100", "--currency", "XYZ"): "not a known",
        ("--budget", "100", "--currency", "RUB", "--include", "vk:zz"): "no channel vk:zz",
    }
    for argv, words in cases.items():
        assert _run(db, "optimize", *argv) == 1, argv
        err = capsys.readouterr().err
        assert words in err, (argv, err)
        assert err.count("\n") == 1  # one clear sentence


def test_optimize_candidates_file_naming_unknown_channels_exits_1(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    candidates = tmp_path / "candidates.txt"
    candidates.write_text("vk:a\nvk:zz\nvk:b\nok:qq\n", encoding="utf-8")
    capsys.readouterr()
    argv = ("optimize", "--budget", "100", "--currency", "RUB", "--candidates", str(candidates))
    assert _run(db, *argv) == 1
    assert capsys.readouterr().err.strip() == (
        "crm: The candidates file candidates.txt names channels that are not in the registry: "
        "line 2: vk:zz; line 4: ok:qq."
    )
    assert _run(db, *argv, "--campaign", "Весна") == 2  # one source of candidates at a time


# ---------------------------------------------------------------- export members


def test_export_members_round_trip(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.csv"
    capsys.readouterr()
    assert _run(db, "export", "members", "--channel", "vk:c", "--out", str(out)) == 0
    assert capsys.readouterr().out.strip() == f"Wrote 4 members of vk:c to {out}"
    assert out.read_text(encoding="utf-8").splitlines() == ["member", "1", "2", "3", "20"]
    txt = tmp_path / "t.txt"
    assert _run(db, "export", "members", "--channel", "telegram:t", "--out", str(txt)) == 0
    assert txt.read_text(encoding="utf-8") == "1\n2\n3\n4\n5\n"
    # the exported file loads again as the same list
    assert _run(db, "import", "audience", str(out), "--channel", "vk:d") == 0
    capsys.readouterr()
    assert _run(db, "overlap", "vk:c", "vk:d", "--metric", "count", "--format", "csv") == 0
    assert capsys.readouterr().out.splitlines()[1] == "vk:c,4,4"


def test_export_members_refusals(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out = tmp_path / "d.csv"
    assert _run(db, "export", "members", "--channel", "vk:d", "--out", str(out)) == 1
    assert "vk:d has no member list" in capsys.readouterr().err
    assert _run(db, "export", "members", "--out", str(out)) == 1
    assert _run(db, "export", "members", "--channel", "vk:a", "--out", str(tmp_path / "a.doc")) == 1
    assert _run(db, "export", "channels", "--channel", "vk:a", "--out", str(out)) == 1
    assert not out.exists() and not (tmp_path / "a.doc").exists()
    # the tables export as before
    assert _run(db, "export", "audiences", "--out", str(out)) == 0
    assert out.exists()
