"""File import of channels: sniff, map columns, normalise, validate, preview, write, report.

The pipeline is set-based: polars reads and normalises the whole file with expressions,
DuckDB classifies and writes it with ``insert … select`` / ``update … from``. Python loops
only over *unique* values that need a parser written in Python (links, e-mails, phones).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from crm.db import Store, quote_ident
from crm.errors import CrmError, ImportRefused, ValidationError
from crm.fields import CHANNEL_FIELDS as FIELDS
from crm.fields import SNAPSHOT_METRICS
from crm.geo import normalise_country_column, normalise_language_column
from crm.numbers import parse_number_column
from crm.platforms import (
    HOSTS,
    PLATFORMS,
    PROVENANCES,
    RESERVED_FIRST,
    canonical_url,
    check_platform,
    parse_channel_url,
)
from crm.validation import check_email, check_phone, check_telegram, check_url

MAX_ROWS = 1_000_000
LINE = "__line__"  # the spreadsheet row number of each data row, kept beside the file's columns

CHANNEL_FIELDS = (*FIELDS, "price", "currency")
FIELD_LABELS = {
    "platform": "Platform",
    "handle": "Handle (username)",
    "url": "Link to the channel",
    "title": "Title (display name)",
    "kind": "Kind (person / public page)",
    "owner": "Owner",
    "niche": "Niche",
    "country": "Country",
    "city": "City",
    "language": "Language",
    "email": "E-mail",
    "telegram": "Telegram contact",
    "phone": "Phone",
    "tags": "Tags",
    "notes": "Notes",
    "followers": "Followers",
    "avg_reach": "Average reach",
    "avg_views": "Average views",
    "avg_engagement": "Average engagement",
    "avg_likes": "Average likes",
    "avg_comments": "Average comments",
    "avg_shares": "Average shares",
    "measured_on": "Date measured",
    "er": "ER (engagement / followers)",
    "err": "ERR (engagement / reach)",
    "price": "Price of a post",
    "currency": "Currency",
}
METRICS = SNAPSHOT_METRICS
_NUMERIC = (*METRICS, "er", "err", "price")
_TEXT = ("title", "owner", "country", "city", "language", "notes")
_LISTS = ("niche", "tags")
# channel columns an import may change, with the incoming column that feeds each
_CHANNEL_UPDATES = (
    ("title", "title"),
    ("kind", "kind"),
    ("url", "url"),
    ("niches", "niches"),
    ("country", "country"),
    ("city", "city"),
    ("language", "language"),
    ("email", "email"),
    ("telegram", "telegram"),
    ("phone", "phone"),
    ("tags", "tags"),
    ("notes", "notes"),
)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "platform": (
        "platform",
        "площадка",
        "соцсеть",
        "соц сеть",
        "социальная сеть",
        "network",
        "social network",
        "сеть",
        "платформа",
    ),
    "handle": (
        "handle",
        "username",
        "user name",
        "login",
        "ник",
        "никнейм",
        "nickname",
        "аккаунт",
        "account",
        "логин",
        "screen name",
        "имя пользователя",
        "channel id",
        "page id",
        "user id",
        "юзернейм",
    ),
    "url": (
        "url",
        "link",
        "ссылка",
        "ссылка на канал",
        "ссылка на профиль",
        "ссылка на паблик",
        "адрес",
        "profile url",
        "channel url",
        "page url",
        "profile link",
        "channel link",
        "профиль",
        "profile",
    ),
    "title": (
        "title",
        "name",
        "название",
        "наименование",
        "page name",
        "channel name",
        "имя",
        "display name",
        "full name",
        "название канала",
        "название паблика",
        "название группы",
    ),
    "kind": ("kind", "тип", "type", "вид", "channel type", "тип канала", "тип площадки"),
    "owner": ("owner", "владелец", "админ", "admin", "администратор", "owner name"),
    "niche": (
        "niche",
        "ниша",
        "category",
        "категория",
        "тематика",
        "тема",
        "topic",
        "categories",
        "категории",
        "page type",
        "niches",
        "ниши",
    ),
    "country": ("country", "страна", "audience country", "гео", "geo", "страна аудитории"),
    "city": ("city", "город"),
    "language": ("language", "язык", "lang"),
    "email": ("email", "e mail", "mail", "почта", "электронная почта", "емейл", "имейл"),
    "telegram": ("telegram", "телеграм", "телеграмм", "tg", "контакт telegram"),
    "phone": ("phone", "телефон", "тел", "phone number", "номер телефона", "mobile"),
    "tags": ("tags", "теги", "метки", "tag", "тег"),
    "notes": (
        "notes",
        "note",
        "заметки",
        "заметка",
        "комментарий",
        "примечание",
        "примечания",
        "comment",
    ),
    "followers": (
        "followers",
        "subscribers",
        "подписчики",
        "подписчиков",
        "участники",
        "участников",
        "members",
        "fans",
        "фанаты",
        "subs",
        "кол во подписчиков",
        "число подписчиков",
        "followers count",
        "subscriber count",
        "аудитория",
    ),
    "avg_reach": (
        "reach",
        "avg reach",
        "average reach",
        "охват",
        "средний охват",
        "охват поста",
        "avg post reach",
        "ср охват",
        "охват публикации",
    ),
    "avg_views": (
        "views",
        "avg views",
        "average views",
        "просмотры",
        "средние просмотры",
        "просмотров",
        "ср просмотры",
        "просмотры поста",
    ),
    "avg_engagement": (
        "engagement",
        "avg engagement",
        "average engagement",
        "eng avg",
        "вовлеченность",
        "engagements",
        "взаимодействия",
        "ср вовлеченность",
    ),
    "avg_likes": ("likes", "avg likes", "average likes", "лайки", "лайков"),
    "avg_comments": ("comments", "avg comments", "average comments", "комментарии", "комментариев"),
    "avg_shares": ("shares", "avg shares", "average shares", "репосты", "репостов", "reposts"),
    "er": ("er", "engagement rate", "er followers"),
    "err": ("err", "er reach", "engagement rate by reach"),
    "measured_on": (
        "measured on",
        "date",
        "дата",
        "дата замера",
        "measured",
        "as of",
        "snapshot date",
        "дата измерения",
    ),
    "price": (
        "price",
        "цена",
        "стоимость",
        "price post",
        "стоимость поста",
        "прайс",
        "cost",
        "цена поста",
    ),
    "currency": ("currency", "валюта", "cur"),
}
_LOOKUP = {key: target for target, keys in _SYNONYMS.items() for key in keys}
_IGNORED = {"id", "rank", "n", "no", "номер", "место", "row", "index", "eng auth"}
_NICHE_N = re.compile(r"^(category|categories|категория|niche|ниша|тематика|topic)\s*\d+$")
_PAGE_HINTS = ("page ", "паблик", "сообществ", "группа", "community", "members", "участник")
_KIND_ALIASES = {
    "person": "person",
    "blogger": "person",
    "блогер": "person",
    "блоггер": "person",
    "человек": "person",
    "author": "person",
    "автор": "person",
    "creator": "person",
    "influencer": "person",
    "инфлюенсер": "person",
    "personal": "person",
    "public_page": "public_page",
    "public": "public_page",
    "page": "public_page",
    "паблик": "public_page",
    "сообщество": "public_page",
    "группа": "public_page",
    "community": "public_page",
    "group": "public_page",
    "страница": "public_page",
}
_CURRENCY_ALIASES = {
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "р": "RUB",
    "р.": "RUB",
    "rub": "RUB",
    "rur": "RUB",
    "$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "евро": "EUR",
    "тенге": "KZT",
    "₸": "KZT",
    "kzt": "KZT",
    "byn": "BYN",
    "uah": "UAH",
    "₴": "UAH",
}
_URL_LIKE = r"(?i)^(https?://|www\.|[a-z0-9-]+(\.[a-z0-9-]+)+/)"
_DELIMITERS = (",", ";", "\t", "|")


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class RejectedRow:
    """A file row that was not imported: its spreadsheet line number and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class DuplicateRow:
    """A row whose platform + handle occurs again later in the file (the later row won)."""

    line: int
    key: str
    kept_line: int


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    rejects: list[RejectedRow] = field(default_factory=list)
    duplicate_rows: list[DuplicateRow] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """One line: the counts, and the duplicates if there were any."""
        text = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.duplicates:
            rows = "row" if self.duplicates == 1 else "rows"
            text += f"; {self.duplicates} duplicate {rows} in the file (the later row won)"
        if self.dry_run:
            text += " (dry run: nothing written)"
        return text


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


