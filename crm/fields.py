"""One field specification per entity: drives imports, form checks, exports and tables.

A ``Field`` holds everything known about one field: its DESIGN.md name (the import mapping
target, the export column and what ``--map SRC=DST`` takes), its type (which fixes the one
normaliser of crm.parsing.types that checks it everywhere), its label and help for people,
the English and Russian column names files use for it, and where its value is stored. An
``Entity`` is the fields of one kind of record with lookups over them. Plain data: nothing
here imports streamlit, and ``column_config`` gives what a table needs to build its columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from crm.errors import ValidationError
from crm.parsing.types import (
    TYPES,
    FieldType,
    Normalised,
    Reading,
    TypeSpec,
    ValueKind,
    future_dates,
    sentence,
    value_column,
)


@dataclass(frozen=True)
class ColumnMeta:
    """What a table needs to show a field's column: label, help, kind of value, formula key."""

    label: str
    help: str
    kind: ValueKind
    formula: str = ""  # a key of crm.metrics.FORMULAS (METRICS.md) when the value is a metric


@dataclass(frozen=True)
class Field:
    """One field: name, type, label, help, synonyms, storage and export."""

    name: str  # DESIGN.md field name: import mapping target and export column
    type: FieldType
    label: str
    help: str = ""
    synonyms_en: tuple[str, ...] = ()  # header names as crm.importing.mapping normalises them
    synonyms_ru: tuple[str, ...] = ()
    column: str = ""  # the database column, when it differs from the name
    table: str = ""  # the table the value is stored in; "" for computed or import-only values
    export: bool | str = True  # exported under its name, under this name, or not at all
    importable: bool = True  # a file column may be mapped to it
    editable: bool = False  # a form may change it
    required: str = ""  # the refusal when it is left blank ("An owner needs a name.")
    several: bool = False  # several file columns may feed it ("Category_1", "Category_2")
    not_future: bool = False  # a measurement's date: never ahead of today, never before 1990
    default: Any = None  # the value of a blank form field
    currency: str = ""  # money: the field that holds its currency
    formula: str = ""  # a key of crm.metrics.FORMULAS when the field is a metric

    @property
    def spec(self) -> TypeSpec:
        """The field's type: its normaliser and the polars type of its clean values."""
        return TYPES[self.type]

    @property
    def db_column(self) -> str:
        """The column the value is stored in."""
        return self.column or self.name

    @property
    def export_name(self) -> str | None:
        """The export column name, or None when the field is not exported."""
        if self.export is True:
            return self.name
        return self.export or None

    @property
    def synonyms(self) -> tuple[str, ...]:
        """Every header name that means this field, English first."""
        return (*self.synonyms_en, *self.synonyms_ru)

    @property
    def short_label(self) -> str:
        """The label without its explanation in brackets ("ER", not "ER (engagement / …)")."""
        return self.label.split(" (", 1)[0]

    def meta(self) -> ColumnMeta:
        """The column metadata of a table showing this field."""
        return ColumnMeta(self.label, self.help, self.spec.value_kind, self.formula)

    def normalise(
        self, values: pl.Series, name: str | None = None, reading: Reading | None = None
    ) -> Normalised:
        """Clean a text column: (values of the field's type, reason per refused value).

        ``name`` is how reasons call the field (the field name by default, as imports do);
        ``reading`` carries an import's choices in and the column's decisions out."""
        called = name or self.name
        clean, reason = self.spec.normalise(values, called, reading)
        if self.not_future:
            future = future_dates(clean, values, called)
            reason = pl.select(pl.coalesce(reason, future)).to_series()
            clean = pl.select(pl.when(reason.is_null()).then(clean)).to_series()
        return clean.alias(values.name), reason.alias(values.name)

    def check(self, value: object) -> Any:
        """One value a person entered, cleaned by the same rule imports use; refuses with a
        sentence naming the field by its label."""
        column = value_column(self.type, value)
        clean, reason = self.normalise(column, self.short_label)
        refused = reason[0]
        if refused is not None:
            if self.spec.choices:
                raise ValidationError(
                    f"{self.short_label} must be one of {', '.join(self.spec.choices)}, "
                    f"not “{value}”."
                )
            raise ValidationError(sentence(str(refused)))
        item = clean[0]
        if isinstance(item, pl.Series):
            item = item.to_list()
        if item is None:
            if self.required:
                raise ValidationError(self.required)
            return self.default() if callable(self.default) else self.default
        return item


