"""Reading files into text columns: encodings of CSV files, and workbooks (also hostile ones)."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import struct
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter

from crm.errors import ImportRefused
from crm.importing import read
from crm.importing.read import LINE, MAX_ROWS, read_table

RUSSIAN = "Название;Подписчики\nКанал;1500\n"


def rows(table: read.RawTable) -> list[dict]:
    return table.frame.to_dicts()


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (RUSSIAN.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"), "UTF-8 with BOM"),
        (RUSSIAN.encode("utf-16"), "UTF-16 LE with BOM"),  # what Windows calls "Unicode"
        (codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"), "UTF-16 BE with BOM"),
        (RUSSIAN.encode("utf-32"), "UTF-32 LE with BOM"),
        (RUSSIAN.encode("cp1251"), "cp1251"),
        (RUSSIAN.encode("koi8_r"), "KOI8-R"),
        (RUSSIAN.encode("cp866"), "cp866 (DOS)"),
        (RUSSIAN.encode("iso8859_5"), "ISO-8859-5"),
    ],
)
def test_russian_text_in_every_encoding_reads_the_same_cells(data: bytes, encoding: str) -> None:
    t = read_table(data, "channels.csv")
    assert (t.encoding, t.delimiter, t.columns) == (encoding, ";", ["Название", "Подписчики"])
    assert rows(t) == [{LINE: 2, "Название": "Канал", "Подписчики": "1500"}]
    assert t.describe() == (
        f"encoding {encoding}, delimiter semicolon, header on line 1, 1 data rows"
    )


def test_longer_koi8_file_with_title_lines() -> None:
    text = "Отчёт по блогерам\r\nмарт 2024\r\n\r\nНик\tГород\tПодписчики\r\nanna\tМосква\t100\r\n"
    t = read_table(text.encode("koi8_r"), "report.txt")
    assert (t.encoding, t.delimiter, t.header_line) == ("KOI8-R", "\t", 4)
    assert rows(t) == [{LINE: 5, "Ник": "anna", "Город": "Москва", "Подписчики": "100"}]


def test_a_file_ascii_at_the_start_and_cp1252_further_on_is_read_as_cp1252() -> None:
    # UTF-8 is taken from the file's start and checked by polars past it: the row after
    # 300 KB of ASCII ones makes the file be decoded whole (as without the shortcut)
    ascii_rows = "".join(f"chan_{i};Berlin\n" for i in range(20_000))
    text = f"Name;Stadt\n{ascii_rows}Müller;Köln\n"
    t = read_table(text.encode("cp1252"), "late.csv")
    assert t.encoding == "cp1252" and t.rows == 20_001
    assert rows(t)[-1] == {LINE: 20_002, "Name": "Müller", "Stadt": "Köln"}
    assert read_table(text.encode("utf-8"), "late.csv").encoding == "UTF-8"


def test_western_european_text() -> None:
    t = read_table("Name;Stadt\nMüller;Köln\n".encode("cp1252"), "a.csv")
    assert t.encoding == "cp1252"
    assert rows(t) == [{LINE: 2, "Name": "Müller", "Stadt": "Köln"}]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4,  # a JPEG
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02" + bytes(range(256)) * 2,
        RUSSIAN.encode("utf-16-le"),  # UTF-16 without its byte order mark: NULs everywhere
    ],
)
def test_binary_files_are_still_refused(data: bytes) -> None:
    with pytest.raises(ImportRefused) as info:
        read_table(data, "x.csv")
    assert str(info.value) == (
        "The file x.csv is not a text table (it looks like a binary file). "
        "Save it as CSV (comma or semicolon separated) or XLSX and try again."
    )


def test_a_byte_order_mark_that_lies_is_refused() -> None:
    with pytest.raises(ImportRefused) as info:
        read_table(codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", "x.csv")  # a lone surrogate
    assert str(info.value) == (
        "The file x.csv starts with the mark of UTF-16 LE text but is not valid in that "
        "encoding. Save it as CSV UTF-8 and try again."
    )


# ---------------------------------------------------------------- line ends, quotes, formulas


MIXED = ["platform,handle,followers", *(f"telegram,chan_{i},{100 + i}" for i in range(12))]


def test_mixed_line_endings_lose_no_row() -> None:
    ends = ["\r\n", "\n", "\r"]
    data = "".join(f"{line}{ends[i % 3]}" for i, line in enumerate(MIXED)).encode()
    t = read_table(data, "m.csv")
    assert rows(t) == [
        {LINE: i + 2, "platform": "telegram", "handle": f"chan_{i}", "followers": str(100 + i)}
        for i in range(12)
    ]


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_every_line_ending_alone_reads_every_row(end: str) -> None:
    t = read_table(end.join(MIXED).encode("cp1251"), "r.csv")
    assert t.rows == 12 and rows(t)[-1][LINE] == 13


def test_a_carriage_return_inside_a_quoted_cell_is_data() -> None:
    data = b'handle,notes\r"anna","two\rlines"\r"boris","one\r\nmore"\rcarl,x\r'
    assert [(r["handle"], r["notes"]) for r in rows(read_table(data, "q.csv"))] == [
        ("anna", "two\nlines"),
        ("boris", "one\r\nmore"),
        ("carl", "x"),
    ]


def test_an_unterminated_quote_is_refused_in_one_short_line() -> None:
    data = ('handle,notes\nanna,"' + "x" * 1_000_000 + "\nboris,y\n").encode()
    with pytest.raises(ImportRefused) as info:
        read_table(data, "q.csv")
    assert str(info.value) == (
        "The file q.csv cannot be read as a table: a quoted cell is never closed, or has a "
        f'stray quote mark in it: “"{"x" * 78}…”. Check the quote marks (") in the file.'
    )


def test_cells_a_spreadsheet_would_run_come_back_as_they_were_exported() -> None:
    # exports prefix such text with ' (crm.parsing.text.spreadsheet_safe); reading drops it
    data = (
        b"'=title,handle,phone,notes\n'=1+1,anna,'+7 900 123-45-67,'@note\n'-5,boris,'plain,'\t=x\n"
    )
    t = read_table(data, "back.csv")
    assert t.columns == ["=title", "handle", "phone", "notes"]
    assert [tuple(r.values())[1:] for r in rows(t)] == [
        ("=1+1", "anna", "+7 900 123-45-67", "@note"),
        ("-5", "boris", "'plain", "=x"),
    ]


# ---------------------------------------------------------------- workbooks


def workbook(write: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    buffer = io.BytesIO()
    # as people's files have them: links and "=…" text as plain strings
    with xlsxwriter.Workbook(buffer, {"strings_to_urls": False}) as book:
        write(book)
    return buffer.getvalue()


def channels_book(rows_: int = 3) -> bytes:
    def write(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("Каналы")
        sheet.write_row(0, 0, ["handle", "followers"])
        for i in range(1, rows_ + 1):
            sheet.write_string(i, 0, f"name{i}")
            sheet.write_number(i, 1, i * 7)

    return workbook(write)


def test_xlsx_cells_come_out_as_text() -> None:
    def write(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet()
        day = book.add_format({"num_format": "dd.mm.yyyy"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        percent = book.add_format({"num_format": "0.0%"})
        sheet.write_row(0, 0, ["Каналы на март"])
        sheet.write_row(1, 0, ["name", "followers", "er", "measured", "at", "ok", "note"])
        sheet.write_row(2, 0, ["leo", 409800000, 0.034, None, None, True, "  padded  "])
        sheet.write_datetime(2, 3, dt.datetime(2024, 3, 1), day)
        sheet.write_datetime(2, 4, dt.datetime(2024, 3, 1, 12, 30), moment)
        sheet.write_row(3, 0, ["mia", 3.5, 0.1 + 0.2, None, None, False])
        sheet.write_string(3, 6, "=1+1")
        sheet.write(3, 2, 0.5, percent)

    t = read_table(workbook(write), "channels.xlsx")
    assert (t.encoding, t.delimiter, t.header_line) == (None, None, 2)
    assert rows(t) == [
        {LINE: 3, "name": "leo", "followers": "409800000", "er": "0.034",
         "measured": "2024-03-01", "at": "2024-03-01 12:30:00", "ok": "true", "note": "padded"},
        {LINE: 4, "name": "mia", "followers": "3.5", "er": "0.5", "measured": None,
         "at": None, "ok": "false", "note": "=1+1"},
    ]  # fmt: skip


def test_xlsx_line_numbers_repeated_headers_blank_rows_and_first_sheet_only() -> None:
    def write(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet()  # the table starts at B3: two empty lines above it
        sheet.write_row(2, 1, ["name", "x", "x", None, "x"])
        sheet.write_row(3, 1, ["anna", 1, 2, None, 3])
        sheet.write_row(6, 1, ["boris", 4])  # lines 5 and 6 are blank
        sheet.write_row(7, 1, [None, None, None, None, None, "beyond the header"])
        book.add_worksheet("other").write_row(0, 0, ["ignored", "sheet"])

    t = read_table(workbook(write), "book.xlsx")
    assert t.header_line == 3
    assert t.columns == ["name", "x", "x (2)", "column 4", "x (3)"]
    assert rows(t) == [
        {LINE: 4, "name": "anna", "x": "1", "x (2)": "2", "column 4": None, "x (3)": "3"},
        {LINE: 7, "name": "boris", "x": "4", "x (2)": None, "column 4": None, "x (3)": None},
    ]


def test_a_stray_cell_far_right_does_not_hide_the_header() -> None:
    def write(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["Каналы на март"])
        sheet.write_row(1, 0, ["handle", "followers", "city"])
        sheet.write_row(2, 0, ["anna", 100, "Москва"])
        sheet.write_string(40, 25, "note in Z41")

    t = read_table(workbook(write), "b.xlsx")
    assert (t.header_line, t.columns) == (2, ["handle", "followers", "city"])
    assert rows(t) == [{LINE: 3, "handle": "anna", "followers": "100", "city": "Москва"}]


def test_xlsx_refusals_keep_their_messages() -> None:
    empty = workbook(lambda book: book.add_worksheet())
    with pytest.raises(ImportRefused, match=r"^The file e\.xlsx is empty\.$"):
        read_table(empty, "e.xlsx")
    header_only = workbook(lambda book: book.add_worksheet().write_row(0, 0, ["a", "b"]))
    with pytest.raises(ImportRefused, match=r"has a header \(line 1\) but no data rows"):
        read_table(header_only, "h.xlsx")


def test_twenty_thousand_rows_read_exactly() -> None:
    t = read_table(channels_book(20_000), "big.xlsx")
    assert t.rows == 20_000
    assert rows(t)[-1] == {LINE: 20_001, "handle": "name20000", "followers": "140000"}


# ---------------------------------------------------------------- hostile workbooks


def rewrite(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one zip member changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                body = change(body)
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def with_rows(xml: str) -> Callable[[bytes], bytes]:
    return lambda body: body.replace(b"</sheetData>", xml.encode() + b"</sheetData>")


def huge_dimension() -> bytes:
    data = rewrite(
        channels_book(),
        SHEET,
        lambda body: body.replace(b'<dimension ref="A1:B4"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    return data


_TINY_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
    SHEET: (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>handle</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>followers</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>anna</t></is></c><c r="B2"><v>7</v></c></row>'
        "</sheetData></worksheet>"
    ),
}


def tiny_huge_dimension() -> bytes:
    """A 1.6 KB workbook, written by hand, that declares every cell of a sheet (A1:XFD1048576)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for member, xml in _TINY_PARTS.items():
            book.writestr(member, xml)
    return out.getvalue()


