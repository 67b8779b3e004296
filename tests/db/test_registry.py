import contextlib
import datetime as dt

import polars as pl
import pytest

from crm import registry
from crm.errors import CrmError, NotFound, StaleEdit, ValidationError
from crm.registry import ChannelFilter
from crm.store import Store


def _seed(store):
    anna = registry.add_owner(store, "Анна Смирнова", email="anna@pages.ru", telegram="@anna_ads")
    rows = [
        (
            "https://vk.com/club101",
            "Типичный Екатеринбург",
            "public_page",
            ["city", "news"],
            "Russia",
            "ru",
            120_000,
            9_000,
            600,
        ),
        (
            "vk.com/lifehacks_home",
            "Лайфхаки для дома",
            "public_page",
            ["home"],
            "Russia",
            "ru",
            800_000,
            40_000,
            4_000,
        ),
        (
            "t.me/crypto_daily",
            "Crypto Daily",
            "public_page",
            ["finance"],
            "Kazakhstan",
            "en",
            50_000,
            15_000,
            300,
        ),
        (
            "instagram.com/mama_blog_spb",
            "Mama Blog SPb",
            "person",
            ["parenting"],
            "Russia",
            "ru",
            30_000,
            4_000,
            0,
        ),
    ]
    ids = []
    for url, title, kind, niches, country, lang, followers, reach, eng in rows:
        cid, created = registry.add_channel_from_url(
            store,
            url,
            title=title,
            kind=kind,
            niches=niches,
            country=country,
            language=lang,
            owner_id=anna if kind == "public_page" and country == "Russia" else None,
        )
        assert created
        registry.add_snapshot(
            store,
            cid,
            measured_on=dt.date(2026, 10, 1),
            followers=followers - 1000,
            avg_reach=reach,
            avg_engagement=eng,
            provenance="platform_stats",
        )
        registry.add_snapshot(
            store,
            cid,
            measured_on=dt.date(2026, 11, 1),
            followers=followers,
            avg_reach=reach,
            avg_engagement=eng,
            provenance="screenshot",
        )
        ids.append(cid)
    return anna, ids


def test_list_channels_joins_latest_snapshot_and_computes_er_err(store) -> None:
    anna, ids = _seed(store)
    frame = registry.list_channels(store.cursor())
    assert frame["handle"].to_list() == [
        "lifehacks_home",
        "club101",
        "crypto_daily",
        "mama_blog_spb",
    ]
    row = frame.filter(pl.col("handle") == "club101").row(0, named=True)
    assert row["followers"] == 120_000
    assert row["measured_on"] == dt.date(2026, 11, 1)
    assert row["er"] == pytest.approx(600 / 120_000)
    assert row["err"] == pytest.approx(600 / 9_000)
    assert row["reach_rate"] == pytest.approx(9_000 / 120_000)
    assert row["owner"] == "Анна Смирнова"
    assert row["niches"] == ["city", "news"]
    mama = frame.filter(pl.col("handle") == "mama_blog_spb").row(0, named=True)
    assert mama["er"] == 0.0


def test_filters_narrow_the_list(store) -> None:
    _seed(store)
    cur = store.cursor()

    def handles(**kw):
        return sorted(registry.list_channels(cur, ChannelFilter(**kw))["handle"].to_list())

    assert handles(platforms=["vk"]) == ["club101", "lifehacks_home"]
    assert handles(kinds=["person"]) == ["mama_blog_spb"]
    assert handles(niches=["news", "finance"]) == ["club101", "crypto_daily"]
    assert handles(countries=["Kazakhstan"]) == ["crypto_daily"]
    assert handles(languages=["en"]) == ["crypto_daily"]
    assert handles(followers_min=100_000, followers_max=500_000) == ["club101"]
    assert handles(er_min=0.0055) == ["crypto_daily"]
    assert handles(er_max=0.001) == ["mama_blog_spb"]


def test_search_is_case_and_typo_tolerant(store) -> None:
    _seed(store)
    cur = store.cursor()

    def search(text):
        return sorted(registry.list_channels(cur, ChannelFilter(search=text))["handle"].to_list())

    assert search("CRYPTO") == ["crypto_daily"]
    assert search("cripto") == ["crypto_daily"]  # one typo
    assert search("екатеринбур") == ["club101"]  # substring
    assert search("Екатиринбург") == ["club101"]  # one typo in Cyrillic
    assert search("смирнова") == ["club101", "lifehacks_home"]  # owner name
    assert search("mama spb") == ["mama_blog_spb"]  # every word must match
    assert search("zzzz") == []


