"""Which field each column of a file holds, by English and Russian header names."""

from __future__ import annotations

import re

from crm.errors import ImportRefused
from crm.fields import CHANNEL_FIELDS as FIELDS
from crm.vocab.platforms import (
    PLATFORMS,
)

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
