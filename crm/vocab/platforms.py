"""Platforms and URLs: every pasted link is reduced to ``platform`` + normalised ``handle``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

import polars as pl

from crm.errors import ValidationError
from crm.vocab.distinct import per_distinct

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
_VK_NUMERIC = re.compile(r"^(club|public|event|id)(\d+)$")
RESERVED_FIRST = {
    "telegram": {"s", "joinchat", "c"},
    "instagram": {"p", "reel", "reels", "tv", "stories", "explore"},
    "facebook": {"pages", "pg", "profile.php", "groups"},
    "x": {"i", "intent", "home"},
    "youtube": {"watch", "shorts", "live", "embed", "v", "playlist", "results", "feed"},
    "dzen": {"a", "b", "video", "shorts"},
    "tiktok": {"t"},
}
# Links to one post that do not say whose it is: the first piece of the path, per platform
# (and every link of the hosts in POST_HOSTS). Post links that do say it resolve to the channel.
POST_FIRST = {
    "instagram": {"p", "reel", "reels", "tv"},
    "youtube": {"watch", "shorts", "live", "embed", "v"},
    "dzen": {"a", "b", "video", "shorts"},
    "rutube": {"video", "shorts", "play"},
    "tiktok": {"t"},
}
POST_HOSTS = ("youtu.be", "vm.tiktok.com", "vt.tiktok.com")
POST_LINK = (
    "This is a link to a post, not to a channel: open the post and copy the link of its author"
)
# vk.com/wall-1_123 (a post of community 1), photo-1_2, video7_5 (of person 7) …
_VK_POST = r"^(?:wall|photo|video|clip|topic|album|board|market|product|note)(-?\d+)_\d+$"


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


def handle_expr(handle: pl.Expr) -> pl.Expr:
    """Handles normalised: lower case, no ``@``, no surrounding slashes or spaces. Two kinds keep
    their case, where it tells them apart: Telegram invites (``+AbCdEf``) and YouTube channel
    ids (``channel/UCxYz…``)."""
    trimmed = _trimmed(handle)
    return _cased(trimmed, trimmed.str.to_lowercase())


def _trimmed(handle: pl.Expr) -> pl.Expr:
    return (
        handle.str.strip_chars().str.strip_chars("/").str.strip_chars_start("@").str.strip_chars()
    )


def _cased(trimmed: pl.Expr, lower: pl.Expr) -> pl.Expr:
    return (
        pl.when(trimmed.str.starts_with("+"))
        .then(trimmed)
        .when(lower.str.starts_with("channel/uc"))
        .then(pl.lit("channel/") + trimmed.str.slice(len("channel/")))
        .otherwise(lower)
    )


def normalise_handle(handle: str) -> str:
    """Lower case, no ``@``, no surrounding slashes or spaces (invites and YouTube channel ids
    keep their case: ``handle_expr``)."""
    out = pl.select(handle_expr(pl.lit(handle, pl.String))).item()
    return str(out)


_URL = r"^([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?"
_KNOWN = "VK, OK, Telegram, Instagram, YouTube, TikTok, Dzen, RUTUBE, X, Facebook, Twitch"


def _unquoted(path: pl.Series) -> pl.Series:
    # percent-escapes (vk.com/%D0%B8%D0%BC%D1%8F) decoded once per distinct path that has one
    escaped = path.filter(path.str.contains("%", literal=True)).unique().to_list()
    if not escaped:
        return path
    return path.replace(escaped, [unquote(p) for p in escaped])


def parse_link_frame(links: pl.Series, *, below: bool = False) -> pl.DataFrame:
    """Links reduced to platform + handle, with the reason for each link that names no channel.

    The one link parser: a DataFrame of ``platform``, ``handle`` and ``error`` (null when the link
    was understood), one row per link; a null link gives nulls and no error. With ``below``, also
    a Boolean column ``below``: the link points below the channel's own address (a post, a tab),
    so it is not the address to keep for the channel.
    """
    raw = links.cast(pl.String).str.strip_chars()
    candidate = (
        pl.when(pl.col("raw").str.contains("://", literal=True))
        .then(pl.col("raw"))
        .otherwise(pl.lit("https://") + pl.col("raw"))
    )
    parts = pl.DataFrame({"raw": raw}).with_columns(url=candidate.str.extract_groups(_URL))
    netloc = pl.col("url").struct.field("2")
    host = (
        netloc.str.replace(r"^.*@", "")
        .str.replace(r":.*$", "")
        .str.to_lowercase()
        .str.strip_prefix("www.")
    )
    parts = parts.with_columns(
        host=host,
        path=pl.col("url").struct.field("3"),
        query=pl.col("url").struct.field("4"),
    )
    parts = parts.with_columns(path=_unquoted(parts["path"]))
    platform = (
        pl.col("host")
        .replace_strict(list(HOSTS), list(HOSTS.values()), default=None, return_dtype=pl.String)
        .fill_null(pl.when(pl.col("host").str.ends_with(".tiktok.com")).then(pl.lit("tiktok")))
    )
    parts = parts.with_columns(
        platform=platform,
        segs=pl.col("path").str.split("/").list.eval(pl.element().filter(pl.element() != "")),
    )
    # each piece of the path once, as a column (expressions reused below are not recomputed)
    parts = parts.with_columns(
        n=pl.col("segs").list.len(),
        s0=pl.col("segs").list.get(0, null_on_oob=True),
        s1=pl.col("segs").list.get(1, null_on_oob=True),
        last=pl.col("segs").list.last(),
    ).with_columns(t0=_trimmed(pl.col("s0")), t1=_trimmed(pl.col("s1")))
    # handle_expr in stages (as in handle_column)
    parts = parts.with_columns(
        first=pl.col("s0").str.to_lowercase(),
        l0=pl.col("t0").str.to_lowercase(),
        l1=pl.col("t1").str.to_lowercase(),
    ).with_columns(
        h0=_cased(pl.col("t0"), pl.col("l0")),
        h1=_cased(pl.col("t1"), pl.col("l1")),
    )
    p, n, first = pl.col("platform"), pl.col("n"), pl.col("first")
    h0, h1, last = pl.col("h0"), pl.col("h1"), pl.col("last")
    reserved = pl.lit(False)
    for name, words in RESERVED_FIRST.items():
        reserved = reserved | ((p == name) & first.is_in(sorted(words)))
    nested = (
        pl.when((first == "channel") & (p == "youtube") & (n > 1))
        .then(handle_expr("channel/" + pl.col("s1")))  # a channel id keeps its case
        .when(first.is_in(["c", "user"]) & (p == "youtube") & (n > 1))
        .then(first + "/" + h1)
        .when(first.is_in(["group", "profile"]) & (p == "ok") & (n > 1))
        .then(first + "/" + h1)
        .when(first.is_in(["channel", "u"]) & (p == "rutube") & (n > 1))
        .then(first + "/" + h1)
        .when(first.is_in(["id", "profile"]) & (p == "dzen") & (n > 1))
        .then("id/" + h1)
    )
    handle = (
        pl.when(n == 0)
        .then(
            pl.when((p == "facebook") & pl.col("query").str.contains("id=", literal=True))
            .then("profile.php?id=" + pl.col("query").str.extract(r"id=([^&]*)", 1))
            .otherwise(pl.lit(""))
        )
        .when(reserved)
        .then(
            pl.when((p == "telegram") & (first == "s") & (n > 1))
            .then(h1)
            # t.me/joinchat/AbC is the old form of the invite t.me/+AbC
            .when((p == "telegram") & (first == "joinchat") & (n > 1))
            .then(handle_expr("+" + pl.col("s1").str.strip_chars_start("+")))
            .when((p == "instagram") & (first == "stories") & (n > 1))
            .then(h1)
            .when((p == "facebook") & first.is_in(["pages", "pg"]) & (n > 1))
            .then(pl.when(last.str.contains(r"^\d+$")).then(handle_expr(last)).otherwise(h1))
            .when((p == "facebook") & (first == "groups") & (n > 1))
            .then("groups/" + h1)
            .otherwise(pl.lit(""))
        )
        .when(nested.is_not_null())
        .then(nested)
        .when(p == "rutube")
        .then(pl.lit(""))  # rutube names a channel only as /channel/N or /u/name
        .when(p == "vk")
        .then(
            pl.when(h0.str.contains(_VK_POST))
            # a post names its wall: a community by a negative number, a person by a positive
            .then(
                h0.str.extract(_VK_POST, 1).str.replace(r"^-", "club").str.replace(r"^(\d)", "id$1")
            )
            # vk.com/club123 and vk.com/public123 are the same community
            .otherwise(h0.str.replace(r"^public(\d+)$", "club$1"))
        )
        .otherwise(h0)
    )
    label = p.replace_strict(
        list(PLATFORM_LABELS), list(PLATFORM_LABELS.values()), default=None, return_dtype=pl.String
    )
    quoted = pl.lit("“") + pl.col("raw") + pl.lit("”")
    post = pl.col("host").is_in(POST_HOSTS) | ((p == "telegram") & (first == "c") & (n > 1))
    for name, words in POST_FIRST.items():
        post = post | ((p == name) & first.is_in(sorted(words)))
    parts = parts.with_columns(handle=handle)
    error = (
        pl.when(pl.col("raw").is_null())
        .then(None)
        .when(pl.col("raw") == "")
        .then(pl.lit("Paste a link to a channel, e.g. https://t.me/name"))
        .when(p.is_null())
        .then(quoted + pl.lit(f" is not a link to a known platform ({_KNOWN})"))
        .when(post.fill_null(False))
        .then(pl.lit(POST_LINK))
        .when(pl.col("handle").is_null() | (pl.col("handle") == ""))
        .then(quoted + pl.lit(" links to ") + label + pl.lit(" but names no channel"))
    )
    out = parts.select(
        platform=pl.when(error.is_null()).then(p),
        handle=pl.when(error.is_null()).then(pl.col("handle")),
        error=error,
    )
    if not below:
        return out
    # how many pieces of the path the handle was read from; more pieces point below it
    used = (
        pl.when(reserved)
        .then(pl.when((p == "facebook") & first.is_in(["pages", "pg"])).then(n).otherwise(2))
        .when(nested.is_not_null())
        .then(2)
        .otherwise(1)
    )
    deeper = (n > used) | ((p == "vk") & h0.str.contains(_VK_POST))
    return out.with_columns(parts.select(below=deeper.fill_null(False) & error.is_null()))


def parse_links(links: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Links to ``platform\\x00handle`` and the reasons for refused ones (parse_link_frame)."""
    frame = parse_link_frame(links)
    pairs = frame.select(pl.col("platform") + pl.lit("\x00") + pl.col("handle")).to_series()
    return pairs.alias(links.name), frame["error"].alias(links.name)


