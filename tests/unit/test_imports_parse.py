"""Reading and mapping import files, without a database."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter

from crm.errors import ImportRefused, ValidationError
from crm.importing.mapping import infer_defaults, normalise_header, resolve_mapping, suggest_mapping
from crm.importing.read import LINE, RawTable, read_table
from crm.importing.report import rejects_csv
from crm.importing.results import ImportResult, RejectedRow
from crm.parsing.numbers import parse_number, parse_number_column
from crm.vocab.platforms import parse_channel_url, parse_links


def rows(table: RawTable) -> list[dict[str, Any]]:
    return table.frame.to_dicts()


def test_comma_utf8() -> None:
    t = read_table(b"handle,followers\nanna,1200\nboris,\n", "a.csv")
    assert (t.encoding, t.delimiter, t.header_line, t.columns) == (
        "UTF-8",
        ",",
        1,
        ["handle", "followers"],
    )
    assert rows(t) == [
        {LINE: 2, "handle": "anna", "followers": "1200"},
        {LINE: 3, "handle": "boris", "followers": None},
    ]


def test_bom_semicolon_decimal_comma() -> None:
    data = "\ufeffНик;Подписчики;ER\nanna;12,5K;3,4%\n".encode()
    t = read_table(data, "a.csv")
    assert (t.encoding, t.delimiter, t.columns) == (
        "UTF-8 with BOM",
        ";",
        ["Ник", "Подписчики", "ER"],
    )
    assert rows(t) == [{LINE: 2, "Ник": "anna", "Подписчики": "12,5K", "ER": "3,4%"}]


def test_cp1251_tab_and_title_lines() -> None:
    text = "Отчёт по блогерам\r\nмарт 2024\r\n\r\nНик\tГород\tПодписчики\r\nanna\tМосква\t100\r\n"
    t = read_table(text.encode("cp1251"), "report.txt")
    assert (t.encoding, t.delimiter, t.header_line) == ("cp1251", "\t", 4)
    assert rows(t) == [{LINE: 5, "Ник": "anna", "Город": "Москва", "Подписчики": "100"}]


def test_pipe_delimiter_and_blank_lines_keep_line_numbers() -> None:
    t = read_table(b"handle|followers\n\nanna|1\n\nboris|2\n", "a.csv")
    assert t.delimiter == "|"
    assert [r[LINE] for r in rows(t)] == [3, 5]


def test_repeated_headers_get_distinct_names() -> None:
    t = read_table(b"name,followers,followers,x,x\nleo,409.8M,409800000,1,2\n", "a.csv")
    assert t.columns == ["name", "followers", "followers (2)", "x", "x (2)"]


def test_ragged_rows_and_quoted_newlines() -> None:
    t = read_table(b'handle,notes\nanna,"two\nlines"\nboris\ncarl,x,extra\n', "a.csv")
    assert rows(t) == [
        {LINE: 2, "handle": "anna", "notes": "two\nlines"},
        {LINE: 3, "handle": "boris", "notes": None},
        {LINE: 4, "handle": "carl", "notes": "x"},
    ]


def test_xlsx_with_title_row(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"strings_to_urls": False}) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["Каналы на март"])
        sheet.write_row(1, 0, ["Ссылка", "Подписчики", "Дата"])
        sheet.write_row(2, 0, ["https://t.me/anna", 1200, "2024-03-01"])
        sheet.write_row(3, 0, ["https://t.me/boris", 3.5, None])
    t = read_table(buffer.getvalue(), "channels.xlsx")
    assert (t.encoding, t.delimiter, t.header_line) == (None, None, 2)
    assert rows(t) == [
        {LINE: 3, "Ссылка": "https://t.me/anna", "Подписчики": "1200", "Дата": "2024-03-01"},
        {LINE: 4, "Ссылка": "https://t.me/boris", "Подписчики": "3.5", "Дата": None},
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "The file a.csv is empty."),
        (b"  \n\n", "a.csv", "The file a.csv is empty."),
        (b"handle,followers\n", "a.csv", "The file a.csv has a header (line 1) but no data rows."),
        (
            b"handle,followers\n,\n",
            "a.csv",
            "The file a.csv has a header (line 1) but no data rows.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
            "photo.csv",
            "The file photo.csv is not a text table (it looks like a binary file). "
            "Save it as CSV (comma or semicolon separated) or XLSX and try again.",
        ),
        (b"not a zip", "a.xlsx", "The file a.xlsx is not a valid Excel (.xlsx) workbook."),
    ],
)
def test_unreadable_files_are_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ImportRefused) as info:
        read_table(data, name)
    assert str(info.value) == message


def test_normalise_header() -> None:
    assert normalise_header("Eng. (Avg.)") == "eng avg"
    assert normalise_header("  Вовлечённость ") == "вовлеченность"
    assert normalise_header("followers (2)") == "followers"
    assert normalise_header("facebook_id") == "facebook id"
    assert normalise_header("ER, %") == "er"


def test_suggest_mapping_instagram_export() -> None:
    headers = [
        "Rank",
        "name",
        "instagram name",
        "Category_1",
        "Category_2",
        "followers",
        "followers (2)",
        "country",
        "Eng. (Auth.)",
        "Eng. (Auth.) (2)",
        "Eng. (Avg.)",
        "Eng. (Avg.) (2)",
    ]
    assert suggest_mapping(headers) == {
        "Rank": None,
        "name": "handle",
        "instagram name": "title",
        "Category_1": "niche",
        "Category_2": "niche",
        "followers": "followers",
        "followers (2)": "followers",
        "country": "country",
        "Eng. (Auth.)": None,
        "Eng. (Auth.) (2)": None,
        "Eng. (Avg.)": "avg_engagement",
        "Eng. (Avg.) (2)": "avg_engagement",
    }
    assert infer_defaults(headers) == {"platform": "instagram", "kind": "person"}


def test_suggest_mapping_facebook_pages() -> None:
    headers = ["id", "facebook_id", "page_name", "page_type"]
    assert suggest_mapping(headers) == {
        "id": None,
        "facebook_id": "handle",
        "page_name": "title",
        "page_type": "niche",
    }
    assert infer_defaults(headers) == {"platform": "facebook", "kind": "public_page"}


def test_suggest_mapping_russian_synonyms() -> None:
    headers = [
        "Площадка",
        "Ссылка",
        "Наименование",
        "Тип",
        "Админ",
        "Категория",
        "Страна",
        "Город",
        "Язык",
        "Почта",
        "Телеграм",
        "Телефон",
        "Теги",
        "Комментарий",
        "Подписчиков",
        "Средний охват",
        "Просмотры",
        "Вовлечённость",
        "Лайки",
        "Комментарии",
        "Репосты",
        "ER",
        "ERR",
        "Дата",
        "Стоимость",
        "Валюта",
        "Участники",
    ]
    assert list(suggest_mapping(headers).values()) == [
        "platform",
        "url",
        "title",
        "kind",
        "owner",
        "niche",
        "country",
        "city",
        "language",
        "email",
        "telegram",
        "phone",
        "tags",
        "notes",
        "followers",
        "avg_reach",
        "avg_views",
        "avg_engagement",
        "avg_likes",
        "avg_comments",
        "avg_shares",
        "er",
        "err",
        "measured_on",
        "price",
        "currency",
        "followers",
    ]
    assert infer_defaults(headers)["kind"] == "public_page"  # "Участники": communities


def test_suggest_mapping_english_synonyms() -> None:
    headers = ["Username", "Page Name", "Subscribers", "Avg. Reach", "Fans", "URL", "Members"]
    assert suggest_mapping(headers) == {
        "Username": "handle",
        "Page Name": "title",
        "Subscribers": "followers",
        "Avg. Reach": "avg_reach",
        "Fans": "followers",
        "URL": "url",
        "Members": "followers",
    }


def test_resolve_mapping_hand_override_replaces_suggestion() -> None:
    headers = ["name", "nick", "subs"]
    assert resolve_mapping(headers, {"nick": "handle", "name": "title", "subs": None}) == {
        "name": "title",
        "nick": "handle",
        "subs": None,
    }
    # a hand-made choice for a field drops the suggestion for the same field
    assert resolve_mapping(["username", "login2"], {"login2": "handle"}) == {
        "username": None,
        "login2": "handle",
    }


def test_resolve_mapping_refuses_unknown_target_and_column() -> None:
    with pytest.raises(ImportRefused) as info:
        resolve_mapping(["nick"], {"nick": "nickname"})
    assert str(info.value).startswith(
        "“nickname” is not a field channels can be imported into. Fields: platform, handle, url,"
    )
    with pytest.raises(ImportRefused) as info:
        resolve_mapping(["nick"], {"login": "handle"})
    assert str(info.value) == "The file has no column “login”. Columns found: nick."


def test_parse_number_column_matches_parse_number() -> None:
    values = [
        "409.8M",
        "409800000",
        "12,5K",
        "1,2 млн",
        "350 тыс",
        "1 234 567",
        "1\u00a0234,5",
        "3.4%",
        "3,4%",
        "1,234",
        "-5",
        "0",
        "",
        None,
        "abc",
        "1.2.3",
        "2,3M",
        "900K",
        "1,5 млрд",
        "nan",
        "inf",
        "12.345.678",
    ]
    parsed, invalid = parse_number_column(pl.Series("x", values, dtype=pl.String))
    expected, bad = [], []
    for v in values:
        try:
            expected.append(parse_number(v))
            bad.append(False)
        except ValueError:
            expected.append(None)
            bad.append(True)
    assert [None if p is None else round(p, 6) for p in parsed.to_list()] == [
        None if e is None else round(e, 6) for e in expected
    ]
    assert invalid.to_list() == bad


def test_parse_links_matches_parse_channel_url() -> None:
    links = [
        "https://t.me/Durov",
        "t.me/s/durov",
        "https://t.me/joinchat/abc",
        "vk.com/public123",
        "https://vk.com/club123",
        "https://vk.com/id55",
        "https://vk.com/Apiclub/",
        "https://www.instagram.com/leomessi/",
        "https://instagram.com/p/xyz",
        "https://www.youtube.com/@TechReview",
        "https://youtube.com/channel/UC123",
        "https://www.tiktok.com/@dance.kz",
        "https://twitter.com/elonmusk",
        "https://x.com/i",
        "https://ok.ru/group/54321",
        "https://ok.ru/mypage",
        "https://dzen.ru/id/abc",
        "https://rutube.ru/channel/123",
        "rutube.ru/someone",
        "https://m.ok.ru/name",
        "zen.yandex.ru/abc",
        "https://facebook.com/pages/x/123",
        "https://facebook.com/profile.php?id=4",
        "https://example.com/x",
        "twitch.tv/shroud",
    ]
    pairs, errors = parse_links(pl.Series(links))
    for link, pair, error in zip(links, pairs.to_list(), errors.to_list(), strict=True):
        try:
            ref = parse_channel_url(link)
            assert (pair, error) == (f"{ref.platform}\x00{ref.handle}", None), link
        except ValidationError as exc:
            assert (pair, error) == (None, str(exc).rstrip(".")), link


def test_rejects_csv_report() -> None:
    result = ImportResult(
        rejected=2,
        rejects=[
            RejectedRow(7, "followers “abc” is not a number"),
            RejectedRow(9, 'notes, "quoted"'),
        ],
    )
    assert (
        rejects_csv(result)
        == (
            '\ufeffline,reason\n7,followers “abc” is not a number\n9,"notes, ""quoted"""\n'
        ).encode()
    )
    assert str(result.rejects[0]) == "line 7: followers “abc” is not a number"