@dataclass(frozen=True)
class Entity:
    """The fields of one kind of record, in export order, with lookups."""

    name: str  # "channels": the table, the export and the import kind
    record: str  # one of them in messages: "channel"
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # the fields that identify a record
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)
    _by_column: dict[str, Field] = field(init=False, repr=False, compare=False)
    _by_header: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {f.name: f for f in self.fields}
        if len(by_name) != len(self.fields):
            raise ValueError(f"{self.name}: two fields share a name")
        by_header: dict[str, Field] = {}
        for f in self.fields:
            if not f.importable:
                continue
            for key in (f.name.replace("_", " "), *f.synonyms):
                by_header.setdefault(key, f)
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_column", {f.db_column: f for f in self.fields})
        object.__setattr__(self, "_by_header", by_header)

    def by_name(self, name: str) -> Field:
        """The field with this DESIGN.md name."""
        return self._by_name[name]

    def by_column(self, column: str) -> Field:
        """The field stored in this database column (``niches`` → the ``niche`` field)."""
        return self._by_column[column]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def for_header(self, key: str) -> Field | None:
        """The field a normalised header name means (an English or Russian synonym)."""
        return self._by_header.get(key)

    def export_columns(self) -> tuple[str, ...]:
        """The export's column names, in order."""
        return tuple(n for f in self.fields if (n := f.export_name))

    def import_targets(self) -> tuple[str, ...]:
        """The fields a file column may be mapped to, in order."""
        return tuple(f.name for f in self.fields if f.importable)

    def labels(self) -> dict[str, str]:
        """Every field's label by name."""
        return {f.name: f.label for f in self.fields}

    def column_config(self) -> dict[str, ColumnMeta]:
        """Label, help and kind of value of every exported column, by export name."""
        return {n: f.meta() for f in self.fields if (n := f.export_name)}

    def stored_in(self, table: str) -> tuple[Field, ...]:
        """The fields whose values are stored in this table."""
        return tuple(f for f in self.fields if f.table == table)

    def clean(self, values: Mapping[str, object], names: Iterable[str]) -> dict[str, Any]:
        """Form values (keyed by database column) cleaned field by field; refuses a column
        outside ``names`` (the editable ones)."""
        allowed = set(names)
        out: dict[str, Any] = {}
        for column, value in values.items():
            if column not in allowed or column not in self._by_column:
                raise ValidationError(
                    f"“{column}” is not a field of {self.name} that can be edited."
                )
            out[column] = self._by_column[column].check(value)
        return out


def _today() -> dt.date:
    return dt.date.today()


# ---------------------------------------------------------------- channels

