"""Member lists in the store: reading member files, the per-platform member dictionary, loading
a channel's list (replacing the current one, keeping a history row), reading the lists back as
bitmaps, and exporting them.

A member file is a plain list (one id per line, no header) or a CSV/TSV/XLSX table with a header
and a column of ids. Ids are user ids (whole numbers) or usernames (lower-cased, without '@').
The store keeps each list as roaring bitmaps of dense ids (``crm.audience.sets``); the
dictionary ``members`` maps a platform's user id or username to its dense id.
"""

from __future__ import annotations

import array
import codecs
import csv
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import charset_normalizer
import duckdb
import fastexcel
import numpy as np
import numpy.typing as npt
import polars as pl
from pyroaring import FrozenBitMap

from crm.audience.sets import SHARD_BITS, Members
from crm.errors import ImportRefused, NotFound, ValidationError
from crm.formatting import format_count
from crm.registry.channels import find_channel, get_channel
from crm.registry.queries import latest_known_sql
from crm.store import Store
from crm.vocab.platforms import HOSTS, parse_channel_key

__all__ = [
    "ID_HEADERS",
    "ID_KINDS",
    "MAX_FILE_BYTES",
    "IdKind",
    "LoadResult",
    "MemberFile",
    "Progress",
    "audience_history",
    "audiences_frame",
    "delete_members",
    "encode_members",
    "export_members",
    "import_audience_file",
    "load_members",
    "member_sets",
    "read_member_file",
    "resolve_channel",
    "write_members",
]

MAX_FILE_BYTES = 2 * 1024**3
IdKind = Literal["number", "text"]
ID_KINDS: tuple[IdKind, ...] = ("number", "text")
Progress = Callable[[float, str], None]
# headers that name the column of member ids (English and Russian), lower case
ID_HEADERS = frozenset(
    {
        "id",
        "ids",
        "user_id",
        "userid",
        "user id",
        "uid",
        "member",
        "members",
        "member_id",
        "vk_id",
        "ok_id",
        "tg_id",
        "telegram_id",
        "username",
        "user_name",
        "screen_name",
        "login",
        "nick",
        "nickname",
        "handle",
        "user",
        "link",
        "url",
        "profile",
        "ид",
        "id пользователя",
        "пользователь",
        "участник",
        "логин",
        "ник",
        "ссылка",
        "профиль",
    }
)
MAX_USERNAME = 100
_SHOWN = 5  # bad rows named in a refusal
_SAMPLE = 65536  # bytes looked at to find a text file's layout
_DELIMITERS = (",", ";", "\t", "|")
_XLSX_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, xlsm), OLE (xls)
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LIKELY = ["cp1251", "koi8_r", "cp866", "mac_cyrillic", "cp1252"]
# a link to a profile: its first path piece is the id or username (ok.ru/profile/123 → 123)
_HOSTS = "|".join(re.escape(h) for h in sorted(HOSTS, key=len, reverse=True))
_PROFILE_LINK = rf"(?i)^(?:https?://)?(?:www\.)?(?:{_HOSTS})/(?:profile/)?@?([^/?#]+)"
_VK_LINK = r"(?i)^(?:https?://)?(?:www\.)?(?:m\.)?(?:vk\.com|vk\.ru|vkontakte\.ru)/"
_USERNAME = r"^[\w.\-]+$"


