"""Reading a file into text columns: CSV/TSV/XLSX, encoding, delimiter and header row.

Workbooks are read by calamine (through ``fastexcel``), which holds the whole rectangle of a
sheet in memory at once, from A1 to its last used cell. A small file can declare a cell in
column XFD or on row 1 048 576, so the first sheet's XML is scanned first (streamed, a few
regular expressions per megabyte) and a sheet wider than ``MAX_COLUMNS``, longer than
``MAX_ROWS`` or larger than ``MAX_CELLS`` is refused before calamine sees it.
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import charset_normalizer
import fastexcel
import polars as pl

from crm.errors import ImportRefused
from crm.parsing.text import FORMULA_ESCAPED, shorten

MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
# calamine keeps every cell of the sheet's rectangle, 32 bytes each: 30 million is about 1 GB
MAX_CELLS = 30_000_000
LINE = "__line__"  # the spreadsheet row number of each data row, kept beside the file's columns
_DELIMITERS = (",", ";", "\t", "|")
_HEAD = 60  # lines looked at to find the header (title lines above it are skipped)
_PYARROW = importlib.util.find_spec("pyarrow") is not None  # installed with streamlit


@dataclass
class RawTable:
    """A file read as text: named columns (repeats made distinct), plus how it was read."""

    filename: str
    frame: pl.DataFrame  # every column a string; LINE holds each row's spreadsheet line
    columns: list[str]
    header_line: int
    encoding: str | None
    delimiter: str | None

    @property
    def rows(self) -> int:
        return self.frame.height

    def describe(self) -> str:
        """How the file was read, in one line for people."""
        parts = []
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.delimiter:
            parts.append(f"delimiter {_DELIMITER_NAMES[self.delimiter]}")
        else:
            parts.append("Excel workbook (first sheet)")
        parts.append(f"header on line {self.header_line}")
        parts.append(f"{self.rows:,} data rows")
        return ", ".join(parts)


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


# ---------------------------------------------------------------- reading


def read_table(data: bytes, filename: str) -> RawTable:
    """Read CSV/TSV/XLSX bytes into text columns, detecting encoding, delimiter and header."""
    name = Path(filename).name
    if not data or data.isspace():  # as data.strip(), without copying the file
        raise ImportRefused(f"The file {name} is empty.")
    is_zip = data[:4] == b"PK\x03\x04"
    if name.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise ImportRefused(f"The file {name} is not a valid Excel (.xlsx) workbook.")
        return _read_xlsx(data, name)
    if name.lower().endswith(".xls"):
        raise ImportRefused(
            f"The file {name} is an old Excel (.xls) workbook. Save it as .xlsx or CSV first."
        )
    start = _utf8_start(data, name)
    if start is not None:
        try:
            return _read_text(data, start, "UTF-8", name, checked=False)
        except _NotUtf8:
            pass  # bytes past the start are not UTF-8: the whole file is decoded below
    text, encoding = _decode(data, name)
    if not text or text.isspace():  # as not text.strip(), without copying the text
        raise ImportRefused(f"The file {name} is empty.")
    unified = _unify_line_ends(text)
    body = data if encoding == "UTF-8" and unified is text else unified.encode("utf-8")
    return _read_text(body, unified, encoding, name, checked=True)


class _NotUtf8(Exception):
    """Polars met bytes that are not UTF-8 in a file whose start is."""


def _read_text(body: bytes, text: str, encoding: str, name: str, *, checked: bool) -> RawTable:
    """The table in ``body`` (UTF-8, ``checked`` or not), its delimiter and header found in
    ``text``: the text of the body, or its start (``_utf8_start``)."""
    sample = _sample_lines(text)
    delimiter = _sniff_delimiter(sample, name)
    records = list(csv.reader(sample, delimiter=delimiter))
    header_index = _find_header(records)
    try:
        frame = pl.read_csv(
            io.BytesIO(body),
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            skip_rows=header_index,
            truncate_ragged_lines=True,
            n_rows=MAX_ROWS + 2,
            raise_if_empty=False,
            quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:
        if not checked and "invalid utf-8" in str(exc).lower():
            raise _NotUtf8 from None
        raise _unparsable(name, exc) from None
    if frame.height == 0:
        raise ImportRefused(f"The file {name} is empty.")
    frame = _unescape(frame)
    header = [None if v is None else v.strip() or None for v in frame.row(0)]
    frame = frame.slice(1)
    return _finish(frame, header, name, header_index + 1, encoding, delimiter)


_LONE_CR = re.compile(r"\r(?!\n)")
_UNESCAPED = re.compile(r"Field `(.*?)` is not properly escaped", re.DOTALL)


def _unify_line_ends(text: str) -> str:
    """The text with each lone carriage return (old Mac line ends, or a stray one among CR LF
    and LF ends) made a line feed. Polars ends lines at LF only: a lone CR glued two rows into
    one and the second was lost. Inside a quoted cell the LF is data, as the CR was. The same
    object comes back when nothing changed."""
    if "\r" not in text or not _LONE_CR.search(text):
        return text
    return _LONE_CR.sub("\n", text)


def _unescaped(cells: pl.Expr) -> pl.Expr:
    # a CSV this application wrote (crm.parsing.text.spreadsheet_safe) starts text that a
    # spreadsheet would run with ': the cell as it was is the text after that mark
    escaped = cells.str.contains(FORMULA_ESCAPED)
    return pl.when(escaped).then(cells.str.slice(1)).otherwise(cells).name.keep()


def _unescape(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with ``_unescaped`` cells, searched for only in the columns where some cell
    starts with ' (a prefix test costs a fifth of the search, which cost as much as the parse)."""
    marked = frame.select(pl.all().str.starts_with("'").any()).row(0)
    columns = [c for c, mark in zip(frame.columns, marked, strict=True) if mark]
    return frame.with_columns(_unescaped(pl.col(columns))) if columns else frame


