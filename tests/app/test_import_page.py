"""The Import page: upload, map, preview, import; errors shown as messages, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm.store import Store
from crm.ui.state import get_store

from .conftest import open_page

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
CSV = (
    "Отчёт по блогерам\n"
    "Ник;Площадка;Название;Подписчики\n"
    "anna;telegram;Анна;12,5K\n"
    "boris;vk;Борис;abc\n"
    "carl;telegram;Карл;-3\n"
    "anna;telegram;Анна снова;13K\n"
    "dora;vk;Дора;1 000\n"
)


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty migrated workspace (not the demo one), set as CRM_DB."""
    path = tmp_path / "crm.duckdb"
    Store(str(path)).close()
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


def page() -> AppTest:
    """The whole app, switched to the Import page (its links need the app's navigation)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    open_page(at, "import")
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].upload(name, data, "text/csv").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_upload_preview_import(empty_db):
    at = upload(page(), "bloggers.csv", CSV.encode("utf-8"))
    assert [m.value for m in at.markdown][:1] == [
        "**bloggers.csv**: encoding UTF-8, delimiter semicolon, header on line 2, 5 data rows."
    ]
    assert {s.label: s.value for s in at.selectbox} == {
        "Column “Ник”": "handle",
        "Column “Площадка”": "platform",
        "Column “Название”": "title",
        "Column “Подписчики”": "followers",
        "Platform of rows that have no platform column or link": None,
        "Where the file's numbers come from": "manual",
    }
    at.button(key="import.preview").click().run()
    assert not at.exception, at.exception
    assert metrics(at) == {
        "New": "2",
        "Updated": "0",
        "Unchanged": "0",
        "Rejected": "2",
        "Duplicates": "1",
    }
    rejects = at.dataframe[-1].value  # file preview, changes, rejects
    assert rejects.to_dict("records") == [
        {"line": 4, "reason": "followers “abc” is not a number"},
        {"line": 5, "reason": "followers cannot be negative"},
    ]
    assert at.get("download_button")[0].proto.label == "Download the rejected rows (CSV)"
    apply = at.button(key="import.apply")
    assert apply.label == "Import 2 rows"
    apply.click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "Imported 2 new, 0 updated, 0 unchanged, 2 rejected; "
        "1 duplicate row in the file (the later row won)."
    ]
    assert [t.value for t in at.toast] == ["Imported 2 new and 0 updated channels."]
    rows = (
        get_store()
        .cursor()
        .execute(
            """
            select c.platform, c.handle, c.title, s.followers
            from channels c join snapshots s on s.channel_id = c.id order by c.handle
            """
        )
        .fetchall()
    )
    assert rows == [("telegram", "anna", "Анна снова", 13_000), ("vk", "dora", "Дора", 1_000)]


def test_reimport_shows_unchanged_and_no_import_button(empty_db):
    at = upload(page(), "bloggers.csv", CSV.encode("utf-8"))
    at.button(key="import.preview").click().run()
    at.button(key="import.apply").click().run()
    at.button(key="import.preview").click().run()
    assert not at.exception, at.exception
    assert metrics(at)["Unchanged"] == "2"
    assert metrics(at)["New"] == "0"
    assert at.button(key="import.apply").disabled


def test_mapping_by_hand_and_default_platform(empty_db):
    at = upload(page(), "list.csv", "Канал,Кол-во\nanna,100\n".encode())
    at.button(key="import.preview").click().run()
    assert [e.value for e in at.error] == [
        "No column holds handles or links to channels. Columns found: Канал, Кол-во. "
        "Map one of them to “handle” or “url” (in the column mapping, or with --map COLUMN=handle)."
    ]
    boxes = {s.label: s for s in at.selectbox}
    boxes["Column “Канал”"].set_value("handle")
    boxes["Column “Кол-во”"].set_value("followers")
    boxes["Platform of rows that have no platform column or link"].set_value("telegram")
    at.run()
    at.button(key="import.preview").click().run()
    assert not at.exception, at.exception
    assert metrics(at)["New"] == "1"
    at.button(key="import.apply").click().run()
    assert get_store().cursor().execute("select platform, handle from channels").fetchall() == [
        ("telegram", "anna")
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "The file empty.csv is empty."),
        (
            "head.csv",
            b"handle,followers\n",
            "The file head.csv has a header (line 1) but no data rows.",
        ),
        (
            "photo.csv",
            bytes(range(256)) * 4,
            "The file photo.csv is not a text table (it looks like a binary file). "
            "Save it as CSV (comma or semicolon separated) or XLSX and try again.",
        ),
    ],
)
def test_unreadable_file_shows_error(empty_db, name, data, message):
    at = upload(page(), name, data)
    assert [e.value for e in at.error] == [message]


def test_provenance_chosen_on_the_page_is_kept(empty_db):
    at = upload(page(), "bloggers.csv", CSV.encode("utf-8"))
    next(s for s in at.selectbox if s.label == "Where the file's numbers come from").set_value(
        "screenshot"
    ).run()
    at.button(key="import.preview").click().run()
    at.button(key="import.apply").click().run()
    assert not at.exception, at.exception
    rows = get_store().cursor().execute("select distinct provenance from snapshots").fetchall()
    assert rows == [("screenshot",)]


# 21: the upload is read once, the preview belongs to the file's bytes, one message at a time


def test_the_upload_is_read_once(empty_db, monkeypatch):
    from crm.importing import read

    calls: list[str] = []
    real = read.read_table

    def counted(data, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(name)
        return real(data, name, *args, **kwargs)

    monkeypatch.setattr(read, "read_table", counted)
    at = upload(page(), "bloggers.csv", CSV.encode("utf-8"))
    next(s for s in at.selectbox if s.label == "Where the file's numbers come from").set_value(
        "screenshot"
    ).run()
    at.button(key="import.preview").click().run()
    assert not at.exception, at.exception
    assert calls == ["bloggers.csv"]


def test_another_file_with_the_same_name_and_size_gets_its_own_preview(empty_db):
    at = upload(page(), "list.csv", b"handle,platform\nanna,telegram\n")
    at.button(key="import.preview").click().run()
    assert metrics(at)["New"] == "1"
    other = b"handle,platform\nbori,telegram\n"
    assert len(other) == len(b"handle,platform\nanna,telegram\n")
    upload(at, "list.csv", other)
    # the preview of the first file is gone: nothing shown belongs to another file
    assert metrics(at) == {}
    assert not any(b.key == "import.apply" for b in at.button)
    assert [i.value for i in at.info] == ["Press Preview to see what the import would do."]


def test_an_error_is_not_followed_by_press_preview(empty_db):
    at = upload(page(), "list.csv", "Канал,Кол-во\nanna,100\n".encode())
    at.button(key="import.preview").click().run()
    assert len(at.error) == 1
    assert [i.value for i in at.info] == []
    # the error stays the answer until something changes, then Preview is asked for again
    at.run()
    assert len(at.error) == 1 and [i.value for i in at.info] == []
    boxes = {s.label: s for s in at.selectbox}
    boxes["Column “Канал”"].set_value("handle").run()
    assert [e.value for e in at.error] == []
    assert [i.value for i in at.info] == ["Press Preview to see what the import would do."]


def test_after_an_import_the_import_button_is_gone(empty_db):
    at = upload(page(), "bloggers.csv", CSV.encode("utf-8"))
    at.button(key="import.preview").click().run()
    at.button(key="import.apply").click().run()
    assert not at.exception, at.exception
    assert not any(b.key == "import.apply" for b in at.button)
    assert [s.value for s in at.success] == [
        "Imported 2 new, 0 updated, 0 unchanged, 2 rejected; "
        "1 duplicate row in the file (the later row won)."
    ]


def test_import_preview_shows_words_not_codes(empty_db):
    at = upload(page(), "bloggers.csv", CSV.encode("utf-8"))
    at.button(key="import.preview").click().run()
    changes = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert set(changes["platform"]) == {"Telegram", "VK"}
    assert set(changes["status"]) == {"New"}


# 20: importing into the demo workspace


@pytest.fixture
def demo_page(demo_db):
    return page()


def test_importing_into_the_demo_first_offers_an_empty_workspace(demo_page):
    from crm import registry
    from crm.workspace import workspace_kind

    at = upload(demo_page, "bloggers.csv", CSV.encode("utf-8"))
    notice = [w.value for w in at.warning]
    assert any("demo workspace" in w for w in notice), notice
    # the offer comes before the preview
    assert at.button(key="import.start_empty").label == "Start an empty workspace first"
    at.button(key="import.start_empty").click().run()
    at.button(key="app.clear_confirm").click().run()
    assert not at.exception, at.exception
    cur = get_store().cursor()
    assert registry.registry_counts(cur)["channels"] == 0
    assert workspace_kind(cur) == "empty"
    # still on the Import page, the file still chosen: Preview is the next step
    assert at.title[0].value == "Import channels"
    at.button(key="import.preview").click().run()
    at.button(key="import.apply").click().run()
    assert registry.registry_counts(get_store().cursor())["channels"] == 2
    assert workspace_kind(get_store().cursor()) == "imported"


def test_importing_into_the_demo_anyway_makes_it_no_longer_a_demo(demo_page):
    from crm.workspace import workspace_kind

    at = upload(demo_page, "bloggers.csv", CSV.encode("utf-8"))
    at.button(key="import.preview").click().run()
    at.button(key="import.apply").click().run()
    assert not at.exception, at.exception
    assert workspace_kind(get_store().cursor()) == "imported"
    at.switch_page("app_pages/workspace/home.py").run()
    assert not any("demo workspace" in i.value for i in at.info)
    assert not any("Demo workspace" in i.value for i in at.sidebar.info)


# the choices a file needs: a currency, the order of day and month, the day of undated rows


def _plan_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning] + [e.value for e in at.error]


def test_prices_without_a_currency_ask_for_one_before_importing(empty_db):
    at = upload(page(), "prices.csv", b"handle,platform,followers,price\nanna,telegram,100,5000\n")
    at.button(key="import.preview").click().run()
    assert any("price but no currency" in e.value for e in at.error), _plan_warnings(at)
    assert at.button(key="import.apply").disabled
    box = next(s for s in at.selectbox if s.label == "Currency of prices that name none")
    box.set_value("RUB").run()
    at.button(key="import.preview").click().run()
    assert not any("no currency" in m for m in _plan_warnings(at))
    assert not at.button(key="import.apply").disabled
    at.button(key="import.apply").click().run()
    rows = get_store().cursor().execute("select amount, currency from prices").fetchall()
    assert [(float(a), c) for a, c in rows] == [(5000.0, "RUB")]


def test_dates_that_read_both_ways_ask_for_the_order(empty_db):
    data = (
        b"handle,platform,followers,date\nanna,telegram,100,03/04/2024\nbob,telegram,5,05/06/2024\n"
    )
    at = upload(page(), "dates.csv", data)
    at.button(key="import.preview").click().run()
    assert any("read both ways" in e.value for e in at.error), _plan_warnings(at)
    assert at.button(key="import.apply").disabled
    box = next(s for s in at.selectbox if s.label.startswith("Dates that read both ways"))
    box.set_value("dmy").run()
    at.button(key="import.preview").click().run()
    assert not at.button(key="import.apply").disabled
    at.button(key="import.apply").click().run()
    days = get_store().cursor().execute("select distinct measured_on from snapshots").fetchall()
    assert sorted(str(d[0]) for d in days) == ["2024-04-03", "2024-06-05"]


def test_rows_without_a_date_are_pointed_out_until_a_day_is_chosen(empty_db):
    import datetime as dt

    at = upload(page(), "plain.csv", b"handle,platform,followers\nanna,telegram,100\n")
    at.button(key="import.preview").click().run()
    assert any("no date of its own" in w.value for w in at.warning), _plan_warnings(at)
    assert not at.button(key="import.apply").disabled  # a note, not a blocker
    day = dt.date.today() - dt.timedelta(days=3)
    next(d for d in at.date_input if d.label.startswith("Measured on")).set_value(day).run()
    at.button(key="import.preview").click().run()
    assert not any("no date of its own" in w.value for w in at.warning)
    at.button(key="import.apply").click().run()
    rows = get_store().cursor().execute("select measured_on from snapshots").fetchall()
    assert rows == [(day,)]


PRICE_LIST = (
    "Канал;Формат;Тип цены;Цена;Валюта;Дата\n"
    "t.me/anna;пост;прайс;12 000 ₽;;01.03.2026\n"
    "vk:dora;сторис;запрос;$150;;02.03.2026\n"
    "t.me/nobody;пост;прайс;1 000;RUB;03.03.2026\n"
    "t.me/anna;пост;согласовано;0;RUB;04.03.2026\n"
    "t.me/anna;рилс;прайс;11 000,50;RUB;05.03.2026\n"
)


def _kind(at: AppTest, kind: str) -> AppTest:
    at.session_state["import.kind"] = kind
    return at.run()


def _channels() -> None:
    from crm import registry

    store = get_store()
    registry.add_channel(store, "telegram", "anna")
    registry.add_channel(store, "vk", "dora")


def test_a_price_list_imports_through_the_same_page(empty_db):
    at = page()
    _channels()
    at = _kind(at, "prices")
    assert at.title[0].value == "Import prices"
    at = upload(at, "прайс.csv", PRICE_LIST.encode("utf-8"))
    assert {s.label: s.value for s in at.selectbox if s.label.startswith("Column")} == {
        "Column “Канал”": "channel",
        "Column “Формат”": "format",
        "Column “Тип цены”": "kind",
        "Column “Цена”": "amount",
        "Column “Валюта”": "currency",
        "Column “Дата”": "date",
    }
    at.button(key="import.preview").click().run()
    assert not at.exception, at.exception
    assert metrics(at) == {
        "New": "3", "Updated": "0", "Unchanged": "0", "Rejected": "2", "Duplicates": "0",
    }  # fmt: skip
    rejects = at.dataframe[-1].value.to_dict("records")  # file preview, changes, rejects
    assert [r["line"] for r in rejects] == [4, 5]
    assert "telegram:nobody" in rejects[0]["reason"]
    assert "amount" in rejects[1]["reason"]
    apply = at.button(key="import.apply")
    assert apply.label == "Import 3 rows"
    apply.click().run()
    assert not at.exception, at.exception
    rows = (
        get_store()
        .cursor()
        .execute(
            "select c.handle, p.format, p.kind, p.amount::varchar, p.currency from prices p "
            "join channels c on c.id = p.channel_id order by p.date"
        )
        .fetchall()
    )
    assert rows == [
        ("anna", "post", "listed", "12000.00", "RUB"),
        ("dora", "story", "quoted", "150.00", "USD"),
        ("anna", "reel", "listed", "11000.50", "RUB"),
    ]


def test_exchange_rates_import_through_the_same_page(empty_db):
    at = _kind(page(), "rates")
    assert at.title[0].value == "Import exchange rates"
    data = "Дата;Валюта;Курс\n01.03.2026;USD;90,5\n02.03.2026;EUR;0\n".encode()
    at = upload(at, "курсы.csv", data)
    at.button(key="import.preview").click().run()
    assert metrics(at)["New"] == "1" and metrics(at)["Rejected"] == "1"
    at.button(key="import.apply").click().run()
    assert not at.exception, at.exception
    rows = get_store().cursor().execute("select currency, date::varchar, rate::varchar from rates")
    assert rows.fetchall() == [("USD", "2026-03-01", "90.50000000")]


def test_placements_import_with_the_channel_and_campaign_chosen_on_the_page(empty_db):
    at = page()
    from crm import registry

    registry.add_channel(get_store(), "telegram", "anna")
    at = _kind(at, "placements")
    assert at.title[0].value == "Import placements"
    data = "ad,Показы,Клики,Расход,Валюта\nA1,1000,10,500,RUB\nA2,2000,30,700,RUB\n".encode()
    at = upload(at, "ads.csv", data)
    next(b for b in at.selectbox if b.label == "Column “ad”").set_value("ref")
    at.text_input(key=next(k for k in at.session_state if k.startswith("import.campaign."))).input(
        "Осень"
    )
    at.text_input(key=next(k for k in at.session_state if k.startswith("import.channel."))).input(
        "telegram:anna"
    )
    at.run()
    at.button(key="import.preview").click().run()
    assert not at.exception, at.exception
    assert metrics(at)["New"] == "2", _plan_warnings(at)
    assert any("new campaign" in w for w in _plan_warnings(at)), _plan_warnings(at)
    at.button(key="import.apply").click().run()
    assert not at.exception, at.exception
    rows = (
        get_store()
        .cursor()
        .execute(
            "select p.ref, k.name, p.price_paid::varchar, r.impressions, r.clicks from placements p "
            "join campaigns k on k.id = p.campaign_id join results r on r.placement_id = p.id "
            "order by p.ref"
        )
    )
    assert rows.fetchall() == [
        ("A1", "Осень", "500.00", 1000, 10),
        ("A2", "Осень", "700.00", 2000, 30),
    ]