@dataclass(frozen=True, eq=False)
class MemberFile:
    """A member file read and checked: its distinct ids in order of first sight."""

    values: pl.Series  # Int64 for user ids, String for usernames; distinct, no nulls
    id_kind: IdKind
    rows_read: int  # ids read (blank rows not counted)
    duplicates: int  # ids dropped because they were in the file already
    filename: str
    column: str | None  # the column read; None for a plain list

    @property
    def size(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class LoadResult:
    """What loading a list did."""

    channel_id: int
    channel: str  # PLATFORM:HANDLE
    size: int
    duplicates: int
    replaced: int | None  # the size of the list it replaced, None when there was none
    id_kind: IdKind
    source: str | None

    def summary(self, *, dry_run: bool = False) -> str:
        """One sentence for the user (the app and the CLI say the same), or what a dry run
        would do."""
        kind = "user ids" if self.id_kind == "number" else "usernames"
        verb, replace = ("Would load", "would replace") if dry_run else ("Loaded", "replaced")
        text = f"{verb} {format_count(self.size)} members ({kind}) for {self.channel}"
        if self.duplicates:
            plural = "s" if self.duplicates > 1 else ""
            text += f"; {format_count(self.duplicates)} duplicate{plural} dropped"
        if self.replaced is not None:
            text += f"; {replace} a list of {format_count(self.replaced)}"
        return text + (". Dry run: nothing written." if dry_run else ".")


# ---------------------------------------------------------------- reading a member file


def _report(progress: Progress | None, fraction: float, phrase: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), phrase)


def _scaled(progress: Progress | None, low: float, high: float) -> Progress | None:
    """A callback reporting a step's 0..1 as ``low..high`` of the whole."""
    if progress is None:
        return None
    report = progress
    return lambda fraction, phrase: report(low + (high - low) * fraction, phrase)


def read_member_file(
    source: bytes | Path,
    filename: str,
    *,
    column: str | None = None,
    id_kind: IdKind | None = None,
    progress: Progress | None = None,
) -> MemberFile:
    """Read a member file (plain list, CSV/TSV or XLSX) into distinct ids; refuses bad ids,
    naming their rows."""
    if id_kind is not None and id_kind not in ID_KINDS:
        raise ValidationError(f"Unknown kind of ids “{id_kind}”: use number or text.")
    _report(progress, 0.0, "reading")
    data = _file_bytes(source, filename)
    if _is_excel(data, filename):
        cells, first_line = _excel_cells(data, filename)
    else:
        cells, first_line = _text_cells(data, filename)
    del data
    _report(progress, 0.4, "reading")
    raw, first_line, chosen = _pick_column(cells, first_line, column, filename)
    del cells
    values, kind = _parse_ids(raw, first_line, id_kind, filename, chosen)
    read = len(values)
    if read == 0:
        where = f" in its column “{chosen}”" if chosen else ""
        raise ImportRefused(f"The file {filename} holds no member ids{where}: the list is empty.")
    _report(progress, 0.8, "reading")
    distinct = values.unique(maintain_order=True).alias("member")
    _report(progress, 1.0, "reading")
    return MemberFile(distinct, kind, read, read - len(distinct), filename, chosen)


def _file_bytes(source: bytes | Path, filename: str) -> bytes:
    """The file's bytes; a file larger than MAX_FILE_BYTES is refused before it is read."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        size = len(source)
    else:
        try:
            size = Path(source).stat().st_size
        except OSError as exc:
            raise ImportRefused(
                f"Cannot read the file {filename}: {exc.strerror or exc}."
            ) from None
    if size > MAX_FILE_BYTES:
        raise ImportRefused(
            f"The file {filename} is {size / 1024**3:.1f} GB; member files of at most "
            f"{MAX_FILE_BYTES / 1024**3:.0f} GB are read. Keep only the column of ids (one per "
            "line, about 10 bytes each) and try again. Nothing was loaded."
        )
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise ImportRefused(f"Cannot read the file {filename}: {exc.strerror or exc}.") from None


def _is_excel(data: bytes, filename: str) -> bool:
    return data.startswith(_XLSX_MAGIC) or filename.lower().endswith(_EXCEL_SUFFIXES)


def _excel_cells(data: bytes, filename: str) -> tuple[pl.DataFrame, int]:
    """The first sheet's cells as text (row i of the frame is row i + 1 of the sheet)."""
    try:
        sheet = fastexcel.read_excel(data).load_sheet(
            0, header_row=None, skip_rows=0, dtypes="string"
        )
        frame = sheet.to_polars()
    except Exception as exc:  # calamine raises its own types for every damaged workbook
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ImportRefused(
            f"The file {filename} is not a readable Excel workbook: {reason}"
        ) from None
    frame = frame.rename({c: f"column_{i}" for i, c in enumerate(frame.columns)})
    return frame, 1


