"""The Channels search: bounded work for any text, niches and tags, ranked by relevance."""

from __future__ import annotations

import datetime as dt

import pytest

from crm import registry
from crm.errors import ValidationError
from crm.registry import ChannelFilter
from crm.registry.queries import (
    FUZZY_WORD_MAX,
    SEARCH_MAX,
    SEARCH_WORD_MAX,
    SEARCH_WORDS,
    filter_sql,
    search_words,
)
from crm.store import Store

# --- 7. a search text of any length costs a bounded amount of work ---------------------------


def _fuzzy_clauses(where: str) -> int:
    return where.count("damerau_levenshtein")


def test_search_words_are_bounded_in_length_and_number() -> None:
    assert (SEARCH_MAX, SEARCH_WORD_MAX, SEARCH_WORDS, FUZZY_WORD_MAX) == (200, 40, 8, 20)
    assert search_words("A" * 1000) == ["a" * 40]
    assert search_words("one two three four five six seven eight nine ten") == [
        "one", "two", "three", "four", "five", "six", "seven", "eight"]  # fmt: skip
    # only the first 200 characters are read: the word after them is not searched for
    assert search_words("x" * 199 + " tail") == ["x" * 40]
    assert search_words("  @Crypto_Daily  https://t.me/Durov ") == ["crypto_daily", "durov"]
    assert search_words("") == []


def test_a_thousand_character_search_binds_short_words_and_few_fuzzy_clauses() -> None:
    where, params = filter_sql(ChannelFilter(search="a" * 1000))
    assert _fuzzy_clauses(where) == 0  # one 40-letter word: too long to be a typo
    assert [p for p in params if isinstance(p, str)] == ["a" * 40]

    words = " ".join(f"word{i:03d}x" for i in range(120))  # 1,199 characters, 120 words
    where, params = filter_sql(ChannelFilter(search=words))
    assert _fuzzy_clauses(where) == SEARCH_WORDS
    texts = [p for p in params if isinstance(p, str)]
    assert sorted(set(texts)) == [f"word{i:03d}x" for i in range(SEARCH_WORDS)]

    # words of 21 to 40 letters are matched only as written; 4 to 20 letters also with typos
    mixed = "b" * 21 + " " + "c" * 20 + " abc"
    where, _ = filter_sql(ChannelFilter(search=mixed))
    assert _fuzzy_clauses(where) == 1


def _many_channels(store: Store, n: int) -> None:
    # a few thousand channels, written in one statement (add_channel would take minutes)
    store.cursor().execute(
        """
        insert into channels (platform, handle, title, notes)
        select 'telegram', 'channel_' || i, 'Channel number ' || i || ' about gardening, supercalifragilisticexpialidocious',
               repeat('long notes ', 20)
        from range(?) t(i)
        """,
        [n],
    )


def test_a_thousand_character_search_still_finds_and_refuses_sensibly(store: Store) -> None:
    _many_channels(store, 3000)
    cur = store.cursor()
    frame = registry.list_channels(cur, ChannelFilter(search="gardening " * 100))
    assert frame.height == 3000
    assert registry.list_channels(cur, ChannelFilter(search="q" * 1000)).is_empty()
    # typos allowed, "channel_2990" … match too; the exact handle comes first
    assert registry.list_channels(cur, ChannelFilter(search="channel_2999"))["handle"][0] == (
        "channel_2999"
    )
    # a word longer than 20 letters is found as written, not with a typo; a shorter one is
    long = "supercalifragilisticexpialidocious"
    assert registry.list_channels(cur, ChannelFilter(search=long)).height == 3000
    typo = long.replace("ious", "iuos")
    assert registry.list_channels(cur, ChannelFilter(search=typo)).is_empty()
    assert registry.list_channels(cur, ChannelFilter(search="gardenign")).height == 3000


# --- 19. niches and tags; exact and prefix matches first -------------------------------------


