"""Text taken from files and given back to people: quoted values cut to a readable length, and
CSV cells that a spreadsheet would run as formulas made plain text.

A message that quotes a cell (“…”) must stay readable however long the cell is: a file with
an unclosed quote mark turns the rest of the file into one cell. A CSV opened in Excel, LibreOffice
or Google Sheets runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula; OWASP's advice is to write such text with a leading ``'``,
which the spreadsheet shows as the text itself. Reading a CSV drops that quote mark again
(``FORMULA_ESCAPED``), so an export imports back as it was.
"""

from __future__ import annotations

import io
import re

import polars as pl

QUOTED_LIMIT = 80  # characters of a file's value quoted in a message
MESSAGE_LIMIT = 1000  # characters of a whole message, whatever it quotes
ELLIPSIS = "…"

# the first characters of a cell that a spreadsheet takes for a formula
FORMULA_START = r"^[=+\-@\t\r]"
# a cell written by ``spreadsheet_safe``: the quote mark it added, before such a character
FORMULA_ESCAPED = r"^'[=+\-@\t\r]"
_QUOTED = re.compile(r"“([^”]*)”")


def shorten(text: str, limit: int = QUOTED_LIMIT) -> str:
    """The text, or its first ``limit - 1`` characters and "…" when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def shortened(values: pl.Expr | pl.Series, limit: int = QUOTED_LIMIT) -> pl.Expr:
    """``shorten`` for a column of text: use it for the values a per-row message quotes."""
    if isinstance(values, pl.Series):
        values = pl.lit(values)
    return (
        pl.when(values.str.len_chars() > limit)
        .then(values.str.slice(0, limit - 1) + pl.lit(ELLIPSIS))
        .otherwise(values)
    )


def shorten_quoted(message: str, limit: int = QUOTED_LIMIT) -> str:
    """The message with each value it quotes (“…”) cut to ``limit`` characters, and the whole
    cut to ``MESSAGE_LIMIT`` (a message may quote a file without quote marks)."""
    if len(message) <= limit:
        return message
    cut = _QUOTED.sub(lambda m: f"“{shorten(m.group(1), limit)}”", message)
    return shorten(cut, MESSAGE_LIMIT)


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with each text cell (and column name) that a spreadsheet would run as a formula
    prefixed with ``'``; numbers, dates and other typed columns stay as they are."""
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))
    ]
    if text:
        frame = frame.with_columns(
            pl.when(pl.col(name).cast(pl.String).str.contains(FORMULA_START))
            .then(pl.lit("'") + pl.col(name).cast(pl.String))
            .otherwise(pl.col(name).cast(pl.String))
            .alias(name)
            for name in text
        )
    risky = re.compile(FORMULA_START)
    renamed = {c: f"'{c}" for c in frame.columns if risky.match(c)}
    if renamed and not set(renamed.values()) & set(frame.columns):
        frame = frame.rename(renamed)
    return frame


def csv_bytes(frame: pl.DataFrame, *, bom: bool = True) -> bytes:
    """The frame as the UTF-8 bytes of a CSV file, safe to open in a spreadsheet (see
    ``spreadsheet_safe``); with a byte-order mark by default, so Excel reads Cyrillic. Every
    CSV the application writes goes through here."""
    buffer = io.BytesIO()
    if bom:
        buffer.write(b"\xef\xbb\xbf")
    spreadsheet_safe(frame).write_csv(buffer)
    return buffer.getvalue()
