import datetime as dt
import random
import statistics

import pytest

from crm import registry
from crm.audience.lists import write_members
from crm.audience.quality import (
    MAD_FLOOR,
    MAD_SCALE,
    SIGNALS,
    Quality,
    Signal,
    channel_quality,
    clear_override,
    get_override,
    quality_frame,
    set_override,
)
from crm.audience.sets import Members
from crm.errors import NotFound, StaleEdit, ValidationError
from crm.pricing.intelligence import MIN_PEERS, size_band
from crm.store import Store

D = dt.date(2026, 3, 1)


def _channel(
    store: Store,
    handle: str,
    *,
    platform: str = "telegram",
    followers: int | None = 20_000,
    reach: float | None = None,
    engagement: float | None = None,
) -> int:
    cid = registry.add_channel(store, platform, handle)
    if followers is not None or reach is not None or engagement is not None:
        registry.add_snapshot(
            store,
            cid,
            followers=followers,
            avg_reach=reach,
            avg_engagement=engagement,
            measured_on=D,
        )
    return cid


def _signal(quality: Quality, key: str) -> Signal:
    return next(s for s in quality.signals if s.key == key)


def _peers(store: Store) -> dict[str, int]:
    """Five telegram peers of 20 000 followers: reach rate 10 %…50 %, ER 1 %…5 %; a sixth with
    engagement only (ER 0.5 %); and channels that are no peers."""
    ids = {}
    for i in range(5):
        ids[f"p{i}"] = _channel(store, f"p{i}", reach=2000 * (i + 1), engagement=200 * (i + 1))
    ids["eng_only"] = _channel(store, "eng_only", engagement=100)
    # not peers: another platform, another size band, archived
    _channel(store, "vk1", platform="vk", reach=1, engagement=1)
    _channel(store, "big", followers=200_000, reach=1, engagement=1)
    gone = _channel(store, "gone", reach=1, engagement=1)
    registry.set_archived(store, gone, 1, True)
    ids["gone"] = gone
    return ids


def test_reach_rate_and_er_against_peers_by_hand(store: Store) -> None:
    _peers(store)
    # reach rate 3000 / 20 000 = 15 %; ER 400 / 20 000 = 2 %
    me = _channel(store, "me", reach=3000, engagement=400)
    q = channel_quality(store.cursor(), me, sets={})
    rr = _signal(q, "reach_rate")
    # peers' reach rates 10, 20, 30, 40, 50 %: median 30 %; 15 / 30 → 50
    assert rr.available
    assert rr.value == pytest.approx(0.15)
    assert rr.peer == pytest.approx(0.30)
    assert rr.sub_score == pytest.approx(50.0)
    assert rr.weight == pytest.approx(0.6)  # 3 of the available 3 + 2
    assert rr.contribution == pytest.approx(30.0)
    assert "median" in rr.explanation and "5 other active telegram channels" in rr.explanation
    er = _signal(q, "er")
    # peers' ERs 0.5, 1, 2, 3, 4, 5 %: median (2 + 3) / 2 = 2.5 %; 2 / 2.5 → 80
    assert er.value == pytest.approx(0.02)
    assert er.peer == pytest.approx(0.025)
    assert er.sub_score == pytest.approx(80.0)
    assert er.weight == pytest.approx(0.4)
    assert er.contribution == pytest.approx(32.0)
    # one snapshot, no member list: not available, weighing nothing
    for key in ("jumps", "lists"):
        s = _signal(q, key)
        assert (s.available, s.value, s.sub_score, s.weight, s.contribution) == (
            False,
            None,
            None,
            0.0,
            None,
        )
    assert "Only 0 steps between 1 snapshots" in _signal(q, "jumps").explanation
    assert _signal(q, "lists").explanation == "No member list loaded."
    assert q.score == 62  # 30 + 32
    assert q.override is None and q.shown_score == 62
    assert sum(s.contribution or 0 for s in q.signals) == pytest.approx(62.0)