def xfd_on_every_row() -> bytes:
    cells = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(5, 70_005))
    return rewrite(channels_book(), SHEET, with_rows(cells))


def one_cell_on_the_last_row() -> bytes:
    return rewrite(
        channels_book(), SHEET, with_rows('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    )


def far_corner() -> bytes:
    """Two cells, GR1 and A1000000: calamine would hold 200 million cells (6 GB)."""
    corner = '<row r="1000000"><c r="A1000000"><v>1</v></c></row>'
    return rewrite(
        channels_book(),
        SHEET,
        lambda body: with_rows(corner)(
            body.replace(b"</c></row>", b'</c><c r="GR1"><v>1</v></c></row>', 1)
        ),
    )


def misplaced_cell() -> bytes:
    """A cell in line 2 that names row 900 000 (and column AN): 36 million cells."""
    return rewrite(
        channels_book(),
        SHEET,
        lambda body: body.replace(b'<c r="B2"', b'<c r="AN900000"', 1),
    )


def cells_without_positions() -> bytes:
    cells = "<c><v>1</v></c>" * 500  # each follows the one before it: columns A to SF
    return rewrite(channels_book(), SHEET, with_rows(f'<row r="5">{cells}</row>'))


def prefixed(body: bytes) -> bytes:
    """The same sheet written with a namespace prefix (<x:row>, <x:c>), as some .NET tools do."""
    text = body.decode().replace("<worksheet xmlns=", "<x:worksheet xmlns:x=")
    text = text.replace("</worksheet>", "</x:worksheet>")
    for tag in ("dimension", "sheetViews", "sheetView", "sheetFormatPr", "sheetData", "row",
                "c", "v", "pageMargins"):  # fmt: skip
        text = text.replace(f"<{tag} ", f"<x:{tag} ").replace(f"<{tag}>", f"<x:{tag}>")
        text = text.replace(f"</{tag}>", f"</x:{tag}>")
    return text.encode()


def prefixed_elements() -> bytes:
    wide = b'<x:row r="6"><x:c r="HA6"><x:v>1</x:v></x:c></x:row></x:sheetData>'
    return rewrite(
        channels_book(), SHEET, lambda body: prefixed(body).replace(b"</x:sheetData>", wide)
    )


def test_a_declared_huge_dimension_is_ignored() -> None:
    t = read_table(huge_dimension(), "dim.xlsx")
    assert rows(t)[0] == {LINE: 2, "handle": "name1", "followers": "7"}


def test_a_tiny_workbook_declaring_every_cell_is_read_as_its_cells() -> None:
    data = tiny_huge_dimension()
    assert len(data) < 1700
    assert rows(read_table(data, "tiny.xlsx")) == [{LINE: 2, "handle": "anna", "followers": "7"}]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            xfd_on_every_row,
            "The file bad.xlsx has cells in column XFD, column 16,384 of its first sheet; the "
            "limit is 200 columns. Delete the columns you do not need (or copy the table to a "
            "new workbook) and try again.",
        ),
        (
            one_cell_on_the_last_row,
            f"The file bad.xlsx has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}. "
            "Split the file into parts and import them one by one.",
        ),
        (
            far_corner,
            "The file bad.xlsx is too large to read: its first sheet spans 1,000,000 rows and 200 "
            "columns, more than 30,000,000 cells. Delete the rows and columns you do not need (or "
            "split the file) and try again.",
        ),
        (
            misplaced_cell,
            "The file bad.xlsx is too large to read: its first sheet spans 900,000 rows and 40 "
            "columns, more than 30,000,000 cells. Delete the rows and columns you do not need (or "
            "split the file) and try again.",
        ),
        (
            cells_without_positions,
            "The file bad.xlsx has cells in column GS, column 201 of its first sheet; the limit "
            "is 200 columns. Delete the columns you do not need (or copy the table to a new "
            "workbook) and try again.",
        ),
        (
            prefixed_elements,
            "The file bad.xlsx has cells in column HA, column 209 of its first sheet; the limit "
            "is 200 columns. Delete the columns you do not need (or copy the table to a new "
            "workbook) and try again.",
        ),
    ],
)
def test_sheets_too_large_to_hold_are_refused_before_reading(
    build: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(ImportRefused) as info:
        read_table(build(), "bad.xlsx")
    assert str(info.value) == message


def test_the_cell_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_CELLS", 7)
    with pytest.raises(ImportRefused) as info:
        read_table(channels_book(3), "b.xlsx")
    assert str(info.value) == (
        "The file b.xlsx is too large to read: its first sheet spans 4 rows and 2 columns, more "
        "than 7 cells. Delete the rows and columns you do not need (or split the file) and try "
        "again."
    )
    monkeypatch.setattr(read, "MAX_CELLS", 8)
    assert read_table(channels_book(3), "b.xlsx").rows == 3


def test_cells_without_positions_within_the_limits_are_read() -> None:
    data = rewrite(
        channels_book(),
        SHEET,
        with_rows('<row r="5"><c t="inlineStr"><is><t>zoe</t></is></c><c><v>9</v></c></row>'),
    )
    assert rows(read_table(data, "b.xlsx"))[-1] == {LINE: 5, "handle": "zoe", "followers": "9"}


def test_prefixed_elements_within_the_limits_are_read() -> None:
    t = read_table(rewrite(channels_book(), SHEET, prefixed), "b.xlsx")
    assert rows(t) == [
        {LINE: i + 1, "handle": f"name{i}", "followers": str(7 * i)} for i in (1, 2, 3)
    ]


# Peak memory of a read, measured in a child process (its own VmHWM); the child's address
# space is capped too, so a regression fails the test instead of exhausting the machine.
_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    from crm.errors import ImportRefused
    from crm.importing.read import read_table
    data = open(sys.argv[1], "rb").read()
    try:
        outcome = f"{read_table(data, 'x.xlsx').rows} rows"
    except ImportRefused as exc:
        outcome = str(exc)
    # VmHWM: this process's own peak; ru_maxrss would also count the parent's size at the
    # fork (Linux keeps it across exec), and the test runner may be large by now
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) * 1024
    print(json.dumps({"outcome": outcome, "peak": peak}))
    """
)


@pytest.mark.parametrize(
    ("build", "outcome"),
    [
        (huge_dimension, "3 rows"),
        (tiny_huge_dimension, "1 rows"),
        (xfd_on_every_row, "The file x.xlsx has cells in column XFD"),
        (one_cell_on_the_last_row, "The file x.xlsx has more than"),
        (far_corner, "The file x.xlsx is too large to read"),
        (misplaced_cell, "The file x.xlsx is too large to read"),
    ],
)
def test_hostile_workbooks_keep_memory_bounded(
    build: Callable[[], bytes], outcome: str, tmp_path: Path
) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(build())
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["outcome"].startswith(outcome)
    assert result["peak"] < 1 << 30, f"peak memory {result['peak'] / 2**20:.0f} MB"


def _member_data_offset(data: bytes, member: str) -> tuple[zipfile.ZipInfo, int]:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_length, extra_length = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    return info, info.header_offset + 30 + name_length + extra_length


def damaged_deflate(member: str) -> bytes:
    data = channels_book(2000)
    info, start = _member_data_offset(data, member)
    broken = bytearray(data)
    middle = start + info.compress_size // 2
    broken[middle : middle + 16] = b"\xff" * 16
    return bytes(broken)


def bad_crc() -> bytes:
    data = channels_book(2000)
    info, _ = _member_data_offset(data, SHEET)
    wrong = struct.pack("<I", info.CRC ^ 0xFFFF)
    broken = bytearray(data)
    broken[info.header_offset + 14 : info.header_offset + 18] = wrong  # the local header
    at = data.find(b"PK\x01\x02")
    while at != -1:  # and the central directory's copy
        length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + length] == SHEET.encode():
            broken[at + 16 : at + 20] = wrong
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(broken)


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: damaged_deflate(SHEET), ""),
        (lambda: damaged_deflate("xl/sharedStrings.xml"), ""),
        (lambda: damaged_deflate("xl/workbook.xml"), ""),
        (bad_crc, "Bad CRC-32 for file 'xl/worksheets/sheet1.xml'"),
        (lambda: channels_book(2000)[:5000], "File is not a zip file"),
        (lambda: channels_book(2000)[:-30], "File is not a zip file"),
        (lambda: rewrite(channels_book(), "xl/workbook.xml", lambda b: b[:-40]), ""),
        (lambda: rewrite(channels_book(), SHEET, lambda b: b[: len(b) // 2]), ""),
    ],
)
def test_damaged_workbooks_are_refused_with_a_message(
    build: Callable[[], bytes], reason: str
) -> None:
    with pytest.raises(ImportRefused) as info:
        read_table(build(), "broken.xlsx")
    message = str(info.value)
    assert message.startswith("The file broken.xlsx is not a readable Excel workbook: ")
    assert reason in message
    assert "\n" not in message


def test_without_pyarrow_the_lazy_load_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    data = channels_book(3)
    eager = read_table(data, "b.xlsx").frame
    monkeypatch.setattr(read, "_PYARROW", False)
    assert read_table(data, "b.xlsx").frame.equals(eager)
