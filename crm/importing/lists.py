"""Lists of channels in a file: a plain list (one link or PLATFORM:HANDLE per line, no header)
or a table with a column of them, read by the one reader (crm.importing.read.read_table:
encodings, delimiters, XLSX)."""

from __future__ import annotations

import codecs

import polars as pl

from crm.errors import ImportRefused
from crm.fields import SHORTLIST
from crm.importing.read import LINE, RawTable, read_table
from crm.vocab.platforms import channel_key_frame

# headers that name the column of channels (English and Russian, as the shortlist's field)
CHANNEL_HEADERS = frozenset(
    h.lower() for h in (*SHORTLIST.by_name("channel").synonyms, "platform:handle")
)
# put above a one-line list so the reader, which wants a header and a data row, reads that line
_STAND_IN = b"channel\n"


def channel_refs(data: bytes, filename: str) -> list[tuple[int, str]]:
    """(line of the file, text) of each channel a file names: the cells of its channel column
    (one headed channel, link, url, канал, ссылка …; else its first column), the first line
    included when it is a channel itself (a list without a header)."""
    table, shift = _read(data, filename)
    names = [c for c in table.columns if c != LINE]
    column = next((c for c in names if c.strip().lower() in CHANNEL_HEADERS), None)
    refs: list[tuple[int, str]] = []
    if column is None:
        column = names[0]
        # no header names the column: the top line is a channel (a bare list), or a heading
        first = channel_key_frame(pl.Series("raw", [column.strip()], pl.String))
        if shift == 0 and first["error"][0] is None:
            refs.append((table.header_line, column.strip()))
    cells = table.frame.select(LINE, column).drop_nulls(column)
    refs += [(int(line) - shift, str(text)) for line, text in cells.iter_rows()]
    if not refs:
        raise ImportRefused(
            f"The file {table.filename} names no channel: its column “{column}” is empty."
        )
    return refs


def _read(data: bytes, filename: str) -> tuple[RawTable, int]:
    """The file as a table, and by how many lines the line numbers run ahead of the file's."""
    try:
        return read_table(data, filename), 0
    except ImportRefused as exc:
        # a list of one line is all header to the reader: read it under a stand-in header
        # (text files only; UTF-16 and UTF-32 would need the stand-in in their encoding)
        one_line = "but no data rows" in str(exc) and data[:4] != b"PK\x03\x04"
        wide = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if not one_line or wide:
            raise
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    return read_table(bom + _STAND_IN + data[len(bom) :], filename), 1
