"""Field checks shared by forms, the CLI and imports; each refuses with a clear message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crm.errors import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s()\-]{5,20}$")


def clean_text(value: object) -> str | None:
    """Strip a text value; empty becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def check_email(value: object) -> str | None:
    """A plausible e-mail address, or None for empty."""
    text = clean_text(value)
    if text is None:
        return None
    if not _EMAIL.match(text):
        raise ValidationError(f"“{text}” is not a valid e-mail address.")
    return text.lower()


def check_url(value: object) -> str | None:
    """An http(s) URL with a host, or None for empty."""
    text = clean_text(value)
    if text is None:
        return None
    candidate = text if "://" in text else "https://" + text
    parts = urlsplit(candidate)
    if parts.scheme not in {"http", "https"} or not parts.hostname or "." not in parts.hostname:
        raise ValidationError(f"“{text}” is not a valid web address.")
    return candidate


def check_phone(value: object) -> str | None:
    """A phone number of digits, spaces, brackets and dashes, or None for empty."""
    text = clean_text(value)
    if text is None:
        return None
    if not _PHONE.match(text):
        raise ValidationError(f"“{text}” is not a valid phone number.")
    return text


def check_telegram(value: object) -> str | None:
    """A Telegram username (@name or t.me/name), stored as @name."""
    text = clean_text(value)
    if text is None:
        return None
    name = re.sub(r"^(https?://)?(t\.me|telegram\.me)/", "", text).lstrip("@").strip("/")
    if not re.match(r"^[A-Za-z0-9_]{4,64}$", name):
        raise ValidationError(f"“{text}” is not a valid Telegram username.")
    return "@" + name


def check_count(value: object, field: str) -> int | None:
    """A non-negative whole number, or None for empty."""
    if value is None or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(f"{field} must be a number, not “{value}”.") from None
    if number < 0:
        raise ValidationError(f"{field} cannot be negative ({value}).")
    return round(number)


def split_list(value: object) -> list[str]:
    """Tags or niches from a list or from text separated by commas, semicolons or slashes."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,;|/]", str(value))
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text and text.lower() not in {k.lower() for k in seen}:
            seen[text] = None
    return list(seen)