def _decode_text(data: bytes, filename: str) -> bytes:
    """The file as UTF-8 bytes: UTF-8 with or without a byte order mark as it is; UTF-16/32
    with a mark, and single-byte encodings (cp1251 …), converted."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    else:
        for bom, codec in _WIDE_BOMS:
            if data.startswith(bom):
                try:
                    return data.decode(codec).encode("utf-8")
                except UnicodeDecodeError:
                    raise ImportRefused(
                        f"The file {filename} starts with the mark of {codec.upper()} text but "
                        "is not valid in that encoding. Save it as UTF-8 and try again."
                    ) from None
    head = data[:8192]
    if b"\x00" in head:
        raise ImportRefused(
            f"The file {filename} is not a text file (it looks like a binary file). Save the "
            "list as CSV, TXT (one id per line) or XLSX and try again."
        )
    try:
        data.decode("utf-8")  # ids are ASCII: this costs a few hundredths of a second
        return data
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[: 4 * _SAMPLE], cp_isolation=_LIKELY).best()
    encoding = best.encoding if best is not None else "cp1251"
    try:
        return data.decode(encoding).encode("utf-8")
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1251", errors="replace").encode("utf-8")


def _text_cells(data: bytes, filename: str) -> tuple[pl.DataFrame, int]:
    """A text file's cells as text, with no header taken (row i is line i + 1)."""
    body = _decode_text(data, filename)
    if not body.strip():
        raise ImportRefused(f"The file {filename} is empty: the list holds no member ids.")
    delimiter = _delimiter(body[:_SAMPLE].decode("utf-8", errors="ignore"), filename)
    try:
        if delimiter is None:
            # one id per line: no quoting, so a stray quote cannot swallow the lines after it
            frame = pl.read_csv(
                body,
                has_header=False,
                new_columns=["column_0"],
                schema_overrides=[pl.String],
                quote_char=None,
                separator="\x1f",
            )
        else:
            frame = pl.read_csv(
                body,
                has_header=False,
                infer_schema=False,
                separator=delimiter,
                truncate_ragged_lines=True,
            )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ImportRefused(f"The file {filename} cannot be read as a list: {reason}") from None
    return frame, 1


def _delimiter(sample: str, filename: str) -> str | None:
    """The delimiter of a table, or None for a list of one id per line."""
    if filename.lower().endswith(".tsv"):
        return "\t"
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(sample) >= _SAMPLE and len(lines) > 1:
        lines = lines[:-1]  # the sample's last line may be cut
    best: tuple[int, str] | None = None
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        wide = sum(1 for w in widths if w > 1)
        # a table: most lines split into the same number of cells (more than one)
        if wide and wide * 2 >= len(widths) and (best is None or wide > best[0]):
            best = (wide, delimiter)
    return best[1] if best else None