def test_a_channel_leaves_its_own_peer_group(store: Store) -> None:
    ids = _peers(store)
    me = _channel(store, "me", reach=3000, engagement=400)
    frame = quality_frame(store.cursor(), sets={})
    row = frame.filter(frame["channel_id"] == ids["p2"]).row(0, named=True)
    # p2 (30 %) compares with 10, 15 (me), 20, 40, 50 %: median 20 %; 30 / 20 capped at 100
    assert row["reach_rate_value"] == pytest.approx(0.30)
    assert row["reach_rate_peer"] == pytest.approx(0.20)
    assert row["reach_rate_sub_score"] == pytest.approx(100.0)
    # p0 (10 %) against 15, 20, 40, 50 (and me): 15, 20, 30, 40, 50 → 30 %; 10 / 30
    row = frame.filter(frame["channel_id"] == ids["p0"]).row(0, named=True)
    assert row["reach_rate_peer"] == pytest.approx(0.30)
    assert row["reach_rate_sub_score"] == pytest.approx(100 / 3)
    # the frame's figures are channel_quality's
    mine = frame.filter(frame["channel_id"] == me).row(0, named=True)
    assert mine["score"] == 62 and mine["channel"] == "telegram:me"
    assert mine["jumps_value"] is None and mine["jumps_weight"] == 0.0
    # archived channels are left out of the frame by default, and of every peer group
    assert "telegram:gone" not in frame["channel"].to_list()
    # asked for by id, an archived channel is scored (against active peers)
    gone = quality_frame(store.cursor(), [ids["gone"]], sets={}).row(0, named=True)
    assert gone["channel"] == "telegram:gone"
    # its peers: 10, 15 (me), 20, 30, 40, 50 % → (20 + 30) / 2 = 25 %; its own 1 / 20 000
    assert gone["reach_rate_peer"] == pytest.approx(0.25)
    assert gone["reach_rate_sub_score"] == pytest.approx(100 * 0.00005 / 0.25)


def test_too_few_peers_and_no_numbers_are_not_available(store: Store) -> None:
    for i in range(4):
        _channel(store, f"p{i}", reach=1000, engagement=100)
    me = _channel(store, "me", reach=3000, engagement=None)
    q = channel_quality(store.cursor(), me, sets={})
    rr = _signal(q, "reach_rate")
    assert not rr.available and rr.weight == 0 and rr.value is None
    assert rr.explanation == (
        "Only 4 other active telegram channels of 10k–100k followers have a reach rate: "
        "too few to compare (need 5)."
    )
    assert _signal(q, "er").explanation == (
        "No snapshot with both average engagement and followers above 0."
    )
    assert q.score is None
    bare = registry.add_channel(store, "telegram", "bare")
    q = channel_quality(store.cursor(), bare, sets={})
    assert q.score is None
    assert all(not s.available and s.weight == 0 for s in q.signals)
    assert _signal(q, "reach_rate").explanation == "No snapshot: the channel has no numbers yet."
    assert _signal(q, "jumps").explanation == "No snapshot with followers."
    with pytest.raises(NotFound):
        channel_quality(store.cursor(), 999, sets={})


def test_peers_whose_median_is_zero_give_nothing_to_compare(store: Store) -> None:
    for i in range(5):
        _channel(store, f"p{i}", reach=0, engagement=10)
    me = _channel(store, "me", reach=100, engagement=10)
    q = channel_quality(store.cursor(), me, sets={})
    assert not _signal(q, "reach_rate").available
    assert "is 0: nothing to compare" in _signal(q, "reach_rate").explanation
    assert _signal(q, "er").sub_score == pytest.approx(100.0)  # equal to the median
    assert q.score == 100


def _history(store: Store, handle: str, followers: list[int], every: int = 10) -> int:
    cid = registry.add_channel(store, "telegram", handle)
    for i, f in enumerate(followers):
        registry.add_snapshot(store, cid, followers=f, measured_on=D + dt.timedelta(every * i))
    return cid


def test_a_follower_jump_by_hand(store: Store) -> None:
    # steps of 10 days: +1 % (0.1 %/day), +1 %, +0.99990 %, +0.99971 %, then 10406 → 11551
    cid = _history(store, "jumpy", [10_000, 10_100, 10_201, 10_303, 10_406, 11_551])
    q = channel_quality(store.cursor(), cid, sets={})
    s = _signal(q, "jumps")
    top = (11_551 / 10_406 - 1) / 10
    # daily growths sorted: 0.0999700…, 0.0999902…, 0.1, 0.1, 1.1003… (%): median 0.1 %;
    # MAD 0.00001 % → floored to 0.1 %
    assert s.available
    assert s.value == pytest.approx(top)
    assert s.peer == pytest.approx(0.001)
    z = (top - 0.001) / (MAD_SCALE * MAD_FLOOR)
    assert z == pytest.approx(6.7471, abs=1e-4)
    assert s.sub_score == pytest.approx(100 * (10 - z) / 6.5)
    assert s.sub_score == pytest.approx(50.04, abs=0.01)
    assert s.weight == 1.0 and s.contribution == s.sub_score
    assert q.score == 50
    assert "10 406 → 11 551" in s.explanation.replace("\u202f", " ")
    assert "below 0.10 % a day, so taken as 0.10 %" in s.explanation.replace("\xa0", " ")