@dataclass
class ImportPlan:
    """A normalised file ready to write, with every row classified (the preview)."""

    filename: str
    mapping: dict[str, str | None]
    platform: str | None
    default_kind: str
    rows: pl.DataFrame  # valid rows, one per platform + handle (the later row won)
    preview: pl.DataFrame  # line, status, platform, handle, title, followers, changes
    rejects: list[RejectedRow]
    duplicate_rows: list[DuplicateRow]
    provenance: str = "manual"

    def counts(self) -> dict[str, int]:
        """Rows per status: new, updated, unchanged, rejected, duplicates."""
        status = self.preview["status"].value_counts()
        found = dict(zip(status["status"].to_list(), status["count"].to_list(), strict=True))
        return {
            "new": found.get("new", 0),
            "updated": found.get("updated", 0),
            "unchanged": found.get("unchanged", 0),
            "rejected": len(self.rejects),
            "duplicates": len(self.duplicate_rows),
        }

    def result(self, *, dry_run: bool) -> ImportResult:
        """The preview's counts as an import result."""
        counts = self.counts()
        return ImportResult(
            **counts,
            rejects=list(self.rejects),
            duplicate_rows=list(self.duplicate_rows),
            dry_run=dry_run,
        )


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


# ---------------------------------------------------------------- mapping


def normalise_header(name: str) -> str:
    """A header reduced for matching: lower case, ё as е, punctuation as single spaces."""
    text = name.lower().replace("ё", "е")
    text = re.sub(r"\s\(\d+\)$", "", text)  # our own "followers (2)" suffix for repeats
    return " ".join(re.sub(r"[^\w%]+|_", " ", text).replace("%", " ").split())


