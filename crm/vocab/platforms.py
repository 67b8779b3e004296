"""Platforms and URLs: every pasted link is reduced to ``platform`` + normalised ``handle``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from crm.errors import ValidationError

PLATFORMS = (
    "vk",
    "ok",
    "telegram",
    "instagram",
    "youtube",
    "tiktok",
    "dzen",
    "rutube",
    "x",
    "facebook",
    "twitch",
    "other",
)
PLATFORM_LABELS = {
    "vk": "VK",
    "ok": "OK",
    "telegram": "Telegram",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "dzen": "Dzen",
    "rutube": "RUTUBE",
    "x": "X",
    "facebook": "Facebook",
    "twitch": "Twitch",
    "other": "Other",
}

HOSTS = {
    "vk.com": "vk",
    "vk.ru": "vk",
    "m.vk.com": "vk",
    "vkontakte.ru": "vk",
    "ok.ru": "ok",
    "m.ok.ru": "ok",
    "odnoklassniki.ru": "ok",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "youtube.com": "youtube",
    "m.youtube.com": "youtube",
    "youtu.be": "youtube",
    "tiktok.com": "tiktok",
    "vm.tiktok.com": "tiktok",
    "dzen.ru": "dzen",
    "zen.yandex.ru": "dzen",
    "rutube.ru": "rutube",
    "x.com": "x",
    "twitter.com": "x",
    "mobile.twitter.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "m.facebook.com": "facebook",
    "twitch.tv": "twitch",
}
_CANONICAL = {
    "vk": "https://vk.com/{h}",
    "ok": "https://ok.ru/{h}",
    "telegram": "https://t.me/{h}",
    "instagram": "https://instagram.com/{h}",
    "youtube": "https://youtube.com/{h}",
    "tiktok": "https://tiktok.com/@{h}",
    "dzen": "https://dzen.ru/{h}",
    "rutube": "https://rutube.ru/{h}",
    "x": "https://x.com/{h}",
    "facebook": "https://facebook.com/{h}",
    "twitch": "https://twitch.tv/{h}",
}
_HANDLE_RE = re.compile(r"^[\w.\-/@]+$", re.UNICODE)
_VK_NUMERIC = re.compile(r"^(club|public|event|id)(\d+)$")
RESERVED_FIRST = {
    "telegram": {"s", "joinchat", "c"},
    "instagram": {"p", "reel", "reels", "stories", "explore"},
    "facebook": {"pages", "pg", "profile.php", "groups"},
    "x": {"i", "intent", "home"},
}


@dataclass(frozen=True)
class ChannelRef:
    """A channel's identity: platform and normalised handle."""

    platform: str
    handle: str

    @property
    def url(self) -> str:
        return canonical_url(self.platform, self.handle)

    @property
    def kind_hint(self) -> str | None:
        """``public_page`` where the address itself names a community, else None (unknown)."""
        h = self.handle
        if (self.platform == "vk" and _VK_NUMERIC.match(h) and not h.startswith("id")) or (
            self.platform in ("ok", "facebook") and h.startswith("group")
        ):
            return "public_page"
        return None

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"


def canonical_url(platform: str, handle: str) -> str:
    """The public address of a channel, or '' where the platform has none."""
    pattern = _CANONICAL.get(platform)
    if not pattern:
        return ""
    if platform == "youtube" and "/" not in handle:
        handle = "@" + handle
    return pattern.format(h=handle)


def normalise_handle(handle: str) -> str:
    """Lower case, no ``@``, no surrounding slashes or spaces."""
    return handle.strip().strip("/").lstrip("@").strip().lower()


def _path_parts(path: str) -> list[str]:
    return [p for p in unquote(path).split("/") if p]