_IDENTITY = (
    Field(
        "platform",
        "platform",
        "Platform",
        "vk, ok, telegram, instagram, youtube, tiktok, dzen, rutube, x, facebook, twitch, other",
        ("platform", "network", "social network"),
        ("площадка", "соцсеть", "соц сеть", "социальная сеть", "сеть", "платформа"),
        table="channels",
    ),
    Field(
        "handle",
        "handle",
        "Handle (username)",
        "The account's name on its platform: lower case, without @ or the link",
        (
            "handle",
            "username",
            "user name",
            "login",
            "nickname",
            "account",
            "screen name",
            "channel id",
            "page id",
            "user id",
        ),
        ("ник", "никнейм", "аккаунт", "логин", "имя пользователя", "юзернейм"),
        table="channels",
        required="A channel needs a handle.",
    ),  # fmt: skip
    Field(
        "url",
        "link",
        "Link to the channel",
        "A link names the platform and the handle at once",
        (
            "url",
            "link",
            "profile url",
            "channel url",
            "page url",
            "profile link",
            "channel link",
            "profile",
        ),
        (
            "ссылка",
            "ссылка на канал",
            "ссылка на профиль",
            "ссылка на паблик",
            "адрес",
            "профиль",
        ),
        table="channels",
        editable=True,
    ),  # fmt: skip
)
_PROFILE = (
    Field(
        "title",
        "text",
        "Title (display name)",
        "The name the channel shows",
        ("title", "name", "page name", "channel name", "display name", "full name"),
        (
            "название",
            "наименование",
            "имя",
            "название канала",
            "название паблика",
            "название группы",
        ),
        table="channels",
        editable=True,
    ),  # fmt: skip
    Field(
        "kind",
        "kind",
        "Kind (person / public page)",
        "person: a blogger's own account; public_page: a community or public page",
        ("kind", "type", "channel type"),
        ("тип", "вид", "тип канала", "тип площадки"),
        table="channels",
        editable=True,
        default="person",
    ),
    Field(
        "owner",
        "text",
        "Owner",
        "The person or admin you negotiate with (found by name, else added)",
        ("owner", "admin", "owner name"),
        ("владелец", "админ", "администратор"),
        table="owners",
    ),
    Field(
        "niche",
        "niche",
        "Niche",
        "What the channel is about; several allowed. Kept in one English vocabulary "
        "(Финансы, Finance & Economics → finance); other niches as typed",
        ("niche", "category", "topic", "categories", "page type", "niches"),
        ("ниша", "категория", "тематика", "тема", "категории", "ниши"),
        column="niches",
        table="channels",
        editable=True,
        several=True,
        default=list,
    ),
    Field(
        "country",
        "country",
        "Country",
        "The audience's main country",
        ("country", "audience country", "geo"),
        ("страна", "гео", "страна аудитории"),
        table="channels",
        editable=True,
    ),
    Field("city", "text", "City", "", ("city",), ("город",), table="channels", editable=True),
    Field(
        "language",
        "language",
        "Language",
        "ISO 639-1 code (ru, en, kk …)",
        ("language", "lang"),
        ("язык",),
        table="channels",
        editable=True,
    ),
    Field(
        "email",
        "email",
        "E-mail",
        "",
        ("email", "e mail", "mail"),
        ("почта", "электронная почта", "емейл", "имейл"),
        table="channels",
        editable=True,
    ),
    Field(
        "telegram",
        "telegram",
        "Telegram contact",
        "@username of the person to write to",
        ("telegram", "tg"),
        ("телеграм", "телеграмм", "контакт telegram"),
        table="channels",
        editable=True,
    ),
    Field(
        "phone",
        "phone",
        "Phone",
        "",
        ("phone", "phone number", "mobile"),
        ("телефон", "тел", "номер телефона"),
        table="channels",
        editable=True,
    ),
    # the owner's contacts beside the channel's own, so an export does not pass one for the
    # other (export only: an import writes channels, and finds owners by name)
    Field("owner_email", "email", "Owner's e-mail", "The owner's own contact", importable=False),
    Field(
        "owner_telegram",
        "telegram",
        "Owner's Telegram",
        "The owner's own contact",
        importable=False,
    ),
    Field("owner_phone", "phone", "Owner's phone", "The owner's own contact", importable=False),
    Field(
        "tags",
        "list",
        "Tags",
        "Your own labels; several allowed",
        ("tags", "tag"),
        ("теги", "метки", "тег"),
        table="channels",
        editable=True,
        several=True,
        default=list,
    ),
    Field(
        "notes",
        "text",
        "Notes",
        "",
        ("notes", "note", "comment"),
        ("заметки", "заметка", "комментарий", "примечание", "примечания"),
        table="channels",
        editable=True,
    ),
)

