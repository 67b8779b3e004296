import pytest

from crm.errors import ValidationError
from crm.vocab.platforms import (
    POST_LINK,
    ChannelRef,
    canonical_url,
    check_platform,
    parse_channel_key,
    parse_channel_url,
)


@pytest.mark.parametrize(
    ("url", "platform", "handle"),
    [
        ("https://vk.com/club123", "vk", "club123"),
        ("vk.com/public123", "vk", "club123"),
        ("https://m.vk.com/tipichnyy_ekb", "vk", "tipichnyy_ekb"),
        ("t.me/name", "telegram", "name"),
        ("https://t.me/s/Durov", "telegram", "durov"),
        ("instagram.com/name/", "instagram", "name"),
        ("https://www.instagram.com/Leo.Messi/?hl=en", "instagram", "leo.messi"),
        ("youtube.com/@name", "youtube", "name"),
        ("youtube.com/channel/UCabc", "youtube", "channel/UCabc"),
        ("tiktok.com/@name", "tiktok", "name"),
        ("ok.ru/group/123", "ok", "group/123"),
        ("dzen.ru/name", "dzen", "name"),
        ("rutube.ru/channel/123", "rutube", "channel/123"),
        ("x.com/name", "x", "name"),
        ("twitter.com/name", "x", "name"),
        ("facebook.com/name", "facebook", "name"),
        ("  HTTPS://WWW.FACEBOOK.COM/Name  ", "facebook", "name"),
    ],
)
def test_parse_channel_url(url: str, platform: str, handle: str) -> None:
    assert parse_channel_url(url) == ChannelRef(platform, handle)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://example.com/x", "not a link to a known platform"),
        ("", "Paste a link"),
        ("https://t.me/", "names no channel"),
        ("instagram.com/p/Cabc123/", "link to a post, not to a channel"),
        ("https://t.me/joinchat/", "names no channel"),
    ],
)
def test_parse_channel_url_refuses(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_channel_url(url)


def test_parse_channel_key_reads_platform_handle_and_urls() -> None:
    assert parse_channel_key("telegram:@Durov") == ChannelRef("telegram", "durov")
    assert parse_channel_key("https://vk.com/public5") == ChannelRef("vk", "club5")


def test_check_platform_aliases_and_refusal() -> None:
    assert check_platform("Twitter") == "x"
    assert check_platform("ВКонтакте") == "vk"
    with pytest.raises(ValidationError, match="Unknown platform"):
        check_platform("myspace")


def test_canonical_url() -> None:
    assert canonical_url("youtube", "name") == "https://youtube.com/@name"
    assert canonical_url("youtube", "channel/ucabc") == "https://youtube.com/channel/ucabc"
    assert canonical_url("tiktok", "name") == "https://tiktok.com/@name"
    assert canonical_url("other", "x") == ""


TRICKY_LINKS = [
    "https://t.me/Durov",
    "t.me/s/durov",
    "https://t.me/joinchat/abc",
    "  HTTPS://WWW.VK.COM/Public77?w=wall  ",
    "https://user@vk.com:443/club5",
    "https://vk.com/%D0%B8%D0%BC%D1%8F",  # percent-escaped Cyrillic
    "https://rutube.ru/someone",
    "https://facebook.com/pages/Name/123",
    "https://facebook.com/?id=4&x=1",
    "https://sub.tiktok.com/@dancer",
    "https://example.com/x",
    "mailto:x@y.ru",
    "",
]


def test_one_link_parser_for_one_link_and_for_columns() -> None:
    import polars as pl

    from crm.vocab.platforms import parse_link_frame, parse_links

    frame = parse_link_frame(pl.Series(TRICKY_LINKS))
    pairs, errors = parse_links(pl.Series(TRICKY_LINKS))
    for link, row, pair, error in zip(
        TRICKY_LINKS, frame.iter_rows(), pairs.to_list(), errors.to_list(), strict=True
    ):
        try:
            ref = parse_channel_url(link)
            assert row == (ref.platform, ref.handle, None), link
            assert (pair, error) == (f"{ref.platform}\x00{ref.handle}", None), link
        except ValidationError as exc:
            assert row == (None, None, str(exc).rstrip(".")), link
            assert (pair, error) == (None, str(exc).rstrip(".")), link
    assert frame.rows()[3:6] == [("vk", "club77", None), ("vk", "club5", None), ("vk", "имя", None)]


def test_one_parser_for_keys_handles_and_platforms() -> None:
    import polars as pl

    from crm.vocab.platforms import (
        channel_key_frame,
        check_handle,
        handle_column,
        platform_column,
    )

    keys = ["telegram:@Durov", "VK:Club5", "vk:", "https://vk.com/public5", "myspace:x"]
    frame = channel_key_frame(pl.Series(keys))
    for key, row in zip(keys, frame.iter_rows(), strict=True):
        try:
            ref = parse_channel_key(key)
            assert row == (ref.platform, ref.handle, None)
        except ValidationError as exc:
            assert row == (None, None, str(exc).rstrip("."))
    assert frame["handle"].to_list() == ["durov", "club5", None, "club5", None]

    handles = ["@Anna ", "/anna.b/", "a b", "x" * 201, ""]
    clean, bad = handle_column(pl.Series(handles))
    assert clean.to_list() == ["anna", "anna.b", None, None, None]
    assert bad.to_list() == [False, False, True, True, False]
    assert [check_handle(h) for h in handles[:2]] == ["anna", "anna.b"]
    for h in handles[2:4]:
        with pytest.raises(ValidationError, match="is not a valid handle"):
            check_handle(h)
    with pytest.raises(ValidationError, match="A channel needs a handle"):
        check_handle("")

    names = ["Twitter", " ВКонтакте ", "TG", "myspace", None]
    assert platform_column(pl.Series(names)).to_list() == ["x", "vk", "telegram", None, None]
    assert [check_platform(n) for n in ("Twitter", " ВКонтакте ", "TG")] == ["x", "vk", "telegram"]


# --- links to posts: resolved to their channel where the link says which, else refused -------


@pytest.mark.parametrize(
    ("url", "platform", "handle"),
    [
        ("t.me/name/123", "telegram", "name"),
        ("https://t.me/s/Name/123", "telegram", "name"),
        ("vk.com/wall-1_123", "vk", "club1"),
        ("https://vk.com/wall-57876954_1049", "vk", "club57876954"),
        ("vk.com/wall7_5", "vk", "id7"),  # a person's wall
        ("https://m.vk.com/photo-22_456", "vk", "club22"),
        ("vk.com/video-5_77", "vk", "club5"),
        ("vk.com/club1?w=wall-1_123", "vk", "club1"),
        ("ok.ru/group/123/topic/456", "ok", "group/123"),
        ("ok.ru/name/topic/456", "ok", "name"),
        ("tiktok.com/@dancer/video/7301", "tiktok", "dancer"),
        ("x.com/name/status/1", "x", "name"),
        ("youtube.com/@name/videos", "youtube", "name"),
        ("instagram.com/stories/Name/3141/", "instagram", "name"),
    ],
)
def test_a_post_link_names_its_channel(url: str, platform: str, handle: str) -> None:
    assert parse_channel_url(url) == ChannelRef(platform, handle)


@pytest.mark.parametrize(
    "url",
    [
        "instagram.com/p/Cabc123/",
        "https://www.instagram.com/reel/Cxyz/?igsh=1",
        "instagram.com/reels/Cxyz",
        "youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ",
        "youtube.com/shorts/abc",
        "youtube.com/live/abc",
        "dzen.ru/a/ZabcDEF",
        "https://dzen.ru/b/Zxyz",
        "dzen.ru/video/watch/65abc",
        "rutube.ru/video/0123abc/",
        "https://vm.tiktok.com/ZMabc123/",
        "t.me/c/1234567/89",
    ],
)
def test_a_post_link_that_does_not_name_its_channel_is_refused_as_a_post(url: str) -> None:
    assert POST_LINK == (
        "This is a link to a post, not to a channel: open the post and copy the link of its author"
    )
    with pytest.raises(ValidationError) as info:
        parse_channel_url(url)
    assert str(info.value) == POST_LINK + "."


def test_invites_and_youtube_channel_ids_keep_their_case() -> None:
    from crm.vocab.platforms import check_handle, normalise_handle

    one, other = parse_channel_url("t.me/+AbCdEf"), parse_channel_url("https://t.me/+abcdef")
    assert (one, other) == (ChannelRef("telegram", "+AbCdEf"), ChannelRef("telegram", "+abcdef"))
    # the old form of an invite is the same invite
    assert parse_channel_url("t.me/joinchat/AbCdEf") == one
    assert parse_channel_url("youtube.com/channel/UCxYz_1-Q/videos") == ChannelRef(
        "youtube", "channel/UCxYz_1-Q"
    )
    assert parse_channel_key("telegram:+AbCdEf") == one
    assert parse_channel_key("youtube:Channel/UCxYz") == ChannelRef("youtube", "channel/UCxYz")
    assert [check_handle(h) for h in ("+AbCdEf", "channel/UCxYz", "@Name")] == [
        "+AbCdEf", "channel/UCxYz", "name"]  # fmt: skip
    assert normalise_handle(" @+AbC/ ") == "+AbC"
    assert canonical_url("telegram", "+AbCdEf") == "https://t.me/+AbCdEf"
    assert canonical_url("youtube", "channel/UCxYz") == "https://youtube.com/channel/UCxYz"
    # names that only look alike are still lower-cased
    assert parse_channel_url("youtube.com/c/SomeName") == ChannelRef("youtube", "c/somename")
    assert parse_channel_url("rutube.ru/channel/123/") == ChannelRef("rutube", "channel/123")


def test_parse_channel_link_says_when_a_link_points_below_the_channel() -> None:
    from crm.vocab.platforms import parse_channel_link

    got = {
        url: parse_channel_link(url)[1]
        for url in (
            "t.me/name", "t.me/name/123", "t.me/s/name", "vk.com/public1", "vk.com/wall-1_123",
            "ok.ru/group/123", "ok.ru/group/123/topic/456", "youtube.com/channel/UCa",
            "youtube.com/@x/videos", "facebook.com/pages/Name/123", "t.me/+AbC",
        )
    }  # fmt: skip
    assert [url for url, below in got.items() if below] == [
        "t.me/name/123", "vk.com/wall-1_123", "ok.ru/group/123/topic/456", "youtube.com/@x/videos"]  # fmt: skip
