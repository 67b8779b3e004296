"""One normaliser per field type: a text column in, (clean values, reason per refused value) out.

Every rule about what a field may hold lives here once. Imports run the normalisers over whole
columns; forms and the CLI run the same function on a one-element column (``check_value``), so
a value a form refuses is refused by an import with the same reason, and the other way round.
A reason names the field as it is called in the caller (``name``), e.g. "followers “abc” is not
a number"; a blank cell is null in both outputs.

Some things are decided once per column, not per value: whether a rate column holds ratios or
percents, the day/month order of its dates. A ``Reading`` carries the user's choices in (the
date order) and the decisions and notes out, for the import's preview to show.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

import polars as pl

from crm.errors import ValidationError
from crm.parsing.dates import (
    ORDER_WORDS,
    DateOrder,
    date_text,
    day_month_order,
    parse_date_column,
    read_as,
)
from crm.parsing.numbers import (
    MONEY_PRECISION,
    MONEY_SCALE,
    abbreviated_amounts,
    decimal_column,
    number_text,
    parse_number_column,
)
from crm.parsing.text import shortened
from crm.vocab.currencies import CURRENCY_ALIASES
from crm.vocab.distinct import per_distinct
from crm.vocab.geo import normalise_country_column, normalise_language_column
from crm.vocab.niches import normalise_niche_column
from crm.vocab.platforms import channel_key_frame, handle_column, platform_column
from crm.vocab.terms import (
    CONTENT_TYPE_ALIASES,
    CONTENT_TYPES,
    FORMAT_ALIASES,
    FORMATS,
    KIND_ALIASES,
    KINDS,
    PRICE_KIND_ALIASES,
    PRICE_KINDS,
    PROVENANCES,
)

Normalised = tuple[pl.Series, pl.Series]
RateUnit = Literal["ratio", "percent"]


@dataclass
class Reading:
    """What the caller tells the normalisers about a file, and what they decided per column.

    One per import (a form's single value gets a fresh one); keyed by the name the normaliser
    is given (the field name in imports)."""

    date_order: DateOrder | None = None  # the user's choice where a column's dates read both ways
    notes: list[str] = field(default_factory=list)  # how columns were read: said in the preview
    units: dict[str, RateUnit] = field(default_factory=dict)  # rate columns: ratios or percents
    date_orders: dict[str, DateOrder] = field(default_factory=dict)  # dates with / or -
    ambiguous: list[str] = field(default_factory=list)  # dates that read both ways, no choice
    both_ways: dict[str, str] = field(default_factory=dict)  # an example of each of those
    # amounts may be written with тыс, K or млн (a price list's ``1,5 тыс``); else in full
    abbreviated: bool = False


class Normaliser(Protocol):
    """A field type's normaliser: (values, name[, reading]) → (clean values, reasons)."""

    def __call__(
        self, values: pl.Series, name: str, reading: Reading | None = None, /
    ) -> Normalised: ...


# what a column of this type holds, for tables and charts (st.column_config without streamlit)
ValueKind = Literal["count", "number", "ratio", "money", "date", "text", "list", "link"]

FUTURE_GRACE = dt.timedelta(days=1)  # a date "today" in a time zone ahead of ours is not future


def refusal(values: pl.Series, mask: pl.Series, template: str) -> pl.Series:
    """Messages for the rows where ``mask`` holds; ``{v}`` in the template is the row's value,
    cut to a readable length."""
    head, _, tail = template.partition("{v}")
    frame = pl.DataFrame({"v": values.cast(pl.String), "mask": mask.fill_null(False)})
    text = (
        pl.lit(head) + shortened(pl.col("v")) + pl.lit(tail)
        if "{v}" in template
        else pl.lit(template)
    )
    return frame.select(pl.when(pl.col("mask")).then(text)).to_series().alias(values.name)


def _text(values: pl.Series) -> pl.Series:
    text = values.cast(pl.String).str.strip_chars()
    return pl.select(pl.when(text != "").then(text)).to_series().alias(values.name)


def _no_reason(values: pl.Series) -> pl.Series:
    return pl.Series(values.name, [], pl.String).extend_constant(None, values.len())


# ---------------------------------------------------------------- text and lists


def normalise_text(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """Free text: stripped; blank is null."""
    return _text(values), _no_reason(values)


LIST_SEPARATORS = r"[;,|]"


Canonical = Callable[[pl.Series], pl.Series]


def _clean_items(items: pl.Series, canonical: Canonical | None = None) -> pl.Series:
    # the items of each list stripped (and put in their vocabulary's words), without blanks or
    # case-insensitive repeats; none: null
    frame = pl.DataFrame({"items": items}).with_row_index("row")
    exploded = frame.explode("items")
    item = exploded["items"].str.strip_chars()
    if canonical is not None:
        item = canonical(item)
    kept = (
        exploded.with_columns(item=item)
        .filter(
            (pl.col("item").str.len_chars() > 0)
            & pl.col("item").str.to_lowercase().is_first_distinct().over("row")
        )
        .group_by("row", maintain_order=True)
        .agg("item")
    )
    joined = frame.select("row").join(kept, on="row", how="left", maintain_order="left")
    return joined["item"]


def _items(values: pl.Series, canonical: Canonical | None = None) -> pl.Series:
    if values.dtype == pl.List(pl.String):
        return _clean_items(values, canonical).alias(values.name)
    # files repeat the same few niches: each distinct text is split once
    text = values.cast(pl.String)
    distinct = text.unique().drop_nulls()
    items = _clean_items(distinct.str.replace_all(LIST_SEPARATORS, ",").str.split(","), canonical)
    lookup = pl.DataFrame({"text": distinct, "items": items})
    out = pl.DataFrame({"text": text}).join(lookup, on="text", how="left", maintain_order="left")
    return out["items"].alias(values.name)


def normalise_list(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """Tags: text split on ``;``, ``,`` or ``|`` (a list is taken item by item), stripped,
    without blanks or repeats (the first spelling wins, case-insensitively); no items is null."""
    return _items(values), _no_reason(values)


def normalise_niches(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """Niches: a list (as ``normalise_list``) whose items are put in the one vocabulary of
    crm.vocab.niches (Финансы, Finance & Economics → finance); unknown ones kept as typed."""
    return _items(values, normalise_niche_column), _no_reason(values)


# ---------------------------------------------------------------- numbers


def _numbers(values: pl.Series, name: str) -> tuple[pl.Series, list[pl.Series]]:
    raw = values.cast(pl.String)
    numbers, invalid = parse_number_column(raw)
    reasons = [
        refusal(raw, invalid, f"{name} “{{v}}” is not a number"),
        refusal(raw, numbers < 0, f"{name} cannot be negative"),
    ]
    return numbers, reasons


def _first(reasons: list[pl.Series], name: str) -> pl.Series:
    return pl.select(pl.coalesce(reasons)).to_series().alias(name)


# The bounds of numbers are those of the database's types (migrations/001_registry.sql):
# counts are BIGINT, read through a double (so 2⁶³ − 1 itself reads as 2⁶³, too large); measures
# are DOUBLE (any finite number); money is DECIMAL(18, 2) (crm.parsing.numbers.decimal_column).
_MAX_COUNT = 2.0**63


def normalise_count(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A non-negative whole number (followers, views): human forms like ``409.8M`` allowed,
    rounded to the nearest whole; at most what a BIGINT holds."""
    numbers, reasons = _numbers(values, name)
    reasons.append(refusal(values, numbers >= _MAX_COUNT, f"{name} “{{v}}” is too large"))
    reason = _first(reasons, values.name)
    fits = pl.select(pl.when(reason.is_null()).then(numbers)).to_series()
    return fits.round(0).cast(pl.Int64).alias(values.name), reason


def normalise_measure(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A non-negative number that need not be whole (average reach, engagement)."""
    numbers, reasons = _numbers(values, name)
    reason = _first(reasons, values.name)
    return pl.select(pl.when(reason.is_null()).then(numbers)).to_series(), reason


def _rate_unit(numbers: pl.Series, has_percent: pl.Series) -> RateUnit | None:
    """Whether a rate column's bare values (without %) are ratios or percents, decided once
    for the column: ratios when every value is at most 1 and none has a % sign, else percents
    (a value with % is always a percent). None: no bare value to decide for."""
    bare = numbers.filter(~has_percent & numbers.is_not_null())
    if bare.len() == 0:
        return None
    if has_percent.any() or bool((bare > 1).any()):
        return "percent"
    return "ratio"


_UNIT_NOTES = {
    "ratio": "read as ratios (0.034 means 3.4 %), since every value is at most 1 and none has %",
    "percent": "read as percents (3.4 means 3.4 %), since a value is above 1 or has %",
}


def normalise_ratio(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A rate such as ER, as a ratio (0.034 for 3.4 %): ``3.4%`` is always a percent; the
    column's bare values are ratios or percents as ``_rate_unit`` decides for the whole column,
    so ``0.5`` and ``3.4`` in one column are 0.5 % and 3.4 %."""
    raw = values.cast(pl.String)
    numbers, reasons = _numbers(raw, name)
    reason = _first(reasons, values.name)
    has_percent = raw.str.contains("%", literal=True).fill_null(False)
    unit = _rate_unit(numbers, has_percent)
    if unit == "percent":
        # the bare values read again as "3.4%": the decimal point moved, not a float divided
        bare = (~has_percent & numbers.is_not_null()).arg_true()
        percents, _ = parse_number_column(raw.gather(bare) + "%")
        numbers = numbers.scatter(bare, percents)
    if reading is not None and unit is not None:
        reading.units[name] = unit
        reading.notes.append(f"{name}: {_UNIT_NOTES[unit]}")
    elif reading is not None and bool(has_percent.any()):
        reading.units[name] = "percent"
    clean = pl.select(pl.when(reason.is_null()).then(numbers)).to_series()
    return clean.alias(values.name), reason


CURRENCY_SIGNS = r"(?i)\s*(₽|руб\.?|р\.|rub|rur|\$|usd|€|eur|₸|kzt)\s*"


def currency_sign(values: pl.Series) -> pl.Series:
    """The currency written inside an amount (``5 000 ₽``, ``$70``), else null."""
    return values.cast(pl.String).str.extract(CURRENCY_SIGNS, 1).alias(values.name)


# why an amount written with a suffix is refused: where тыс, K and млн are read (a price list)
# only a percent is left, and the reason must not tell the user to avoid what is accepted
_SUFFIXED = {
    False: "{name} “{{v}}” is not an amount: write it in full, without %, K or млн",
    True: "{name} “{{v}}” is a percent, not an amount: write the price itself "
    "(1,5 тыс, 15K and 1,2 млн are read as 1500, 15000 and 1200000)",
}


def normalise_money(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """An amount of money as Decimal(18, 2), never negative, from its digits (never a float).

    A currency sign in the cell (``5 000 ₽``) is left out here and read by ``currency_sign``;
    ``15%`` is refused, and so are ``15K`` or ``1,2 млн`` unless the reading takes
    abbreviated amounts (a price list); more than 2 decimals are rounded half up to cents,
    and the reading says so."""
    text = _text(values)
    raw = values.cast(pl.String).str.replace_all(CURRENCY_SIGNS, "")
    abbreviated = reading is not None and reading.abbreviated
    if abbreviated:
        raw = abbreviated_amounts(raw)  # only a percent is left with a suffix
    money = decimal_column(raw)
    reason = _first(
        [
            refusal(text, money.invalid, f"{name} “{{v}}” is not a number"),
            refusal(text, money.suffixed, _SUFFIXED[abbreviated].format(name=name)),
            refusal(text, money.too_large, f"{name} “{{v}}” is too large"),
            refusal(text, money.values < 0, f"{name} cannot be negative"),
        ],
        values.name,
    )
    clean = pl.select(pl.when(reason.is_null()).then(money.values)).to_series()
    rounded = money.rounded & clean.is_not_null()
    if reading is not None and bool(rounded.any()):
        n = int(rounded.sum())
        first = int(rounded.arg_true()[0])
        amounts, have, are = ("amount", "has", "is") if n == 1 else ("amounts", "have", "are")
        reading.notes.append(
            f"{name}: {n} {amounts} {have} more than {MONEY_SCALE} decimals and {are} rounded "
            f"half up to cents ({text[first]} → {clean[first]})."
        )
    return clean, reason


def normalise_currency(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A currency as its ISO code: ``usd``, ``$``, ``руб.`` → USD, USD, RUB."""
    text = _text(values)

    def codes(text: pl.Series) -> pl.Series:
        key = text.str.to_lowercase()
        alias = key.replace_strict(
            list(CURRENCY_ALIASES),
            list(CURRENCY_ALIASES.values()),
            default=None,
            return_dtype=pl.String,
        )
        iso = pl.when(key.str.contains(r"^[a-z]{3}$")).then(key.str.to_uppercase())
        return pl.select(pl.coalesce(alias, iso)).to_series()

    code = per_distinct(text, codes)  # a file repeats a few currencies on every row
    reason = refusal(
        text, code.is_null() & text.is_not_null(), f"{name} “{{v}}” is not a currency code"
    )
    return code.alias(values.name), reason


# ---------------------------------------------------------------- dates


def normalise_date(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A calendar date: ``2024-03-01``, ``01.03.2024``, ``01/03/2024``, ``01.03.24``.

    The day/month order of dates written with slashes or dashes is decided once per column
    (crm.parsing.dates.day_month_order): by a value that reads one way only, else by the
    reading's ``date_order``; a column nothing settles is read day first and listed in the
    reading's ``ambiguous`` (an import then needs the user's choice)."""
    text = _text(values)
    found = day_month_order(text)
    chosen = reading.date_order if reading is not None else None
    order: DateOrder = found.order or chosen or "dmy"
    if reading is not None:
        if found.order is not None:
            reading.date_orders[name] = found.order
            note = f"{name}: {ORDER_WORDS[found.order]} ({found.settled_by} settles it)"
            if chosen is not None and chosen != found.order:
                note += f"; the {ORDER_WORDS[chosen].replace(' ', '-')} order chosen is not used"
            reading.notes.append(note)
        elif found.both_ways is not None and chosen is not None:
            reading.date_orders[name] = chosen
            reading.notes.append(
                f"{name}: {ORDER_WORDS[chosen]}, as chosen "
                f"({found.both_ways} is {read_as(found.both_ways, chosen)})"
            )
        elif found.both_ways is not None:
            reading.ambiguous.append(name)
            reading.both_ways[name] = found.both_ways
    days, invalid = parse_date_column(text, order)
    return days, refusal(text, invalid, f"{name} “{{v}}” is not a date")


# the earliest date a measurement can carry: "0001-01-01" is an empty date cell, not a day
EARLIEST_MEASUREMENT = dt.date(1990, 1, 1)


def future_dates(days: pl.Series, raw: pl.Series, name: str) -> pl.Series:
    """Reasons for the dates no measurement can carry: ahead of today, or before 1990."""
    text = _text(raw)
    future = days > dt.date.today() + FUTURE_GRACE
    early = days < EARLIEST_MEASUREMENT
    return pl.select(
        pl.coalesce(
            refusal(text, future, f"{name} “{{v}}” is in the future"),
            refusal(
                text,
                early,
                f"{name} “{{v}}” is before {EARLIEST_MEASUREMENT.year}: not a measurement date",
            ),
        )
    ).to_series()


# ---------------------------------------------------------------- contacts and links

_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_PHONE = r"^\+?[\d\s()\-]{5,20}$"
_TELEGRAM_PREFIX = r"^(https?://)?(t\.me|telegram\.me)/"
_WEB = r"(?i)^https?://([^/?#@]*@)?[^/?#:@\s]*\.[^/?#:@\s]*(:\d*)?([/?#].*)?$"


def normalise_email(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A plausible e-mail address, in lower case."""
    text = _text(values)
    bad = ~text.str.contains(_EMAIL)
    clean = pl.select(pl.when(~bad).then(text.str.to_lowercase())).to_series()
    return clean.alias(values.name), refusal(text, bad, "“{v}” is not a valid e-mail address")


def normalise_phone(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A phone number of digits, spaces, brackets and dashes, with an optional leading +."""
    text = _text(values)
    bad = ~text.str.contains(_PHONE)
    clean = pl.select(pl.when(~bad).then(text)).to_series()
    return clean.alias(values.name), refusal(text, bad, "“{v}” is not a valid phone number")


def normalise_telegram(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A Telegram username (``@name``, ``name`` or ``t.me/name``), kept as ``@name``."""
    text = _text(values)
    user = text.str.replace(_TELEGRAM_PREFIX, "").str.strip_chars_start("@").str.strip_chars("/")
    bad = ~user.str.contains(r"^[A-Za-z0-9_]{4,64}$")
    clean = pl.select(pl.when(~bad).then(pl.lit("@") + user)).to_series()
    return clean.alias(values.name), refusal(text, bad, "“{v}” is not a valid Telegram username")


def normalise_link(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A web address (http or https, with a host that has a dot); ``https://`` is added when
    the scheme is left out."""
    text = _text(values)
    candidate = pl.select(
        pl.when(text.str.contains("://", literal=True))
        .then(text)
        .otherwise(pl.lit("https://") + text)
    ).to_series()
    bad = ~candidate.str.contains(_WEB)
    clean = pl.select(pl.when(~bad).then(candidate)).to_series()
    return clean.alias(values.name), refusal(text, bad, "“{v}” is not a valid web address")


# ---------------------------------------------------------------- vocabularies


def normalise_platform(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A platform code (``vk``, ``telegram`` …) from its name as people type it."""
    text = _text(values)
    code = platform_column(text)
    return code, refusal(text, code.is_null() & text.is_not_null(), f"{name} “{{v}}” is unknown")


def normalise_handle(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A channel's handle: lower case, without ``@`` or surrounding slashes."""
    clean, bad = handle_column(values.cast(pl.String))
    return clean, refusal(_text(values), bad, "“{v}” is not a valid handle")


def normalise_channel(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A channel named as ``PLATFORM:HANDLE`` or by a link, as ``platform:handle``."""
    frame = channel_key_frame(_text(values))
    key = frame.select(pl.col("platform") + ":" + pl.col("handle")).to_series()
    return key.alias(values.name), frame["error"].alias(values.name)


def _choice(values: pl.Series, aliases: Mapping[str, str], template: str) -> Normalised:
    text = _text(values)

    def codes(text: pl.Series) -> pl.Series:
        key = text.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
        return key.replace_strict(
            list(aliases), list(aliases.values()), default=None, return_dtype=pl.String
        )

    code = per_distinct(text, codes)  # a file repeats a few words on every row
    return code.alias(values.name), refusal(text, code.is_null() & text.is_not_null(), template)


def normalise_kind(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A channel's kind: ``person`` or ``public_page`` (blogger, паблик, community …)."""
    return _choice(values, KIND_ALIASES, f"{name} “{{v}}” is not person or public_page")


def normalise_format(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """An ad format (DESIGN.md vocabulary): post, story, reel, 1/24 …"""
    return _choice(values, FORMAT_ALIASES, f"{name} “{{v}}” is not one of {', '.join(FORMATS)}")


def normalise_content_type(
    values: pl.Series, name: str, reading: Reading | None = None
) -> Normalised:
    """What a placement's content is (DESIGN.md vocabulary): review, humor, giveaway …"""
    return _choice(
        values, CONTENT_TYPE_ALIASES, f"{name} “{{v}}” is not one of {', '.join(CONTENT_TYPES)}"
    )


def normalise_price_kind(
    values: pl.Series, name: str, reading: Reading | None = None
) -> Normalised:
    """What a price is: listed, quoted, agreed or paid."""
    return _choice(
        values, PRICE_KIND_ALIASES, f"{name} “{{v}}” is not one of {', '.join(PRICE_KINDS)}"
    )


def normalise_provenance(
    values: pl.Series, name: str, reading: Reading | None = None
) -> Normalised:
    """Where a measured number comes from (DESIGN.md vocabulary)."""
    aliases = {p: p for p in PROVENANCES}
    return _choice(values, aliases, f"{name} “{{v}}” is not one of {', '.join(PROVENANCES)}")


def normalise_country(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A country by its English name (Россия, РФ → Russia); unknown names kept as typed."""
    return normalise_country_column(_text(values)), _no_reason(values)


def normalise_language(values: pl.Series, name: str, reading: Reading | None = None) -> Normalised:
    """A language by its ISO 639-1 code (русский → ru); unknown names kept as typed."""
    return normalise_language_column(_text(values)), _no_reason(values)


# ---------------------------------------------------------------- the registry of types


@dataclass(frozen=True)
class TypeSpec:
    """A field type: its normaliser, the polars type of clean values and what they are."""

    name: str
    normalise: Normaliser
    dtype: pl.DataType
    value_kind: ValueKind
    choices: tuple[str, ...] = ()  # the codes of a closed vocabulary
    # the database type of a stored number or date, whose bounds the normaliser keeps to
    db_type: str = ""

    def nulls(self, n: int, name: str = "") -> pl.Series:
        """A column of ``n`` missing values of this type."""
        return pl.Series(name, [], self.dtype).extend_constant(None, n)


TYPES: dict[str, TypeSpec] = {
    t.name: t
    for t in (
        TypeSpec("text", normalise_text, pl.String(), "text"),
        TypeSpec("list", normalise_list, pl.List(pl.String), "list"),
        TypeSpec("niche", normalise_niches, pl.List(pl.String), "list"),
        TypeSpec("count", normalise_count, pl.Int64(), "count", db_type="BIGINT"),
        TypeSpec("measure", normalise_measure, pl.Float64(), "number", db_type="DOUBLE"),
        TypeSpec("ratio", normalise_ratio, pl.Float64(), "ratio"),
        TypeSpec(
            "money",
            normalise_money,
            pl.Decimal(MONEY_PRECISION, MONEY_SCALE),
            "money",
            db_type=f"DECIMAL({MONEY_PRECISION},{MONEY_SCALE})",
        ),
        TypeSpec("currency", normalise_currency, pl.String(), "text"),
        TypeSpec("date", normalise_date, pl.Date(), "date", db_type="DATE"),
        TypeSpec("link", normalise_link, pl.String(), "link"),
        TypeSpec("email", normalise_email, pl.String(), "text"),
        TypeSpec("telegram", normalise_telegram, pl.String(), "text"),
        TypeSpec("phone", normalise_phone, pl.String(), "text"),
        TypeSpec("platform", normalise_platform, pl.String(), "text"),
        TypeSpec("handle", normalise_handle, pl.String(), "text"),
        TypeSpec("channel", normalise_channel, pl.String(), "text"),
        TypeSpec("kind", normalise_kind, pl.String(), "text", KINDS),
        TypeSpec("format", normalise_format, pl.String(), "text", FORMATS),
        TypeSpec("price_kind", normalise_price_kind, pl.String(), "text", PRICE_KINDS),
        TypeSpec("content_type", normalise_content_type, pl.String(), "text", CONTENT_TYPES),
        TypeSpec("provenance", normalise_provenance, pl.String(), "text", PROVENANCES),
        TypeSpec("country", normalise_country, pl.String(), "text"),
        TypeSpec("language", normalise_language, pl.String(), "text"),
    )
}
FieldType = Literal[
    "text", "list", "niche", "count", "measure", "ratio", "money", "currency", "date", "link",
    "email", "telegram", "phone", "platform", "handle", "channel", "kind", "format", "price_kind",
    "content_type", "provenance", "country", "language",
]  # fmt: skip


def value_text(value: object) -> str | None:
    """A form's value (text, number, date) as the text a normaliser reads; None for blank."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float | Decimal):
        return number_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    return str(value)


def value_column(type_name: str, value: object) -> pl.Series:
    """One form value as the one-element column the type's normaliser takes."""
    if type_name in ("list", "niche") and isinstance(value, list | tuple | set):
        items = [str(v) for v in value if v is not None]
        return pl.Series("value", [items], pl.List(pl.String))
    return pl.Series("value", [value_text(value)], pl.String)


def check_value(type_name: str, value: object, name: str) -> Any:
    """One value through its type's normaliser: the clean value (None for blank), or a
    ValidationError with the reason as a sentence."""
    clean, reason = TYPES[type_name].normalise(value_column(type_name, value), name)
    if reason[0] is not None:
        raise ValidationError(sentence(str(reason[0])))
    item = clean[0]
    return item.to_list() if isinstance(item, pl.Series) else item


def sentence(reason: str) -> str:
    """A reason as a sentence: capital first letter, full stop."""
    text = reason[:1].upper() + reason[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