def _unparsable(name: str, exc: BaseException) -> ImportRefused:
    """A refusal for a CSV polars could not split into cells, in one short line: its message
    quotes the cells (an unclosed quote mark makes the rest of the file one cell)."""
    text = str(exc)
    if field := _UNESCAPED.search(text):
        cell = (field.group(1).splitlines() or [""])[0]
        return ImportRefused(
            f"The file {name} cannot be read as a table: a quoted cell is never closed, or has a "
            f'stray quote mark in it: “{shorten(cell)}”. Check the quote marks (") in the file.'
        )
    reason = (text.strip().splitlines() or [type(exc).__name__])[0]
    return ImportRefused(f"The file {name} cannot be read as a table: {shorten(reason, 200)}")


# ---------------------------------------------------------------- text encodings

_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE with BOM"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE with BOM"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE with BOM"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE with BOM"),
)
# Tried first, so a short Russian file is not taken for Japanese or Greek: the single-byte
# encodings people in the CIS save tables in, and Western European.
_LIKELY = ["cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "iso8859_5", "cp1252"]
_ENCODING_NAMES = {
    "cp1251": "cp1251",
    "koi8_r": "KOI8-R",
    "koi8_u": "KOI8-U",
    "cp866": "cp866 (DOS)",
    "mac_cyrillic": "Mac Cyrillic",
    "iso8859_5": "ISO-8859-5",
    "cp1252": "cp1252",
}


# Bytes of a file decoded to find its layout when it is read as UTF-8 without decoding it
# whole: more than the characters _sample_lines looks at, four bytes at most each
_START = 4 * 65536 + 4
_LONE_CR_BYTES = re.compile(rb"\r(?!\n)")


def _utf8_start(data: bytes, name: str) -> str | None:
    """The start of a file, decoded, when it is UTF-8 there (no byte order mark, no lone
    carriage return anywhere, not only whitespace); else None, for ``_decode``. Only the start
    is decoded: polars checks the rest as it reads the cells (``_NotUtf8`` when it is not)."""
    if data.startswith(tuple(bom for bom, _, _ in _BOMS)):
        return None
    _refuse_binary(data, name)
    if b"\r" in data and _LONE_CR_BYTES.search(data):
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        start = decoder.decode(data[:_START], final=len(data) <= _START)
    except UnicodeDecodeError:
        return None
    return None if not start or start.isspace() else start


def _refuse_binary(data: bytes, name: str) -> None:
    head = data[:8192]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if b"\x00" in head or controls > len(head) // 100:
        raise ImportRefused(
            f"The file {name} is not a text table (it looks like a binary file). "
            "Save it as CSV (comma or semicolon separated) or XLSX and try again."
        )


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of a file and the name of its encoding for people: a byte order mark, else
    UTF-8, else what charset-normalizer finds (likely encodings first)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError:
                raise ImportRefused(
                    f"The file {name} starts with the mark of {label.split(' with')[0]} "
                    "text but is not valid in that encoding. Save it as CSV UTF-8 and try again."
                ) from None
    _refuse_binary(data, name)
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    for isolation in (_LIKELY, None):
        for match in charset_normalizer.from_bytes(data, cp_isolation=isolation):
            try:
                text = data.decode(match.encoding)
            except (UnicodeDecodeError, LookupError):
                continue
            return text, _ENCODING_NAMES.get(match.encoding, match.encoding)
    raise ImportRefused(
        f"The file {name} is text in an encoding that cannot be recognised. "
        "Save it as CSV UTF-8 and try again."
    )


# ---------------------------------------------------------------- CSV layout


def _sample_lines(text: str) -> list[str]:
    chunk = text[:65536]
    lines = chunk.splitlines()
    if len(chunk) < len(text) and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    return lines[:_HEAD]


def _sniff_delimiter(lines: list[str], name: str) -> str:
    if name.lower().endswith(".tsv"):
        return "\t"
    best, best_score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if r]
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\s+\-]*[\d\s.,%]+[a-zа-я.%]{0,4}", text.lower()))