def _relevance_seed(store: Store) -> dict[str, int]:
    rows = [
        # url, title, niches, tags, followers
        ("t.me/finance", "Money talk", [], [], 1_000),
        ("t.me/finance_daily", "Finance Daily", [], [], 2_000),
        ("vk.com/mybudget", "Мой бюджет", ["finance"], [], 50_000),
        ("t.me/saver", "Saver", [], ["finance", "vip"], 30_000),
        ("t.me/fin_news", "Finanse news", [], [], 900_000),  # one typo away
        ("t.me/unrelated", "Cooking", ["food"], ["vip"], 5_000_000),
    ]
    ids = {}
    for url, title, niches, tags, followers in rows:
        cid, _ = registry.add_channel_from_url(store, url, title=title, niches=niches, tags=tags)
        registry.add_snapshot(store, cid, followers=followers, measured_on=dt.date(2026, 1, 1))
        ids[url.rsplit("/", 1)[1]] = cid
    return ids


def test_search_finds_niches_and_tags(store: Store) -> None:
    _relevance_seed(store)
    cur = store.cursor()

    def found(text: str) -> list[str]:
        flt = ChannelFilter(search=text)
        return sorted(registry.list_channels(cur, flt, "title")["handle"].to_list())

    assert found("food") == ["unrelated"]  # a niche only
    assert found("VIP") == ["saver", "unrelated"]  # a tag only
    assert "mybudget" in found("finance") and "saver" in found("finance")


def test_relevance_puts_exact_then_prefix_then_contained_then_typo_matches(store: Store) -> None:
    _relevance_seed(store)
    cur = store.cursor()
    flt = ChannelFilter(search="Finance")
    by_relevance = registry.list_channels(cur, flt, "relevance")["handle"].to_list()
    # exact handle; handle and title start with it; niche / tag (more followers first); typo
    assert by_relevance == ["finance", "finance_daily", "mybudget", "saver", "fin_news"]
    # with a search text, relevance is the default order
    assert registry.list_channels(cur, flt)["handle"].to_list() == by_relevance
    assert registry.page_channels(cur, flt, limit=2)[0]["handle"].to_list() == by_relevance[:2]
    # the other sorts still order the same matches their way
    by_followers = registry.list_channels(cur, flt, "followers")["handle"].to_list()
    assert by_followers == ["fin_news", "mybudget", "saver", "finance_daily", "finance"]


def test_relevance_ranks_a_title_equal_to_the_whole_text_first(store: Store) -> None:
    for url, title in (
        ("t.me/digest_one", "Daily crypto digest"),
        ("t.me/crypto_two", "Crypto daily"),
        ("t.me/daily_three", "Daily news about crypto"),
    ):
        registry.add_channel_from_url(store, url, title=title)
    cur = store.cursor()
    got = registry.list_channels(cur, ChannelFilter(search="crypto daily"))["handle"].to_list()
    # the title is the text; then "daily" begins the title of one, the handle of the other, and
    # both contain "crypto" (a tie, in the order they were added)
    assert got == ["crypto_two", "digest_one", "daily_three"]


def test_relevance_without_a_search_orders_by_followers_and_unknown_sorts_are_refused(
    store: Store,
) -> None:
    _relevance_seed(store)
    cur = store.cursor()
    assert (
        registry.list_channels(cur, sort="relevance")["handle"].to_list()
        == registry.list_channels(cur, sort="followers")["handle"].to_list()
        == registry.list_channels(cur)["handle"].to_list()
    )
    assert registry.default_sort(ChannelFilter()) == "followers"
    assert registry.default_sort(ChannelFilter(search="x")) == "relevance"
    assert "relevance" in registry.SORTS
    with pytest.raises(ValidationError, match="Cannot sort"):
        registry.list_channels(cur, sort="nonsense")


def test_search_text_with_sql_wildcards_is_taken_literally(store: Store) -> None:
    registry.add_channel_from_url(store, "t.me/percent_one", title="100% natural")
    registry.add_channel_from_url(store, "t.me/other_two", title="Nothing here")
    cur = store.cursor()
    assert registry.list_channels(cur, ChannelFilter(search="%"))["handle"].to_list() == [
        "percent_one"
    ]
    # "_" is a letter here, not "any character": "h_r" is not in "other_two" nor "Nothing here"
    assert registry.list_channels(cur, ChannelFilter(search="h_r")).is_empty()