def _pick_column(
    cells: pl.DataFrame, first_line: int, column: str | None, filename: str
) -> tuple[pl.Series, int, str | None]:
    """The cells of the column of ids, the file's row number of its first cell, and the
    column's name (None for a plain list without a header)."""
    cells = cells.select(c for c in cells.columns if cells[c].null_count() < cells.height)
    if cells.width == 0:
        raise ImportRefused(f"The file {filename} is empty: the list holds no member ids.")
    # leading blank rows are not the header
    filled = cells.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    skip = int(filled.arg_true()[0])
    header = [str(v).strip() if v is not None else "" for v in cells.row(skip)]
    lowered = [h.lower() for h in header]
    if column is not None:
        wanted = column.strip().lower()
        if wanted not in lowered:
            shown = ", ".join(f"“{h}”" for h in header if h) or "none"
            raise ValidationError(
                f"The file {filename} has no column “{column}”. Its first row holds: {shown}."
            )
        index = lowered.index(wanted)
        return cells.to_series(index)[skip + 1 :], first_line + skip + 1, header[index]
    named = next((i for i, h in enumerate(lowered) if h in ID_HEADERS), None)
    if named is not None:
        return cells.to_series(named)[skip + 1 :], first_line + skip + 1, header[named]
    if cells.width > 1:  # a table names its columns in its first row
        return cells.to_series(0)[skip + 1 :], first_line + skip + 1, header[0]
    series = cells.to_series(0)
    second = series[skip + 1] if series.len() > skip + 1 else None
    if not _digits(header[0]) and second is not None and _digits(str(second)):
        # one column under a heading of its own ("Участники", "VK ids"): numbers below it
        return series[skip + 1 :], first_line + skip + 1, header[0]
    return series[skip:], first_line + skip, None


def _digits(text: str) -> bool:
    return text.strip().isdigit()


def _parse_ids(
    raw: pl.Series, first_line: int, id_kind: IdKind | None, filename: str, column: str | None
) -> tuple[pl.Series, IdKind]:
    """The ids of a column (blank cells left out), as Int64 user ids or String usernames, and
    their kind; refuses text among numbers, negative and overflowing ids, naming the rows."""
    raw = raw.cast(pl.String).alias("member")
    where = f" (column “{column}”)" if column else ""
    if id_kind != "text":
        # the fast path: a clean column of whole numbers (ten million in a tenth of a second)
        numbers = raw.cast(pl.Int64, strict=False)
        if numbers.null_count() == raw.null_count() and not (numbers < 0).any():
            return numbers.drop_nulls(), "number"
    frame = pl.DataFrame({"raw": raw}).with_row_index("row", offset=first_line)
    frame = frame.with_columns(clean=_cleaned(pl.col("raw"))).filter(
        pl.col("clean").is_not_null() & (pl.col("clean") != "")
    )
    clean = pl.col("clean")
    frame = frame.with_columns(
        digits=clean.str.contains(r"^\d+$"),
        negative=clean.str.contains(r"^-\d+$"),
        number=clean.cast(pl.Int64, strict=False),
    )
    digits, negative = int(frame["digits"].sum()), int(frame["negative"].sum())
    numeric = digits + negative
    if id_kind is None:
        if numeric and numeric == frame.height:
            id_kind = "number"
        elif numeric == 0:
            id_kind = "text"
        elif numeric * 2 >= frame.height:
            bad = frame.filter(~pl.col("digits") & ~pl.col("negative"))
            raise ImportRefused(
                f"The file {filename}{where} mixes user ids with text: "
                f"{_rows(bad)} {_hold(bad)} text where the other rows hold numeric ids. Correct "
                "or delete those rows (or choose another column) and try again."
            )
        else:
            bad = frame.filter(pl.col("digits") | pl.col("negative"))
            raise ImportRefused(
                f"The file {filename}{where} mixes usernames with numbers: {_rows(bad)} "
                f"{_hold(bad)} numbers where the other rows hold usernames. If the numbers are "
                "usernames too, choose the kind “text”; else correct or delete those rows."
            )
    if id_kind == "number":
        text = frame.filter(~pl.col("digits") & ~pl.col("negative"))
        if text.height:
            raise ImportRefused(
                f"The file {filename}{where} has text in a column of numeric user ids: "
                f"{_rows(text)}. Correct or delete those rows (or choose another column) and "
                "try again."
            )
        below = frame.filter(pl.col("negative"))
        if below.height:
            raise ImportRefused(
                f"The file {filename}{where} has negative user ids, which no platform gives: "
                f"{_rows(below)}. Correct or delete those rows and try again."
            )
        over = frame.filter(pl.col("number").is_null())
        if over.height:
            raise ImportRefused(
                f"The file {filename}{where} has user ids too large to be ids (9,223,372,036,"
                f"854,775,807 at most): {_rows(over)}. Correct or delete those rows and try again."
            )
        return frame["number"].alias("member"), "number"
    names = frame.with_columns(name=clean.str.to_lowercase())
    bad = names.filter(
        ~pl.col("name").str.contains(_USERNAME) | (pl.col("name").str.len_chars() > MAX_USERNAME)
    )
    if bad.height:
        raise ImportRefused(
            f"The file {filename}{where} has values that are neither user ids nor usernames "
            f"(letters, digits, '.', '_' and '-' only): {_rows(bad)}. Choose the column of ids "
            "or correct those rows and try again."
        )
    return names["name"].alias("member"), "text"


