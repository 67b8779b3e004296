import pytest

from crm.errors import ValidationError
from crm.vocab.platforms import (
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
        ("youtube.com/channel/UCabc", "youtube", "channel/ucabc"),
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
        ("instagram.com/p/Cabc123/", "names no channel"),
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