def parse_channel_url(text: str) -> ChannelRef:
    """Reduce a pasted link (with or without scheme) to platform + handle, or refuse it."""
    return parse_channel_link(text)[0]


def parse_channel_link(text: str) -> tuple[ChannelRef, bool]:
    """The channel a pasted link names, and whether the link points below the channel's own
    address (a post such as t.me/name/123 or vk.com/wall-1_123, a tab); refuses a link that
    names no channel, and a post link that does not say whose it is (POST_LINK)."""
    frame = parse_link_frame(pl.Series([text or ""], dtype=pl.String), below=True)
    row = frame.row(0, named=True)
    if row["error"] is not None:
        raise ValidationError(row["error"] + ".")
    return ChannelRef(row["platform"], row["handle"]), bool(row["below"])


def channel_key_frame(keys: pl.Series) -> pl.DataFrame:
    """``PLATFORM:HANDLE`` texts or links reduced to platform + handle, with reasons (as
    parse_link_frame); the one implementation behind parse_channel_key."""
    raw = keys.cast(pl.String).str.strip_chars()
    parts = pl.DataFrame({"raw": raw}).with_columns(
        head=pl.col("raw").str.extract(r"^([^:]*):", 1).str.to_lowercase(),
        tail=pl.col("raw").str.extract(r"^[^:]*:(.*)$", 1),
    )
    keyed = pl.col("head").is_in(PLATFORMS) & ~pl.col("tail").str.starts_with("//")
    parts = parts.with_columns(keyed=keyed.fill_null(False), key_handle=handle_expr(pl.col("tail")))
    linked = parse_link_frame(parts["raw"].filter(~parts["keyed"]))
    by_key = parts.filter(pl.col("keyed")).select(
        pl.when(pl.col("key_handle") != "").then(pl.col("head")).alias("platform"),
        pl.when(pl.col("key_handle") != "").then(pl.col("key_handle")).alias("handle"),
        pl.when(pl.col("key_handle") == "")
        .then(pl.lit("“") + pl.col("raw") + pl.lit("” names no handle after the platform"))
        .alias("error"),
    )
    order = pl.concat([parts["keyed"].arg_true(), (~parts["keyed"]).arg_true()])
    both = pl.concat([by_key, linked])
    return both.with_columns(_at=order).sort("_at").drop("_at")


