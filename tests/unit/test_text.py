"""Text from files given back to people: cut to a readable length, safe in a spreadsheet."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from crm.parsing.text import csv_bytes, shorten, shorten_quoted, shortened, spreadsheet_safe


def test_shorten_cuts_to_the_limit_with_an_ellipsis() -> None:
    assert shorten("x" * 80) == "x" * 80
    assert shorten("x" * 81) == "x" * 79 + "…"
    assert shorten("abcdef", 4) == "abc…"
    values = pl.Series("v", ["short", "y" * 100, None])
    assert pl.select(shortened(values)).to_series().to_list() == ["short", "y" * 79 + "…", None]
    assert pl.select(shortened(pl.lit("abcdef"), 4)).item() == "abc…"


def test_shorten_quoted_cuts_each_quoted_value_and_the_whole() -> None:
    message = f"followers “{'9' * 200}” is not a number; email “{'e' * 90}” is not valid"
    assert shorten_quoted(message) == (
        f"followers “{'9' * 79}…” is not a number; email “{'e' * 79}…” is not valid"
    )
    assert shorten_quoted("short “value”") == "short “value”"
    unquoted = shorten_quoted("a table: " + "z" * 5000)
    assert len(unquoted) == 1000 and unquoted.endswith("z…")


def test_spreadsheet_safe_prefixes_text_only() -> None:
    frame = pl.DataFrame(
        {
            "@head": ["=1+1", "+1", "-1", "@a", "\t=x", "\r=x", "ok", "a=b", None],
            "n": [-1, 2, 3, -4, 5, 6, 7, 8, None],
            "kind": pl.Series(
                ["=c", "d", "e", "f", "g", "h", "i", "j", None], dtype=pl.Categorical
            ),
        }
    )
    expected = pl.DataFrame(
        {
            "'@head": ["'=1+1", "'+1", "'-1", "'@a", "'\t=x", "'\r=x", "ok", "a=b", None],
            "n": [-1, 2, 3, -4, 5, 6, 7, 8, None],
            "kind": ["'=c", "d", "e", "f", "g", "h", "i", "j", None],
        }
    )
    assert_frame_equal(spreadsheet_safe(frame), expected)
    assert csv_bytes(pl.DataFrame({"a": ["-x"], "b": [-1.5]})) == b"\xef\xbb\xbfa,b\n'-x,-1.5\n"