def test_growth_that_varies_is_judged_by_its_own_spread(store: Store) -> None:
    # one-day steps: +10 %, +5 %, +20 %, +0 %, +15 %
    followers = [1000, 1100, 1155, 1386, 1386, 1594]
    cid = _history(store, "wild", followers, every=1)
    s = _signal(channel_quality(store.cursor(), cid, sets={}), "jumps")
    # growths 0.1, 0.05, 0.2, 0, 208/1386: median 0.1; top 0.2; deviations 0, .05, .1, .1,
    # .0500…: MAD 0.05 (above the floor); z = 0.1 / (1.4826 × 0.05) = 1.349 → 100
    assert s.value == pytest.approx(0.2)
    assert s.peer == pytest.approx(0.1)
    assert s.sub_score == pytest.approx(100.0)
    assert "taken as" not in s.explanation
    assert "z = 1.3" in s.explanation


def test_too_few_steps_is_not_available(store: Store) -> None:
    cid = _history(store, "young", [1000, 1100, 1200, 5000])
    s = _signal(channel_quality(store.cursor(), cid, sets={}), "jumps")
    assert not s.available and s.sub_score is None and s.weight == 0
    assert s.explanation.startswith("Only 3 steps between 4 snapshots with followers")


def _lists_workspace(store: Store, lists: int) -> tuple[int, dict[int, Members]]:
    """``lists`` vk pages with member lists in the store; "me" has members 0–19. Members 0
    and 1 are in every list, 2 in ten (me and nine others), 3 in nine; the other lists hold
    one member (100+) each of their own."""
    me = registry.add_channel(store, "vk", "me")
    sets = {me: Members.from_ids("vk", range(20))}
    for i in range(lists - 1):
        cid = registry.add_channel(store, "vk", f"page{i}")
        ids = [0, 1, 100 + i]
        if i < 9:
            ids.append(2)
        if i < 8:
            ids.append(3)
        sets[cid] = Members.from_ids("vk", ids)
    with store.transaction("audience") as cur:
        for cid, members in sets.items():
            write_members(cur, cid, members, id_kind="number", source="test.csv")
    return me, sets


def test_members_in_an_implausible_number_of_lists_by_hand(store: Store) -> None:
    me, sets = _lists_workspace(store, 20)
    q = channel_quality(store.cursor(), me)  # the lists read from the store
    assert q == channel_quality(store.cursor(), me, sets=sets)
    s = _signal(q, "lists")
    # 20 lists: T = max(10, 20 / 2) = 10; members 0, 1, 2 are in ≥ 10 → 3 of 20 = 15 %;
    # 100 × (1 − 0.15 / 0.2) = 25
    assert s.available
    assert s.value == pytest.approx(0.15)
    assert s.peer is None
    assert s.sub_score == pytest.approx(25.0)
    assert s.peer_text == "in ≥ 10 of 20 lists"
    assert "3 of 20 members" in s.explanation
    assert q.score == 25  # the only available signal
    # a page whose members are in 20, 20 and 1 lists: 2 of 3 → 0 (floored)
    other = next(c for c in sets if c != me)
    assert _signal(channel_quality(store.cursor(), other), "lists").sub_score == 0.0
    frame = quality_frame(store.cursor())
    assert frame.filter(frame["channel_id"] == me)["lists_sub_score"].to_list() == [25.0]


def test_too_few_lists_is_not_available(store: Store) -> None:
    me, _ = _lists_workspace(store, 19)
    s = _signal(channel_quality(store.cursor(), me), "lists")
    assert not s.available and s.weight == 0
    assert s.explanation == (
        "Only 19 vk member lists in the workspace: need 20 to tell an implausible number of lists."
    )


def test_override_round_trip_and_stale_refusals(store: Store) -> None:
    _peers(store)
    me = _channel(store, "me", reach=3000, engagement=400)
    v1 = set_override(store, me, 20, "  Bought members, the owner admitted it  ", author="ann")
    assert v1 == 1
    q = channel_quality(store.cursor(), me, sets={})
    assert q.score == 62  # the computed score stays, shown next to the override
    assert q.override is not None
    assert (q.override.score, q.override.note, q.override.author, q.override.version) == (
        20,
        "Bought members, the owner admitted it",
        "ann",
        1,
    )
    assert q.shown_score == 20
    assert isinstance(q.override.set_at, dt.datetime)
    v2 = set_override(store, me, 35, "Cleaned up since", author="bob", version=v1)
    assert v2 == 2
    # an edit made on version 1, or made as if there was none, is refused and writes nothing
    with pytest.raises(StaleEdit, match="Someone else changed"):
        set_override(store, me, 90, "old form", version=v1)
    with pytest.raises(StaleEdit):
        set_override(store, me, 90, "new form")
    with pytest.raises(StaleEdit):
        clear_override(store, me, version=v1)
    current = get_override(store.cursor(), me)
    assert current is not None and (current.score, current.author, current.version) == (
        35,
        "bob",
        2,
    )
    frame = quality_frame(store.cursor(), [me], sets={})
    assert frame.select("score", "override_score", "override_note", "override_author").row(0) == (
        62,
        35,
        "Cleaned up since",
        "bob",
    )
    assert clear_override(store, me, version=2) is True
    assert channel_quality(store.cursor(), me, sets={}).override is None
    assert clear_override(store, me) is False
    # an override cleared meanwhile: a save made on its version is stale
    with pytest.raises(StaleEdit):
        set_override(store, me, 50, "late", version=2)


