"""Importing channel files into a store: preview, upsert, rejects, transactions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
import xlsxwriter

from crm.errors import ImportRefused, StaleEdit, ValidationError
from crm.importing import channels as import_channels_module
from crm.importing.channels import apply_import, import_channels_file, plan_channel_import
from crm.importing.plan import ImportPlan, Step
from crm.importing.read import read_table
from crm.importing.report import rejects_csv
from crm.importing.results import DuplicateRow, RejectedRow
from crm.registry import add_channel, add_channel_from_url, add_owner, add_snapshot, update_channel
from crm.store import Store

TODAY = dt.date.today()


def write(tmp_path: Path, text: str, name: str = "channels.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def channels(store: Store) -> list[dict[str, Any]]:
    frame: pl.DataFrame = (
        store.cursor()
        .sql(
            """
            select platform, handle, url, title, kind, niches, country, city, language,
                   email, telegram, phone, tags, notes, version,
                   (select name from owners o where o.id = c.owner_id) as owner
            from channels c order by platform, handle
            """
        )
        .pl()
    )
    return frame.to_dicts()


def snapshots(store: Store) -> list[tuple[Any, ...]]:
    return (
        store.cursor()
        .execute(
            """
            select c.handle, s.measured_on, s.followers, s.avg_reach, s.avg_views,
                   s.avg_engagement, s.avg_likes, s.provenance, s.source
            from snapshots s join channels c on c.id = s.channel_id
            order by s.id
            """
        )
        .fetchall()
    )


def table_dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    cur = store.cursor()
    return {
        name: cur.execute(f"select * from {name} order by id").fetchall()
        for name in ("owners", "channels", "snapshots", "prices")
    }


SAMPLE = (
    "Площадка;Ссылка;Ник;Название;Владелец;Тематика;Почта;Подписчики;Средний охват;ER;Цена;Дата\n"
    "vk;https://vk.com/public12345;;Рецепты;Ирина;Еда, Рецепты;ads@recepty.ru;1,2 млн;85 тыс;"
    "2,4%;15 000;2024-03-01\n"
    "telegram;https://t.me/Finance_Daily;;Финансы;ирина;Финансы;;350 тыс;120 000;;25000;"
    "01.03.2024\n"
    "instagram;;@travel.anna;Анна;;Путешествия;;412,5K;61 000;3,1;;\n"
)


def test_import_new_channels_with_every_field(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE)
    result = import_channels_file(store, path, currency="RUB")
    assert (result.new, result.updated, result.unchanged, result.rejected, result.duplicates) == (
        3,
        0,
        0,
        0,
        0,
    )
    assert result.summary() == "3 new, 0 updated, 0 unchanged, 0 rejected"
    got = channels(store)
    assert [(c["platform"], c["handle"], c["url"], c["title"], c["owner"]) for c in got] == [
        ("instagram", "travel.anna", "https://instagram.com/travel.anna", "Анна", None),
        ("telegram", "finance_daily", "https://t.me/Finance_Daily", "Финансы", "Ирина"),
        ("vk", "club12345", "https://vk.com/public12345", "Рецепты", "Ирина"),
    ]
    assert got[2]["niches"] == ["food"]  # Еда and Рецепты are one niche
    assert got[2]["email"] == "ads@recepty.ru"
    assert got[2]["kind"] == "person"
    assert snapshots(store) == [
        (
            "club12345",
            dt.date(2024, 3, 1),
            1_200_000,
            85_000.0,
            None,
            28_800.0,
            None,
            "manual",
            "import: channels.csv (engagement estimated from ER)",
        ),
        (
            "finance_daily",
            dt.date(2024, 3, 1),
            350_000,
            120_000.0,
            None,
            None,
            None,
            "manual",
            "import: channels.csv",
        ),
        (
            "travel.anna",
            TODAY,
            412_500,
            61_000.0,
            None,
            12_787.5,
            None,
            "manual",
            "import: channels.csv (engagement estimated from ER)",
        ),
    ]
    prices = (
        store.cursor()
        .execute(
            "select c.handle, p.format, p.kind, p.amount, p.currency, p.date, p.source "
            "from prices p join channels c on c.id = p.channel_id order by p.id"
        )
        .fetchall()
    )
    assert prices == [
        (
            "club12345",
            "post",
            "listed",
            Decimal("15000.00"),
            "RUB",
            dt.date(2024, 3, 1),
            "import: channels.csv",
        ),
        (
            "finance_daily",
            "post",
            "listed",
            Decimal("25000.00"),
            "RUB",
            dt.date(2024, 3, 1),
            "import: channels.csv",
        ),
    ]
    assert store.cursor().execute("select name from owners").fetchall() == [("Ирина",)]


def test_existing_owner_is_found_by_name(store: Store, tmp_path: Path) -> None:
    owner = add_owner(store, "Ирина Котова")
    import_channels_file(store, write(tmp_path, "handle,platform,owner\nanna,vk,ИРИНА КОТОВА\n"))
    assert store.cursor().execute(
        "select o.id, c.owner_id from owners o, channels c"
    ).fetchall() == [(owner, owner)]


def test_reimport_is_unchanged_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE)
    import_channels_file(store, path, currency="RUB")
    before = table_dump(store)
    result = import_channels_file(store, path, currency="RUB")
    assert result.summary() == "0 new, 0 updated, 3 unchanged, 0 rejected"
    assert table_dump(store) == before


def test_changed_file_updates_only_given_fields(store: Store, tmp_path: Path) -> None:
    add_channel(store, "telegram", "anna", title="Old title", city="Казань", tags=["a"])
    add_channel(store, "telegram", "boris", title="Boris")
    cid = store.cursor().execute("select id from channels where handle = 'anna'").fetchall()[0][0]
    add_snapshot(store, cid, followers=100, avg_reach=50, measured_on="2024-01-01")
    path = write(
        tmp_path,
        "handle,title,city,followers,avg_reach\n"
        "anna,New title,,120,50\n"
        "boris,Boris,,,\n"
        "carl,Carl,,,\n",
    )
    plan = plan_channel_import(
        store.cursor(), read_table(path.read_bytes(), path.name), platform="telegram"
    )
    assert plan.preview.select("line", "status", "handle", "changes").rows() == [
        (2, "updated", "anna", "title: Old title → New title; followers: 100 → 120"),
        (3, "unchanged", "boris", ""),
        (4, "new", "carl", ""),
    ]
    result = import_channels_file(store, path, platform="telegram")
    assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
    got = {c["handle"]: c for c in channels(store)}
    assert (got["anna"]["title"], got["anna"]["city"], got["anna"]["tags"]) == (
        "New title",
        "Казань",
        ["a"],
    )
    assert (got["anna"]["version"], got["boris"]["version"], got["carl"]["version"]) == (2, 1, 1)
    assert snapshots(store)[-1] == (
        "anna",
        TODAY,
        120,
        50.0,
        None,
        None,
        None,
        "manual",
        "import: channels.csv",
    )
    assert len(snapshots(store)) == 2


def test_metric_change_alone_adds_snapshot_without_version_bump(
    store: Store, tmp_path: Path
) -> None:
    import_channels_file(store, write(tmp_path, "link,followers\nt.me/anna,100\n"))
    result = import_channels_file(store, write(tmp_path, "link,followers\nt.me/anna,110\n"))
    assert (result.updated, channels(store)[0]["version"]) == (1, 1)
    assert [s[2] for s in snapshots(store)] == [100, 110]


def test_dry_run_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = table_dump(store)
    result = import_channels_file(store, write(tmp_path, SAMPLE), dry_run=True, currency="RUB")
    assert (result.new, result.dry_run) == (3, True)
    assert (
        result.summary() == "3 new, 0 updated, 0 unchanged, 0 rejected (dry run: nothing written)"
    )
    assert table_dump(store) == before


def test_rejected_rows_have_line_and_reason(store: Store, tmp_path: Path) -> None:
    text = (
        "Ссылка,Подписчики,Почта,Тип\n"  # line 1
        "t.me/good_one,1000,,\n"  # 2
        ",500,,\n"  # 3: no handle or link
        "t.me/bad_number,abc,,\n"  # 4
        "t.me/negative,-5,,\n"  # 5
        "https://example.com/x,10,,\n"  # 6
        "t.me/bad_mail,10,not-a-mail,\n"  # 7
        "t.me/bad_kind,10,,робот\n"  # 8
    )
    result = import_channels_file(store, write(tmp_path, text))
    assert (result.new, result.rejected) == (1, 6)
    assert [str(r) for r in result.rejects] == [
        "line 3: no handle or link",
        "line 4: followers “abc” is not a number",
        "line 5: followers cannot be negative",
        "line 6: “https://example.com/x” is not a link to a known platform (VK, OK, Telegram, "
        "Instagram, YouTube, TikTok, Dzen, RUTUBE, X, Facebook, Twitch)",
        "line 7: “not-a-mail” is not a valid e-mail address",
        "line 8: kind “робот” is not person or public_page",
    ]
    assert rejects_csv(result).decode("utf-8-sig").splitlines()[:3] == [
        "line,reason",
        "3,no handle or link",
        "4,followers “abc” is not a number",
    ]
    # with the file's table, each rejected row carries its own cells, ready to fix
    table = read_table(text.encode("utf-8"), "list.csv")
    report = rejects_csv(result, table).decode("utf-8-sig").splitlines()
    assert report[0] == "line,reason,Ссылка,Подписчики,Почта,Тип"
    assert report[2] == "4,followers “abc” is not a number,t.me/bad_number,abc,,"
    assert len(report) == 1 + 6
    assert [c["handle"] for c in channels(store)] == ["good_one"]


def test_no_platform_is_a_reject_and_default_platform_applies(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "handle,followers\nanna,1\nt.me/boris,2\n")
    result = import_channels_file(store, path)
    assert [str(r) for r in result.rejects] == [
        "line 2: no platform: add a platform column or a link, or choose a default platform"
    ]
    result = import_channels_file(store, path, platform="vk")
    assert (result.new, result.unchanged) == (1, 1)
    assert [(c["platform"], c["handle"]) for c in channels(store)] == [
        ("telegram", "boris"),
        ("vk", "anna"),
    ]


def test_unknown_platform_value_is_rejected(store: Store, tmp_path: Path) -> None:
    result = import_channels_file(
        store, write(tmp_path, "platform,handle\nmyspace,anna\nвк,boris\n")
    )
    assert [str(r) for r in result.rejects] == ["line 2: platform “myspace” is unknown"]
    assert [(c["platform"], c["handle"]) for c in channels(store)] == [("vk", "boris")]


def test_duplicates_later_row_wins(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "link,followers,title\nt.me/anna,100,First\nt.me/boris,5,B\nhttps://t.me/ANNA,120,Second\n",
    )
    result = import_channels_file(store, path)
    assert result.summary() == (
        "2 new, 0 updated, 0 unchanged, 0 rejected; 1 duplicate row in the file (the later row won)"
    )
    assert result.duplicate_rows == [DuplicateRow(2, "telegram:anna", 4)]
    got = {c["handle"]: c["title"] for c in channels(store)}
    assert got == {"anna": "Second", "boris": "B"}
    assert [s[2] for s in snapshots(store)] == [5, 120]


def test_cp1251_semicolon_decimal_comma(store: Store, tmp_path: Path) -> None:
    text = "Ник;Площадка;Подписчики;Охват;ER\r\nанна_блог;vk;12,5K;1 234,5;3,4%\r\n"
    result = import_channels_file(store, write(tmp_path, text, encoding="cp1251"))
    assert result.new == 1
    assert snapshots(store)[0][:6] == ("анна_блог", TODAY, 12_500, 1234.5, None, 425.0)


def test_utf8_bom_file(store: Store, tmp_path: Path) -> None:
    text = "\ufeffURL,Subscribers\nhttps://www.youtube.com/@TechReview,1.2M\n"
    result = import_channels_file(store, write(tmp_path, text))
    assert result.new == 1
    assert [(c["platform"], c["handle"]) for c in channels(store)] == [("youtube", "techreview")]
    assert snapshots(store)[0][2] == 1_200_000


def test_xlsx_file(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "channels.xlsx"
    with xlsxwriter.Workbook(path, {"strings_to_urls": False}) as book:
        sheet = book.add_worksheet()
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, ["Ссылка", "Название", "Подписчики", "Дата замера", "Цена", "Валюта"])
        sheet.write_row(1, 0, ["https://t.me/anna", "Анна", 1200, None, 1500.5, "usd"])
        sheet.write_datetime(1, 3, dt.datetime(2024, 3, 1), day)
        sheet.write_row(2, 0, ["https://vk.com/boris", "Борис", "3,5K", None, None, None])
    result = import_channels_file(store, path)
    assert result.summary() == "2 new, 0 updated, 0 unchanged, 0 rejected"
    assert [s[:3] for s in snapshots(store)] == [
        ("anna", dt.date(2024, 3, 1), 1200),
        ("boris", TODAY, 3500),
    ]
    assert store.cursor().execute("select amount, currency, date from prices").fetchall() == [
        (Decimal("1500.50"), "USD", dt.date(2024, 3, 1))
    ]


def test_mapping_override_by_hand(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "Канал,Кол-во,Что-то\nanna,100,x\n")
    with pytest.raises(ImportRefused) as info:
        import_channels_file(store, path, platform="telegram")
    assert str(info.value) == (
        "No column holds handles or links to channels. Columns found: Канал, Кол-во, Что-то. "
        "Map one of them to “handle” or “url” (in the column mapping, or with --map COLUMN=handle)."
    )
    result = import_channels_file(
        store, path, platform="telegram", mapping={"Канал": "handle", "Кол-во": "followers"}
    )
    assert result.new == 1
    assert snapshots(store)[0][:3] == ("anna", TODAY, 100)
    with pytest.raises(ImportRefused, match="“subs” is not a field channels can be imported"):
        import_channels_file(store, path, platform="telegram", mapping={"Кол-во": "subs"})


def test_unknown_default_platform_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="Unknown platform “myspace”"):
        import_channels_file(store, write(tmp_path, "handle\nanna\n"), platform="myspace")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file bad.csv is empty."),
        (b"handle,followers\n", "The file bad.csv has a header (line 1) but no data rows."),
        (
            b"PK\x03\x04" + b"\x00" * 64,
            "The file bad.csv is not a readable Excel workbook: File is not a zip file",
        ),
        (
            bytes(range(256)) * 8,
            "The file bad.csv is not a text table (it looks like a binary file). "
            "Save it as CSV (comma or semicolon separated) or XLSX and try again.",
        ),
    ],
)
def test_unreadable_file_refused_and_nothing_written(
    store: Store, tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = table_dump(store)
    with pytest.raises(ImportRefused) as info:
        import_channels_file(store, path)
    assert str(info.value) == message
    assert table_dump(store) == before


def test_missing_file_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="Cannot read"):
        import_channels_file(store, tmp_path / "nope.csv")


def test_too_many_rows_refused_quickly(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the real limit is 1,000,000 rows; a 2,000,000-row file is refused by the same check
    path = tmp_path / "huge.csv"
    with path.open("w") as out:
        out.write("handle,followers\n")
        out.write("".join(f"h{i},{i}\n" for i in range(2_000_000)))
    with pytest.raises(ImportRefused) as info:
        import_channels_file(store, path, platform="vk")
    assert str(info.value) == (
        "The file huge.csv has more than 1,000,000 rows; the limit is 1,000,000. "
        "Split the file into parts and import them one by one."
    )
    assert table_dump(store)["channels"] == []


def test_failure_mid_write_rolls_everything_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_channels_file(store, write(tmp_path, "link,followers,owner\nt.me/anna,100,Ира\n"))
    before = table_dump(store)

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_channels_module, "_write_snapshots", boom)
    path = write(tmp_path, "link,followers,owner,title\nt.me/anna,150,Ира,A\nt.me/boris,1,Петя,B\n")
    with pytest.raises(RuntimeError, match="disk full"):
        import_channels_file(store, path)
    assert table_dump(store) == before
    # the store still works after the rollback
    monkeypatch.undo()
    assert (
        import_channels_file(store, path).summary() == "1 new, 1 updated, 0 unchanged, 0 rejected"
    )


def test_plan_is_reclassified_inside_the_write(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "link,followers\nt.me/anna,100\n")
    plan = plan_channel_import(store.cursor(), read_table(path.read_bytes(), path.name))
    assert plan.counts()["new"] == 1
    import_channels_file(store, path)  # someone else imported it meanwhile
    result = apply_import(store, plan)
    assert (result.new, result.unchanged) == (0, 1)
    assert len(channels(store)) == 1


def test_price_with_currency_sign_and_change(store: Store, tmp_path: Path) -> None:
    import_channels_file(store, write(tmp_path, "link,цена\nt.me/anna,5 000 ₽\n"))
    result = import_channels_file(store, write(tmp_path, "link,цена,валюта\nt.me/anna,70,USD\n"))
    assert result.updated == 1
    assert store.cursor().execute("select amount, currency from prices order by id").fetchall() == [
        (Decimal("5000.00"), "RUB"),
        (Decimal("70.00"), "USD"),
    ]


def test_rejected_row_reason_for_bad_date_and_currency(store: Store, tmp_path: Path) -> None:
    text = "link,date,price,currency\nt.me/anna,вчера,1,RUB\nt.me/boris,2024-01-01,1,рублики\n"
    result = import_channels_file(store, write(tmp_path, text))
    assert result.rejects == [
        RejectedRow(2, "measured_on “вчера” is not a date"),
        RejectedRow(3, "currency “рублики” is not a currency code"),
    ]


def test_sample_file_imports(store: Store) -> None:
    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "channels_sample.csv"
    result = import_channels_file(store, sample)
    assert result.summary() == "7 new, 0 updated, 0 unchanged, 0 rejected"
    got = {(c["platform"], c["handle"]): c for c in channels(store)}
    assert sorted(got) == [
        ("dzen", "kulinar_zen"),
        ("instagram", "travel.with.anna"),
        ("ok", "group/54321"),
        ("telegram", "finance_daily"),
        ("tiktok", "dance.kz"),
        ("vk", "club12345"),
        ("youtube", "techreviewru"),
    ]
    assert got[("vk", "club12345")]["kind"] == "public_page"
    assert got[("vk", "club12345")]["owner"] == "Ирина Котова"
    # Russian country and language names land in the registry's one vocabulary
    assert (got[("vk", "club12345")]["country"], got[("vk", "club12345")]["language"]) == (
        "Russia",
        "ru",
    )
    assert got[("tiktok", "dance.kz")]["country"] == "Kazakhstan"


def test_provenance_and_date_for_rows_without_one(store: Store, tmp_path: Path) -> None:
    text = "link,followers,date\nt.me/dated,100,2026-01-15\nt.me/undated,200,\n"
    result = import_channels_file(
        store, write(tmp_path, text), provenance="platform_stats",
        measured_on=dt.date(2026, 2, 1),
    )  # fmt: skip
    assert (result.new, result.rejected) == (2, 0)
    rows = (
        store.cursor()
        .execute(
            """
        select c.handle, s.measured_on, s.followers, s.provenance
        from snapshots s join channels c on c.id = s.channel_id order by c.handle
        """
        )
        .fetchall()
    )
    assert rows == [
        ("dated", dt.date(2026, 1, 15), 100, "platform_stats"),
        ("undated", dt.date(2026, 2, 1), 200, "platform_stats"),
    ]
    before = table_dump(store)
    with pytest.raises(ImportRefused, match="Provenance must be one of"):
        import_channels_file(store, write(tmp_path, text), provenance="rumour")
    with pytest.raises(ImportRefused, match="cannot be in the future"):
        import_channels_file(
            store, write(tmp_path, text), measured_on=dt.date.today() + dt.timedelta(days=3)
        )
    assert table_dump(store) == before


# ---------------------------------------------------------------- versions, one rule, engine


def _plan(store: Store, path: Path, **options: Any) -> ImportPlan:
    return plan_channel_import(store.cursor(), read_table(path.read_bytes(), path.name), **options)


def test_edit_between_preview_and_import_is_refused(store: Store, tmp_path: Path) -> None:
    import_channels_file(store, write(tmp_path, "link,title\nt.me/anna,Anna\nt.me/boris,Boris\n"))
    cid = store.cursor().execute("select id from channels where handle = 'anna'").fetchall()[0][0]
    path = write(tmp_path, "link,title\nt.me/anna,Anna (new)\nt.me/boris,Boris (new)\n")
    plan = _plan(store, path)
    assert plan.counts()["updated"] == 2
    update_channel(store, cid, 1, city="Казань")  # someone edits anna meanwhile
    before = table_dump(store)
    with pytest.raises(StaleEdit) as info:
        apply_import(store, plan)
    assert str(info.value) == (
        "1 channel changed since the preview (telegram:anna). Preview the file again."
    )
    assert table_dump(store) == before
    # a fresh preview sees the edit, and the import keeps it
    result = apply_import(store, _plan(store, path))
    assert (result.updated, result.unchanged) == (2, 0)
    got = {c["handle"]: c for c in channels(store)}
    assert (got["anna"]["title"], got["anna"]["city"], got["anna"]["version"]) == (
        "Anna (new)",
        "Казань",
        3,
    )


def test_stale_refusal_names_at_most_five_channels(store: Store, tmp_path: Path) -> None:
    links = [f"t.me/chan_{i}" for i in range(7)]
    import_channels_file(store, write(tmp_path, "link\n" + "\n".join(links) + "\n"))
    path = write(tmp_path, "link,title\n" + "\n".join(f"{link},T" for link in links) + "\n")
    plan = _plan(store, path)
    store.cursor().execute("update channels set version = version + 1")  # seven edits
    with pytest.raises(StaleEdit) as info:
        apply_import(store, plan)
    assert str(info.value) == (
        "7 channels changed since the preview (telegram:chan_0, telegram:chan_1, "
        "telegram:chan_2, telegram:chan_3, telegram:chan_4, …). Preview the file again."
    )


def test_edit_the_import_would_now_revert_is_refused(store: Store, tmp_path: Path) -> None:
    # the preview found anna unchanged; an edit meanwhile makes the file's title a change
    path = write(tmp_path, "link,title\nt.me/anna,Anna\n")
    import_channels_file(store, path)
    plan = _plan(store, path)
    assert plan.counts()["unchanged"] == 1
    update_channel(store, 1, 1, title="Anna Ivanova")
    with pytest.raises(StaleEdit, match="1 channel changed since the preview"):
        apply_import(store, plan)
    assert channels(store)[0]["title"] == "Anna Ivanova"


def test_edit_of_a_channel_the_import_leaves_alone_does_not_block_it(
    store: Store, tmp_path: Path
) -> None:
    import_channels_file(store, write(tmp_path, "link,title\nt.me/anna,Anna\nt.me/boris,B\n"))
    plan = _plan(store, write(tmp_path, "link,title\nt.me/anna,Anna 2\nt.me/boris,B\n"))
    update_channel(store, 2, 1, city="Омск")  # boris: not changed by the file
    result = apply_import(store, plan)
    assert (result.updated, result.unchanged) == (1, 1)
    assert {c["handle"]: c["title"] for c in channels(store)} == {"anna": "Anna 2", "boris": "B"}


def test_update_path_changes_lists_only_where_they_differ(store: Store, tmp_path: Path) -> None:
    import_channels_file(
        store, write(tmp_path, "link,niche,tags\nt.me/anna,Еда;Спорт,a\nt.me/boris,Юмор,b\n")
    )
    path = write(
        tmp_path, "link,title,niche,tags\nt.me/anna,Anna,Еда|Спорт,a\nt.me/boris,B,Авто,\n"
    )
    plan = _plan(store, path)
    assert plan.preview.select("handle", "changes").rows() == [
        ("anna", "title: — → Anna"),
        ("boris", "title: — → B; niche: [humor] → [auto]"),
    ]
    apply_import(store, plan)
    got = {c["handle"]: (c["title"], c["niches"], c["tags"], c["version"]) for c in channels(store)}
    assert got == {
        "anna": ("Anna", ["food", "sport"], ["a"], 2),
        "boris": ("B", ["auto"], ["b"], 2),
    }


def test_forms_and_imports_refuse_the_same_values_alike(store: Store, tmp_path: Path) -> None:
    cid, _ = add_channel_from_url(store, "t.me/form_one")
    cases = (
        ("email", "not-a-mail", "“not-a-mail” is not a valid e-mail address"),
        ("telegram", "@ab", "“@ab” is not a valid Telegram username"),
        ("phone", "call me", "“call me” is not a valid phone number"),
        ("url", "javascript:alert(1)", "“javascript:alert(1)” is not a valid web address"),
    )
    for column, value, reason in cases:
        with pytest.raises(ValidationError) as info:
            update_channel(store, cid, 1, **{column: value})  # type: ignore[arg-type]
        assert str(info.value) == reason + "."
        text = f"handle,platform,{column}\nanna,vk,{value}\n"
        result = import_channels_file(store, write(tmp_path, text))
        assert [r.reason for r in result.rejects] == [reason]
    # and accept them alike: the same clean value either way
    update_channel(store, cid, 1, email=" Ads@Mail.RU ", country="РФ", tags="VIP; бартер, vip")
    import_channels_file(
        store,
        write(
            tmp_path,
            "handle,platform,email,country,tags\nanna,vk, Ads@Mail.RU ,РФ,VIP; бартер, vip\n",
        ),
    )
    got = {c["handle"]: (c["email"], c["country"], c["tags"]) for c in channels(store)}
    assert got == {
        "anna": ("ads@mail.ru", "Russia", ["VIP", "бартер"]),
        "form_one": ("ads@mail.ru", "Russia", ["VIP", "бартер"]),
    }


def test_engagement_is_derived_from_likes_comments_shares(store: Store, tmp_path: Path) -> None:
    text = (
        "link,followers,likes,comments,shares,engagement,er\n"
        "t.me/parts,1000,10,2,1,,\n"  # 10 + 2 + 1
        "t.me/some_parts,1000,10,,,,\n"  # the known parts only
        "t.me/given,1000,10,2,1,50,\n"  # a given engagement stays
        "t.me/rate,1000,,,,,2%\n"  # ER × followers
    )
    import_channels_file(store, write(tmp_path, text))
    cid, _ = add_channel_from_url(store, "t.me/form_two")
    add_snapshot(store, cid, followers=1000, avg_likes=10, avg_comments=2, avg_shares=1)
    got = dict(
        store.cursor()
        .execute(
            "select c.handle, s.avg_engagement from snapshots s "
            "join channels c on c.id = s.channel_id"
        )
        .fetchall()
    )
    assert got == {"parts": 13.0, "some_parts": 10.0, "given": 50.0, "rate": 20.0, "form_two": 13.0}


def test_a_new_import_kind_is_a_small_module(store: Store, tmp_path: Path) -> None:
    """Owners from a file, on the same engine: an entity, a classify query and a write."""
    from crm.fields import OWNERS
    from crm.importing.plan import ImportKind, apply_plan, plan_import

    def write_owners(
        cur: duckdb.DuckDBPyConnection, plan: ImportPlan, source: str, step: Step
    ) -> None:
        cur.execute(
            """
            insert into owners (name, email, phone)
            select name, email, phone from import_rows where status = 'new' order by line
            """
        )
        cur.execute(
            """
            update owners o set email = coalesce(i.email, o.email), version = o.version + 1
            from import_rows i where o.id = i.record_id and i.status = 'updated'
            """
        )

    owners_import = ImportKind(
        entity=OWNERS,
        classify_sql="""
            select i.*, o.id as record_id, o.version as record_version,
                   case when o.id is null then 'new'
                        when i.email is distinct from o.email then 'updated'
                        else 'unchanged' end as status,
                   case when i.email is distinct from o.email and o.id is not null
                        then 'email: ' || coalesce(o.email, '—') || ' → ' || i.email
                        else '' end as changes
            from import_incoming i left join owners o on lower(o.name) = lower(i.name)
        """,
        write=write_owners,
        preview=("name", "email"),
    )
    add_owner(store, "Ирина", email="old@mail.ru")
    path = write(tmp_path, "ФИО;Почта;Телефон\nИрина;New@Mail.ru;\nПётр;bad-mail;\n;x@y.ru;\n")
    plan = plan_import(store.cursor(), owners_import, read_table(path.read_bytes(), path.name))
    assert plan.mapping == {"ФИО": "name", "Почта": "email", "Телефон": "phone"}
    assert [str(r) for r in plan.rejects] == [
        "line 3: “bad-mail” is not a valid e-mail address",
        "line 4: no name",
    ]
    assert plan.preview.rows() == [
        (2, "updated", "Ирина", "new@mail.ru", "email: old@mail.ru → new@mail.ru")
    ]
    result = apply_plan(store, owners_import, plan, "test")
    assert result.summary() == "0 new, 1 updated, 0 unchanged, 2 rejected"
    assert store.cursor().execute("select name, email, version from owners").fetchall() == [
        ("Ирина", "new@mail.ru", 2)
    ]


def test_a_handle_read_from_a_link_is_checked_like_a_typed_one(
    store: Store, tmp_path: Path
) -> None:
    text = "link\nhttps://vk.com/na%20me\nhttps://vk.com/name\n"
    result = import_channels_file(store, write(tmp_path, text))
    assert [str(r) for r in result.rejects] == ["line 2: “na me” is not a valid handle"]
    with pytest.raises(ValidationError, match="“na me” is not a valid handle"):
        add_channel_from_url(store, "https://vk.com/na%20me")


# ---------------------------------------------------------------- truth of numbers


def prices(store: Store) -> list[tuple[Any, ...]]:
    return (
        store.cursor()
        .execute(
            "select c.handle, p.amount, p.currency from prices p "
            "join channels c on c.id = p.channel_id order by p.id"
        )
        .fetchall()
    )


def test_one_huge_cell_rejects_its_row_and_the_preview_rejects_what_the_write_would(
    store: Store, tmp_path: Path
) -> None:
    text = (
        "link,followers,price,currency\n"
        "t.me/anna,1e19,,\n"
        "t.me/boris,9223372036854775807,,\n"
        "t.me/carl,100,1e17,RUB\n"
        "t.me/dan,100,10000000000000000,RUB\n"
        "t.me/eve,100,9999999999999999.99,RUB\n"
    )
    path = write(tmp_path, text)
    expected = [
        "line 2: followers “1e19” is too large",
        "line 3: followers “9223372036854775807” is too large",
        "line 4: price “1e17” is too large",
        "line 5: price “10000000000000000” is too large",
    ]
    dry = import_channels_file(store, path, dry_run=True)
    assert ([str(r) for r in dry.rejects], dry.new) == (expected, 1)
    real = import_channels_file(store, path)
    assert ([str(r) for r in real.rejects], real.new) == (expected, 1)
    assert prices(store) == [("eve", Decimal("9999999999999999.99"), "RUB")]


def test_bounds_of_numbers_and_dates_are_the_database_types(store: Store) -> None:
    from crm.fields import CHANNELS, PRICES, SNAPSHOTS

    types = {
        (table, column): kind
        for table, column, kind in store.cursor()
        .execute("select table_name, column_name, data_type from information_schema.columns")
        .fetchall()
    }
    checked = set()
    for entity in (CHANNELS, SNAPSHOTS, PRICES):
        for f in entity.fields:
            if f.table and f.spec.db_type:
                assert types[(f.table, f.db_column)] == f.spec.db_type, f.name
                checked.add(f.type)
    assert checked == {"count", "measure", "money", "date"}


def test_money_is_exact_rounded_half_up_and_never_a_percent(store: Store, tmp_path: Path) -> None:
    text = (
        "link;price;currency\n"
        "t.me/anna;1.005;RUB\n"
        "t.me/boris;15%;RUB\n"
        "t.me/carl;15K;RUB\n"
        "t.me/dan;1 250,50;RUB\n"
        "t.me/eve;1,2 млн;RUB\n"
    )
    plan = _plan(store, write(tmp_path, text), measured_on=dt.date(2024, 1, 1))
    assert [str(r) for r in plan.rejects] == [
        "line 3: price “15%” is not an amount: write it in full, without %, K or млн",
        "line 4: price “15K” is not an amount: write it in full, without %, K or млн",
        "line 6: price “1,2 млн” is not an amount: write it in full, without %, K or млн",
    ]
    assert plan.warnings == [
        "price: 1 amount has more than 2 decimals and is rounded half up to cents (1.005 → 1.01)."
    ]
    apply_import(store, plan)
    assert prices(store) == [("anna", Decimal("1.01"), "RUB"), ("dan", Decimal("1250.50"), "RUB")]


def test_a_price_without_a_currency_needs_one_chosen(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "link,цена\nt.me/anna,15 000\nt.me/boris,\nt.me/carl,$70\n")
    before = table_dump(store)
    plan = _plan(store, path)
    assert (plan.needs_currency, plan.currency) == (True, None)
    message = (
        "1 row has a price but no currency: choose the currency of these prices "
        "(--currency CUR on the command line)."
    )
    assert plan.blockers == [message]
    assert message in plan.warnings
    with pytest.raises(ImportRefused) as info:
        apply_import(store, plan)
    assert str(info.value) == message
    with pytest.raises(ImportRefused, match="--currency CUR"):
        import_channels_file(store, path)
    with pytest.raises(ImportRefused, match="--currency CUR"):
        import_channels_file(store, path, dry_run=True)
    assert table_dump(store) == before
    with pytest.raises(ImportRefused, match="“rubles” is not a currency code"):
        _plan(store, path, currency="rubles")
    plan = _plan(store, path, currency="руб.")
    assert (plan.needs_currency, plan.currency, plan.blockers) == (False, "RUB", [])
    # the preview shows the price with its currency: the one chosen, or the row's own
    assert plan.preview.select("handle", "price", "currency").rows() == [
        ("anna", Decimal("15000.00"), "RUB"),
        ("boris", None, None),
        ("carl", Decimal("70.00"), "USD"),
    ]
    assert plan.preview["changes"].to_list() == ["", "", ""]
    apply_import(store, plan)
    assert prices(store) == [
        ("anna", Decimal("15000.00"), "RUB"),
        ("carl", Decimal("70.00"), "USD"),
    ]
    result = import_channels_file(store, path, currency="RUB")
    assert result.summary() == "0 new, 0 updated, 3 unchanged, 0 rejected"


def test_ambiguous_dates_need_an_order_and_settled_ones_say_theirs(
    store: Store, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "link,followers,Дата\nt.me/anna,100,03/04/2024\nt.me/boris,1,05/06/2024\n"
    )
    plan = _plan(store, path)
    assert (plan.date_order, plan.ambiguous_dates) == (None, ["Дата"])
    message = (
        "The dates in column “Дата” read both ways (03/04/2024: 3 April or March 4): "
        "choose the order (--date-order dmy or mdy on the command line)."
    )
    assert plan.blockers == [message]
    with pytest.raises(ImportRefused) as info:
        apply_import(store, plan)
    assert str(info.value) == message
    with pytest.raises(ImportRefused, match="--date-order"):
        import_channels_file(store, path)
    plan = _plan(store, path, date_order="mdy")
    assert (plan.date_order, plan.ambiguous_dates, plan.blockers) == ("mdy", [], [])
    assert "measured_on: month first, as chosen (03/04/2024 is March 4)" in plan.warnings
    apply_import(store, plan)
    assert [s[1] for s in snapshots(store)] == [dt.date(2024, 3, 4), dt.date(2024, 5, 6)]
    # a value with a first part above 12 settles the whole column: no choice needed
    path = write(tmp_path, "link,followers,date\nt.me/carl,1,03/04/2024\nt.me/dan,2,25/04/2024\n")
    plan = _plan(store, path)
    assert (plan.date_order, plan.ambiguous_dates, plan.blockers) == ("dmy", [], [])
    assert "measured_on: day first (25/04/2024 settles it)" in plan.warnings
    apply_import(store, plan)
    assert [s[1] for s in snapshots(store)][2:] == [dt.date(2024, 4, 3), dt.date(2024, 4, 25)]


def test_dates_before_1990_are_not_measurements(store: Store, tmp_path: Path) -> None:
    text = "link,followers,date\nt.me/anna,1,0001-01-01\nt.me/boris,2,1989-12-31\nt.me/carl,3,1990-01-01\n"
    result = import_channels_file(store, write(tmp_path, text))
    assert [str(r) for r in result.rejects] == [
        "line 2: measured_on “0001-01-01” is before 1990: not a measurement date",
        "line 3: measured_on “1989-12-31” is before 1990: not a measurement date",
    ]
    with pytest.raises(ImportRefused, match="cannot be before 1990"):
        import_channels_file(store, write(tmp_path, "link\nt.me/x\n"), measured_on=dt.date(1, 1, 1))


def test_rows_without_a_date_are_said_with_the_date_they_get(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "link,followers\nt.me/anna,100\nt.me/boris,\nt.me/carl,5\n")
    plan = _plan(store, path)
    assert (plan.undated, plan.measured_on) == (2, TODAY)
    assert (
        f"2 rows have no date of their own: their numbers are dated {TODAY.isoformat()} "
        "(today). Choose the day they were measured if it was another (--measured-on)."
    ) in plan.warnings
    december = dt.date(2022, 12, 1)
    plan = _plan(store, path, measured_on=december)
    assert (plan.undated, plan.measured_on) == (2, december)
    # a date chosen is not warned about again; the plan still says which rows get it
    assert [w for w in plan.warnings if "date" in w] == []
    apply_import(store, plan)
    assert [s[1] for s in snapshots(store)] == [december, december]
    # a file whose rows all carry a date says nothing about it
    dated = _plan(store, write(tmp_path, "link,followers,date\nt.me/anna,7,2024-01-01\n"))
    assert (dated.undated, [w for w in dated.warnings if "date" in w]) == (0, [])


def test_a_handle_in_a_link_column_is_a_handle_when_the_platform_is_known(
    store: Store, tmp_path: Path
) -> None:
    text = "Ссылка,Подписчики\n@LeoMessi,409.8M\nhttps://www.instagram.com/cristiano/,1M\n"
    path = write(tmp_path, text)
    no_platform = _plan(store, path)
    assert [str(r) for r in no_platform.rejects] == [
        "line 2: no platform: add a platform column or a link, or choose a default platform"
    ]
    result = import_channels_file(store, path, platform="instagram")
    assert (result.new, result.rejected) == (2, 0)
    assert [(c["platform"], c["handle"], c["url"]) for c in channels(store)] == [
        ("instagram", "cristiano", "https://www.instagram.com/cristiano/"),
        ("instagram", "leomessi", "https://instagram.com/leomessi"),
    ]
    # a platform column names it as well; a handle column next to the link keeps its own
    text = "Площадка,Ссылка,Ник\nvk,@club_one,\ntelegram,@someone,anna_blog\n"
    result = import_channels_file(store, write(tmp_path, text))
    assert (result.new, result.rejected) == (2, 0)
    got = {(c["platform"], c["handle"]): c["url"] for c in channels(store)}
    assert got[("vk", "club_one")] == "https://vk.com/club_one"
    assert got[("telegram", "anna_blog")] == "https://t.me/anna_blog"


def test_rates_are_read_per_column_and_reach_rate_gives_reach(store: Store, tmp_path: Path) -> None:
    text = (
        "link;Подписчики;ER;ERR (Telegram);Средний охват\n"
        "t.me/anna;10 000;0.5;35%;\n"  # ER 0.5 %, not 50 %: the column has 3.4
        "t.me/boris;1 000;3.4;40%;\n"
        "t.me/carl;2 000;;;4,1 млн\n"  # an abbreviated number stays whole
        "t.me/dan;1 000;;;\n"
    )
    plan = _plan(store, write(tmp_path, text))
    assert "er: read as percents (3.4 means 3.4 %), since a value is above 1 or has %" in (
        plan.warnings
    )
    assert plan.units == {"er": "percent", "reach_rate": "percent"}
    apply_import(store, plan)
    got = {s[0]: (s[3], s[5], s[8]) for s in snapshots(store)}
    assert got == {
        "anna": (3500.0, 50.0, "import: channels.csv (reach estimated from reach rate; "
                 "engagement estimated from ER)"),
        "boris": (400.0, 34.0, "import: channels.csv (reach estimated from reach rate; "
                  "engagement estimated from ER)"),
        "carl": (4_100_000.0, None, "import: channels.csv"),
        "dan": (None, None, "import: channels.csv"),
    }  # fmt: skip
    # a measured engagement is not an estimate, and neither are likes + comments + shares
    import_channels_file(store, write(tmp_path, "link,likes,comments\nt.me/erin,10,2\n"))
    assert snapshots(store)[-1][5:9:3] == (12.0, "import: channels.csv")


def test_two_columns_for_one_field_are_said_in_the_plan_and_by_the_command(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from crm.cli.registry import cmd_import_channels

    text = "link,followers,Подписчики,price\nt.me/anna,100,1K,15000\n"
    path = write(tmp_path, text)
    warning = (
        "Columns “followers” and “Подписчики” both hold followers: each row takes the first "
        "of them that is filled, whole numbers first."
    )
    assert _plan(store, path, currency="RUB", measured_on=dt.date(2024, 1, 1)).warnings == [warning]
    db = str(tmp_path / "cli.duckdb")
    Store(db).close()
    args = argparse.Namespace(
        db=db, file=path, platform=None, map=[], dry_run=True, provenance="manual",
        measured_on=dt.date(2024, 1, 1), report=None, force=False, format="table",
        currency="RUB", date_order=None,
    )  # fmt: skip
    assert cmd_import_channels(args) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "1 new, 0 updated, 0 unchanged, 0 rejected (dry run: nothing written)"
    )
    assert f"warning: {warning}" in out
    args.format = "json"
    assert cmd_import_channels(args) == 0
    import json

    assert json.loads(capsys.readouterr().out)["warnings"] == [warning]


def test_reasons_quote_long_values_cut_to_a_readable_length(store: Store, tmp_path: Path) -> None:
    long = "x" * 300
    result = import_channels_file(store, write(tmp_path, f"link,followers\nt.me/anna,{long}\n"))
    [reason] = [r.reason for r in result.rejects]
    assert reason == f"followers “{'x' * 79}…” is not a number"


def test_a_listed_price_of_zero_or_less_rejects_the_row_as_a_price_list_does(
    store: Store, tmp_path: Path
) -> None:
    text = (
        "link;followers;price;currency\n"
        "t.me/anna;100;0;RUB\n"
        "t.me/boris;200;-5;RUB\n"
        "t.me/carl;300;0,00 ₽;\n"
        "t.me/dan;400;15 000;RUB\n"
        "t.me/erin;500;;\n"
    )
    path = write(tmp_path, text)
    result = import_channels_file(store, path, measured_on=dt.date(2024, 1, 1))
    assert [str(r) for r in result.rejects] == [
        "line 2: price must be more than 0",
        "line 3: price cannot be negative",
        "line 4: price must be more than 0",
    ]
    # the rejected rows are not half-written: neither the channel nor its numbers
    assert [c["handle"] for c in channels(store)] == ["dan", "erin"]
    assert prices(store) == [("dan", Decimal("15000.00"), "RUB")]
    assert result.summary() == "2 new, 0 updated, 0 unchanged, 3 rejected"