_METRICS = (
    Field(
        "followers",
        "count",
        "Followers",
        "Followers, subscribers or members on the date measured",
        (
            "followers",
            "subscribers",
            "members",
            "fans",
            "subs",
            "followers count",
            "subscriber count",
        ),
        (
            "подписчики",
            "подписчиков",
            "участники",
            "участников",
            "фанаты",
            "кол во подписчиков",
            "число подписчиков",
            "аудитория",
        ),
        table="snapshots",
    ),  # fmt: skip
    Field(
        "avg_reach",
        "measure",
        "Average reach",
        "Unique accounts that saw a post, averaged over posts",
        ("reach", "avg reach", "average reach", "avg post reach"),
        ("охват", "средний охват", "охват поста", "ср охват", "охват публикации"),
        table="snapshots",
    ),
    Field(
        "avg_views",
        "measure",
        "Average views",
        "Views of a post, averaged over posts",
        ("views", "avg views", "average views"),
        ("просмотры", "средние просмотры", "просмотров", "ср просмотры", "просмотры поста"),
        table="snapshots",
    ),
    Field(
        "avg_engagement",
        "measure",
        "Average engagement",
        "Likes + comments + shares per post; derived from them (or from ER/ERR) when missing",
        ("engagement", "avg engagement", "average engagement", "eng avg", "engagements"),
        ("вовлеченность", "взаимодействия", "ср вовлеченность"),
        table="snapshots",
        formula="engagement",
    ),
    Field(
        "avg_likes",
        "measure",
        "Average likes",
        "",
        ("likes", "avg likes", "average likes"),
        ("лайки", "лайков"),
        table="snapshots",
    ),
    Field(
        "avg_comments",
        "measure",
        "Average comments",
        "",
        ("comments", "avg comments", "average comments"),
        ("комментарии", "комментариев"),
        table="snapshots",
    ),
    Field(
        "avg_shares",
        "measure",
        "Average shares",
        "",
        ("shares", "avg shares", "average shares", "reposts"),
        ("репосты", "репостов"),
        table="snapshots",
    ),
)
_MEASURED_ON = Field(
    "measured_on",
    "date",
    "Date measured",
    "When the numbers were taken; never in the future",
    ("measured on", "date", "measured", "as of", "snapshot date"),
    ("дата", "дата замера", "дата измерения"),
    table="snapshots",
    not_future=True,
    default=_today,
)
_RATE_UNITS = (
    "A column of rates is read as one: ratios (0.034) when every value is at most 1 and none "
    "has %, else percents (3.4 or 3.4%)"
)
_RATES = (
    Field(
        "er",
        "ratio",
        "ER (engagement / followers)",
        f"{_RATE_UNITS}. On import it gives the engagement when that is missing, as an estimate "
        "(the snapshot's source says so)",
        ("er", "engagement rate", "er followers"),
        formula="er",
    ),
    Field(
        "err",
        "ratio",
        "ERR (engagement / reach)",
        f"{_RATE_UNITS}. On import it gives the engagement when that is missing, as an estimate "
        "(the snapshot's source says so)",
        ("err", "er reach", "engagement rate by reach"),
        formula="err",
    ),
    Field(
        "reach_rate",
        "ratio",
        "Reach rate (reach / followers)",
        f"A Telegram “ERR” is this: views per subscriber. {_RATE_UNITS}. On import it gives the "
        "reach when that is missing, as an estimate (the snapshot's source says so)",
        (
            "reach rate",
            "views per subscriber",
            "views per follower",
            "views per sub",
            "err telegram",
            "telegram err",
            "err views",
            "view rate",
        ),
        (
            "просмотры на подписчика",
            "просмотров на подписчика",
            "err просмотров",
            "err просмотры",
            "охват на подписчика",
            "доля просмотров",
        ),
        formula="reach_rate",
    ),
)
_LISTED_PRICE = (
    Field(
        "price",
        "money",
        "Price of a post",
        "Kept as the channel's listed price of a post",
        ("price", "price post", "cost"),
        ("цена", "стоимость", "стоимость поста", "прайс", "цена поста"),
        column="amount",
        table="prices",
        export=False,
        currency="currency",
    ),
    Field(
        "currency",
        "currency",
        "Currency",
        "ISO code (RUB, USD …). A price whose row and cell name no currency needs one chosen "
        "for the whole import (--currency)",
        ("currency", "cur"),
        ("валюта",),
        table="prices",
        export=False,
    ),
)

CHANNELS = Entity(
    "channels",
    "channel",
    (*_IDENTITY, *_PROFILE, *_METRICS, _MEASURED_ON, *_RATES, *_LISTED_PRICE),
    key=("platform", "handle"),
)

# ---------------------------------------------------------------- owners

OWNERS = Entity(
    "owners",
    "owner",
    (
        Field(
            "name",
            "text",
            "Name",
            "The person or admin you negotiate with",
            ("name", "owner", "admin", "full name"),
            ("имя", "владелец", "админ", "фио"),
            table="owners",
            editable=True,
            required="An owner needs a name.",
        ),
        Field("email", "email", "E-mail", "", ("email", "e mail", "mail"), ("почта",),
              table="owners", editable=True),
        Field("telegram", "telegram", "Telegram", "", ("telegram", "tg"), ("телеграм",),
              table="owners", editable=True),
        Field("phone", "phone", "Phone", "", ("phone", "mobile"), ("телефон", "тел"),
              table="owners", editable=True),
        Field("other_contact", "text", "Other contact", "WhatsApp, VK page, a manager …",
              ("other contact", "contact"), ("контакт", "другой контакт"),
              table="owners", editable=True),
        Field("notes", "text", "Notes", "", ("notes", "note", "comment"),
              ("заметки", "комментарий", "примечание"), table="owners", editable=True),
        Field("channels", "count", "Channels", "Active channels of this owner",
              importable=False),
    ),
    key=("name",),
)  # fmt: skip