def test_summary() -> None:
    result = ImportResult(new=991, duplicates=9)
    assert result.summary() == (
        "991 new, 0 updated, 0 unchanged, 0 rejected; "
        "9 duplicate rows in the file (the later row won)"
    )
    assert ImportResult(new=1, dry_run=True).summary() == (
        "1 new, 0 updated, 0 unchanged, 0 rejected (dry run: nothing written)"
    )


def test_mapping_for_other_entities_uses_their_own_synonyms() -> None:
    from crm.fields import OWNERS, PRICES

    headers = ["Канал", "Формат", "Тип цены", "Сумма", "Валюта", "Дата", "Источник"]
    assert suggest_mapping(headers, PRICES) == {
        "Канал": "channel",
        "Формат": "format",
        "Тип цены": "kind",
        "Сумма": "amount",
        "Валюта": "currency",
        "Дата": "date",
        "Источник": "source",
    }
    assert suggest_mapping(["Name", "E-mail", "Phone", "Other contact"], OWNERS) == {
        "Name": "name",
        "E-mail": "email",
        "Phone": "phone",
        "Other contact": "other_contact",
    }
    with pytest.raises(ImportRefused, match="“followers” is not a field owners can be imported"):
        resolve_mapping(["x"], {"x": "followers"}, OWNERS)