def parse_channel_url(text: str) -> ChannelRef:
    """Reduce a pasted link (with or without scheme) to platform + handle, or refuse it."""
    raw = (text or "").strip()
    if not raw:
        raise ValidationError("Paste a link to a channel, e.g. https://t.me/name.")
    candidate = raw if "://" in raw else "https://" + raw
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    platform = HOSTS.get(host)
    if platform is None and host.endswith(".tiktok.com"):
        platform = "tiktok"
    if platform is None:
        raise ValidationError(
            f"“{raw}” is not a link to a known platform "
            "(VK, OK, Telegram, Instagram, YouTube, TikTok, Dzen, RUTUBE, X, Facebook, Twitch)."
        )
    segs = _path_parts(parts.path)
    handle = _handle_from_path(platform, segs, parts.query)
    if not handle:
        raise ValidationError(f"“{raw}” links to {PLATFORM_LABELS[platform]} but names no channel.")
    return ChannelRef(platform, handle)


def _handle_from_path(platform: str, segs: list[str], query: str) -> str:
    if not segs:
        if platform == "facebook" and "id=" in query:
            return "profile.php?id=" + query.split("id=", 1)[1].split("&", 1)[0]
        return ""
    first = segs[0].lower()
    if first in RESERVED_FIRST.get(platform, set()):
        if platform == "telegram" and first == "s" and len(segs) > 1:
            return normalise_handle(segs[1])
        if platform == "facebook" and first in {"pages", "pg"} and len(segs) > 1:
            return normalise_handle(segs[-1] if segs[-1].isdigit() else segs[1])
        if platform == "facebook" and first == "groups" and len(segs) > 1:
            return "groups/" + normalise_handle(segs[1])
        return ""
    if platform == "youtube":
        if first in {"channel", "c", "user"} and len(segs) > 1:
            return f"{first}/{normalise_handle(segs[1])}"
        return normalise_handle(segs[0])  # "@name"
    if platform == "ok":
        if first in {"group", "profile"} and len(segs) > 1:
            return f"{first}/{normalise_handle(segs[1])}"
        return normalise_handle(segs[0])
    if platform == "rutube":
        if first in {"channel", "u"} and len(segs) > 1:
            return f"{first}/{normalise_handle(segs[1])}"
        return ""
    if platform == "dzen" and first in {"id", "profile"} and len(segs) > 1:
        return f"id/{normalise_handle(segs[1])}"
    if platform == "vk":
        handle = normalise_handle(segs[0])
        match = _VK_NUMERIC.match(handle)
        # vk.com/club123 and vk.com/public123 are the same community
        if match and match.group(1) in {"club", "public"}:
            return "club" + match.group(2)
        return handle
    return normalise_handle(segs[0])


def parse_channel_key(text: str) -> ChannelRef:
    """Read ``PLATFORM:HANDLE`` or a URL into a channel reference."""
    raw = (text or "").strip()
    head, sep, tail = raw.partition(":")
    if sep and head.lower() in PLATFORMS and not tail.startswith("//"):
        handle = normalise_handle(tail)
        if not handle:
            raise ValidationError(f"“{raw}” names no handle after the platform.")
        return ChannelRef(head.lower(), handle)
    return parse_channel_url(raw)


def check_platform(value: str) -> str:
    """A known platform name (case-insensitive), or a clear refusal."""
    name = (value or "").strip().lower()
    aliases = {
        "twitter": "x",
        "вк": "vk",
        "вконтакте": "vk",
        "одноклассники": "ok",
        "телеграм": "telegram",
        "tg": "telegram",
        "yt": "youtube",
        "fb": "facebook",
        "zen": "dzen",
        "дзен": "dzen",
        "insta": "instagram",
        "ig": "instagram",
    }
    name = aliases.get(name, name)
    if name not in PLATFORMS:
        raise ValidationError(f"Unknown platform “{value}”. Known: {', '.join(PLATFORMS)}.")
    return name


def check_handle(handle: str) -> str:
    """A normalised handle, or a clear refusal."""
    h = normalise_handle(handle)
    if not h:
        raise ValidationError("A channel needs a handle.")
    if len(h) > 200 or not _HANDLE_RE.match(h.replace("?", "").replace("=", "")):
        raise ValidationError(f"“{handle}” is not a valid handle.")
    return h