# ---------------------------------------------------------------- snapshots

_PROVENANCE = Field(
    "provenance",
    "provenance",
    "Provenance (where the numbers come from)",
    "platform_api, platform_stats, screenshot, shop_analytics, utm_analytics, estimate, manual",
    ("provenance", "data source"),
    ("происхождение", "откуда данные"),
    table="snapshots",
    default="manual",
)
_SOURCE = Field(
    "source",
    "text",
    "Source",
    "The file or person the numbers came from",
    ("source",),
    ("источник",),
)
_CHANNEL_REF = Field(
    "channel",
    "channel",
    "Channel",
    "PLATFORM:HANDLE or a link to the channel",
    ("channel", "link", "url", "channel link"),
    ("канал", "ссылка", "ссылка на канал"),
    required="Name the channel: PLATFORM:HANDLE or a link.",
)

SNAPSHOTS = Entity(
    "snapshots",
    "snapshot",
    (_CHANNEL_REF, _MEASURED_ON, *_METRICS, _PROVENANCE, replace(_SOURCE, table="snapshots")),
    key=("channel", "measured_on"),
)  # fmt: skip
SNAPSHOT_METRICS = tuple(f.name for f in _METRICS)

# ---------------------------------------------------------------- prices

PRICES = Entity(
    "prices",
    "price",
    (
        _CHANNEL_REF,
        # a price list may name its channels by handle, with the platform in its own column
        replace(_IDENTITY[0], table="", export=False,
                help="The platform of channels named by their handle alone"),
        replace(_IDENTITY[1], table="", export=False, required="",
                help="A channel's handle, when a platform column (or the channel column) "
                "says on which platform"),
        Field("format", "format", "Format", "post, story, reel, video_integration, 1/24 …",
              ("format", "ad format", "placement format"), ("формат", "формат размещения"),
              table="prices", default="post"),
        Field("kind", "price_kind", "Kind of price", "listed, quoted, agreed or paid",
              ("kind", "price kind", "price type", "type"), ("тип цены", "вид цены", "тип"),
              table="prices", default="listed"),
        Field("amount", "money", "Amount",
              "More than 0; a price list's 1,5 тыс or 15K is read as 1500 or 15000",
              ("amount", "price", "cost", "sum", "rate card"),
              ("сумма", "цена", "стоимость", "прайс", "цена размещения", "стоимость размещения"),
              table="prices",
              required="A price needs an amount.", currency="currency"),
        Field("currency", "currency", "Currency", "ISO code (RUB, USD …)", ("currency", "cur"),
              ("валюта",), table="prices"),
        Field("date", "date", "Date", "When the price was listed, quoted, agreed or paid",
              ("date", "as of"), ("дата",), table="prices", default=_today),
        replace(_SOURCE, table="prices"),
        Field("note", "text", "Note", "", ("note", "notes", "comment"),
              ("примечание", "комментарий", "заметка"), table="prices"),
    ),
    key=("channel", "format", "kind", "date"),
)  # fmt: skip

# ---------------------------------------------------------------- rates (pricing)

RATES = Entity(
    "rates",
    "rate",
    (
        Field("date", "date", "Date", "The day the rate holds from (until the next one)",
              ("date", "as of", "day", "rate date"), ("дата", "день", "дата курса"),
              table="rates", required="A rate needs a date."),
        Field("currency", "currency", "Currency", "ISO code (USD, EUR …) of one unit converted",
              ("currency", "cur", "code", "currency code"), ("валюта", "код валюты"),
              table="rates", required="A rate needs a currency."),
        Field("rate", "measure", "Rate",
              "Units of the base currency per ONE unit of the currency (USD 92.5 in RUB)",
              ("rate", "exchange rate", "value"),
              ("курс", "курс валюты", "значение"), table="rates",
              required="A rate needs a value."),
        replace(_SOURCE, table="rates"),
    ),
    key=("currency", "date"),
)  # fmt: skip

