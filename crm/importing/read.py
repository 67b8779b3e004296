"""Reading a file into text columns: CSV/TSV/XLSX, encoding, delimiter and header row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from crm.errors import ImportRefused

MAX_ROWS = 1_000_000
LINE = "__line__"  # the spreadsheet row number of each data row, kept beside the file's columns
_DELIMITERS = (",", ";", "\t", "|")


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
    if not data or not data.strip():
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
    head = data[:8192]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if b"\x00" in head or controls > len(head) // 100:
        raise ImportRefused(
            f"The file {name} is not a text table (it looks like a binary file). "
            "Save it as CSV (comma or semicolon separated) or XLSX and try again."
        )
    try:
        text = data.decode("utf-8-sig")
        encoding = "UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise ImportRefused(
                f"The file {name} is neither UTF-8 nor Windows-1251 text. "
                "Save it as CSV UTF-8 and try again."
            ) from None
        encoding = "cp1251"
        body = text.encode("utf-8")
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
        raise ImportRefused(f"The file {name} cannot be read as a table: {exc}") from None
    if frame.height == 0:
        raise ImportRefused(f"The file {name} is empty.")
    header = [_cell_text(v) for v in frame.row(0)]
    frame = frame.slice(1)
    return _finish(frame, header, name, header_index + 1, encoding, delimiter)


def _sample_lines(text: str) -> list[str]:
    chunk = text[:65536]
    lines = chunk.splitlines()
    if len(chunk) < len(text) and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    return lines[:60]


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


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _read_xlsx(data: bytes, name: str) -> RawTable:
    import openpyxl  # imported here: only workbooks need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportRefused(f"The file {name} is not a readable Excel workbook: {exc}") from None
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[Any, ...]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > MAX_ROWS + 60:
                break
    finally:
        book.close()
    texts = [[_cell_text(v) for v in row] for row in rows]
    while texts and not any(texts[-1]):
        texts.pop()
    if not texts:
        raise ImportRefused(f"The file {name} is empty.")
    header_index = _find_header([[c or "" for c in r] for r in texts[:60]])
    header = texts[header_index]
    width = len(header)
    while width and header[width - 1] is None:
        width -= 1
    header = header[:width]
    body = [
        (list(r[:width]) + [None] * (width - len(r)))[:width] for r in texts[header_index + 1 :]
    ]
    names = [f"column_{i}" for i in range(width)]
    frame = pl.DataFrame(
        {n: [r[i] for r in body] for i, n in enumerate(names)},
        schema={n: pl.String for n in names},
    )
    return _finish(frame, header, name, header_index + 1, None, None)


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
    frame = frame.with_columns(pl.all().str.strip_chars()).with_columns(
        pl.when(pl.all().str.len_chars() > 0).then(pl.all()).name.keep()
    )
    frame = frame.with_row_index(LINE, offset=header_line + 1).with_columns(
        pl.col(LINE).cast(pl.Int64)
    )
    frame = frame.filter(pl.any_horizontal(pl.col(columns).is_not_null()))
    if frame.height > MAX_ROWS:
        raise ImportRefused(
            f"The file {name} has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}. "
            "Split the file into parts and import them one by one."
        )
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