def _cleaned(raw: pl.Expr) -> pl.Expr:
    """A cell reduced to the id or username it holds: spaces and quotes trimmed, a profile link
    to its id (vk.com/id123 → 123, ok.ru/profile/5 → 5, t.me/name → name), '@' dropped."""
    trimmed = raw.str.strip_chars(" \t\r\n\"'\u00a0\ufeff")
    linked = trimmed.str.extract(_PROFILE_LINK, 1)
    vk_user = trimmed.str.contains(_VK_LINK) & linked.str.contains(r"^id\d+$")
    piece = (
        pl.when(vk_user)
        .then(linked.str.slice(2))
        .when(linked.is_not_null())
        .then(linked)
        .otherwise(trimmed)
    )
    return piece.str.strip_prefix("@")


def _rows(bad: pl.DataFrame) -> str:
    """“row 3 (“abc”), row 7 (“x y”) and 12 more rows”."""
    shown = [
        f"row {row} (“{str(raw).strip()[:40]}”)"
        for row, raw in bad.select("row", "raw").head(_SHOWN).iter_rows()
    ]
    more = bad.height - len(shown)
    text = ", ".join(shown)
    return text + (f" and {more:,} more row{'s' if more > 1 else ''}" if more else "")


def _hold(bad: pl.DataFrame) -> str:
    return "holds" if bad.height == 1 else "hold"


# ---------------------------------------------------------------- the member dictionary

_NAMES = itertools.count(1)


def encode_members(
    cur: duckdb.DuckDBPyConnection,
    platform: str,
    values: pl.Series,
    id_kind: IdKind,
    *,
    distinct: bool = False,
) -> npt.NDArray[np.uint64]:
    """The dense ids of a platform's user ids or usernames, in the order of ``values``; ids
    not seen before get the next free ones, in order of first sight. Call it inside the
    write transaction (the ids it hands out must not be handed out twice). ``distinct``: the
    caller vouches that no value repeats (a MemberFile's), which saves checking."""
    if id_kind not in ID_KINDS:
        raise ValidationError(f"Unknown kind of ids “{id_kind}”: use number or text.")
    target = "number" if id_kind == "number" else "key"
    dtype = pl.Int64 if id_kind == "number" else pl.String
    values = values.cast(dtype).rename("v")
    if values.null_count():
        raise ValidationError("A member list cannot hold blank ids.")
    n = len(values)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    incoming, added = f"_members_in_{next(_NAMES)}", f"_members_new_{next(_NAMES)}"
    start = int(
        cur.execute(
            "select coalesce(max(id) + 1, 0) from members where platform = ?", [platform]
        ).fetchall()[0][0]
    )
    dense = np.full(n, -1, dtype=np.int64)
    cur.register(incoming, pl.DataFrame({"v": values, "pos": np.arange(n, dtype=np.int64)}))
    try:
        if start:  # the platform's first list needs no look-up
            found = cur.execute(
                f"select i.pos, m.id from {incoming} i join members m "
                f"on m.platform = ? and m.{target} = i.v",
                [platform],
            ).fetchnumpy()
            at = np.asarray(found["pos"], dtype=np.int64)
            dense[at] = np.asarray(found["id"], dtype=np.int64)
        new = np.flatnonzero(dense < 0)
        if new.size:
            fresh = values if new.size == n else values.gather(new)
            if _assign(dense, new, fresh, start, distinct=distinct):
                rows = pl.DataFrame({"v": fresh, "id": dense[new]}).unique(
                    "v", keep="first", maintain_order=True
                )
            else:
                rows = pl.DataFrame({"v": fresh, "id": dense[new]})
            cur.register(added, rows)
            try:
                cur.execute(
                    f"insert into members (platform, {target}, id) select ?, v, id from {added}",
                    [platform],
                )
            finally:
                cur.unregister(added)
    finally:
        cur.unregister(incoming)
    return dense.astype(np.uint64)