def test_sorts(store) -> None:
    _seed(store)
    cur = store.cursor()
    by_title = registry.list_channels(cur, sort="title")["title"].to_list()
    assert by_title == [
        "Crypto Daily",
        "Mama Blog SPb",
        "Лайфхаки для дома",
        "Типичный Екатеринбург",
    ]
    by_err = registry.list_channels(cur, sort="err")["handle"].to_list()
    assert by_err[0] == "lifehacks_home"  # 4000/40000 = 10 %
    with pytest.raises(ValidationError):
        registry.list_channels(cur, sort="drop table")


def test_add_by_url_opens_existing_instead_of_duplicating(store) -> None:
    first, created = registry.add_channel_from_url(store, "https://vk.com/public777")
    again, created_again = registry.add_channel_from_url(store, "vk.com/club777")
    assert (created, created_again) == (True, False)
    assert first == again
    assert store.cursor().execute("select count(*) from channels").fetchall() == [(1,)]
    ch = registry.get_channel(store.cursor(), first)
    assert (ch.platform, ch.handle, ch.url) == ("vk", "club777", "https://vk.com/public777")


def test_edit_validates_and_refuses_stale_versions(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/some_channel")
    v2 = registry.update_channel(
        store,
        cid,
        1,
        title="Some channel",
        email="Ads@Mail.RU",
        tags="VIP, бартер, vip",
        telegram="t.me/admin_name",
    )
    assert v2 == 2
    ch = registry.get_channel(store.cursor(), cid)
    assert (ch.title, ch.email, ch.tags, ch.telegram) == (
        "Some channel",
        "ads@mail.ru",
        ["VIP", "бартер"],
        "@admin_name",
    )
    for bad, message in (
        ({"email": "not-an-email"}, "not a valid e-mail"),
        ({"url": "javascript:alert(1)"}, "not a valid web address"),
        ({"kind": "robot"}, "Kind must be one of"),
        ({"platform": "vk"}, "can be edited"),
    ):
        with pytest.raises(ValidationError, match=message):
            registry.update_channel(store, cid, v2, **bad)
    with pytest.raises(StaleEdit, match="Someone else changed"):
        registry.update_channel(store, cid, 1, title="stale")
    assert registry.get_channel(store.cursor(), cid).title == "Some channel"


def test_archive_and_restore(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/archived_one")
    v = registry.set_archived(store, cid, 1, True)
    cur = store.cursor()
    assert registry.list_channels(cur).is_empty()
    assert registry.list_channels(cur, ChannelFilter(archived="archived"))["id"].to_list() == [cid]
    registry.set_archived(store, cid, v, False)
    assert registry.list_channels(cur)["id"].to_list() == [cid]


def test_snapshot_validation(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/metrics_one")
    with pytest.raises(ValidationError, match="cannot be negative"):
        registry.add_snapshot(store, cid, followers=-5)
    with pytest.raises(ValidationError, match="at least one number"):
        registry.add_snapshot(store, cid)
    with pytest.raises(ValidationError, match="Provenance"):
        registry.add_snapshot(store, cid, followers=5, provenance="rumour")
    with pytest.raises(ValidationError, match="future"):
        registry.add_snapshot(
            store, cid, followers=5, measured_on=dt.date.today() + dt.timedelta(days=9)
        )
    with pytest.raises(NotFound):
        registry.add_snapshot(store, 999, followers=5)
    assert registry.list_snapshots(store.cursor(), cid).is_empty()


def test_owners_with_channels(store) -> None:
    anna, ids = _seed(store)
    owners = registry.list_owners(store.cursor())
    row = owners.row(0, named=True)
    assert (row["name"], row["channels"], row["platforms"], row["followers"]) == (
        "Анна Смирнова",
        2,
        ["vk"],
        920_000,
    )
    assert registry.owner_channels(store.cursor(), anna)["handle"].sort().to_list() == [
        "club101",
        "lifehacks_home",
    ]
    v = registry.update_owner(store, anna, 1, phone="+7 912 000-00-00")
    assert v == 2
    assert registry.get_owner(store.cursor(), anna).phone == "+7 912 000-00-00"
    with pytest.raises(ValidationError, match="needs a name"):
        registry.add_owner(store, "  ")
    with pytest.raises(ValidationError, match="e-mail"):
        registry.update_owner(store, anna, 2, email="nope")


def test_registry_counts_and_filter_options(store) -> None:
    _seed(store)
    counts = registry.registry_counts(store.cursor())
    assert counts["channels"] == 4
    assert counts["owners"] == 1
    assert counts["snapshots"] == 8
    assert counts["per_platform"] == [
        {"platform": "vk", "channels": 2, "public_pages": 2},
        {"platform": "instagram", "channels": 1, "public_pages": 0},
        {"platform": "telegram", "channels": 1, "public_pages": 1},
    ]
    options = registry.filter_options(store.cursor())
    assert options["countries"] == ["Kazakhstan", "Russia"]
    assert options["niches"] == ["city", "finance", "home", "news", "parenting"]


def test_page_channels_returns_one_page_and_the_total(store) -> None:
    _seed(store)
    cur = store.cursor()
    everything = registry.list_channels(cur)["handle"].to_list()
    first, total = registry.page_channels(cur, limit=3)
    second, total_again = registry.page_channels(cur, limit=3, offset=3)
    assert (total, total_again) == (4, 4)
    assert first["handle"].to_list() + second["handle"].to_list() == everything
    beyond, total_beyond = registry.page_channels(cur, limit=3, offset=30)
    assert (beyond.height, total_beyond) == (0, 4)
    none, zero = registry.page_channels(cur, ChannelFilter(search="zzzz"), limit=3)
    assert (none.height, zero) == (0, 0)
    assert "matching" not in first.columns


def test_delete_snapshot(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/oops_one")
    other, _ = registry.add_channel_from_url(store, "t.me/other_one")
    keep = registry.add_snapshot(store, cid, followers=10, measured_on=dt.date(2026, 1, 1))
    wrong = registry.add_snapshot(store, cid, followers=10_000, measured_on=dt.date(2026, 2, 1))
    with pytest.raises(NotFound):
        registry.delete_snapshot(store, other, wrong)  # not that channel's snapshot
    registry.delete_snapshot(store, cid, wrong)
    assert registry.list_snapshots(store.cursor(), cid)["id"].to_list() == [keep]
    with pytest.raises(NotFound, match="no longer exists"):
        registry.delete_snapshot(store, cid, wrong)


def test_followers_change_against_the_snapshot_before(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/growing")
    cur = store.cursor()
    assert registry.followers_change(registry.list_snapshots(cur, cid)) is None
    registry.add_snapshot(store, cid, followers=1000, measured_on=dt.date(2026, 1, 1))
    assert registry.followers_change(registry.list_snapshots(cur, cid)) is None
    registry.add_snapshot(store, cid, followers=1250, measured_on=dt.date(2026, 2, 1))
    assert registry.followers_change(registry.list_snapshots(cur, cid)) == 250
    registry.add_snapshot(store, cid, followers=1200, measured_on=dt.date(2026, 3, 1))
    assert registry.followers_change(registry.list_snapshots(cur, cid)) == -50
    registry.add_snapshot(store, cid, avg_reach=100, measured_on=dt.date(2026, 4, 1))
    assert registry.followers_change(registry.list_snapshots(cur, cid)) is None


def test_bulk_edit_tags_owner_and_archive_in_one_go(store) -> None:
    anna, ids = _seed(store)
    club, home, crypto, mama = ids
    registry.update_channel(store, club, 1, tags="VIP")
    cur = store.cursor()
    versions = {i: registry.get_channel(cur, i).version for i in ids}

    changed = registry.bulk_edit(store, [club, crypto], add_tags=["шортлист", "VIP"])
    assert changed == 2
    assert registry.get_channel(cur, club).tags == ["VIP", "шортлист"]
    assert registry.get_channel(cur, crypto).tags == ["шортлист", "VIP"]
    # a second identical edit changes nothing and bumps no version
    assert registry.bulk_edit(store, [club, crypto], add_tags=["VIP"]) == 0
    assert registry.get_channel(cur, club).version == versions[club] + 1

    assert registry.bulk_edit(store, [club, crypto, mama], remove_tags=["VIP"]) == 2
    assert registry.get_channel(cur, club).tags == ["шортлист"]
    assert registry.bulk_edit(store, [crypto, mama], owner_id=anna) == 2
    assert registry.get_channel(cur, mama).owner_id == anna
    assert registry.bulk_edit(store, [mama], clear_owner=True) == 1
    assert registry.get_channel(cur, mama).owner_id is None
    assert registry.bulk_edit(store, [home, mama], archived=True) == 2
    assert sorted(registry.list_channels(cur)["id"].to_list()) == sorted([club, crypto])
    assert registry.get_channel(cur, home).version == versions[home] + 1

    with pytest.raises(ValidationError, match="Select at least one"):
        registry.bulk_edit(store, [], add_tags=["x"])
    with pytest.raises(NotFound):
        registry.bulk_edit(store, [club], owner_id=9999)


def test_delete_owner_keeps_their_channels_without_an_owner(store) -> None:
    anna, ids = _seed(store)
    cur = store.cursor()
    club = registry.get_channel(cur, ids[0])
    with pytest.raises(StaleEdit):
        registry.delete_owner(store, anna, 99)
    assert registry.delete_owner(store, anna, 1) == 2
    with pytest.raises(NotFound):
        registry.get_owner(cur, anna)
    after = registry.get_channel(cur, ids[0])
    assert (after.owner_id, after.version) == (None, club.version + 1)
    assert registry.list_channels(cur).height == 4
    with pytest.raises(NotFound):
        registry.delete_owner(store, anna, 1)


def test_with_growth_compares_with_four_weeks_earlier(store) -> None:
    grow, _ = registry.add_channel_from_url(store, "t.me/grow")
    flat, _ = registry.add_channel_from_url(store, "t.me/young")
    zero, _ = registry.add_channel_from_url(store, "t.me/from_zero")
    d = dt.date(2026, 3, 1)
    for cid, series in (
        (grow, [(0, 1000), (14, 1100), (35, 1200), (63, 1500)]),
        (flat, [(50, 500), (63, 600)]),
        (zero, [(0, 0), (63, 10)]),
    ):
        for offset, followers in series:
            registry.add_snapshot(store, cid, followers=followers,
                                  measured_on=d + dt.timedelta(days=offset))  # fmt: skip
    frame = registry.with_growth(store.cursor(), registry.list_channels(store.cursor()))
    growth = dict(zip(frame["handle"].to_list(), frame["growth"].to_list(), strict=True))
    # 63 − 28 = day 35: the newest snapshot at least 28 days older holds 1200
    assert growth["grow"] == pytest.approx(1500 / 1200 - 1)
    assert growth["young"] is None  # no snapshot 28 days older
    assert growth["from_zero"] is None  # 0 followers then: no ratio


def test_search_understands_at_handles_and_pasted_links(store) -> None:
    _seed(store)
    cur = store.cursor()

    def search(text):
        return sorted(registry.list_channels(cur, ChannelFilter(search=text))["handle"].to_list())

    assert search("@crypto_daily") == ["crypto_daily"]
    assert search("https://t.me/Crypto_Daily") == ["crypto_daily"]
    assert search("vk.com/public101") == ["club101"]


def test_adding_a_community_link_guesses_public_page(store) -> None:
    cases = {
        "vk.com/public555": "public_page",
        "https://ok.ru/group/777": "public_page",
        "vk.com/id123": "person",
        "t.me/someone_new": "person",
    }
    for url, kind in cases.items():
        cid, _ = registry.add_channel_from_url(store, url)
        assert registry.get_channel(store.cursor(), cid).kind == kind, url
    cid, _ = registry.add_channel_from_url(store, "vk.com/club999", kind="person")
    assert registry.get_channel(store.cursor(), cid).kind == "person"  # an explicit kind wins


def test_a_save_that_changes_nothing_keeps_the_version(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/steady_one", title="Steady", tags="a, b")
    assert registry.update_channel(store, cid, 1, title="Steady", tags=["a", "b"]) == 1
    assert registry.update_channel(store, cid, 1, title="Steadier") == 2
    assert registry.set_archived(store, cid, 2, False) == 2
    with pytest.raises(StaleEdit):
        registry.update_channel(store, cid, 1, title="Steadier")  # stale even when equal
    owner = registry.add_owner(store, "Пётр")
    assert registry.update_owner(store, owner, 1, name="Пётр", email="") == 1


def test_needs_find_channels_that_lack_numbers_owner_or_contact(store) -> None:
    anna, ids = _seed(store)  # anna has e-mail and Telegram; snapshots dated 2026-10/11
    club, home, crypto, mama = ids
    bare, _ = registry.add_channel_from_url(store, "t.me/bare_one")
    fresh, _ = registry.add_channel_from_url(store, "t.me/fresh_one", email="ads@fresh.ru")
    registry.add_snapshot(store, fresh, followers=10, measured_on=dt.date.today())
    cur = store.cursor()

    def lacking(*needs):
        flt = ChannelFilter(needs=list(needs))
        return sorted(registry.list_channels(cur, flt)["handle"].to_list())

    assert lacking("numbers") == ["bare_one"]
    stale = [] if dt.date.today() <= dt.date(2026, 11, 1) + dt.timedelta(days=60) else [
        "club101", "crypto_daily", "lifehacks_home", "mama_blog_spb"]  # fmt: skip
    assert lacking("fresh_numbers") == stale
    assert lacking("owner") == ["bare_one", "crypto_daily", "fresh_one", "mama_blog_spb"]
    assert lacking("contact") == ["bare_one", "crypto_daily", "mama_blog_spb"]
    assert lacking("owner", "numbers") == ["bare_one"]
    assert registry.needs_counts(cur) == {
        "numbers": 1, "fresh_numbers": len(stale), "owner": 4, "contact": 3}  # fmt: skip
    with pytest.raises(ValidationError, match="Unknown gap"):
        registry.list_channels(cur, ChannelFilter(needs=["love"]))


def test_merge_owners_moves_channels_and_fills_missing_contacts(store) -> None:
    anna, ids = _seed(store)  # e-mail and Telegram, two channels
    twin = registry.add_owner(store, "Смирнова Анна", phone="+7 900 000-00-00",
                              email="other@pages.ru", notes="вторая запись")  # fmt: skip
    crypto = ids[2]
    registry.update_channel(store, crypto, 1, owner_id=twin)
    assert registry.merge_owners(store, anna, twin) == 1
    cur = store.cursor()
    kept = registry.get_owner(cur, anna)
    # her own e-mail stays; the phone she lacked comes over; notes are kept
    assert (kept.email, kept.telegram, kept.phone, kept.notes) == (
        "anna@pages.ru",
        "@anna_ads",
        "+7 900 000-00-00",
        "вторая запись",
    )
    assert registry.get_channel(cur, crypto).owner_id == anna
    with pytest.raises(NotFound):
        registry.get_owner(cur, twin)
    assert registry.owner_channels(cur, anna).height == 3
    with pytest.raises(ValidationError, match="two different owners"):
        registry.merge_owners(store, anna, anna)


def test_owner_filter_and_owner_names(store) -> None:
    anna, ids = _seed(store)
    boris = registry.add_owner(store, "Борис")
    registry.update_channel(store, ids[3], 1, owner_id=boris)
    registry.set_archived(store, ids[0], registry.get_channel(store.cursor(), ids[0]).version, True)
    cur = store.cursor()
    active = registry.list_channels(cur, ChannelFilter(owner_id=anna))["handle"].to_list()
    assert active == ["lifehacks_home"]  # the archived one is left out of the active list
    assert sorted(registry.owner_channels(cur, anna)["handle"].to_list()) == [
        "club101", "lifehacks_home"]  # fmt: skip
    assert registry.owner_names(cur) == {anna: "Анна Смирнова", boris: "Борис"}


# --- writes that compose into one transaction; fair stale-edit checks; generations ----------


def _channel_state(store: Store, cid: int) -> tuple[object, ...]:
    ch = registry.get_channel(store.cursor(), cid)
    return ch.title, ch.notes, ch.owner_id, ch.version


def test_two_writes_composed_in_one_transaction_write_nothing_when_it_fails(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/composed")
    with pytest.raises(RuntimeError), store.transaction():
        owner = registry.add_owner(store, "Новый владелец")
        # the owner exists only inside this transaction: the check must run inside it too
        registry.update_channel(store, cid, 1, owner_id=owner)
        raise RuntimeError("the page failed after both writes")
    assert registry.list_owners(store.cursor()).is_empty()
    assert _channel_state(store, cid) == (None, None, None, 1)


def test_writes_composed_in_one_transaction_see_each_other(store: Store) -> None:
    with store.transaction():
        owner = registry.add_owner(store, "Борис")
        cid, created = registry.add_channel_from_url(store, "t.me/together", owner_id=owner)
        assert registry.add_channel_from_url(store, "https://t.me/Together") == (cid, False)
        registry.add_snapshot(store, cid, followers=5)
        twin = registry.add_owner(store, "Борис (дубль)", email="b@b.ru")
        assert registry.merge_owners(store, owner, twin) == 0
    assert created
    assert registry.get_owner(store.cursor(), owner).email == "b@b.ru"
    assert registry.list_snapshots(store.cursor(), cid)["followers"].to_list() == [5]


def test_inner_and_outer_updates_of_one_row_commit_or_fail_together(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/same_row")
    with pytest.raises(ValidationError), store.transaction():
        v = registry.update_channel(store, cid, 1, title="inner")
        registry.update_channel(store, cid, v, notes="outer")
        raise ValidationError("outer fails")
    assert _channel_state(store, cid) == (None, None, None, 1)
    with store.transaction():
        v = registry.update_channel(store, cid, 1, title="inner")
        assert registry.update_channel(store, cid, v, notes="outer") == 3
    assert _channel_state(store, cid) == ("inner", "outer", None, 3)  # no lost update


def test_a_failed_inner_write_swallowed_by_the_caller_still_writes_nothing(store: Store) -> None:
    registry.add_channel_from_url(store, "t.me/taken")
    with pytest.raises(CrmError, match="nothing was written"), store.transaction():
        registry.add_owner(store, "Вера")
        with contextlib.suppress(ValidationError):  # the caller carries on without it
            registry.add_channel(store, "telegram", "taken")
    assert registry.list_owners(store.cursor()).is_empty()


def test_edit_with_seen_applies_over_someone_elses_edit_of_other_fields(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/two_editors", title="Old")
    opened = registry.get_channel(store.cursor(), cid)
    registry.update_channel(store, cid, opened.version, notes="their notes")
    seen = {"title": opened.title, "notes": opened.notes, "tags": opened.tags}
    # the form sends every field it shows; only the title was changed in it
    v = registry.update_channel(
        store, cid, opened.version, seen=seen, title="Mine", notes=None, tags=[]
    )
    assert v == 3
    assert _channel_state(store, cid) == ("Mine", "their notes", None, 3)


def test_edit_with_seen_refuses_when_the_same_field_changed(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/same_field", title="Old")
    registry.update_channel(store, cid, 1, title="Theirs")
    with pytest.raises(StaleEdit) as info:
        registry.update_channel(store, cid, 1, seen={"title": "Old"}, title="Mine")
    assert [(c.field, c.seen, c.current, c.yours) for c in info.value.conflicts] == [
        ("title", "Old", "Theirs", "Mine")
    ]
    assert "“Theirs”" in str(info.value) and "“Mine”" in str(info.value)
    assert _channel_state(store, cid) == ("Theirs", None, None, 2)
    with pytest.raises(StaleEdit, match="Someone else changed"):
        registry.update_channel(store, cid, 1, title="Mine")  # without seen: refused as before


def test_owner_edit_with_seen(store: Store) -> None:
    owner = registry.add_owner(store, "Анна")
    registry.update_owner(store, owner, 1, phone="+7 900 000-00-00")
    assert registry.update_owner(store, owner, 1, seen={"email": None}, email="a@b.ru") == 3
    kept = registry.get_owner(store.cursor(), owner)
    assert (kept.email, kept.phone, kept.version) == ("a@b.ru", "+7 900 000-00-00", 3)
    with pytest.raises(StaleEdit) as info:
        registry.update_owner(store, owner, 1, seen={"email": None}, email="c@d.ru")
    assert [c.field for c in info.value.conflicts] == ["email"]


def test_bulk_edit_refuses_channels_changed_since_they_were_shown(store: Store) -> None:
    _, ids = _seed(store)
    shown = {cid: registry.get_channel(store.cursor(), cid).version for cid in ids[:3]}
    registry.update_channel(store, ids[1], shown[ids[1]], notes="changed meanwhile")
    with pytest.raises(StaleEdit, match="1 record changed"):
        registry.bulk_edit(store, versions=shown, add_tags=["x"])
    assert all("x" not in registry.get_channel(store.cursor(), c).tags for c in ids)
    shown[ids[1]] += 1
    assert registry.bulk_edit(store, versions=shown, add_tags=["x"]) == 3
    # channel_ids alone still work, and both together make one selection
    assert registry.bulk_edit(store, [ids[3]], versions={ids[0]: shown[ids[0]] + 1},
                              add_tags=["y"]) == 2  # fmt: skip


def test_registry_writes_move_the_registry_generation_on(store: Store) -> None:
    before = store.generation("registry"), store.generation("pricing")
    cid, _ = registry.add_channel_from_url(store, "t.me/gen")
    registry.update_channel(store, cid, 1, title="T")
    assert store.generation("registry") == before[0] + 2
    assert store.generation("pricing") == before[1]
    with pytest.raises(StaleEdit):
        registry.update_channel(store, cid, 1, title="stale")
    assert store.generation("registry") == before[0] + 2  # a refused write moves nothing


# --- adding by a link to a post; invites keep their case ------------------------------------


def test_a_post_link_adds_or_opens_the_channel_it_belongs_to(store: Store) -> None:
    cur = store.cursor()
    club, created = registry.add_channel_from_url(store, "vk.com/public1")
    assert created
    assert registry.add_channel_from_url(store, "https://vk.com/wall-1_123") == (club, False)
    added = registry.add_channel_from_url(store, "https://t.me/Name/123")
    assert added.created
    ch = registry.get_channel(cur, added.id)
    # the channel keeps its own address, not the post's
    assert (ch.key, ch.url) == ("telegram:name", "https://t.me/name")
    assert registry.add_channel_from_url(store, "t.me/name") == (added.id, False)
    ok, _ = registry.add_channel_from_url(store, "ok.ru/group/123/topic/456")
    assert registry.get_channel(cur, ok).key == "ok:group/123"
    for post in ("youtube.com/watch?v=dQw4w9WgXcQ", "instagram.com/p/Cabc/", "dzen.ru/a/Zx"):
        with pytest.raises(ValidationError, match="link to a post, not to a channel"):
            registry.add_channel_from_url(store, post)
    assert registry.count_channels(cur) == 3


def test_two_private_invites_stay_two_channels(store: Store) -> None:
    cur = store.cursor()
    one = registry.add_channel_from_url(store, "https://t.me/+AbCdEf")
    other = registry.add_channel_from_url(store, "t.me/+abcdef")
    again = registry.add_channel_from_url(store, "t.me/joinchat/AbCdEf")  # the old form
    assert (one.created, other.created, again) == (True, True, (one.id, False))
    assert registry.get_channel(cur, one.id).handle == "+AbCdEf"
    assert registry.get_channel(cur, other.id).handle == "+abcdef"
    yt = registry.add_channel_from_url(store, "youtube.com/channel/UCxYz")
    assert registry.get_channel(cur, yt.id).key == "youtube:channel/UCxYz"
    assert registry.add_channel(store, "youtube", "channel/UCxyz") != yt.id  # another channel


# --- owners: merging keeps every contact; duplicates found; the merge described first -------


def test_merge_keeps_the_duplicates_differing_contacts_as_other_contacts(store: Store) -> None:
    anna = registry.add_owner(store, "Анна Смирнова", email="anna@pages.ru", telegram="@anna_ads",
                              phone="+7 900 000-00-01", other_contact="VK: vk.com/anna")  # fmt: skip
    twin = registry.add_owner(store, "Смирнова Анна", email="Other@Pages.ru",
                              telegram="@Anna_Ads", phone="+7 (900) 000-00-02",
                              other_contact="WhatsApp +7 900 000-00-03")  # fmt: skip
    registry.merge_owners(store, anna, twin)
    kept = registry.get_owner(store.cursor(), anna)
    # the same Telegram (another case) is not repeated; the other e-mail and phone are kept
    assert (kept.email, kept.telegram, kept.phone, kept.other_contact) == (
        "anna@pages.ru",
        "@anna_ads",
        "+7 900 000-00-01",
        "VK: vk.com/anna; other@pages.ru; +7 (900) 000-00-02; WhatsApp +7 900 000-00-03",
    )


def test_merge_preview_says_what_moves_and_what_is_deleted(store: Store) -> None:
    anna, ids = _seed(store)  # e-mail and Telegram, channels club101 and lifehacks_home
    twin = registry.add_owner(store, "Смирнова Анна", phone="+7 900 000-00-00",
                              email="other@pages.ru", notes="вторая запись")  # fmt: skip
    crypto = ids[2]
    registry.update_channel(store, crypto, 1, owner_id=twin)
    cur = store.cursor()
    preview = registry.merge_preview(cur, anna, twin)
    assert (preview.keep.id, preview.drop.id) == (anna, twin)
    assert preview.channels == ["telegram:crypto_daily"]
    assert preview.filled == {"phone": "+7 900 000-00-00"}
    assert preview.other_contacts == ["other@pages.ru"]
    assert preview.lines() == [
        "1 channel moves to Анна Смирнова: telegram:crypto_daily.",
        "Анна Смирнова takes the phone +7 900 000-00-00.",
        "Kept as other contacts: other@pages.ru.",
        "Анна Смирнова takes the notes.",
        "Смирнова Анна is deleted.",
    ]
    # nothing was written; the merge then does exactly that
    assert registry.get_owner(cur, twin).name == "Смирнова Анна"
    assert registry.merge_owners(store, anna, twin) == 1
    kept = registry.get_owner(cur, anna)
    assert (kept.phone, kept.other_contact, kept.notes) == (
        "+7 900 000-00-00", "other@pages.ru", "вторая запись")  # fmt: skip
    with pytest.raises(ValidationError, match="two different owners"):
        registry.merge_preview(cur, anna, anna)
    with pytest.raises(NotFound):
        registry.merge_preview(cur, anna, twin)
    lone = registry.add_owner(store, "Пустой")
    assert registry.merge_preview(cur, anna, lone).lines() == [
        "No channel moves.", "Пустой is deleted."]  # fmt: skip


def test_likely_duplicate_owners_by_name_email_telegram_or_phone(store: Store) -> None:
    def add(name: str, **contacts: str) -> int:
        return registry.add_owner(store, name, **contacts)

    anna = add("Анна Смирнова", email="anna@pages.ru", telegram="@anna_ads")
    anna2 = add("  смирнова   АННА ", telegram="@Anna_Ads")
    boris = add("Борис", email="ANNA@pages.ru")
    pyotr = add("Пётр Иванов", phone="+7 (900) 123-45-67")
    petr = add("Петр Иванов")
    vera = add("Вера", phone="8 900 123 45 67")
    add("Гриша", email="g@x.ru", telegram="@grisha_1")
    got = [
        (d.first_id, d.second_id, d.reasons)
        for d in registry.likely_duplicate_owners(store.cursor())
    ]
    assert got == [
        (anna, anna2, ("same name", "same Telegram")),
        (anna, boris, ("same e-mail",)),
        (pyotr, petr, ("same name",)),
        (pyotr, vera, ("same phone",)),
    ]
    first = registry.likely_duplicate_owners(store.cursor())[0]
    assert (first.first_name, first.second_name) == ("Анна Смирнова", "смирнова   АННА")


def test_owner_choices_label_each_owner_with_contacts_and_channels(store: Store) -> None:
    anna, ids = _seed(store)
    registry.set_archived(store, ids[0], registry.get_channel(store.cursor(), ids[0]).version, True)
    boris = registry.add_owner(store, "Борис", phone="+7 900 000-00-00")
    vera = registry.add_owner(store, "Вера")
    registry.update_channel(store, ids[3], 1, owner_id=vera)
    choices = registry.owner_choices(store.cursor())
    assert [(c.id, c.name, c.channels, c.label) for c in choices] == [
        (anna, "Анна Смирнова", 1, "Анна Смирнова · anna@pages.ru · @anna_ads · 1 channel"),
        (boris, "Борис", 0, "Борис · +7 900 000-00-00 · no channels"),
        (vera, "Вера", 1, "Вера · 1 channel"),
    ]


# --- snapshots: one per channel and day; implausible numbers flagged ------------------------

NOV20 = dt.date(2026, 11, 20)


def test_a_second_snapshot_of_a_day_replaces_the_first_keeping_what_it_leaves_empty(
    store: Store,
) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/daily_one")
    first = registry.save_snapshot(store, cid, followers=9000, avg_reach=3000, avg_likes=50,
                                   measured_on=NOV20, provenance="screenshot")  # fmt: skip
    assert (first.replaced, first.measured_on, first.warnings) == (False, NOV20, ())
    assert first.message == "Added the snapshot of 2026-11-20."
    second = registry.save_snapshot(store, cid, followers=9100, avg_views=4000,
                                    measured_on=NOV20, provenance="platform_stats")  # fmt: skip
    assert (second.id, second.replaced) == (first.id, True)
    assert second.message == "Replaced the snapshot of 2026-11-20."
    rows = registry.list_snapshots(store.cursor(), cid)
    assert rows.select(
        "id", "measured_on", "followers", "avg_reach", "avg_views", "avg_likes",
        "avg_engagement", "provenance",
    ).rows() == [(first.id, NOV20, 9100, 3000.0, 4000.0, 50.0, 50.0, "platform_stats")]  # fmt: skip
    # another day is another snapshot; add_snapshot (the id only) folds a day the same way
    other = registry.add_snapshot(store, cid, followers=9200, measured_on=NOV20 + dt.timedelta(1))
    assert other != first.id
    assert registry.add_snapshot(store, cid, avg_comments=5, measured_on=NOV20) == first.id
    assert registry.list_snapshots(store.cursor(), cid).height == 2


def test_new_parts_of_engagement_recompute_it_on_replace(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/parts_one")
    registry.add_snapshot(store, cid, avg_likes=10, avg_comments=2, measured_on=NOV20)
    registry.add_snapshot(store, cid, avg_shares=3, measured_on=NOV20)
    registry.add_snapshot(store, cid, followers=100, measured_on=NOV20)
    row = registry.list_snapshots(store.cursor(), cid).row(0, named=True)
    assert (row["avg_likes"], row["avg_comments"], row["avg_shares"], row["avg_engagement"]) == (
        10.0, 2.0, 3.0, 15.0)  # fmt: skip
    registry.add_snapshot(store, cid, avg_engagement=40, measured_on=NOV20)  # given: it wins
    assert registry.list_snapshots(store.cursor(), cid)["avg_engagement"].to_list() == [40.0]


def test_reach_above_followers_is_saved_with_a_warning(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/viral_one")
    saved = registry.save_snapshot(store, cid, followers=9000, avg_reach=12000, measured_on=NOV20)
    nb = "\u202f"  # numbers as the app shows them: narrow no-break space between thousands
    warning = f"Average reach 12{nb}000 is above followers 9{nb}000: check the numbers."
    assert saved.warnings == (warning,)
    assert registry.list_snapshots(store.cursor(), cid)["avg_reach"].to_list() == [12000.0]
    # the same check against the followers the day's snapshot already holds
    again = registry.save_snapshot(store, cid, avg_reach=12000, measured_on=NOV20)
    assert again.warnings == (warning,)
    assert registry.snapshot_warnings({"followers": 9000, "avg_reach": 9000}) == []
    assert registry.snapshot_warnings({"avg_reach": 5}) == []
    assert registry.snapshot_warnings({"followers": 0, "avg_reach": 5}) == [
        "Average reach 5 is above followers 0: check the numbers."
    ]


def test_growth_counts_four_weeks_back_from_the_latest_known_followers(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/partly_measured")
    d = dt.date(2026, 3, 1)
    for offset, values in (
        (0, {"followers": 1000}),
        (40, {"followers": 1200}),
        (63, {"followers": 1500}),
        (70, {"avg_reach": 300}),  # the newest snapshot knows no followers
    ):
        registry.add_snapshot(store, cid, measured_on=d + dt.timedelta(days=offset), **values)
    cur = store.cursor()
    frame = registry.with_growth(cur, registry.list_channels(cur))
    # followers 1500 are of day 63: four weeks before is day 35, which holds day 0's 1000
    assert frame.select("followers", "followers_on", "growth").row(0) == (
        1500, d + dt.timedelta(days=63), pytest.approx(0.5))  # fmt: skip
