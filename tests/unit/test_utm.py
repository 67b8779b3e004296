"""UTM links: slugs, the four parameters, the landing link's own query and fragment kept, an
international domain and Cyrillic path, query and fragment encoded; storing the link."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from crm.errors import StaleEdit, ValidationError
from crm.outreach.campaigns import create_campaign
from crm.placements import get_placement, log_placement
from crm.placements.utm import set_utm, slug, utm_link
from crm.registry import add_channel
from crm.store import Store

UTM = dict(platform="vk", kind="public_page", campaign="Ягода Beauty — запуск", handle="brand")


def test_slug() -> None:
    assert slug("Ягода Beauty — запуск") == "yagoda-beauty-zapusk"
    assert slug("  Щука & Café: Ёж!  ") == "shchuka-cafe-ezh"
    assert slug("Қазақ тілі") == "kazak-tili"
    assert slug("Spring 2026 / SALE") == "spring-2026-sale"
    assert slug("—") == ""


def test_cyrillic_landing_keeps_its_query_and_fragment() -> None:
    link = utm_link("https://магазин.рф/каталог?цвет=красный#отзывы", placement_id=7, **UTM)
    assert link == (
        "https://xn--80aairftm.xn--p1ai"
        "/%D0%BA%D0%B0%D1%82%D0%B0%D0%BB%D0%BE%D0%B3"  # каталог
        "?%D1%86%D0%B2%D0%B5%D1%82=%D0%BA%D1%80%D0%B0%D1%81%D0%BD%D1%8B%D0%B9"  # цвет=красный
        "&utm_source=vk&utm_medium=public_page&utm_campaign=yagoda-beauty-zapusk"
        "&utm_content=brand-7"
        "#%D0%BE%D1%82%D0%B7%D1%8B%D0%B2%D1%8B"  # отзывы
    )
    # read back by the standard library, it is the same page with the parameters added
    parts = urlsplit(link)
    assert parts.hostname is not None
    assert parts.hostname.encode().decode("idna") == "магазин.рф"
    assert unquote(parts.path) == "/каталог"
    assert unquote(parts.fragment) == "отзывы"
    assert parse_qsl(parts.query) == [
        ("цвет", "красный"),
        ("utm_source", "vk"),
        ("utm_medium", "public_page"),
        ("utm_campaign", "yagoda-beauty-zapusk"),
        ("utm_content", "brand-7"),
    ]
    assert link.isascii()


def test_existing_utm_is_replaced_and_own_parameters_kept_as_written() -> None:
    link = utm_link(
        "shop.example/x?a=1&utm_source=old&b=c+d&UTM_MEDIUM=z&utm_term=kw&sale=50%#top",
        platform="telegram",
        kind="person",
        campaign="",
        handle="anna",
        placement_id=3,
    )
    # no scheme: https; a percent sign that escapes nothing is escaped; no campaign: no slug
    assert link == (
        "https://shop.example/x?a=1&b=c+d&utm_term=kw&sale=50%25"
        "&utm_source=telegram&utm_medium=influencer&utm_content=anna-3#top"
    )
    assert utm_link("http://Shop.Example:8080", placement_id=1, **UTM).startswith(
        "http://shop.example:8080/?utm_source=vk&"
    )
    assert "utm_content=channel%2Fucx-4" in utm_link(
        "https://a.ru/p?x=%D0%B0", placement_id=4, **{**UTM, "handle": "channel/ucx"}
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mailto:shop@example.com", "is not a web page link"),
        ("javascript:alert(1)", "is not a web page link"),
        ("ftp://files.example/x", "is not a web page link"),
        ("", "Paste the landing page's link"),
        ("https://shop example.ru", "a link has no spaces"),
        ("https://localhost/x", "has no domain"),
        ("https://shop.ru:abc/", "port “abc” is not a number"),
    ],
)
def test_bad_landing_links_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        utm_link(url, placement_id=1, **UTM)


def test_set_utm_stores_both_links(store: Store) -> None:
    campaign = create_campaign(store, name="Ягода Beauty — запуск")
    channel = add_channel(store, "telegram", "anna")  # a person: influencer
    pid = log_placement(store, channel_id=channel, campaign_id=campaign)
    v = set_utm(store, pid, 1, " https://shop.ru/berry?ref=tg ")
    p = get_placement(store.cursor(), pid)
    assert (p.version, p.landing_url) == (v, "https://shop.ru/berry?ref=tg")
    assert p.utm_url == (
        "https://shop.ru/berry?ref=tg&utm_source=telegram&utm_medium=influencer"
        f"&utm_campaign=yagoda-beauty-zapusk&utm_content=anna-{pid}"
    )
    with pytest.raises(StaleEdit):
        set_utm(store, pid, 1, "https://shop.ru/other")
    with pytest.raises(ValidationError, match="not a web page link"):
        set_utm(store, pid, v, "mailto:x@y.ru")
    v = set_utm(store, pid, v, "")
    p = get_placement(store.cursor(), pid)
    assert (p.landing_url, p.utm_url, p.version) == (None, None, v)