# ---------------------------------------------------------------- outreach

_CAMPAIGN_REF = Field(
    "campaign",
    "text",
    "Campaign",
    "The campaign's name",
    ("campaign", "campaign name"),
    ("кампания", "название кампании"),
    required="Name the campaign.",
)

CAMPAIGNS = Entity(
    "campaigns",
    "campaign",
    (
        Field("name", "text", "Name", "The campaign's name, unique in the workspace",
              ("name", "campaign", "campaign name"), ("название", "кампания"),
              table="campaigns", editable=True, required="A campaign needs a name."),
        Field("brand", "text", "Brand or product", "", ("brand", "product", "client"),
              ("бренд", "продукт", "клиент"), table="campaigns", editable=True),
        Field("goal", "text", "Goal", "reach, sales, subscribers or awareness", ("goal",),
              ("цель",), table="campaigns", editable=True, default="reach"),
        Field("budget", "money", "Budget", "In the campaign's currency", ("budget",),
              ("бюджет",), table="campaigns", editable=True, currency="currency"),
        Field("currency", "currency", "Currency", "ISO code (RUB, USD …)", ("currency", "cur"),
              ("валюта",), table="campaigns", editable=True, default="RUB"),
        Field("starts_on", "date", "Starts on", "", ("starts on", "start", "start date"),
              ("начало", "дата начала"), table="campaigns", editable=True),
        Field("ends_on", "date", "Ends on", "", ("ends on", "end", "end date"),
              ("конец", "окончание", "дата окончания"), table="campaigns", editable=True),
        Field("audience_notes", "text", "Target audience", "Who the campaign is for",
              ("audience notes", "audience", "target audience"), ("аудитория", "ца"),
              table="campaigns", editable=True),
        Field("status", "text", "Status", "draft, active or closed", ("status",), ("статус",),
              table="campaigns", editable=True, default="active"),
    ),
    key=("name",),
)  # fmt: skip

SHORTLIST = Entity(
    "shortlist",
    "shortlisted channel",
    (
        _CAMPAIGN_REF,
        _CHANNEL_REF,
        Field("stage", "text", "Stage", "Where the channel is in the pipeline", ("stage",),
              ("этап", "стадия"), table="shortlist", editable=True, default="shortlisted"),
        Field("priority", "text", "Priority", "high, normal or low", ("priority",),
              ("приоритет",), table="shortlist", editable=True, default="normal"),
        Field("manager", "text", "Manager", "Who on the team handles this channel",
              ("manager", "assignee"), ("менеджер", "ответственный"), table="shortlist",
              editable=True),
        Field("next_follow_up", "date", "Next follow-up", "When to write to them next",
              ("next follow up", "follow up"), ("следующий контакт", "напомнить"),
              table="shortlist", editable=True),
        Field("notes", "text", "Notes", "", ("notes", "note", "comment"),
              ("заметки", "комментарий", "примечание"), table="shortlist", editable=True),
    ),
    key=("campaign", "channel"),
)  # fmt: skip

EVENTS = Entity(
    "events",
    "event",
    (
        _CAMPAIGN_REF,
        _CHANNEL_REF,
        Field("at", "date", "When", "When it happened", ("at", "date", "time"), ("когда", "дата"),
              column="occurred_at", table="events"),
        Field("type", "text", "Type", "stage (a stage change), message, call, email, meeting or "
              "note", ("type",), ("тип",), table="events"),
        Field("stage_from", "text", "From stage", "", ("stage from",), ("из этапа",),
              table="events"),
        Field("stage_to", "text", "To stage", "", ("stage to",), ("в этап",), table="events"),
        Field("author", "text", "Author", "Who did it", ("author", "who"), ("автор",),
              table="events"),
        Field("text", "text", "Text", "What was said or done", ("text", "note", "message"),
              ("текст", "сообщение"), table="events"),
    ),
    key=("campaign", "channel", "at"),
)  # fmt: skip

TEMPLATES = Entity(
    "templates",
    "template",
    (
        Field("name", "text", "Name", "", ("name",), ("название",), table="templates",
              editable=True, required="A template needs a name."),
        Field("language", "language", "Language", "ru or en", ("language", "lang"), ("язык",),
              table="templates", editable=True, default="ru"),
        Field("subject", "text", "Subject", "The e-mail's subject line", ("subject",),
              ("тема",), table="templates", editable=True),
        Field("body", "text", "Text", "Placeholders: {owner} {channel} {format} {price} {date} "
              "{campaign} {brand}", ("body", "text"), ("текст",), table="templates",
              editable=True, required="A template needs a text."),
    ),
    key=("name", "language"),
)  # fmt: skip

