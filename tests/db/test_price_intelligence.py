import datetime as dt
from decimal import Decimal

import pytest

from crm import registry
from crm.errors import NotFound
from crm.pricing import add_price, set_rate
from crm.pricing.intelligence import MIN_PEERS, PriceHint, price_hint, price_hints, size_band
from crm.store import Store

D = dt.date(2026, 3, 1)


def _channel(
    store: Store,
    handle: str,
    *,
    platform: str = "telegram",
    niches: list[str] | None = None,
    followers: int | None = 50_000,
    reach: float | None = 10_000,
    price: str | None = None,
    currency: str = "RUB",
    kind: str = "listed",
) -> int:
    cid = registry.add_channel(store, platform, handle, niches=niches or [])
    if followers is not None or reach is not None:
        registry.add_snapshot(store, cid, followers=followers, avg_reach=reach, measured_on=D)
    if price is not None:
        add_price(store, cid, format="post", kind=kind, amount=price, currency=currency, on=D)
    return cid


def _finance_peers(store: Store) -> None:
    # est. CPM 1000, 1500, 2000, 2500, 3000 (price / 10 000 reach × 1000); the 2500 one in USD
    for i, price in enumerate(["10000", "15000", "20000"]):
        _channel(store, f"fin{i}", niches=["finance"], price=price)
    set_rate(store, "USD", dt.date(2026, 2, 1), "100")
    _channel(store, "fin_usd", niches=["finance"], price="250", currency="USD")
    _channel(store, "fin4", niches=["finance"], price="30000")
    # not peers: another niche, another platform, archived, no reach, a missing rate
    _channel(store, "travel", niches=["travel"], price="1")
    _channel(store, "vkfin", platform="vk", niches=["finance"], price="1")
    gone = _channel(store, "gone", niches=["finance"], price="1")
    registry.set_archived(store, gone, 1, True)
    _channel(store, "noreach", niches=["finance"], reach=None, price="1")
    _channel(store, "eur", niches=["finance"], price="1", currency="EUR")


def test_a_hint_against_five_peers_by_hand(store: Store) -> None:
    _finance_peers(store)
    me = _channel(store, "me", niches=["finance", "crypto"], price="24000", kind="quoted")
    hint = price_hint(store.cursor(), me)
    assert hint == PriceHint(
        channel_id=me,
        format="post",
        price=Decimal("24000.00"),
        price_currency="RUB",
        price_kind="quoted",
        price_base=Decimal("24000.00"),
        base_currency="RUB",
        avg_reach=10_000.0,
        followers=50_000,
        est_cpm=Decimal("2400.00"),  # 24 000 / 10 000 × 1000
        cpf=Decimal("480.00"),  # 24 000 / 50 000 × 1000
        peer_group="telegram · finance",
        peers=5,
        peer_median=Decimal("2000.00"),
        percentile=60.0,  # (3 below + 0.5 × 0 equal) / 5 × 100
        walk_away=Decimal("20000.00"),  # 2000 × 10 000 / 1000
        achieved_cpm=None,
        achieved_points=0,
        peer_achieved_median=None,
        peer_achieved_count=0,
        basis=hint.basis,
        note=None,
    )
    assert hint.basis.replace("\u202f", " ") == (
        "est. CPM = price in RUB / avg reach × 1000 = ₽24 000.00 / 10 000 × 1000 = ₽2 400.00 "
        "(the quoted price ₽24 000.00 of 2026-03-01). Compared with 5 other telegram channels "
        "in finance, of all sizes, that have a post price and a known avg reach. Peer median "
        "est. CPM ₽2 000.00 over 5 data points; walk-away = peer median × avg reach / 1000. "
        "No achieved CPM yet: no published placement of this channel has a cost and a measured "
        "reach or impressions. No peer has an achieved CPM yet."
    )


def test_an_equal_peer_counts_half(store: Store) -> None:
    _finance_peers(store)
    me = _channel(store, "me", niches=["finance"], price="20000")
    hint = price_hint(store.cursor(), me)
    assert (hint.percentile, hint.peers) == (50.0, 5)  # (2 + 0.5 × 1) / 5 × 100


def test_too_few_peers_says_so_instead_of_guessing(store: Store) -> None:
    for i in range(3):
        _channel(store, f"trip{i}", niches=["travel"], price="1000")
    me = _channel(store, "me", niches=["travel"], price="2000")
    hint = price_hint(store.cursor(), me)
    assert (hint.peers, hint.peer_median, hint.percentile, hint.walk_away) == (3, None, None, None)
    assert hint.est_cpm == Decimal("200.00")
    assert hint.note == f"Only 3 peers: too few to compare (need {MIN_PEERS})."
    assert "Compared with 3 other telegram channels in travel" in hint.basis


