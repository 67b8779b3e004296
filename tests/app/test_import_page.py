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