# ---------------------------------------------------------------- placements

# content_type is checked against crm.vocab.terms.CONTENT_TYPE_ALIASES by crm.placements (no
# field type of its own yet); published_at and measured_at are timestamps, read as dates here
_RESULT_COUNTS = (
    ("reach", "Reach", "Unique accounts that saw the placement",
     ("reach", "unique reach", "people reached"), ("охват", "уникальный охват")),
    ("impressions", "Impressions", "Times the placement was shown (one account may see it twice)",
     ("impressions", "shows", "imps"), ("показы", "показов", "число показов")),
    ("views", "Views", "Views of the post or video",
     ("views", "video views", "plays"), ("просмотры", "просмотров")),
    ("likes", "Likes", "", ("likes", "reactions"), ("лайки", "лайков", "реакции")),
    ("comments", "Comments", "", ("comments",), ("комментарии", "комментариев")),
    ("shares", "Shares", "", ("shares", "reposts"), ("репосты", "репостов", "поделились")),
    ("saves", "Saves", "", ("saves", "bookmarks", "saved"), ("сохранения", "в закладках")),
    ("clicks", "Clicks", "Clicks on the link (may exceed impressions in some exports: flagged)",
     ("clicks", "link clicks", "taps"), ("клики", "переходы", "клики по ссылке", "кликов")),
    ("conversions", "Conversions", "Orders, sign-ups or leads the placement brought",
     ("conversions", "total conversion", "orders", "purchases", "leads", "sales"),
     ("конверсии", "заказы", "покупки", "лиды", "продажи", "конверсий")),
)  # fmt: skip