def test_several_columns_of_a_list_field_and_average_prefixes() -> None:
    assert suggest_mapping(["Tag 1", "tag_2", "Категория 3", "Mean likes", "Ср. охват"]) == {
        "Tag 1": "tags",
        "tag_2": "tags",
        "Категория 3": "niche",
        "Mean likes": "avg_likes",
        "Ср. охват": "avg_reach",
    }


def test_two_columns_for_one_field_are_warned_about() -> None:
    from crm.importing.mapping import mapping_warnings

    headers = ["name", "followers", "followers (2)", "Подписчики", "Category_1", "Category_2"]
    mapping = resolve_mapping(headers)
    assert [mapping[h] for h in headers[1:4]] == ["followers"] * 3
    # several niche columns are what the niche field is for: no warning about them
    assert mapping_warnings(headers, mapping) == [
        "Columns “followers”, “followers (2)” and “Подписчики” all hold followers: each row "
        "takes the first of them that is filled, whole numbers first."
    ]
    # a column mapped by hand to a field replaces the others suggested for it: said, not silent
    mapping = resolve_mapping(headers, {"followers (2)": "followers"})
    assert mapping_warnings(headers, mapping) == [
        "Column “followers” is ignored: followers is read from “followers (2)”.",
        "Column “Подписчики” is ignored: followers is read from “followers (2)”.",
    ]
    # a repeated header nobody reads while its twin is read
    headers = ["handle", "notes", "notes (2)"]
    mapping = resolve_mapping(headers, {"notes (2)": "ignore"})
    assert mapping_warnings(headers, mapping) == [
        "Column “notes (2)” repeats the header “notes” and is ignored."
    ]
    assert mapping_warnings(["handle", "title"], resolve_mapping(["handle", "title"])) == []


def test_text_columns_for_one_field_say_the_first_wins() -> None:
    from crm.importing.mapping import mapping_warnings

    headers = ["handle", "Название", "title"]
    assert mapping_warnings(headers, resolve_mapping(headers)) == [
        "Columns “Название” and “title” both hold title: each row takes the first of them "
        "that is filled."
    ]