def _assign(
    dense: npt.NDArray[np.int64],
    new: npt.NDArray[np.intp],
    fresh: pl.Series,
    start: int,
    *,
    distinct: bool,
) -> bool:
    """Give the unseen values ids from ``start`` on, in order of first sight; a value that
    comes twice gets one id. Whether some came twice."""
    if distinct or fresh.n_unique() == len(fresh):
        dense[new] = start + np.arange(new.size, dtype=np.int64)
        return False
    first = fresh.is_first_distinct().to_numpy()
    order = np.cumsum(first) - 1  # the rank of each value's first sight among first sights
    ranks = pl.DataFrame({"v": fresh, "rank": order}).filter(pl.Series(first))
    joined = pl.DataFrame({"v": fresh}).join(ranks, on="v", how="left", maintain_order="left")
    dense[new] = start + joined["rank"].to_numpy().astype(np.int64)
    return True


# ---------------------------------------------------------------- writing lists


def write_members(
    cur: duckdb.DuckDBPyConnection,
    channel_id: int,
    members: Members,
    *,
    id_kind: IdKind,
    source: str | None,
    dropped: int = 0,
    author: str | None = None,
) -> int | None:
    """Make ``members`` the channel's current list and add a history row (inside a write
    transaction); the size of the list it replaced, or None."""
    if id_kind not in ID_KINDS:
        raise ValidationError(f"Unknown kind of ids “{id_kind}”: use number or text.")
    channel = get_channel(cur, channel_id)
    if members.size == 0:
        raise ValidationError(f"An empty member list cannot be loaded for {channel.key}.")
    if members.platforms != {channel.platform}:
        raise ValidationError(
            f"These members are of {', '.join(sorted(members.platforms))}, not of "
            f"{channel.platform}: they cannot be the list of {channel.key}."
        )
    if members.shard_bits != SHARD_BITS:
        members = members.resharded(SHARD_BITS)
    old = cur.execute(
        "select size, version from audiences where channel_id = ?", [channel_id]
    ).fetchall()
    cur.execute("delete from audience_shards where channel_id = ?", [channel_id])
    cur.execute("delete from audiences where channel_id = ?", [channel_id])
    version = (max(int(v) for _, v in old) + 1) if old else 1
    cur.execute(
        "insert into audiences (channel_id, size, id_kind, source, loaded_by, version) "
        "values (?, ?, ?, ?, ?, ?)",
        [channel_id, members.size, id_kind, source, author, version],
    )
    shards = [
        [channel_id, shard, len(members.shards[(channel.platform, shard)]), blob]
        for shard, blob in sorted(members.serialized().items())
    ]
    cur.executemany(
        "insert into audience_shards (channel_id, shard, size, members) values (?, ?, ?, ?)",
        shards,
    )
    cur.execute(
        "insert into audience_loads (channel_id, source, size, id_kind, dropped_duplicates, "
        "loaded_by) values (?, ?, ?, ?, ?, ?)",
        [channel_id, source, members.size, id_kind, dropped, author],
    )
    return int(old[0][0]) if old else None