def _platform_prefix(key: str) -> tuple[str | None, str]:
    head, _, rest = key.partition(" ")
    aliases = {"twitter": "x", "fb": "facebook", "ig": "instagram", "vkontakte": "vk"}
    platform = aliases.get(head, head)
    if platform in PLATFORMS and platform != "other" and rest:
        return platform, rest
    return None, key


def suggest_mapping(headers: list[str]) -> dict[str, str | None]:
    """The field each column most likely holds (None: ignore), by English and Russian names."""
    keys = {h: normalise_header(h) for h in headers}
    out: dict[str, str | None] = {}
    prefixed_title = False
    for header, key in keys.items():
        platform, rest = _platform_prefix(key)
        if platform and rest in ("name", "имя", "title", "название"):
            out[header] = "title"
            prefixed_title = True
        elif platform and rest in ("id", "handle", "username", "account", "link", "url"):
            out[header] = "url" if rest in ("link", "url") else "handle"
        elif key in PLATFORMS and key not in ("telegram", "other"):
            out[header] = "handle"
        elif key in _IGNORED:
            out[header] = None
        elif _NICHE_N.match(key):
            out[header] = "niche"
        else:
            out[header] = _LOOKUP.get(key) or _LOOKUP.get(_strip_average(key))
    has_identity = any(t in ("handle", "url") for t in out.values())
    if prefixed_title:
        # "instagram name" is the display name, so a plain "name" column holds the handles
        for header, target in out.items():
            if target == "title" and keys[header] in ("name", "имя") and not has_identity:
                out[header] = "handle"
                has_identity = True
    return out