@pytest.mark.parametrize(
    ("score", "note", "message"),
    [
        (101, "why", "from 0 to 100, not 101"),
        (-1, "why", "from 0 to 100"),
        (True, "why", "whole number"),
        (50.5, "why", "whole number"),
        (50, "   ", "needs one"),
    ],
)
def test_bad_overrides_are_refused(store: Store, score: object, note: str, message: str) -> None:
    me = registry.add_channel(store, "telegram", "me")
    with pytest.raises(ValidationError, match=message):
        set_override(store, me, score, note)  # type: ignore[arg-type]
    assert get_override(store.cursor(), me) is None
    with pytest.raises(NotFound):
        set_override(store, 999, 50, "why")


def test_quality_frame_of_5000_channels_in_one_pass(store: Store) -> None:
    cur = store.cursor()
    cur.execute(
        "insert into channels (platform, handle) "
        "select case when i % 3 = 0 then 'vk' else 'telegram' end, 'c' || i from range(5000) t(i)"
    )
    # six weekly snapshots each; every 7th channel jumps at the end
    cur.execute(
        """
        insert into snapshots (channel_id, measured_on, followers, avg_reach, avg_engagement)
        select c.id, date '2026-01-01' + (7 * k)::integer,
               (1000 + c.id * 37 % 90000) * (1 + 0.01 * k)
                   * case when k = 5 and c.id % 7 = 0 then 1.5 else 1 end,
               (1000 + c.id * 37 % 90000) * (0.05 + (c.id % 10) * 0.03),
               (1000 + c.id * 37 % 90000) * (0.01 + (c.id % 5) * 0.002)
        from channels c, range(6) t(k)
        """
    )
    frame = quality_frame(cur, sets={})
    assert frame.height == 5000
    assert frame.filter(frame["score"].is_null()).height == 0
    assert frame["signals_available"].max() == 3
    jumped = frame.filter(frame["channel_id"] % 7 == 0)
    assert jumped["jumps_sub_score"].max() == 0.0
    calm = frame.filter(frame["channel_id"] % 7 != 0)
    assert calm["jumps_sub_score"].min() == 100.0
    # every key of SIGNALS has its columns
    for key in SIGNALS:
        assert f"{key}_contribution" in frame.columns


def test_peer_medians_match_a_brute_force_count(store: Store) -> None:
    """Random channels with many equal values, two platforms, three size bands, some
    archived: every channel's peer count and median as a plain Python loop finds them."""
    rng = random.Random(7)
    rows = []
    for i in range(80):
        platform = rng.choice(["telegram", "vk"])
        followers = rng.choice([5_000, 20_000, 50_000, 300_000])
        reach = rng.choice([None, 500.0, 1000.0, 1000.0, 2000.0, 4000.0])
        cid = _channel(store, f"c{i}", platform=platform, followers=followers, reach=reach)
        archived = rng.random() < 0.15
        if archived:
            registry.set_archived(store, cid, 1, True)
        rate = None if reach is None else reach / followers
        band = size_band(followers)
        rows.append((cid, platform, band, rate, archived))
    frame = quality_frame(store.cursor(), [r[0] for r in rows], sets={})
    got = {r["channel_id"]: r for r in frame.iter_rows(named=True)}
    compared = 0
    for cid, platform, band, own, _ in rows:
        peers = [
            rate
            for other, p, b, rate, archived in rows
            if other != cid and p == platform and b == band and rate is not None and not archived
        ]
        if own is not None and len(peers) >= MIN_PEERS:
            compared += 1
            assert got[cid]["reach_rate_peer"] == pytest.approx(statistics.median(peers))
            assert got[cid]["reach_rate_sub_score"] == pytest.approx(
                100 * min(1.0, own / statistics.median(peers))
            )
        else:
            assert got[cid]["reach_rate_peer"] is None
    assert compared > 20


def test_an_override_moves_the_quality_generation_only(store: Store) -> None:
    channel = registry.add_channel(store, "vk", "overridden")
    audience, own = store.generation("audience"), store.generation("quality")
    set_override(store, channel, 40, "bought members, seen in the comments")
    # the member lists are not read again for an override; the scores are
    assert store.generation("audience") == audience
    assert store.generation("quality") != own