def load_members(
    store: Store,
    channel_id: int,
    member_file: MemberFile,
    *,
    author: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Make a member file the channel's list (replacing the current one, with a history row),
    in one transaction: all of it is written, or nothing."""
    if member_file.size == 0:
        raise ImportRefused(f"The file {member_file.filename} holds no member ids.")
    read = store.cursor()
    try:
        channel = _channel(read, channel_id)
    finally:
        read.close()
    _report(progress, 0.0, "encoding")
    with store.transaction("audience", actor=author) as cur:
        _channel(cur, channel_id)  # deleted since?
        dense = encode_members(
            cur, channel.platform, member_file.values, member_file.id_kind, distinct=True
        )
        _report(progress, 0.5, "encoding")
        members = _distinct_members(channel.platform, dense)
        _report(progress, 0.8, "writing")
        replaced = write_members(
            cur,
            channel_id,
            members,
            id_kind=member_file.id_kind,
            source=member_file.filename,
            dropped=member_file.duplicates,
            author=author,
        )
    _report(progress, 1.0, "done")
    return LoadResult(
        channel_id=channel_id,
        channel=channel.key,
        size=members.size,
        duplicates=member_file.duplicates,
        replaced=replaced,
        id_kind=member_file.id_kind,
        source=member_file.filename,
    )


def _distinct_members(platform: str, dense: npt.NDArray[np.uint64]) -> Members:
    """The set of distinct dense ids (what encode_members gives for a distinct list): as
    Members.from_ids, without its np.unique, which takes half a minute for ten million ids
    (numpy 2.4 hashes them)."""
    mask = np.uint64((1 << SHARD_BITS) - 1)
    keys = dense >> np.uint64(SHARD_BITS)
    low, high = int(keys.min()), int(keys.max())
    shards: dict[tuple[str, int], FrozenBitMap] = {}
    for key in range(low, high + 1):
        part = dense if low == high else dense[keys == key]
        if part.size:
            # an array.array of 32-bit values is pyroaring's fast path
            buffer = array.array("I")
            buffer.frombytes((part & mask).astype(np.uint32).tobytes())
            shards[(platform, key)] = FrozenBitMap(buffer)
    return Members(shards, int(dense.size), SHARD_BITS)


def _channel(cur: duckdb.DuckDBPyConnection, channel_id: int) -> _Channel:
    try:
        channel = get_channel(cur, channel_id)
    except NotFound:
        raise ValidationError(
            f"Channel {channel_id} does not exist, so no member list can be loaded for it."
        ) from None
    return _Channel(channel.platform, channel.key)


@dataclass(frozen=True)
class _Channel:
    platform: str
    key: str


def delete_members(store: Store, channel_id: int) -> int | None:
    """Remove a channel's current list (its history stays); the size removed, or None."""
    with store.transaction("audience") as cur:
        old = cur.execute(
            "select size from audiences where channel_id = ?", [channel_id]
        ).fetchall()
        cur.execute("delete from audience_shards where channel_id = ?", [channel_id])
        cur.execute("delete from audiences where channel_id = ?", [channel_id])
    return int(old[0][0]) if old else None


def resolve_channel(cur: duckdb.DuckDBPyConnection, channel_ref: str) -> int:
    """The id of the channel ``PLATFORM:HANDLE`` or a link names; refuses one not in the
    registry."""
    ref = parse_channel_key(channel_ref)
    channel_id = find_channel(cur, ref)
    if channel_id is None:
        raise ValidationError(
            f"There is no channel {ref} in the registry. Add it first (on the Channels page, "
            "or with crm import channels), then load its members."
        )
    return channel_id


def import_audience_file(
    store: Store,
    source: bytes | Path,
    filename: str,
    channel_ref: str,
    *,
    column: str | None = None,
    id_kind: IdKind | None = None,
    progress: Progress | None = None,
    author: str | None = None,
) -> LoadResult:
    """Read a member file and make it the list of the channel ``channel_ref`` names."""
    cur = store.cursor()
    try:
        channel_id = resolve_channel(cur, channel_ref)  # before reading a large file
    finally:
        cur.close()
    member_file = read_member_file(
        source, filename, column=column, id_kind=id_kind, progress=_scaled(progress, 0.0, 0.4)
    )
    return load_members(
        store, channel_id, member_file, author=author, progress=_scaled(progress, 0.4, 1.0)
    )


# ---------------------------------------------------------------- reading lists back


def member_sets(
    cur: duckdb.DuckDBPyConnection, channel_ids: Iterable[int] | None = None
) -> dict[int, Members]:
    """The current lists as member sets, by channel id (channels without a list are absent)."""
    sql = (
        "select s.channel_id, c.platform, s.shard, s.members from audience_shards s "
        "join channels c on c.id = s.channel_id"
    )
    params: list[object] = []
    if channel_ids is not None:
        ids = [int(i) for i in channel_ids]
        if not ids:
            return {}
        sql += " where s.channel_id in (select unnest(?::bigint[]))"
        params.append(ids)
    rows = cur.execute(sql + " order by s.channel_id, s.shard", params).fetchall()
    blobs: dict[int, tuple[str, dict[int, bytes]]] = {}
    for channel_id, platform, shard, blob in rows:
        blobs.setdefault(int(channel_id), (str(platform), {}))[1][int(shard)] = bytes(blob)
    return {
        channel_id: Members.from_shards(platform, shards)
        for channel_id, (platform, shards) in blobs.items()
    }


def export_members(cur: duckdb.DuckDBPyConnection, channel_id: int) -> pl.DataFrame:
    """A channel's members as loaded (user ids or usernames), in the order the workspace
    first saw them (a list's own order when none was seen before): one column ``member``."""
    rows = cur.execute(
        "select a.id_kind, c.platform, c.platform || ':' || c.handle from audiences a "
        "join channels c on c.id = a.channel_id where a.channel_id = ?",
        [channel_id],
    ).fetchall()
    if not rows:
        key = get_channel(cur, channel_id).key  # NotFound when there is no such channel
        raise NotFound(f"{key} has no member list.")
    id_kind, platform, _ = rows[0]
    members = member_sets(cur, [channel_id]).get(channel_id)
    dense = members.ids(platform) if members is not None else np.empty(0, dtype=np.uint64)
    column = "number" if id_kind == "number" else "key"
    name = f"_members_out_{next(_NAMES)}"
    cur.register(name, pl.DataFrame({"id": dense.astype(np.int64)}))
    try:
        frame: pl.DataFrame = cur.sql(
            f"select m.{column} as member from {name} o join members m "
            "on m.platform = ? and m.id = o.id order by m.id",
            params=[platform],
        ).pl()
    finally:
        cur.unregister(name)
    return frame


def audiences_frame(cur: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every current list: channel id, ``PLATFORM:HANDLE``, title, platform, latest followers,
    size, kind of ids, source file and when it was loaded; by channel."""
    latest = latest_known_sql("c.id in (select channel_id from audiences)")
    frame: pl.DataFrame = cur.sql(
        f"""with {latest}
        select a.channel_id, c.platform || ':' || c.handle as channel, c.title, c.platform,
            l.followers, a.size, a.id_kind, a.source, a.loaded_at
        from audiences a
        join channels c on c.id = a.channel_id
        left join latest l on l.channel_id = a.channel_id
        order by channel"""
    ).pl()
    return frame


def audience_history(cur: duckdb.DuckDBPyConnection, channel_id: int) -> pl.DataFrame:
    """Every list loaded for a channel, newest first: when, from which file, its size, kind of
    ids, duplicates dropped and by whom."""
    frame: pl.DataFrame = cur.sql(
        "select loaded_at, source, size, id_kind, dropped_duplicates, loaded_by "
        "from audience_loads where channel_id = ? order by loaded_at desc, id desc",
        params=[channel_id],
    ).pl()
    return frame