def _find_header(records: list[list[str]]) -> int:
    widths = [len(r) for r in records if len(r) > 1]
    if not widths:
        return next((i for i, r in enumerate(records) if any(c.strip() for c in r)), 0)
    mode = max(set(widths), key=widths.count)
    for i, record in enumerate(records):
        cells = [c.strip() for c in record if c.strip()]
        if len(cells) >= max(2, (mode + 1) // 2):
            numeric = sum(1 for c in cells if _looks_numeric(c))
            if numeric * 2 <= len(cells):
                return i
    return 0


# ---------------------------------------------------------------- workbooks


def _read_xlsx(data: bytes, name: str) -> RawTable:
    _check_first_sheet(data, name)
    try:
        frame = _load_first_sheet(data)
    except Exception as exc:  # calamine reports a broken workbook in many ways
        raise _unreadable(name, exc) from None
    except BaseException as exc:  # a panic inside calamine arrives as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
        raise _unreadable(name, exc) from None
    frame.columns = [f"column_{i}" for i in range(frame.width)]
    frame = frame.with_columns(_iso_dates(pl.all()))
    # each line as far as its last cell, as a CSV line would be: a stray cell far right on
    # one line must not make every line look short of the header's width
    head = [_trimmed([(c or "").strip() for c in row]) for row in frame.head(_HEAD).rows()]
    if not any(head):
        raise ImportRefused(f"The file {name} is empty.")
    header_index = _find_header(head)
    header: list[str | None] = [c or None for c in head[header_index]]
    body = frame.slice(header_index + 1).select(frame.columns[: len(header)])
    return _finish(body, header, name, header_index + 1, None, None)


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _load_first_sheet(data: bytes) -> pl.DataFrame:
    reader = fastexcel.read_excel(data)
    # header_row=None with skip_rows=0 keeps the empty lines above the table, so row i of the
    # frame is line i + 1 of the sheet; the size was checked, so no n_rows (it costs time)
    if _PYARROW:  # the eager load borrows calamine's strings: a third faster
        return pl.DataFrame(
            reader.load_sheet_eager(0, header_row=None, skip_rows=0, dtypes="string")
        )
    return reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string").to_polars()


def _iso_dates(cells: pl.Expr) -> pl.Expr:
    # calamine writes a date cell as "2024-03-01 00:00:00"; people and the date parser expect
    # the date alone (a time of day other than midnight stays: "2024-03-01 12:30:00")
    midnight = cells.str.ends_with(" 00:00:00") & (cells.str.len_bytes() == 19)
    return pl.when(midnight).then(cells.str.slice(0, 10)).otherwise(cells).name.keep()


def _unreadable(name: str, exc: BaseException) -> ImportRefused:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ImportRefused(
        f"The file {name} is not a readable Excel workbook: {shorten(reason, 200)}"
    )


# The size of a sheet, from its XML. Only what calamine keeps counts: a cell or row written as
# an empty element (<c r="XFD1" s="3"/>, formatting only) holds no value and is skipped.
# Almost every writer puts r="…" first in each cell and row and uses no namespace prefix;
# such XML is measured by a few searches that start with a literal (fast in `re`). Anything
# else (<x:c>, cells without r="…", which then follow the cell before them) is measured by
# walking its rows and cells as calamine does, which is slower.
_PLAIN_CELL = b'<c r="'
_ODD_CELL = re.compile(rb'<c(?:>|\s(?!r="[A-Z]))')  # a cell not starting r="A…
_ODD_ROW = re.compile(rb'<row(?:>|\s(?!r="))')
_PREFIXED = re.compile(rb":(?:c|row)[\s>]")
_REF = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*>')
_TAGS = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s>/])([^>]*)>")
_POSITION = re.compile(rb'(?:^|\s)r="([A-Za-z]*)([0-9]+)"')
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_CHUNK = 1 << 20
_MAX_ROW_BYTES = 64 << 20  # one row of XML; Excel's own largest is a few megabytes
_MAX_STRINGS_BYTES = 1 << 30  # the shared strings, which calamine reads whole