def parse_channel_key(text: str) -> ChannelRef:
    """Read ``PLATFORM:HANDLE`` or a URL into a channel reference."""
    row = channel_key_frame(pl.Series([text or ""], dtype=pl.String)).row(0, named=True)
    if row["error"] is not None:
        raise ValidationError(row["error"] + ".")
    return ChannelRef(row["platform"], row["handle"])


PLATFORM_ALIASES = {
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
    **{p: p for p in PLATFORMS},
}


def platform_column(values: pl.Series) -> pl.Series:
    """Platform names as typed (any case, aliases like ``ВКонтакте``) to their codes; null where
    unknown. The one implementation behind check_platform."""

    def codes(values: pl.Series) -> pl.Series:
        key = values.cast(pl.String).str.strip_chars().str.to_lowercase()
        return key.replace_strict(
            list(PLATFORM_ALIASES),
            list(PLATFORM_ALIASES.values()),
            default=None,
            return_dtype=pl.String,
        ).alias(values.name)

    # a file names the same few platforms on every row
    return per_distinct(values, codes)


def check_platform(value: str) -> str:
    """A known platform name (case-insensitive), or a clear refusal."""
    code = platform_column(pl.Series([value or ""], dtype=pl.String))[0]
    if code is None:
        raise ValidationError(f"Unknown platform “{value}”. Known: {', '.join(PLATFORMS)}.")
    return str(code)


