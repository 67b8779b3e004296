"""Reading member files: plain lists, tables, XLSX, encodings, id kinds, and every refusal."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import xlsxwriter

from crm.audience import lists
from crm.audience.lists import LoadResult, MemberFile, read_member_file
from crm.audience.sets import Members
from crm.errors import ImportRefused, ValidationError


def read(text: str | bytes, name: str = "members.txt", **kw: object) -> MemberFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_member_file(data, name, **kw)  # type: ignore[arg-type]


def refusal(text: str | bytes, name: str = "members.txt", **kw: object) -> str:
    with pytest.raises((ImportRefused, ValidationError)) as caught:
        read(text, name, **kw)
    return str(caught.value)


def xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(i, j, value)
    book.close()
    return buffer.getvalue()


# ---------------------------------------------------------------- plain lists


def test_plain_list_drops_blank_lines_and_duplicates_keeping_first_sight() -> None:
    got = read("5\n3\n\n5\n7\n3\n")
    assert got.values.to_list() == [5, 3, 7]
    assert got.values.dtype == pl.Int64
    assert (got.id_kind, got.rows_read, got.duplicates, got.size) == ("number", 5, 2, 3)
    assert got.column is None and got.filename == "members.txt"


def test_plain_list_with_spaces_and_windows_line_ends() -> None:
    got = read(" 12 \r\n34\r\n\t56\r\n")
    assert got.values.to_list() == [12, 34, 56]


def test_plain_list_under_a_known_header() -> None:
    got = read("user_id\n1\n2\n")
    assert (got.values.to_list(), got.column) == ([1, 2], "user_id")


def test_plain_list_under_a_heading_of_its_own() -> None:
    got = read("Участники группы\n10\n20\n")
    assert (got.values.to_list(), got.column) == ([10, 20], "Участники группы")


def test_largest_id_is_kept_and_zero_is_an_id() -> None:
    got = read(f"{2**63 - 1}\n0\n")
    assert got.values.to_list() == [2**63 - 1, 0]


def test_usernames_lower_cased_without_at_and_links_reduced() -> None:
    got = read("@Durov\ndurov\nhttps://t.me/Pavel_D\nt.me/pavel_d/\nvk.com/Some.Name\n")
    assert got.id_kind == "text"
    assert got.values.to_list() == ["durov", "pavel_d", "some.name"]
    assert got.values.dtype == pl.String
    assert (got.rows_read, got.duplicates) == (5, 2)


def test_profile_links_to_numbers() -> None:
    got = read("https://vk.com/id55\nhttp://m.vk.com/id56\nhttps://ok.ru/profile/123\n77\n")
    assert (got.id_kind, got.values.to_list()) == ("number", [55, 56, 123, 77])


def test_chosen_kind_text_keeps_numbers_as_usernames() -> None:
    got = read("00123\nabc\n00123\n", id_kind="text")
    assert (got.values.to_list(), got.duplicates) == (["00123", "abc"], 1)


def test_progress_reports_reading_from_0_to_1() -> None:
    seen: list[tuple[float, str]] = []
    read("1\n2\n", progress=lambda f, p: seen.append((f, p)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert {p for _, p in seen} == {"reading"}


# ---------------------------------------------------------------- tables


def test_csv_default_column_is_the_one_named_as_ids() -> None:
    got = read("name,vk_id,city\nAnna,100,Kazan\nBoris,200,Omsk\n", "export.csv")
    assert (got.values.to_list(), got.column) == ([100, 200], "vk_id")


def test_csv_without_an_id_header_takes_the_first_column() -> None:
    got = read("person;city\n7;Kazan\n8;Omsk\n", "export.csv")
    assert (got.values.to_list(), got.column) == ([7, 8], "person")


def test_csv_column_chosen_by_the_user_case_insensitively() -> None:
    got = read("id,friend\n1,300\n2,400\n", "export.csv", column="FRIEND")
    assert (got.values.to_list(), got.column) == ([300, 400], "friend")


def test_tsv_by_name_and_quoted_cells() -> None:
    got = read('uid\tname\n"5"\t"a, b"\n6\tc\n', "export.tsv")
    assert got.values.to_list() == [5, 6]


def test_unknown_column_names_the_columns_there_are() -> None:
    message = refusal("id,name\n1,a\n", "x.csv", column="login")
    assert "no column “login”" in message and "“id”, “name”" in message


def test_xlsx_numbers_and_chosen_column() -> None:
    data = xlsx([["Имя", "ID"], ["a", 101], ["b", 12345678901234], ["c", 101]])
    got = read(data, "list.xlsx")
    assert (got.values.to_list(), got.column, got.duplicates) == ([101, 12345678901234], "ID", 1)
    names = read(data, "list.xlsx", column="имя")
    assert (names.id_kind, names.values.to_list()) == ("text", ["a", "b", "c"])


def test_xlsx_refusal_names_the_sheet_row() -> None:
    data = xlsx([["id"], [1], [2], [1.5]])
    message = refusal(data, "list.xlsx")
    assert "row 4 (“1.5”)" in message


# ---------------------------------------------------------------- encodings


def test_utf8_with_bom() -> None:
    got = read(codecs.BOM_UTF8 + b"uid\n1\n2\n")
    assert (got.values.to_list(), got.column) == ([1, 2], "uid")


def test_cp1251_header() -> None:
    got = read("Участник;Город\n5;Казань\n6;Омск\n".encode("cp1251"), "x.csv")
    assert (got.values.to_list(), got.column) == ([5, 6], "Участник")


def test_utf16_with_bom() -> None:
    got = read("id\r\n9\r\n8\r\n".encode("utf-16"))
    assert got.values.to_list() == [9, 8]


# ---------------------------------------------------------------- refusals


def test_text_in_a_numeric_column_names_rows() -> None:
    message = refusal("1\n2\nabc\n4\n5\n")
    assert "row 3 (“abc”)" in message and "text" in message


def test_many_bad_rows_are_counted_not_all_listed() -> None:
    body = "\n".join(["1"] * 20 + [f"x{i}" for i in range(8)]) + "\n"
    message = refusal(body)
    assert "row 21 (“x0”)" in message and "row 25 (“x4”)" in message
    assert "x5" not in message and "and 3 more rows" in message


def test_text_when_numbers_were_chosen() -> None:
    message = refusal("durov\npavel\n", id_kind="number")
    assert "text in a column of numeric user ids" in message
    assert "row 1 (“durov”)" in message and "row 2 (“pavel”)" in message


def test_numbers_among_usernames_suggest_the_text_kind() -> None:
    message = refusal("alpha\nbeta\ngamma\n123\n")
    assert "row 4 (“123”)" in message and "“text”" in message


def test_negative_ids() -> None:
    message = refusal("1\n-2\n3\n")
    assert "negative" in message and "row 2 (“-2”)" in message


def test_ids_that_overflow_int64() -> None:
    message = refusal(f"1\n{2**63}\n")
    assert "too large" in message and f"row 2 (“{2**63}”)" in message


def test_not_a_username() -> None:
    message = refusal("anna\nJohn Smith\n")
    assert "row 2 (“John Smith”)" in message


@pytest.mark.parametrize("body", ["", "\n\n  \n", "user_id\n", "id,name\n,a\n,b\n"])
def test_empty_lists(body: str) -> None:
    assert "no member ids" in refusal(body, "x.csv")


def test_binary_file() -> None:
    assert "not a text file" in refusal(b"\x00\x01\x02garbage" * 10, "x.bin")


def test_damaged_workbook() -> None:
    assert "not a readable Excel workbook" in refusal(b"PK\x03\x04broken", "x.xlsx")


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:  # sparse: 3 GB on paper, nothing on disk
        f.truncate(3 * 1024**3)
    with pytest.raises(ImportRefused, match=r"huge.txt is 3.0 GB; member files of at most 2 GB"):
        read_member_file(huge, "huge.txt")


def test_bytes_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lists, "MAX_FILE_BYTES", 8)
    with pytest.raises(ImportRefused, match="at most"):
        read("1\n2\n3\n4\n5\n")
    assert read("1\n2\n").size == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="Cannot read the file gone.txt"):
        read_member_file(tmp_path / "gone.txt", "gone.txt")


def test_unknown_kind() -> None:
    with pytest.raises(ValidationError, match="Unknown kind"):
        read("1\n", id_kind="people")


def test_path_and_bytes_read_alike(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("3\n1\n3\n", encoding="utf-8")
    from_path, from_bytes = read_member_file(path, "m.txt"), read("3\n1\n3\n", "m.txt")
    assert from_path.values.to_list() == from_bytes.values.to_list() == [3, 1]
    assert (from_path.rows_read, from_path.duplicates) == (from_bytes.rows_read, 1) == (3, 1)


# ---------------------------------------------------------------- results, bitmaps


def test_load_result_summary() -> None:
    result = LoadResult(1, "vk:club1", 1500, 1, 20, "number", "a.txt")
    assert result.summary() == (
        "Loaded 1\u202f500 members (user ids) for vk:club1; 1 duplicate dropped; replaced a list of 20."
    )
    fresh = LoadResult(1, "telegram:x", 2, 0, None, "text", "a.txt")
    assert fresh.summary() == "Loaded 2 members (usernames) for telegram:x."


def test_distinct_members_equal_from_ids_across_shards() -> None:
    rng = np.random.default_rng(5)
    dense = rng.choice(3 * 2**24, 5000, replace=False).astype(np.uint64)
    ours = lists._distinct_members("vk", dense)
    theirs = Members.from_ids("vk", dense)
    assert ours.size == theirs.size == 5000
    assert dict(ours.shards) == dict(theirs.shards)
    assert len(ours.shards) == 3
    assert ours.serialized() == theirs.serialized()