@dataclass
class _Extent:
    """The rectangle calamine would hold for a sheet, from A1 (never less than the truth)."""

    rows: int = 0  # the lowest row holding a cell (1-based)
    columns: int = 0  # the rightmost column holding a cell (1-based)
    next_row: int = 0  # where a row without r="…" goes (0-based, as calamine counts)


def _check_first_sheet(data: bytes, name: str) -> None:
    """Refuse a workbook whose first sheet is too large to hold, or whose zip is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            strings = next(
                (i for i in book.infolist() if i.filename.endswith("/sharedStrings.xml")), None
            )
            if strings is not None and strings.file_size > _MAX_STRINGS_BYTES:
                raise ImportRefused(
                    f"The file {name} holds {strings.file_size / 1e9:.1f} GB of text; "
                    "the limit is 1 GB. Split the workbook into smaller files."
                )
            with book.open(_first_sheet_path(book)) as xml:
                rows, columns = _sheet_size(xml, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError) as exc:
        raise _unreadable(name, exc) from None
    except RuntimeError as exc:  # an encrypted member, a compression zipfile does not know
        raise _unreadable(name, exc) from None
    except ElementTree.ParseError as exc:  # a SyntaxError, not an OSError
        raise _unreadable(name, exc) from None
    if rows * columns > MAX_CELLS:
        raise ImportRefused(
            f"The file {name} is too large to read: its first sheet spans {rows:,} rows and "
            f"{columns} columns, more than {MAX_CELLS:,} cells. Delete the rows and columns "
            "you do not need (or split the file) and try again."
        )


def _first_sheet_path(book: zipfile.ZipFile) -> str:
    """The zip member holding the first sheet in the workbook's own order."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheet = next((e for e in workbook.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        raise ValueError("the workbook has no sheets")
    rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter():
        if _local(rel.tag) == "Relationship" and rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            return posixpath.normpath(path)
    raise ValueError("the first sheet is missing from the workbook")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_size(xml: IO[bytes], name: str) -> tuple[int, int]:
    """Rows and columns of the rectangle calamine would hold for this sheet (never less)."""
    extent = _Extent()
    for chunk in _row_chunks(xml, name):
        if _ODD_CELL.search(chunk) or _ODD_ROW.search(chunk) or _PREFIXED.search(chunk):
            _walk(chunk, extent, name)
        else:
            _measure_plain(chunk, extent, name)
        _refuse_beyond(extent.rows, extent.columns, name)
    return extent.rows, extent.columns


def _measure_plain(chunk: bytes, extent: _Extent, name: str) -> None:
    # rows come in order, so the last cell holding a value names the lowest row; then one
    # search for any cell further down finds those out of order
    end = len(chunk)
    while (at := chunk.rfind(_PLAIN_CELL, 0, end)) != -1:
        last = _REF.match(chunk, at)
        if last and not last.group(0).endswith(b"/>"):
            extent.rows = max(extent.rows, int(last.group(2)))
            break
        end = at
    lower = _greater(str(extent.rows), _DIGITS) if extent.rows else "[0-9]+"
    below = re.compile(rb'<c r="[A-Z]+(' + lower.encode() + rb')"[^>]*(?<!/)>')
    if found := below.findall(chunk):
        extent.rows = max(extent.rows, *map(int, found))
    extent.next_row = max(extent.next_row, extent.rows)
    # the widest cell: each search starts from the widest seen, so it fails at once (in C)
    # when the header row was already the widest
    while True:
        wider = _greater(_column_letters(extent.columns), _LETTERS) if extent.columns else "[A-Z]+"
        pattern = re.compile(rb'<c r="(' + wider.encode() + rb')[0-9]+"[^>]*(?<!/)>')
        if not (match := pattern.search(chunk)):
            break
        extent.columns = max(extent.columns, _column_number(match.group(1).decode()))
        _refuse_beyond(extent.rows, extent.columns, name)