def test_the_size_band_narrows_only_with_ten_peers_in_it(store: Store) -> None:
    # 10 peers of 10k–100k followers at est. CPM 100…1000, 3 small ones at 5000
    for i in range(10):
        _channel(store, f"mid{i}", platform="vk", niches=["food"], price=str(1000 * (i + 1)))
    for i in range(3):
        _channel(store, f"small{i}", platform="vk", niches=["food"], followers=5_000,
                 price="50000")  # fmt: skip
    me = _channel(store, "me", platform="vk", niches=["food"], price="5000")
    hint = price_hint(store.cursor(), me)
    assert (hint.peer_group, hint.peers) == ("vk · food · 10k–100k", 10)
    assert hint.peer_median == Decimal("550.00")  # (500 + 600) / 2
    assert hint.percentile == 45.0  # (4 below + 0.5 × 1 equal) / 10 × 100
    assert "in the 10k–100k size band" in hint.basis
    # with one of the ten gone to another band, 9 are left in it: all 13 are compared
    store.cursor().execute(
        "update snapshots set followers = 200000 where channel_id = "
        "(select id from channels where handle = 'mid0')"
    )
    wide = price_hint(store.cursor(), me)
    assert (wide.peer_group, wide.peers) == ("vk · food", 13)
    assert wide.peer_median == Decimal("700.00")  # the 7th of 100…1000 and 3 × 5000
    assert wide.percentile == pytest.approx(4.5 / 13 * 100)


def test_a_channel_without_niche_compares_on_the_platform(store: Store) -> None:
    _finance_peers(store)
    me = _channel(store, "me", price="24000")
    hint = price_hint(store.cursor(), me)
    # every active telegram channel with an est. CPM: the five finance ones and travel (0.10)
    assert (hint.peers, hint.peer_group) == (6, "telegram · any niche (no niche: platform only)")
    assert "(this channel has no niche: platform only)" in hint.basis


def test_what_is_missing_is_said(store: Store) -> None:
    _finance_peers(store)
    unpriced = _channel(store, "unpriced", niches=["finance"], reach=20_000)
    hint = price_hint(store.cursor(), unpriced)
    assert (hint.est_cpm, hint.percentile) == (None, None)
    assert hint.walk_away == Decimal("40000.00")  # 2000 × 20 000 / 1000: what to offer
    assert hint.note == "No post price is recorded for this channel."
    no_rate = store.cursor().execute("select id from channels where handle = 'eur'").fetchall()
    eur = price_hint(store.cursor(), no_rate[0][0])
    assert eur.note == "No EUR rate on or before 2026-03-01: the price cannot be compared in RUB."
    assert eur.est_cpm is None
    with pytest.raises(NotFound):
        price_hint(store.cursor(), 999)


def test_price_hints_give_the_same_figures_set_based(store: Store) -> None:
    _finance_peers(store)
    me = _channel(store, "me", niches=["finance"], price="24000")
    ids = [row[0] for row in store.cursor().execute("select id from channels").fetchall()]
    frame = price_hints(store.cursor(), ids)
    assert frame.columns == ["channel_id", "est_cpm", "cpf", "peers", "peer_median",
                             "percentile", "walk_away", "achieved_cpm", "achieved_points",
                             "peer_achieved_median", "peer_achieved_count",
                             "base_currency"]  # fmt: skip
    assert frame.height == len(ids)
    for row in frame.iter_rows(named=True):
        one = price_hint(store.cursor(), row["channel_id"])
        assert (one.est_cpm, one.cpf, one.peers, one.peer_median, one.percentile,
                one.walk_away) == (row["est_cpm"], row["cpf"], row["peers"],
                                   row["peer_median"], row["percentile"], row["walk_away"])  # fmt: skip
        assert (one.achieved_cpm, one.achieved_points, one.peer_achieved_median,
                one.peer_achieved_count) == (row["achieved_cpm"], row["achieved_points"],
                                             row["peer_achieved_median"],
                                             row["peer_achieved_count"])  # fmt: skip
    mine = frame.filter(channel_id=me).row(0, named=True)
    assert (mine["percentile"], mine["peers"]) == (60.0, 5)


