"""UTM links: the tracked link of a placement, made from the landing page's own link.

``utm_source`` is the platform, ``utm_medium`` says a blogger (``influencer``) or a public page
(``public_page``), ``utm_campaign`` is the campaign's slug and ``utm_content`` the channel's
handle with the placement's id. The landing link keeps its own parameters (in their own
spelling) and its fragment; an international domain becomes its punycode and every other
non-ASCII character is percent-encoded as UTF-8, so that the link survives any messenger.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from crm.errors import ValidationError
from crm.placements.placements import get_placement
from crm.store import Store, update_versioned

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
MAX_URL = 2000

# Russian, Ukrainian, Belarusian and Kazakh letters in Latin (the common web transliteration)
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ә": "a", "ғ": "g",
    "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
# what may stay as it is in a query, a path or a fragment: printable ASCII that has a meaning
# there (a % already escaping something stays; ``quote`` keeps letters, digits and -._~)
_SAFE = "!$%&'()*+,/:;=?@[]"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def slug(text: str) -> str:
    """Lower-case ASCII words joined by dashes, Cyrillic transliterated:
    "Ягода Beauty — запуск" → "yagoda-beauty-zapusk"."""
    lower = (text or "").lower()
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in lower)
    # accents dropped: "café" → "cafe"
    ascii_text = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _landing(url: str) -> str:
    """The landing link with a scheme: ``https://`` added when none is written; refuses other
    schemes (mailto:, javascript:, ftp:) and text that is no link."""
    text = (url or "").strip()
    if not text:
        raise ValidationError("Paste the landing page's link (https://…).")
    if len(text) > MAX_URL:
        raise ValidationError(f"A landing link can be at most {MAX_URL} characters long.")
    if any(ch.isspace() for ch in text):
        raise ValidationError(f"“{text}” is not a link: a link has no spaces.")
    scheme = _SCHEME.match(text)
    if "://" in text or (scheme and not text[scheme.end() :][:1].isdigit()):
        name = scheme.group(1).lower() if scheme else ""
        if name not in ("http", "https") or not text.lower().startswith(name + "://"):
            raise ValidationError(
                f"“{text}” is not a web page link: a landing link starts with https:// "
                "(or http://)."
            )
        return text
    return "https://" + text


def _host(netloc: str, shown: str) -> str:
    """The host part with an international domain as punycode (магазин.рф →
    xn--80aaxitdbjk.xn--p1ai), the port and any user part kept."""
    user, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    if port and not port.isdigit():
        raise ValidationError(f"“{shown}” is not a link: its port “{port}” is not a number.")
    if not host or "." not in host.strip(".") or host.startswith("."):
        raise ValidationError(f"“{shown}” is not a link to a web site (its address has no domain).")
    try:
        ascii_host = host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(f"“{shown}” has a domain name that cannot be used: {host}.") from None
    return f"{quote(user, safe=_SAFE)}{at}{ascii_host}{colon}{port}"


def _escaped(part: str) -> str:
    """A path, query item or fragment with non-ASCII characters (and spaces) percent-encoded
    as UTF-8; what is ASCII and meaningful stays as written."""
    # a % that escapes nothing (``?sale=50%``) is a percent sign, and is escaped itself
    return quote(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", part), safe=_SAFE)


def utm_link(
    landing_url: str,
    *,
    platform: str,
    kind: str,
    campaign: str,
    handle: str,
    placement_id: int,
) -> str:
    """The tracked link of a placement: the landing link with its own parameters (an existing
    ``utm_source``/``utm_medium``/``utm_campaign``/``utm_content`` replaced) and fragment kept,
    plus the four UTM parameters; refuses a landing link that is not http(s)."""
    text = _landing(landing_url)
    parts = urlsplit(text)
    host = _host(parts.netloc, landing_url.strip())
    own = [
        _escaped(item)
        for item in parts.query.split("&")
        if item and unquote(item.split("=", 1)[0]).strip().lower() not in UTM_KEYS
    ]
    values = {
        "utm_source": platform,
        "utm_medium": "influencer" if kind == "person" else "public_page",
        "utm_campaign": slug(campaign),
        "utm_content": f"{handle}-{placement_id}",
    }
    utm = [f"{k}={quote(v, safe='')}" for k, v in values.items() if v]
    return urlunsplit(
        (
            parts.scheme.lower(),
            host,
            _escaped(parts.path) or "/",
            "&".join([*own, *utm]),
            _escaped(parts.fragment),
        )
    )


def set_utm(store: Store, placement_id: int, version: int, landing_url: str | None) -> int:
    """Store the landing link and the tracked link made from it with the placement (a blank
    landing link clears both); returns the placement's new version."""
    with store.transaction("placements") as cur:
        p = get_placement(cur, placement_id)
        if not (landing_url or "").strip():
            changes: dict[str, str | None] = {"landing_url": None, "utm_url": None}
        else:
            rows = cur.execute(
                """
                select c.platform, c.kind, c.handle, k.name
                from channels c left join campaigns k on k.id = ?
                where c.id = ?
                """,
                [p.campaign_id, p.channel_id],
            ).fetchall()
            platform, kind, handle, campaign = rows[0]
            link = utm_link(
                landing_url or "",
                platform=platform,
                kind=kind,
                campaign=campaign or "",
                handle=handle,
                placement_id=placement_id,
            )
            changes = {"landing_url": (landing_url or "").strip(), "utm_url": link}
        return update_versioned(cur, "placements", placement_id, version, changes)