def _walk(chunk: bytes, extent: _Extent, name: str) -> None:
    """Place every row and cell as calamine does: by its r="…", else after the one before."""
    row, column = extent.next_row, 0
    for tag in _TAGS.finditer(chunk):
        closing, element, attributes = tag.groups()
        if attributes.endswith(b"/"):
            continue  # an empty element: calamine skips it
        if element == b"row":
            if closing:
                row, column = row + 1, 0
            elif position := _POSITION.search(attributes):
                row = int(position.group(2)) - 1
            continue
        if closing:
            continue
        cell_row = row
        if position := _POSITION.search(attributes):
            cell_row = int(position.group(2)) - 1
            column = _column_number(position.group(1).decode().upper()) - 1
        extent.rows = max(extent.rows, cell_row + 1)
        extent.columns = max(extent.columns, column + 1)
        column += 1
        if extent.columns > MAX_COLUMNS or extent.rows > MAX_ROWS + _HEAD:
            _refuse_beyond(extent.rows, extent.columns, name)
    extent.next_row = row


def _row_chunks(xml: IO[bytes], name: str) -> Iterator[bytes]:
    """The sheet's XML in pieces of about a megabyte, each ending after a whole row."""
    carry = b""
    while block := xml.read(_CHUNK):
        carry += block
        cut = _last_row_end(carry, max(0, len(carry) - len(block) - 16))
        if cut == -1:
            if len(carry) > _MAX_ROW_BYTES:
                raise ImportRefused(
                    f"The file {name} has a row of more than {_MAX_ROW_BYTES >> 20} MB; "
                    "it cannot be read as a table."
                )
            continue
        yield carry[:cut]
        carry = carry[cut:]
    if carry:
        yield carry


def _last_row_end(xml: bytes, start: int) -> int:
    """Where the last </row> (or </x:row>) at or after ``start`` ends; -1 when there is none."""
    at = xml.rfind(b"row>", start)
    while at != -1:
        opening = xml.rfind(b"<", 0, at)
        if opening != -1 and _ROW_END.fullmatch(xml, opening, at + 4):
            return at + 4
        at = xml.rfind(b"row>", start, at)
    return -1


def _greater(text: str, alphabet: str) -> str:
    """A pattern for the words over ``alphabet`` that come after ``text`` when shorter words
    come first: column letters after "GR", row numbers after "1048" (no leading zeros)."""
    first, last = alphabet[0], alphabet[-1]
    options = [f"[{first}-{last}]{{{len(text) + 1},}}"]
    for i, ch in enumerate(text):
        position = alphabet.index(ch)
        if position + 1 < len(alphabet):
            rest = len(text) - i - 1
            tail = f"[{first}-{last}]{{{rest}}}" if rest else ""
            options.append(f"{text[:i]}[{alphabet[position + 1]}-{last}]{tail}")
    return "(?:" + "|".join(options) + ")"


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse_beyond(rows: int, columns: int, name: str) -> None:
    if columns > MAX_COLUMNS:
        raise ImportRefused(
            f"The file {name} has cells in column {_column_letters(columns)}, column "
            f"{columns:,} of its first sheet; the limit is {MAX_COLUMNS} columns. Delete the "
            "columns you do not need (or copy the table to a new workbook) and try again."
        )
    if rows > MAX_ROWS + _HEAD:
        raise _too_many_rows(name)


def _too_many_rows(name: str) -> ImportRefused:
    return ImportRefused(
        f"The file {name} has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}. "
        "Split the file into parts and import them one by one."
    )


# ---------------------------------------------------------------- both


def _finish(
    frame: pl.DataFrame,
    header: list[str | None],
    name: str,
    header_line: int,
    encoding: str | None,
    delimiter: str | None,
) -> RawTable:
    columns = _distinct_names(header)
    if not any(h for h in header):
        raise ImportRefused(f"The file {name} has no header row with column names.")
    frame = frame.select(frame.columns[: len(columns)])
    frame.columns = columns
    # two passes: one expression doing both would strip every cell twice
    frame = frame.with_columns(pl.all().str.strip_chars()).with_columns(
        pl.when(pl.all() != "").then(pl.all()).name.keep()
    )
    frame = frame.with_row_index(LINE, offset=header_line + 1).with_columns(
        pl.col(LINE).cast(pl.Int64)
    )
    frame = frame.filter(pl.any_horizontal(pl.col(columns).is_not_null()))
    if frame.height > MAX_ROWS:
        raise _too_many_rows(name)
    if frame.height == 0:
        raise ImportRefused(f"The file {name} has a header (line {header_line}) but no data rows.")
    return RawTable(name, frame, columns, header_line, encoding, delimiter)


def _distinct_names(header: list[str | None]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(header):
        base = (raw or "").strip() or f"column {i + 1}"
        if base == LINE:
            base = f"{LINE} (file)"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out