MAX_HANDLE = 200


def handle_column(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(normalised handles, Boolean 'not a valid handle') for a text column; blank gives null.
    The one implementation behind check_handle."""
    # handle_expr in stages: as one expression, its branches trim and lower every handle again
    trimmed = pl.DataFrame({"t": values.cast(pl.String)}).select(_trimmed(pl.col("t")))
    staged = trimmed.with_columns(lower=pl.col("t").str.to_lowercase())
    clean = staged.select(_cased(pl.col("t"), pl.col("lower"))).to_series()
    valid = clean.str.replace_all(r"[?=]", "").str.contains(r"^\+?[\w.\-/@]+$") & (
        clean.str.len_chars() <= MAX_HANDLE
    )
    clean = pl.select(pl.when(clean != "").then(clean)).to_series()
    bad = (clean.is_not_null() & ~valid).fill_null(False)
    return pl.select(pl.when(~bad).then(clean)).to_series().alias(values.name), bad


def check_handle(handle: str) -> str:
    """A normalised handle, or a clear refusal."""
    clean, bad = handle_column(pl.Series([handle or ""], dtype=pl.String))
    if bad[0]:
        raise ValidationError(f"“{handle}” is not a valid handle.")
    if clean[0] is None:
        raise ValidationError("A channel needs a handle.")
    return str(clean[0])
