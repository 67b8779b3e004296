"""Message templates with placeholders, rendered for one channel in one campaign, in Russian
or English, with links that open a mail or Telegram chat to the right person.

A placeholder is a known name in braces: ``{owner}``, ``{channel}``, ``{format}``,
``{price}``, ``{date}`` (the campaign's start date), ``{campaign}``, ``{brand}``. A template
naming any other placeholder cannot be saved; rendering never leaves a raw ``{x}`` in the text:
an unknown one and one with no value for the channel are shown as a visible marker in brackets.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import polars as pl
from babel.dates import format_date

from crm.errors import NotFound, ValidationError
from crm.fields import TEMPLATES
from crm.formatting import format_money
from crm.outreach.campaigns import get_campaign
from crm.outreach.events import log_activity
from crm.outreach.sql import frame
from crm.pricing import latest_prices
from crm.store import Store, update_versioned
from crm.vocab.terms import FORMAT_LABELS

PLACEHOLDERS = ("owner", "channel", "format", "price", "date", "campaign", "brand")
LANGUAGES = {"ru": "Russian", "en": "English"}
_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,40})\}")

# what a placeholder with no value for this channel reads as, per language
_MISSING = {
    "en": {
        "owner": "[no owner's name]", "channel": "[no channel name]", "format": "[no format]",
        "price": "[no price]", "date": "[no date]", "campaign": "[no campaign]",
        "brand": "[no brand]",
    },
    "ru": {
        "owner": "[нет имени владельца]", "channel": "[нет названия канала]",
        "format": "[нет формата]", "price": "[нет цены]", "date": "[нет даты]",
        "campaign": "[нет кампании]", "brand": "[нет бренда]",
    },
}  # fmt: skip
_UNKNOWN = {"en": "[unknown placeholder “{}”]", "ru": "[неизвестная подстановка «{}»]"}
_DATE_PATTERN = {"en": "MMMM d, y", "ru": "d MMMM y"}
FORMAT_LABELS_RU = {
    "post": "пост", "story": "сторис", "reel": "рилс", "video_integration": "интеграция в видео",
    "dedicated_video": "отдельное видео", "1/24": "1/24", "2/48": "2/48", "3/72": "3/72",
    "native": "нативная публикация", "pinned": "закреп", "repost": "репост",
    "live": "эфир", "other": "размещение",
}  # fmt: skip


def _name(raw: str) -> str:
    return raw.strip().lower()


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders of a text that are not known, as written, each once."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text or ""):
        if _name(match.group(1)) not in PLACEHOLDERS:
            seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def check_template(body: str, subject: str = "") -> None:
    """Refuse (``ValidationError``) a template naming unknown placeholders, naming each."""
    unknown = unknown_placeholders(f"{subject or ''}\n{body or ''}")
    if not unknown:
        return
    names = ", ".join("{" + u + "}" for u in unknown)
    known = " ".join("{" + p + "}" for p in PLACEHOLDERS)
    what = "an unknown placeholder" if len(unknown) == 1 else "unknown placeholders"
    raise ValidationError(f"The template uses {what}: {names}. Known placeholders: {known}.")


@dataclass(frozen=True)
class Rendered:
    """A template filled in for one channel: its subject and text, the unknown placeholders
    and the known ones that had no value (both shown in the text as markers)."""

    subject: str
    text: str
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def render(
    body: str, values: Mapping[str, str | None], *, subject: str = "", language: str = "en"
) -> Rendered:
    """Fill a template's placeholders with ``values``; a placeholder with no value, and an
    unknown one, become a visible marker in ``language`` (never the raw ``{x}``)."""
    lang = language if language in _MISSING else "en"
    unknown: dict[str, None] = {}
    missing: dict[str, None] = {}

    def fill(match: re.Match[str]) -> str:
        name = _name(match.group(1))
        if name not in PLACEHOLDERS:
            unknown.setdefault(match.group(1).strip(), None)
            return _UNKNOWN[lang].format(match.group(1).strip())
        value = values.get(name)
        if value is None or not str(value).strip():
            missing.setdefault(name, None)
            return _MISSING[lang][name]
        return str(value)

    head = _PLACEHOLDER.sub(fill, subject or "")
    text = _PLACEHOLDER.sub(fill, body or "")
    return Rendered(head, text, list(unknown), list(missing))


def _format_label(code: str, language: str) -> str:
    if language == "ru":
        return FORMAT_LABELS_RU.get(code, code)
    return FORMAT_LABELS.get(code, code).split(" (", 1)[0].lower()


def format_day(day: dt.date | None, language: str) -> str | None:
    """A date for people in the language: 5 марта 2026, March 5, 2026."""
    if day is None:
        return None
    lang = language if language in _DATE_PATTERN else "en"
    return str(format_date(day, _DATE_PATTERN[lang], locale=lang))


def template_values(
    cur: duckdb.DuckDBPyConnection,
    campaign_id: int,
    channel_id: int,
    *,
    format: str = "post",
    language: str = "ru",
) -> dict[str, str | None]:
    """Each placeholder's value for a channel in a campaign, formatted for people in the
    language (None where unknown): the owner's name, the channel's title (else its handle),
    the format, the latest price of that format (the campaign's own first), the campaign's
    start date, its name and brand."""
    campaign = get_campaign(cur, campaign_id)
    rows = cur.execute(
        """
        select c.title, c.handle, o.name from channels c
        left join owners o on o.id = c.owner_id where c.id = ?
        """,
        [channel_id],
    ).fetchall()
    if not rows:
        raise NotFound(f"Channel {channel_id} does not exist.")
    title, handle, owner = rows[0]
    price = latest_prices(cur, [channel_id], format, campaign_id=campaign_id)
    amount = None
    if price.height:
        amount = format_money(price["amount"][0], price["currency"][0])
    return {
        "owner": owner,
        "channel": title or handle,
        "format": _format_label(format, language),
        "price": amount,
        "date": format_day(campaign.starts_on, language),
        "campaign": campaign.name,
        "brand": campaign.brand,
    }


def contact_links(
    cur: duckdb.DuckDBPyConnection, channel_id: int, *, subject: str = "", body: str = ""
) -> dict[str, str]:
    """Links that open a message to the channel's contact (its own, else its owner's):
    ``mailto`` with the subject and text filled in, where an e-mail is known, and
    ``telegram`` (https://t.me/<user>) where a Telegram contact is known."""
    rows = cur.execute(
        """
        select coalesce(c.email, o.email), coalesce(c.telegram, o.telegram)
        from channels c left join owners o on o.id = c.owner_id where c.id = ?
        """,
        [channel_id],
    ).fetchall()
    if not rows:
        raise NotFound(f"Channel {channel_id} does not exist.")
    email, telegram = rows[0]
    links: dict[str, str] = {}
    if email:
        query = urllib.parse.urlencode(
            {k: v for k, v in (("subject", subject), ("body", body)) if v},
            quote_via=urllib.parse.quote,
        )
        links["mailto"] = f"mailto:{urllib.parse.quote(email, safe='@')}" + (
            f"?{query}" if query else ""
        )
    if telegram:
        user = str(telegram).lstrip("@")
        links["telegram"] = f"https://t.me/{urllib.parse.quote(user)}"
    return links


def _clean_language(language: str) -> str:
    code = TEMPLATES.by_name("language").check(language) or "ru"
    if code not in LANGUAGES:
        raise ValidationError(f"A template is in Russian (ru) or English (en), not “{language}”.")
    return str(code)


def save_template(
    store: Store,
    *,
    name: str,
    language: str,
    body: str,
    subject: str | None = None,
    template_id: int | None = None,
    version: int | None = None,
) -> int:
    """Create a template, or (``template_id`` and the ``version`` shown) change one; refuses
    a blank name or text, a language other than ru or en, an unknown placeholder and a name
    taken in the same language. Returns the template's id."""
    clean_name = TEMPLATES.by_name("name").check(name)
    clean_body = TEMPLATES.by_name("body").check(body)
    clean_subject = TEMPLATES.by_name("subject").check(subject)
    lang = _clean_language(language)
    check_template(clean_body, clean_subject or "")
    values = {"name": clean_name, "language": lang, "subject": clean_subject, "body": clean_body}
    with store.transaction("outreach") as cur:
        taken = cur.execute(
            "select name from templates where lower(name) = lower(?) and language = ? "
            "and id is distinct from ?",
            [clean_name, lang, template_id],
        ).fetchall()
        if taken:
            raise ValidationError(
                f"There is a {LANGUAGES[lang]} template called “{taken[0][0]}” already."
            )
        if template_id is None:
            row = cur.execute(
                "insert into templates (name, language, subject, body) values (?, ?, ?, ?) "
                "returning id",
                list(values.values()),
            ).fetchall()
            return int(row[0][0])
        current = cur.execute(
            "select version from templates where id = ?", [template_id]
        ).fetchall()
        if not current:
            raise NotFound(f"Template {template_id} no longer exists.")
        shown = int(current[0][0]) if version is None else version
        update_versioned(cur, "templates", template_id, shown, values)
    return template_id


def delete_template(store: Store, template_id: int) -> None:
    """Remove a template (messages already sent stay in the log)."""
    with store.transaction("outreach") as cur:
        gone = cur.execute(
            "delete from templates where id = ? returning id", [template_id]
        ).fetchall()
        if not gone:
            raise NotFound(f"Template {template_id} no longer exists.")


def templates_frame(cur: duckdb.DuckDBPyConnection, language: str | None = None) -> pl.DataFrame:
    """The templates (id, name, language, subject, body, version), by language and name."""
    return frame(
        cur,
        """
        select id, name, language, subject, body, version from templates
        where ?::varchar is null or language = ?
        order by language, lower(name), id
        """,
        [language, language],
    )


def send_template(
    store: Store,
    campaign_id: int,
    channel_id: int,
    template_id: int,
    rendered: Rendered,
    *,
    author: str | None,
) -> int:
    """Record that a rendered template was sent to a shortlisted channel: a ``message``
    activity holding its subject and text. Refuses text with unknown placeholders."""
    if rendered.unknown:
        names = ", ".join("{" + u + "}" for u in rendered.unknown)
        raise ValidationError(f"Fix the unknown placeholders first: {names}.")
    with store.transaction("outreach") as cur:
        found = cur.execute("select name from templates where id = ?", [template_id]).fetchall()
        if not found:
            raise NotFound(f"Template {template_id} no longer exists.")
        text = f"{rendered.subject}\n\n{rendered.text}" if rendered.subject else rendered.text
        return log_activity(store, campaign_id, channel_id, "message", text, author=author)