def _placed(
    store: Store,
    handle: str,
    *,
    paid: str | None = None,
    agreed: str | None = None,
    currency: str = "RUB",
    status: str = "published",
    impressions: int | None = None,
    reach: int | None = None,
) -> None:
    """A placement of the channel (published on 2026-03-05 unless planned) with one
    measurement, written in SQL as crm.placements would."""
    cur = store.cursor()
    channel = cur.execute("select id from channels where handle = ?", [handle]).fetchall()[0][0]
    published = dt.datetime(2026, 3, 5, 12) if status == "published" else None
    pid = cur.execute(
        """
        insert into placements (channel_id, status, planned_on, published_at, price_agreed,
                                price_paid, currency)
        values (?, ?, ?, ?, ?::decimal(18, 2), ?::decimal(18, 2), ?) returning id
        """,
        [channel, status, dt.date(2026, 3, 5), published, agreed, paid, currency],
    ).fetchall()[0][0]
    # an older measurement that the latest one replaces
    for at, scale in ((dt.datetime(2026, 3, 6, 12), 2), (dt.datetime(2026, 3, 12, 12), 1)):
        cur.execute(
            "insert into results (placement_id, measured_at, reach, impressions, provenance) "
            "values (?, ?, ?, ?, 'platform_stats')",
            [pid, at, None if reach is None else reach // scale,
             None if impressions is None else impressions // scale],
        )  # fmt: skip


def _achieved_workspace(store: Store) -> int:
    """The finance peers, three of them placed, and "me" placed in RUB and USD."""
    _finance_peers(store)
    me = _channel(store, "me", niches=["finance"], price="24000")
    _placed(store, "me", paid="10000", impressions=20_000, reach=15_000)
    _placed(store, "me", agreed="100", currency="USD", impressions=30_000)  # 10 000 RUB
    _placed(store, "me", paid="9000", reach=10_000)  # no impressions: left out
    _placed(store, "me", paid="1", impressions=1, status="planned")  # not published
    _placed(store, "me", impressions=50_000)  # no cost
    _placed(store, "fin0", paid="5000", impressions=10_000)  # 500
    _placed(store, "fin1", paid="3000", reach=10_000)  # no impressions at all: over reach, 300
    _placed(store, "fin2", paid="1000", impressions=10_000)
    _placed(store, "fin2", paid="2000", impressions=10_000)  # 3000 / 20 000 × 1000 = 150
    _placed(store, "travel", paid="50", impressions=1_000)  # another niche
    _placed(store, "gone", paid="50", impressions=1_000)  # archived
    return me


def test_achieved_cpm_and_the_peers_median_by_hand(store: Store) -> None:
    me = _achieved_workspace(store)
    hint = price_hint(store.cursor(), me)
    # (10 000 + 100 USD × 100) / (20 000 + 30 000) × 1000
    assert (hint.achieved_cpm, hint.achieved_points) == (Decimal("400.00"), 2)
    # peers fin0 500, fin1 300, fin2 150 (travel: another niche, gone: archived)
    assert (hint.peer_achieved_median, hint.peer_achieved_count) == (Decimal("300.00"), 3)
    text = hint.basis.replace("\u202f", " ")
    assert "Achieved CPM with this channel ₽400.00 over 2 published placements" in text
    assert "Peers' achieved CPM median ₽300.00 over 3 channels of the same group." in text
    # a peer's own hint leaves itself out: me 400, fin0 500, fin2 150
    fin1 = store.cursor().execute("select id from channels where handle = 'fin1'").fetchall()
    other = price_hint(store.cursor(), fin1[0][0])
    assert (other.achieved_cpm, other.achieved_points) == (Decimal("300.00"), 1)
    assert (other.peer_achieved_median, other.peer_achieved_count) == (Decimal("400.00"), 3)


def test_too_few_peers_with_an_achieved_cpm_give_no_median(store: Store) -> None:
    _finance_peers(store)
    me = _channel(store, "me", niches=["finance"], price="24000")
    _placed(store, "fin0", paid="5000", impressions=10_000)
    _placed(store, "fin1", paid="3000", reach=10_000)
    hint = price_hint(store.cursor(), me)
    assert (hint.achieved_cpm, hint.achieved_points) == (None, 0)
    assert (hint.peer_achieved_median, hint.peer_achieved_count) == (None, 2)
    assert "Only 2 peer channels with an achieved CPM: too few for a median (need 3)." in hint.basis


def test_a_missing_rate_leaves_a_placement_out_of_the_achieved_cpm(store: Store) -> None:
    _finance_peers(store)
    me = _channel(store, "me", niches=["finance"], price="24000")
    _placed(store, "me", paid="1000", impressions=10_000)
    _placed(store, "me", paid="10", currency="EUR", impressions=10_000)  # no EUR rate
    hint = price_hint(store.cursor(), me)
    assert (hint.achieved_cpm, hint.achieved_points) == (Decimal("100.00"), 1)


def test_size_bands() -> None:
    assert [size_band(n) for n in (None, 0, 9_999, 10_000, 99_999, 100_000, 1_000_000)] == [
        None, "<10k", "<10k", "10k–100k", "10k–100k", "100k–1M", "≥1M",
    ]  # fmt: skip