PLACEMENTS = Entity(
    "placements",
    "placement",
    (
        Field("ref", "text", "Ref (the source's own id)",
              "The id the placement has in the file it came from: a re-import with the same "
              "ref updates the placement instead of adding it again",
              ("ref", "ad id", "placement id", "external id", "source id", "reference"),
              ("ид", "номер", "номер размещения", "id размещения", "идентификатор"),
              table="placements", editable=True),
        replace(_CAMPAIGN_REF, required="", help="The campaign's name; a new name creates it",
                synonyms_en=("campaign", "campaign name", "campaign id")),
        replace(_CHANNEL_REF, synonyms_en=("channel", "channel link", "channel url", "account",
                                           "blogger", "page"),
                synonyms_ru=("канал", "ссылка на канал", "блогер", "паблик", "аккаунт")),
        Field("format", "format", "Format", "post, story, reel, video_integration, 1/24 …",
              ("format", "ad format", "placement format"), ("формат", "формат размещения"),
              table="placements", editable=True, default="post"),
        Field("content_type", "content_type", "Content type",
              "provocation, instruction, medal, humor, giveaway, review, announcement, other",
              ("content type", "content", "creative type"),
              ("тип контента", "тип креатива", "контент", "креатив"),
              table="placements", editable=True),
        Field("planned_on", "date", "Planned on", "The day the placement is planned for",
              ("planned on", "planned date", "plan date", "date planned", "scheduled"),
              ("плановая дата", "дата по плану", "запланировано", "дата план"),
              table="placements", editable=True),
        Field("published_at", "date", "Published at", "When the post went out (date and time)",
              ("published at", "published", "publication date", "post date", "date"),
              ("дата публикации", "опубликовано", "дата выхода", "дата", "вышло"),
              table="placements", editable=True),
        Field("post_url", "link", "Post link",
              "The link to the published post, on the channel's own platform",
              ("post url", "post link", "link", "url", "post"),
              ("ссылка на пост", "ссылка", "пост", "ссылка на публикацию"),
              table="placements", editable=True),
        Field("price_agreed", "money", "Price agreed", "What was agreed with the channel",
              ("price agreed", "agreed price", "price", "budget"),
              ("согласованная цена", "цена", "бюджет", "цена размещения"),
              table="placements", editable=True, currency="currency"),
        Field("price_paid", "money", "Price paid",
              "What was paid; the cost of the placement (else the price agreed)",
              ("price paid", "paid", "spent", "spend", "cost", "amount spent"),
              ("оплачено", "стоимость", "расход", "потрачено", "стоимость размещения"),
              table="placements", editable=True, currency="currency", formula="cost"),
        Field("currency", "currency", "Currency", "ISO code (RUB, USD …) of the prices",
              ("currency", "cur"), ("валюта",), table="placements", editable=True),
        Field("erid", "text", "Ad label (erid)",
              "The ad label token: mandatory in Russia, flagged when a published vk, ok, "
              "telegram, dzen or rutube placement has none",
              ("erid", "ad label", "ad token", "token", "marking"),
              ("токен", "маркировка", "токен erid", "идентификатор рекламы"),
              table="placements", editable=True),
        Field("promo_code", "text", "Promo code", "",
              ("promo code", "promocode", "promo", "coupon", "discount code"),
              ("промокод", "промо код", "купон"), table="placements", editable=True),
        Field("planned_reach", "count", "Planned reach", "The reach promised",
              ("planned reach", "reach plan", "plan reach", "expected reach", "forecast reach"),
              ("плановый охват", "охват план", "прогноз охвата", "охват по плану"),
              table="placements", editable=True),
        Field("planned_clicks", "count", "Planned clicks", "",
              ("planned clicks", "clicks plan", "plan clicks", "expected clicks"),
              ("плановые клики", "клики план", "переходы план", "плановые переходы"),
              table="placements", editable=True),
        Field("planned_conversions", "count", "Planned conversions", "",
              ("planned conversions", "conversions plan", "plan conversions",
               "expected conversions"),
              ("плановые конверсии", "конверсии план", "заказы план"),
              table="placements", editable=True),
        *(Field(name, "count", label, help, en, ru, table="results")
          for name, label, help, en, ru in _RESULT_COUNTS),
        Field("revenue", "money", "Revenue", "What the placement brought in, in its own currency",
              ("revenue", "income", "sales amount", "gmv"), ("выручка", "доход", "оборот"),
              table="results", currency="currency"),
        replace(_PROVENANCE, table="results"),
        Field("measured_at", "date", "Measured at",
              "When the results were taken; never in the future",
              ("measured at", "measured", "as of", "stats date", "measurement date"),
              ("дата замера", "дата измерения", "дата статистики"),
              table="results", not_future=True),
    ),
    key=("ref",),
)  # fmt: skip
PLACEMENT_RESULT_FIELDS = tuple(f.name for f in PLACEMENTS.stored_in("results"))

# ---------------------------------------------------------------- audience

# A member list is one column of ids: ``member`` names the column a file may hold them in (the
# user picks another when none of these headers is there); the rest describe the list.
AUDIENCES = Entity(
    "audiences",
    "member list",
    (
        Field("channel", "channel", "Channel", "PLATFORM:HANDLE of the channel the list belongs to",
              ("channel", "platform handle"), ("канал",), importable=False),
        Field("member", "text", "Member",
              "A member's user id (VK, OK, Telegram number) or username, one per row",
              ("member", "members", "id", "ids", "user id", "userid", "uid", "user", "vk id",
               "ok id", "telegram id", "username", "login", "subscriber", "follower", "member id"),
              ("участник", "участники", "пользователь", "id пользователя", "ид", "логин",
               "подписчик", "подписчики", "ник"), export=False),
        Field("size", "count", "Members", "How many distinct members the list holds",
              table="audiences", importable=False),
        Field("id_kind", "text", "Ids", "number: user ids; text: usernames",
              table="audiences", importable=False),
        Field("source", "text", "Source", "The file the list was loaded from",
              table="audiences", importable=False),
        Field("loaded_at", "date", "Loaded", "When the current list was loaded",
              table="audiences", importable=False),
    ),
    key=("channel",),
)  # fmt: skip

ENTITIES = {
    e.name: e
    for e in (
        CHANNELS,
        OWNERS,
        SNAPSHOTS,
        PRICES,
        RATES,
        CAMPAIGNS,
        SHORTLIST,
        EVENTS,
        TEMPLATES,
        PLACEMENTS,
        AUDIENCES,
    )
}

# channels: import mapping targets and export columns, in this order (DESIGN.md)
CHANNEL_FIELDS = CHANNELS.export_columns()