def _strip_average(key: str) -> str:
    for prefix in ("avg ", "average ", "mean ", "средний ", "среднее ", "средние ", "ср "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def infer_defaults(headers: list[str]) -> dict[str, str | None]:
    """What the headers hint about every row: the platform and the kind of channel."""
    platform = None
    for header in headers:
        hinted, rest = _platform_prefix(normalise_header(header))
        if hinted and rest in ("name", "имя", "id", "handle", "username", "title", "название"):
            platform = hinted
            break
    keys = " ".join(" " + normalise_header(h) for h in headers) + " "
    kind = "public_page" if any(hint in keys for hint in _PAGE_HINTS) else "person"
    return {"platform": platform, "kind": kind}


def resolve_mapping(
    headers: list[str], mapping: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    """The suggestion overridden by a hand-made mapping; refuses unknown columns or fields."""
    out = suggest_mapping(headers)
    if not mapping:
        return out
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(normalise_header(h), h)
    chosen: dict[str, str | None] = {}
    for source, target in mapping.items():
        header = source if source in out else by_key.get(normalise_header(source))
        if header is None:
            raise ImportRefused(
                f"The file has no column “{source}”. Columns found: {', '.join(headers)}."
            )
        if target in (None, "", "ignore", "-"):
            chosen[header] = None
            continue
        target = target.strip()
        target = {"niches": "niche", "tag": "tags"}.get(target, target)
        if target not in CHANNEL_FIELDS:
            raise ImportRefused(
                f"“{target}” is not a field channels can be imported into. "
                f"Fields: {', '.join(CHANNEL_FIELDS)}."
            )
        chosen[header] = target
    taken = {t for t in chosen.values() if t}
    for header, target in out.items():
        if header in chosen:
            out[header] = chosen[header]
        elif target in taken:
            out[header] = None  # the hand-made choice for this field replaces the suggestion
    return out


# ---------------------------------------------------------------- normalising


def _by_unique(column: pl.Series, check: Callable[[str], Any]) -> tuple[pl.Series, pl.Series]:
    """Run a Python check once per distinct value: (cleaned values, error messages)."""
    good: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for value in column.drop_nulls().unique().to_list():
        try:
            good[value] = check(value)
        except ValidationError as exc:
            bad[value] = str(exc).rstrip(".")
    cleaned = column.replace_strict(
        list(good), list(good.values()), default=None, return_dtype=pl.String
    )
    errors = column.replace_strict(
        list(bad), list(bad.values()), default=None, return_dtype=pl.String
    )
    return cleaned, errors


_SIMPLE_LINK = (
    r"(?i)^(?:https?://)?(?:www\.)?("
    + "|".join(re.escape(h) for h in HOSTS)
    + r")/(@?[a-z0-9_][a-z0-9_.\-]*)/?$"
)


def parse_links(links: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Links to ``platform\\x00handle`` and errors, as crm.platforms.parse_channel_url would;
    plain profile links are parsed with expressions, the rest by it once per distinct value."""
    parts = links.str.extract_groups(_SIMPLE_LINK)
    frame = pl.DataFrame(
        {
            "host": parts.struct.field("1").str.to_lowercase(),
            "seg": parts.struct.field("2").str.strip_chars_start("@").str.to_lowercase(),
        }
    )
    platform = pl.col("host").replace_strict(
        list(HOSTS), list(HOSTS.values()), default=None, return_dtype=pl.String
    )
    reserved = pl.lit(False)
    for name, words in RESERVED_FIRST.items():
        reserved = reserved | ((platform == name) & pl.col("seg").is_in(list(words)))
    vk_numeric = (platform == "vk") & pl.col("seg").str.contains(r"^(club|public|event|id)\d+$")
    fast = frame.select(
        # rutube names a channel only as /channel/N or /u/name: left to parse_channel_url
        pl.when(
            platform.is_not_null()
            & (platform != "rutube")
            & ~reserved
            & ~vk_numeric
            & (pl.col("seg") != "")
        ).then(platform + pl.lit("\x00") + pl.col("seg"))
    ).to_series()
    rest = pl.select(pl.when(fast.is_null()).then(links)).to_series()
    slow, errors = _by_unique(rest, _parse_link)
    return pl.select(pl.coalesce(fast, slow)).to_series(), errors


def _parse_link(text: str) -> str:
    ref = parse_channel_url(text)
    return f"{ref.platform}\x00{ref.handle}"


def _precision(column: pl.Series) -> float:
    values = column.drop_nulls()
    if values.len() == 0:
        return 0.0
    return int(values.str.contains(r"^\d+$").sum()) / values.len()


def _combined(frame: pl.DataFrame, sources: list[str], numeric: bool) -> pl.Series | None:
    if not sources:
        return None
    if numeric and len(sources) > 1:
        # the same number twice ("409.8M" and "409800000"): the plain integer wins, and
        # a row empty there falls back to the next column
        sources = sorted(sources, key=lambda s: -_precision(frame[s]))
    return frame.select(pl.coalesce([pl.col(s) for s in sources])).to_series()


def _reason(series: pl.Series, mask: pl.Series, template: str) -> pl.Series:
    """Messages for the rows where mask holds; template gets {v} (the value)."""
    head, _, tail = template.partition("{v}")
    text = (
        (pl.lit(head) + series.cast(pl.String) + pl.lit(tail))
        if "{v}" in template
        else pl.lit(template)
    )
    return pl.select(pl.when(mask).then(text).otherwise(None)).to_series()


def _split_list(column: pl.Series) -> pl.Series:
    return column.str.split(";").list.eval(
        pl.element().str.split(",").explode().str.split("|").explode()
    )


def _normalise(
    table: RawTable,
    mapping: dict[str, str | None],
    platform: str | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows with clean typed fields, rejects with line and reason); one pass of expressions."""
    frame = table.frame
    n = frame.height
    sources: dict[str, list[str]] = {}
    for header in table.columns:
        target = mapping.get(header)
        if target:
            sources.setdefault(target, []).append(header)
    reasons: list[pl.Series] = []
    out: dict[str, pl.Series] = {"line": frame[LINE]}
    nulls = pl.Series([None] * n, dtype=pl.String)

    # identity: a handle column, else a link; a link also names the platform
    handle_raw = _combined(frame, sources.get("handle", []), False)
    url_raw = _combined(frame, sources.get("url", []), False)
    handle_raw = nulls if handle_raw is None else handle_raw
    url_raw = nulls if url_raw is None else url_raw
    handle_is_link = handle_raw.str.contains(_URL_LIKE).fill_null(False)
    ident_link = pl.select(
        pl.when(handle_is_link)
        .then(handle_raw)
        .otherwise(pl.when(handle_raw.is_null()).then(url_raw))
    ).to_series()
    links = pl.concat([ident_link, url_raw]).drop_nulls().unique()
    parsed, link_errors = parse_links(links)
    link_map = dict(zip(links.to_list(), parsed.to_list(), strict=True))
    err_map = dict(zip(links.to_list(), link_errors.to_list(), strict=True))

    def lookup(series: pl.Series, table_: dict[str, Any]) -> pl.Series:
        return series.replace_strict(
            list(table_), list(table_.values()), default=None, return_dtype=pl.String
        )

    ident_pair = lookup(ident_link, link_map)
    url_pair = lookup(url_raw, link_map)
    plain_handle = pl.select(
        pl.when(~handle_is_link).then(
            handle_raw.str.strip_chars()
            .str.strip_chars("/")
            .str.strip_chars_start("@")
            .str.strip_chars()
            .str.to_lowercase()
        )
    ).to_series()
    platform_col = _combined(frame, sources.get("platform", []), False)
    if platform_col is not None:
        platform_clean, platform_err = _by_unique(platform_col, check_platform)
        reasons.append(
            _reason(platform_col, platform_err.is_not_null(), "platform “{v}” is unknown")
        )
    else:
        platform_clean = nulls
    default = check_platform(platform) if platform else None
    ident_platform = ident_pair.str.split("\x00").list.get(0, null_on_oob=True)
    ident_handle = ident_pair.str.split("\x00").list.get(1, null_on_oob=True)
    url_platform = url_pair.str.split("\x00").list.get(0, null_on_oob=True)
    final = pl.DataFrame(
        {
            "plain": plain_handle,
            "ih": ident_handle,
            "ip": ident_platform,
            "pc": platform_clean,
            "up": url_platform,
        }
    ).select(
        handle=pl.coalesce("plain", "ih"),
        platform=pl.when(pl.col("plain").is_not_null())
        .then(pl.coalesce("pc", "up", pl.lit(default, pl.String)))
        .otherwise(pl.coalesce("ip", "pc", pl.lit(default, pl.String))),
    )
    out["handle"] = final["handle"]
    out["platform"] = final["platform"]
    ident_error = lookup(ident_link, err_map)
    no_identity = handle_raw.is_null() & url_raw.is_null()
    reasons.insert(0, _reason(nulls, no_identity, "no handle or link"))
    reasons.insert(1, ident_error)
    bad_handle = (
        final["handle"].is_not_null()
        & ~(
            final["handle"].str.replace_all(r"[?=]", "").str.contains(r"^[\w.\-/@]+$")
            & (final["handle"].str.len_chars() <= 200)
        )
    ).fill_null(False)
    reasons.append(_reason(handle_raw, bad_handle, "“{v}” is not a valid handle"))
    reasons.append(
        _reason(
            nulls,
            (final["handle"].is_not_null() & final["platform"].is_null()).fill_null(False),
            "no platform: add a platform column or a link, or choose a default platform",
        )
    )

    # url kept on the channel: the link column when it is a valid web address
    url_clean, url_err = _check_urls(url_raw, url_pair)
    reasons.append(url_err)
    out["url"] = url_clean

    # numbers
    for name in _NUMERIC:
        raw = _combined(frame, sources.get(name, []), True)
        if raw is None:
            out[name] = pl.Series([None] * n, dtype=pl.Float64)
            continue
        if name == "price":
            raw, symbol = _split_currency(raw)
            out["_price_currency"] = symbol
        values, invalid = parse_number_column(raw)
        reasons.append(_reason(raw, invalid, f"{name} “{{v}}” is not a number"))
        reasons.append(_reason(raw, (values < 0).fill_null(False), f"{name} cannot be negative"))
        if name in ("er", "err"):
            # "3.4" in an ER column means 3.4 %; "3.4%" and "0.034" already are ratios
            values = pl.select(
                pl.when(~raw.str.contains("%") & (values > 1)).then(values / 100).otherwise(values)
            ).to_series()
        out[name] = values
    out["followers"] = out["followers"].round(0).cast(pl.Int64)
    # ER = engagement / followers and ERR = engagement / reach (METRICS.md), so a file that
    # gives only a rate still gives the engagement; rounded to cents against float noise
    engagement = pl.select(
        pl.coalesce(
            out["avg_engagement"],
            (out["er"] * out["followers"].cast(pl.Float64)).round(2),
            (out["err"] * out["avg_reach"]).round(2),
        )
    ).to_series()
    out["avg_engagement"] = engagement

    # text
    for name in _TEXT:
        raw = _combined(frame, sources.get(name, []), False)
        out[name] = nulls if raw is None else raw
    out["country"] = normalise_country_column(out["country"])
    out["language"] = normalise_language_column(out["language"])
    kind_raw = _combined(frame, sources.get("kind", []), False)
    if kind_raw is not None:
        key = kind_raw.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
        kind = key.replace_strict(
            list(_KIND_ALIASES), list(_KIND_ALIASES.values()), default=None, return_dtype=pl.String
        )
        reasons.append(
            _reason(
                kind_raw,
                kind.is_null() & kind_raw.is_not_null(),
                "kind “{v}” is not person or public_page",
            )
        )
        out["kind"] = kind
    else:
        out["kind"] = nulls
    for name, check in (
        ("email", check_email),
        ("telegram", check_telegram),
        ("phone", check_phone),
    ):
        raw = _combined(frame, sources.get(name, []), False)
        if raw is None:
            out[name] = nulls
            continue
        clean, errors = _by_unique(raw, check)
        reasons.append(errors)
        out[name] = clean
    for name, column in (("niche", "niches"), ("tags", "tags")):
        cols = sources.get(name, [])
        if not cols:
            out[column] = pl.Series([None] * n, dtype=pl.List(pl.String))
            continue
        parts = pl.select(
            pl.concat_list([_split_list(frame[c]).fill_null([]) for c in cols])
            .list.eval(pl.element().str.strip_chars().filter(pl.element().str.len_chars() > 0))
            .list.unique(maintain_order=True)
        ).to_series()
        out[column] = pl.select(pl.when(parts.list.len() > 0).then(parts)).to_series()

    # date measured
    date_raw = _combined(frame, sources.get("measured_on", []), False)
    if date_raw is not None:
        measured = _parse_dates(date_raw)
        reasons.append(
            _reason(
                date_raw,
                measured.is_null() & date_raw.is_not_null(),
                "measured_on “{v}” is not a date",
            )
        )
        future = (measured > dt.date.today() + dt.timedelta(days=1)).fill_null(False)
        reasons.append(_reason(date_raw, future, "measured_on “{v}” is in the future"))
        out["measured_on"] = measured
    else:
        out["measured_on"] = pl.Series([None] * n, dtype=pl.Date)

    # currency of the price
    currency_raw = _combined(frame, sources.get("currency", []), False)
    symbol = out.pop("_price_currency", nulls)
    currency_src = pl.select(
        pl.coalesce(currency_raw if currency_raw is not None else nulls, symbol)
    ).to_series()
    currency, currency_bad = _currency(currency_src)
    reasons.append(_reason(currency_src, currency_bad, "currency “{v}” is not a currency code"))
    out["currency"] = currency

    reason = pl.select(pl.coalesce(reasons)).to_series() if reasons else nulls
    rows = pl.DataFrame(out)
    rows = rows.with_columns(reason=reason)
    rejected = rows.filter(pl.col("reason").is_not_null()).select("line", "reason")
    return rows.filter(pl.col("reason").is_null()).drop("reason"), rejected


def _check_urls(url_raw: pl.Series, pairs: pl.Series) -> tuple[pl.Series, pl.Series]:
    """crm.validation.check_url, vectorised for links already recognised as channel links."""
    known = pl.select(
        pl.when(pairs.is_not_null() & url_raw.str.contains(r"^https?://"))
        .then(url_raw)
        .when(pairs.is_not_null())
        .then(pl.lit("https://") + url_raw)
    ).to_series()
    rest = pl.select(pl.when(known.is_null()).then(url_raw)).to_series()
    clean, errors = _by_unique(rest, check_url)
    return pl.select(pl.coalesce(known, clean)).to_series(), errors


def _split_currency(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    pattern = r"(?i)\s*(₽|руб\.?|р\.|rub|rur|\$|usd|€|eur|₸|kzt)\s*"
    symbol = raw.str.extract(pattern, 1)
    return raw.str.replace_all(pattern, ""), symbol


def _currency(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    key = raw.str.strip_chars().str.to_lowercase()
    alias = key.replace_strict(
        list(_CURRENCY_ALIASES),
        list(_CURRENCY_ALIASES.values()),
        default=None,
        return_dtype=pl.String,
    )
    code = pl.select(
        pl.when(key.str.contains(r"^[a-z]{3}$")).then(key.str.to_uppercase())
    ).to_series()
    value = pl.select(pl.coalesce(alias, code)).to_series()
    return value, (value.is_null() & raw.is_not_null()).fill_null(False)


def _parse_dates(raw: pl.Series) -> pl.Series:
    text = raw.str.strip_chars()
    iso = text.str.slice(0, 10)
    return pl.select(
        pl.coalesce(
            iso.str.to_date("%Y-%m-%d", strict=False),
            text.str.to_date("%d.%m.%Y", strict=False),
            text.str.to_date("%d/%m/%Y", strict=False),
            text.str.to_date("%Y/%m/%d", strict=False),
            text.str.to_date("%d.%m.%y", strict=False),
        )
    ).to_series()


def _dedupe(rows: pl.DataFrame) -> tuple[pl.DataFrame, list[DuplicateRow]]:
    """One row per platform + handle: the later row wins; the earlier ones are reported."""
    keyed = rows.with_columns(
        kept=pl.col("line").max().over("platform", "handle"),
    )
    dropped = keyed.filter(pl.col("line") != pl.col("kept")).sort("line")
    duplicates = [
        DuplicateRow(line, f"{p}:{h}", kept)
        for line, p, h, kept in dropped.select("line", "platform", "handle", "kept").iter_rows()
    ]
    return keyed.filter(pl.col("line") == pl.col("kept")).drop("kept"), duplicates


# ---------------------------------------------------------------- classifying


def _change(column: str, incoming: str, current: str) -> str:
    return f"""
        case when i.{quote_ident(incoming)} is not null
                  and i.{quote_ident(incoming)} is distinct from {current}
             then '{column}: ' || coalesce(cast({current} as varchar), '—')
                  || ' → ' || cast(i.{quote_ident(incoming)} as varchar) end
    """


_CHANNEL_CHANGES = (
    ",".join(_change(col, inc, f"c.{quote_ident(col)}") for col, inc in _CHANNEL_UPDATES)
    + """,
    case when i.owner is not null and lower(i.owner) is distinct from lower(o.name)
         then 'owner: ' || coalesce(o.name, '—') || ' → ' || i.owner end
"""
)
_METRIC_CHANGES = ",".join(_change(m, m, f"l.{quote_ident(m)}") for m in METRICS)
_PRICE_CHANGES = """
    case when i.price is not null
              and (p.amount is null or p.amount <> cast(i.price as decimal(18, 2))
                   or p.currency is distinct from coalesce(i.currency, 'RUB'))
         then 'price: ' || coalesce(cast(p.amount as varchar) || ' ' || p.currency, '—')
              || ' → ' || cast(cast(i.price as decimal(18, 2)) as varchar) || ' '
              || coalesce(i.currency, 'RUB') end
"""

_CLASSIFY = f"""
    with latest as (
        select s.* from snapshots s
        where s.channel_id in (
            select c.id from channels c join import_incoming i using (platform, handle)
        )
        qualify row_number() over (partition by s.channel_id order by s.measured_on desc, s.id desc) = 1
    ),
    listed as (
        select p.* from prices p
        where p.kind = 'listed' and p.format = 'post' and p.channel_id in (
            select c.id from channels c join import_incoming i using (platform, handle)
        )
        qualify row_number() over (partition by p.channel_id order by p.date desc, p.id desc) = 1
    ),
    joined as (
        select i.*, c.id as channel_id,
               case when c.id is null then []::varchar[] else
                   list_filter([{_CHANNEL_CHANGES}], lambda x: x is not null) end
                   as channel_changes,
               case when c.id is null then []::varchar[] else
                   list_filter([{_METRIC_CHANGES}], lambda x: x is not null) end
                   as metric_changes,
               case when c.id is null then []::varchar[] else
                   list_filter([{_PRICE_CHANGES}], lambda x: x is not null) end
                   as price_changes
        from import_incoming i
        left join channels c on c.platform = i.platform and c.handle = i.handle
        left join owners o on o.id = c.owner_id
        left join latest l on l.channel_id = c.id
        left join listed p on p.channel_id = c.id
    )
    select *,
           case when channel_id is null then 'new'
                when len(channel_changes) + len(metric_changes) + len(price_changes) > 0
                    then 'updated'
                else 'unchanged' end as status,
           array_to_string(list_concat(channel_changes, metric_changes, price_changes), '; ')
               as changes
    from joined
"""


def _classify(cur: duckdb.DuckDBPyConnection, rows: pl.DataFrame, table: str) -> None:
    """Create a temp table ``table`` of the rows with channel_id, status and changes."""
    cur.register("import_incoming", rows)
    try:
        cur.execute(f"create or replace temp table {quote_ident(table)} as {_CLASSIFY}")
    finally:
        cur.unregister("import_incoming")


def plan_channel_import(
    cur: duckdb.DuckDBPyConnection,
    table: RawTable,
    mapping: dict[str, str | None] | None = None,
    platform: str | None = None,
    *,
    kind: str | None = None,
    provenance: str = "manual",
    measured_on: dt.date | None = None,
) -> ImportPlan:
    """Normalise and validate a read file and classify each row as new/updated/unchanged/rejected.

    ``provenance`` says where the file's numbers come from; ``measured_on`` dates the rows that
    have no date of their own (else the import day).
    """
    if provenance not in PROVENANCES:
        raise ImportRefused(
            f"Provenance must be one of {', '.join(PROVENANCES)}, not “{provenance}”."
        )
    if measured_on is not None and measured_on > dt.date.today():
        raise ImportRefused("The measurement date cannot be in the future.")
    resolved = resolve_mapping(table.columns, mapping)
    targets = set(resolved.values())
    if not targets & {"handle", "url"}:
        raise ImportRefused(
            f"No column holds handles or links to channels. Columns found: "
            f"{', '.join(table.columns)}. Map one of them to “handle” or “url” "
            "(in the column mapping, or with --map COLUMN=handle)."
        )
    hints = infer_defaults(table.columns)
    try:
        chosen_platform = check_platform(platform) if platform else hints["platform"]
    except ValidationError as exc:
        raise ImportRefused(str(exc)) from None
    rows, rejected = _normalise(table, resolved, chosen_platform)
    if measured_on is not None:
        rows = rows.with_columns(pl.col("measured_on").fill_null(measured_on))
    rows, duplicates = _dedupe(rows)
    try:
        _classify(cur, rows, "import_preview")
        preview = cur.sql(
            """
            select line, status, platform, handle, title, followers, changes
            from import_preview order by line
            """
        ).pl()
        cur.execute("drop table if exists import_preview")
    except duckdb.Error as exc:
        raise CrmError(f"Cannot compare the file with the registry: {exc}") from exc
    rejects = [RejectedRow(line, reason) for line, reason in rejected.sort("line").iter_rows()]
    return ImportPlan(
        filename=table.filename,
        mapping=resolved,
        platform=chosen_platform,
        default_kind=kind or hints["kind"] or "person",
        rows=rows,
        preview=preview,
        rejects=rejects,
        duplicate_rows=duplicates,
        provenance=provenance,
    )


# ---------------------------------------------------------------- writing


def _write_owners(cur: duckdb.DuckDBPyConnection) -> None:
    # found by name case-insensitively (as registry.find_owner_by_name), else created
    cur.execute(
        """
        insert into owners (name)
        select min(owner) from import_rows
        where owner is not null
          and lower(owner) not in (select lower(name) from owners)
        group by lower(owner)
        """
    )


def _write_channels(cur: duckdb.DuckDBPyConnection, default_kind: str) -> None:
    prefixes = []
    params: list[Any] = []
    for platform in PLATFORMS:
        plain = canonical_url(platform, "\x00")
        nested = canonical_url(platform, "a/\x00")
        if not plain:
            continue
        head, tail = plain.split("\x00")
        nested_head = nested.split("\x00")[0][:-2]
        prefixes.append(
            "when ? then (case when i.handle like '%/%' then ? else ? end) || i.handle || ?"
        )
        params.extend([platform, nested_head, head, tail])
    cur.execute(
        f"""
        insert into channels (platform, handle, url, title, kind, owner_id, niches, country,
                              city, language, email, telegram, phone, tags, notes)
        select i.platform, i.handle,
               coalesce(i.url, case i.platform {" ".join(prefixes)} end),
               i.title, coalesce(i.kind, ?),
               (select min(o.id) from owners o where lower(o.name) = lower(i.owner)),
               coalesce(i.niches, []), i.country, i.city, i.language, i.email, i.telegram,
               i.phone, coalesce(i.tags, []), i.notes
        from import_rows i
        where i.status = 'new'
        order by i.line
        """,
        [*params, default_kind],
    )
    sets = ", ".join(
        f"{quote_ident(col)} = coalesce(i.{quote_ident(inc)}, c.{quote_ident(col)})"
        for col, inc in _CHANNEL_UPDATES
    )
    cur.execute(
        f"""
        update channels c
        set {sets},
            owner_id = coalesce(
                (select min(o.id) from owners o where lower(o.name) = lower(i.owner)), c.owner_id),
            version = c.version + 1, updated_at = current_timestamp
        from import_rows i
        where c.id = i.channel_id and i.status = 'updated' and len(i.channel_changes) > 0
        """
    )


def _write_snapshots(cur: duckdb.DuckDBPyConnection, provenance: str, source: str) -> None:
    cur.execute(
        """
        insert into snapshots (channel_id, measured_on, followers, avg_reach, avg_views,
                               avg_engagement, avg_likes, avg_comments, avg_shares,
                               provenance, source)
        select c.id, coalesce(i.measured_on, current_date), i.followers, i.avg_reach,
               i.avg_views, i.avg_engagement, i.avg_likes, i.avg_comments, i.avg_shares, ?, ?
        from import_rows i join channels c on c.platform = i.platform and c.handle = i.handle
        where coalesce(i.followers, i.avg_reach, i.avg_views, i.avg_engagement, i.avg_likes,
                       i.avg_comments, i.avg_shares) is not null
          and (i.status = 'new' or len(i.metric_changes) > 0)
        order by i.line
        """,
        [provenance, source],
    )


def _write_prices(cur: duckdb.DuckDBPyConnection, source: str) -> None:
    cur.execute(
        """
        insert into prices (channel_id, format, kind, amount, currency, date, source)
        select c.id, 'post', 'listed', cast(i.price as decimal(18, 2)),
               coalesce(i.currency, 'RUB'), coalesce(i.measured_on, current_date), ?
        from import_rows i join channels c on c.platform = i.platform and c.handle = i.handle
        where i.price is not null and (i.status = 'new' or len(i.price_changes) > 0)
        order by i.line
        """,
        [source],
    )


def apply_import(
    store: Store,
    plan: ImportPlan,
    source: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Write a planned import in one transaction (rows re-classified inside it); all or nothing."""
    source = source or f"import: {plan.filename}"
    step = progress or (lambda _fraction, _text: None)
    try:
        return _apply(store, plan, source, step)
    except duckdb.Error as exc:
        raise CrmError(f"The import failed and nothing was written: {exc}") from exc


def _apply(
    store: Store, plan: ImportPlan, source: str, step: Callable[[float, str], None]
) -> ImportResult:
    with store.transaction() as cur:
        step(0.1, "Comparing with the registry")
        _classify(cur, plan.rows, "import_rows")
        step(0.3, "Writing owners")
        _write_owners(cur)
        step(0.4, "Writing channels")
        _write_channels(cur, plan.default_kind)
        step(0.7, "Writing metric snapshots")
        _write_snapshots(cur, plan.provenance, source)
        step(0.85, "Writing prices")
        _write_prices(cur, source)
        counts = dict(
            cur.execute("select status, count(*) from import_rows group by status").fetchall()
        )
        cur.execute("drop table import_rows")
    step(1.0, "Done")
    return ImportResult(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        rejected=len(plan.rejects),
        duplicates=len(plan.duplicate_rows),
        rejects=list(plan.rejects),
        duplicate_rows=list(plan.duplicate_rows),
        dry_run=False,
    )


def import_channels_file(
    store: Store,
    path: str | Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    provenance: str = "manual",
    measured_on: dt.date | None = None,
    report: str | Path | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX file of channels (upsert on platform + handle); refuses unreadable files.

    With ``report``, the rejected rows (line, reason and their cells) are written there as CSV.
    """
    file = Path(path)
    if report is not None and not Path(report).resolve().parent.is_dir():
        raise ImportRefused(f"Cannot write the report {report}: its folder does not exist.")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"Cannot read {file}: {exc.strerror or exc}.") from None
    table = read_table(data, file.name)
    plan = plan_channel_import(
        store.cursor(), table, mapping, platform, provenance=provenance, measured_on=measured_on
    )
    result = plan.result(dry_run=True) if dry_run else apply_import(store, plan)
    if report is not None:
        try:
            Path(report).write_bytes(rejects_csv(result, table))
        except OSError as exc:
            raise CrmError(f"Cannot write the report {report}: {exc.strerror or exc}.") from None
    return result


def rejects_csv(result: ImportResult | ImportPlan, table: RawTable | None = None) -> bytes:
    """The rejected rows as a UTF-8 CSV report with a BOM (so Excel reads it): line, reason and,
    when the file's table is given, the row's own cells so it can be fixed and imported again."""
    report = pl.DataFrame(
        {
            "line": [r.line for r in result.rejects],
            "reason": [r.reason for r in result.rejects],
        },
        schema={"line": pl.Int64, "reason": pl.String},
    )
    if table is not None:
        cells = table.frame.with_columns(pl.col(LINE).cast(pl.Int64))
        # a file column named like the report's own columns keeps its cells under a new name
        cells = cells.rename({c: f"{c} (file)" for c in table.columns if c in ("line", "reason")})
        report = report.join(cells, left_on="line", right_on=LINE, how="left")
    buffer = io.BytesIO()
    buffer.write(b"\xef\xbb\xbf")
    report.write_csv(buffer)
    return buffer.getvalue()
