"""Field checks shared by forms, the CLI and imports; each refuses with a clear message.

Each is the field type's normaliser (crm.parsing.types) run on one value, so a form and an
import can never disagree about what is valid.
"""

from __future__ import annotations

from crm.parsing.types import check_value, value_text


def clean_text(value: object) -> str | None:
    """Strip a text value; empty becomes None."""
    text = value_text(value)
    if text is None:
        return None
    return text.strip() or None


def check_email(value: object) -> str | None:
    """A plausible e-mail address, or None for empty."""
    out: str | None = check_value("email", value, "e-mail")
    return out


def check_url(value: object) -> str | None:
    """An http(s) URL with a host, or None for empty."""
    out: str | None = check_value("link", value, "link")
    return out


def check_phone(value: object) -> str | None:
    """A phone number of digits, spaces, brackets and dashes, or None for empty."""
    out: str | None = check_value("phone", value, "phone")
    return out


def check_telegram(value: object) -> str | None:
    """A Telegram username (@name or t.me/name), stored as @name."""
    out: str | None = check_value("telegram", value, "Telegram")
    return out


def check_count(value: object, field: str) -> int | None:
    """A non-negative whole number, or None for empty."""
    out: int | None = check_value("count", value, field)
    return out


def split_list(value: object) -> list[str]:
    """Tags or niches from a list or from text separated by commas, semicolons or bars."""
    out: list[str] | None = check_value("list", value, "list")
    return out or []
