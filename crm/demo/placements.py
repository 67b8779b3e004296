"""The demo's placements: the posts of the shortlisted channels that reached ``scheduled`` or
later, with their prices, plans and measured results, so the Analysis page tells a story.

Each card at ``scheduled`` … ``paid`` gets a small package of placements (the agreed format
first, then other formats of its platform). The card's agreed price is the price of the whole
package: it is split over the package's placements, so the placements of a card add up to the
card's agreed (and, once paid, paid) price and the campaign's budget stays as the outreach part
planned it. A card at ``scheduled`` has only planned placements; at ``published`` the first is
out (at the moment the card moved), later ones may still be planned; at ``reported`` and
``paid`` all are out. A few are cancelled (no price, a note why).

Results: one to three measurements per published placement (24 h, 72 h, 7 days after it, never
after the demo's last moment), each with its provenance. Reach comes from the channel's own
average reach, scaled by the format and by how well the channel delivers; clicks, conversions
and revenue are skewed by content type and format, so the groups differ. A few placements are
flagged on purpose: published on vk/ok/telegram/dzen/rutube without an erid, and clicks above
impressions.

Deterministic like the rest of the demo: its own random stream from the seed, every time
counted from the card's own stage history, written with set-based inserts in the caller's
transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

import duckdb
import polars as pl

from crm.demo.words import transliterate
from crm.vocab.terms import CONTENT_TYPES

MIN_PLACEMENTS = 150  # the package sizes are topped up to at least this many, cards allowing
ERID_PLATFORMS = ("vk", "ok", "telegram", "dzen", "rutube")
MISSING_ERID = 3  # published placements on those platforms left without an erid (flagged)
CLICKS_ABOVE = 3  # placements whose latest clicks exceed their impressions (flagged)
STAGES = ("scheduled", "published", "reported", "paid")
_CENT = Decimal("0.01")
Reserve = Callable[[duckdb.DuckDBPyConnection, str, int], int]

# formats a package adds after the agreed one, with their share of the package's price
_EXTRA_FORMATS = {
    "telegram": (("post", 1.0), ("1/24", 0.8), ("2/48", 0.9)),
    "vk": (("post", 1.0), ("1/24", 0.8), ("repost", 0.5)),
    "ok": (("post", 1.0), ("1/24", 0.8)),
    "instagram": (("story", 0.6), ("post", 1.0), ("reel", 1.3)),
    "youtube": (("video_integration", 1.0), ("dedicated_video", 3.0)),
    "tiktok": (("video_integration", 1.0),),
    "rutube": (("video_integration", 1.0),),
    "dzen": (("native", 1.0), ("post", 0.8)),
}
_DEFAULT_EXTRA = (("post", 1.0),)
_PRICE_WEIGHT = {f: w for formats in _EXTRA_FORMATS.values() for f, w in formats}
# format → (reach against a usual post, click-through against a post)
_FORMAT_EFFECT = {
    "post": (1.0, 1.0), "story": (0.45, 1.6), "reel": (1.6, 0.6),
    "video_integration": (1.0, 0.8), "dedicated_video": (1.3, 1.3), "1/24": (1.15, 1.0),
    "2/48": (1.25, 1.0), "3/72": (1.35, 1.0), "native": (1.2, 1.3), "repost": (0.6, 0.6),
    "pinned": (1.4, 1.1), "live": (0.4, 1.2), "other": (0.8, 0.8),
}  # fmt: skip
# content type → (reach, click-through, conversion, engagement, comments, shares, saves)
_CONTENT_EFFECT = {
    "provocation": (1.15, 1.1, 0.7, 2.2, 3.0, 1.5, 0.5),
    "instruction": (0.95, 1.5, 1.4, 1.1, 0.8, 1.2, 4.0),
    "medal": (1.0, 0.8, 1.1, 1.3, 1.2, 0.8, 0.8),
    "humor": (1.2, 0.6, 0.6, 1.8, 1.0, 3.0, 0.7),
    "giveaway": (1.3, 2.2, 0.35, 3.0, 5.0, 1.5, 0.3),
    "review": (1.0, 1.4, 1.9, 1.0, 1.2, 0.8, 1.5),
    "announcement": (0.95, 1.0, 1.0, 0.7, 0.6, 0.8, 0.5),
    "other": (0.9, 0.8, 0.8, 0.9, 1.0, 1.0, 1.0),
}
# what a campaign of each goal posts most
_CONTENT_WEIGHTS = {
    "sales": (5, 15, 8, 10, 15, 25, 15, 7),
    "awareness": (15, 12, 10, 15, 8, 20, 15, 5),
    "subscribers": (15, 25, 15, 10, 8, 10, 12, 5),
    "reach": (15, 15, 10, 20, 10, 5, 20, 5),
}
# clicks per impression of a usual post, by platform (a link in the post, description, story)
_CTR = {
    "telegram": 0.012, "vk": 0.006, "ok": 0.004, "instagram": 0.005, "youtube": 0.006,
    "tiktok": 0.003, "dzen": 0.010, "rutube": 0.005, "x": 0.004, "facebook": 0.006,
}  # fmt: skip
# by the campaign's goal: conversions per click, and revenue per conversion (RUB; USD / 90)
_GOAL = {
    "sales": (0.035, 3200), "awareness": (0.015, 1900), "subscribers": (0.06, 450),
    "reach": (0.02, 1200),
}  # fmt: skip
_LANDING = {
    "Лавка Вкуса": "https://lavkavkusa.ru/novyy-god",
    "Ягода Beauty": "https://yagoda.beauty/serum?ref=blog",
    "Кодариум": "https://kodarium.ru/kursy/osen",
    "Финтраст Банк": "https://fintrust.ru/cards/cashback",
    "SkyRoute": "https://skyroute.app/winter#download",
    "Мотор Плюс": "https://motorplus.ru/shiny/zima",
}
# where the latest measurement came from, by goal (conversions and revenue need the shop or UTM)
_FINAL_PROVENANCE = {
    "sales": (("shop_analytics", 70), ("utm_analytics", 20), ("platform_stats", 10)),
    "awareness": (("platform_stats", 45), ("screenshot", 30), ("shop_analytics", 25)),
    "subscribers": (("utm_analytics", 80), ("platform_stats", 20)),
    "reach": (("utm_analytics", 50), ("platform_stats", 35), ("screenshot", 15)),
}
_STATS_SOURCE = {
    "vk": "статистика записи VK", "ok": "статистика OK", "telegram": "TGStat",
    "instagram": "статистика Instagram", "youtube": "YouTube Studio", "tiktok": "TikTok Studio",
    "dzen": "Дзен-студия", "rutube": "RUTUBE Студия", "x": "X Analytics",
    "facebook": "Meta Business Suite",
}  # fmt: skip
_API_PLATFORMS = {"vk": "VK API", "youtube": "YouTube Data API"}
_CANCEL_NOTES = (
    "Отменили: автор заболел, перенос не согласовали.",
    "Отменили: площадка не прошла модерацию креатива.",
    "Cancelled: the slot was taken by another brand.",
)
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_Schema = dict[str, pl.DataType | type[pl.DataType]]
_PLACEMENT_SCHEMA: _Schema = {
    "ord": pl.Int64, "campaign_id": pl.Int64, "channel_id": pl.Int64, "format": pl.String,
    "content_type": pl.String, "status": pl.String, "planned_on": pl.Date,
    "published_at": pl.Datetime("us"), "post_url": pl.String, "landing_url": pl.String,
    "utm_url": pl.String, "price_agreed": pl.String, "price_paid": pl.String,
    "currency": pl.String, "erid": pl.String, "promo_code": pl.String,
    "planned_reach": pl.Int64, "planned_clicks": pl.Int64, "planned_conversions": pl.Int64,
    "notes": pl.String, "version": pl.Int64, "created_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
}  # fmt: skip
_RESULT_SCHEMA: _Schema = {
    "placement_ord": pl.Int64, "measured_at": pl.Datetime("us"), "reach": pl.Int64,
    "impressions": pl.Int64, "views": pl.Int64, "likes": pl.Int64, "comments": pl.Int64,
    "shares": pl.Int64, "saves": pl.Int64, "clicks": pl.Int64, "conversions": pl.Int64,
    "revenue": pl.String, "currency": pl.String, "provenance": pl.String, "source": pl.String,
}  # fmt: skip

# the cards to place, with what the placements need to know (one row per card, in id order)
_CARDS = """
with latest as (
    select channel_id, arg_max(avg_reach, measured_on) as avg_reach,
           arg_max(avg_engagement, measured_on) as avg_engagement
    from snapshots where avg_reach is not null group by channel_id
),
deal as (
    select campaign_id, channel_id,
           arg_max(amount, (date, id)) filter (where kind = 'agreed') as agreed,
           arg_max(currency, (date, id)) filter (where kind = 'agreed') as agreed_currency,
           arg_max(format, (date, id)) filter (where kind = 'agreed') as format,
           arg_max(amount, (date, id)) filter (where kind = 'paid') as paid,
           arg_max(currency, (date, id)) filter (where kind = 'paid') as paid_currency
    from prices where campaign_id is not null group by campaign_id, channel_id
),
moved as (
    select campaign_id, channel_id,
           max(occurred_at) filter (where stage_to = 'agreed') as agreed_at,
           max(occurred_at) filter (where stage_to = 'scheduled') as scheduled_at,
           max(occurred_at) filter (where stage_to = 'published') as published_at,
           max(occurred_at) filter (where stage_to = 'reported') as reported_at
    from events where type = 'stage' group by campaign_id, channel_id
)
select s.campaign_id, s.channel_id, s.stage, s.stage_since, k.name, k.brand, k.goal,
       k.currency as campaign_currency, c.platform, c.handle, c.url, c.kind, c.language,
       list_contains(c.tags, 'накрутка?') as bought, l.avg_reach, l.avg_engagement,
       d.agreed, d.agreed_currency, d.format, d.paid, d.paid_currency,
       m.agreed_at, m.scheduled_at, m.published_at, m.reported_at
from shortlist s
join campaigns k on k.id = s.campaign_id
join channels c on c.id = s.channel_id
left join latest l on l.channel_id = s.channel_id
left join deal d on d.campaign_id = s.campaign_id and d.channel_id = s.channel_id
left join moved m on m.campaign_id = s.campaign_id and m.channel_id = s.channel_id
where s.stage in ('scheduled', 'published', 'reported', 'paid')
order by s.id
"""


@dataclass
class _Card:
    campaign_id: int
    channel_id: int
    stage: str
    stage_since: dt.datetime
    name: str
    brand: str | None
    goal: str | None
    campaign_currency: str
    platform: str
    handle: str
    url: str
    kind: str
    language: str | None
    bought: bool
    avg_reach: float | None
    avg_engagement: float | None
    agreed: Decimal | None
    agreed_currency: str | None
    format: str | None
    paid: Decimal | None
    paid_currency: str | None
    agreed_at: dt.datetime | None
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    reported_at: dt.datetime | None
    size: int = 0
    placements: list[dict[str, Any]] = field(default_factory=list)


def _columns(schema: _Schema) -> dict[str, list[Any]]:
    return {name: [] for name in schema}


def _slug(text: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in transliterate(text).lower())
    return "-".join(w for w in words.split() if w.isascii())


def _split(total: Decimal, weights: list[float], currency: str) -> list[Decimal]:
    """A package price split by weights into round parts (the last part takes the rest), so the
    parts add up to the total exactly."""
    step = Decimal(5) if currency in ("USD", "EUR") else Decimal(100)
    whole = sum(weights)
    parts: list[Decimal] = []
    for w in weights[:-1]:
        part = (total * Decimal(repr(w / whole)) / step).quantize(Decimal(1), ROUND_HALF_UP)
        parts.append(max(part * step, step))
    parts.append(total - sum(parts, Decimal(0)))
    if parts[-1] <= 0:  # a tiny deal: one placement carries it
        return [total] + [Decimal(0)] * (len(weights) - 1)
    return parts


class _Builder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        # a stream of its own, so the registry and outreach parts stay as they were
        self.rng = random.Random(f"demo-placements-{seed}")
        self.now = dt.datetime.combine(as_of, dt.time(18, 0))
        self.as_of = as_of
        self.delivers: dict[int, float] = {}  # channel → how well it delivers its reach
        self.late: dict[int, float] = {}  # channel → how often it publishes after the plan
        self.post_no = 0

    def channel_habits(self, card: _Card) -> tuple[float, float]:
        r = self.rng
        if card.channel_id not in self.delivers:
            if card.bought:
                self.delivers[card.channel_id] = r.uniform(0.35, 0.6)
            else:
                self.delivers[card.channel_id] = min(max(r.lognormvariate(-0.05, 0.22), 0.5), 1.5)
            self.late[card.channel_id] = r.choice((0.0, 0.1, 0.2, 0.5))
        return self.delivers[card.channel_id], self.late[card.channel_id]

    def post_url(self, card: _Card, fmt: str) -> str:
        r = self.rng
        self.post_no += 1
        n = r.randint(100, 9_999)
        code = "".join(r.choice(_BASE58) for _ in range(11))
        p, url = card.platform, card.url.rstrip("/")
        if p == "telegram":
            return f"{url}/{n}"
        if p == "vk":
            return f"{url}?w=wall-{r.randint(10_000_000, 99_999_999)}_{n}"
        if p == "ok":
            return f"{url}/topic/{r.randint(10**14, 10**15 - 1)}"
        if p == "instagram":
            return f"{url}/{'reel' if fmt == 'reel' else 'p'}/{code}/"
        if p == "youtube":
            return f"https://www.youtube.com/watch?v={code}"
        if p == "tiktok":
            return f"{url}/video/{r.randint(10**18, 10**19 - 1)}"
        if p == "dzen":
            return f"https://dzen.ru/a/{code}{self.post_no:04d}"
        if p == "rutube":
            return f"https://rutube.ru/video/{r.getrandbits(128):032x}/"
        if p == "x":
            return f"{url}/status/{r.randint(10**18, 10**19 - 1)}"
        return f"{url}/posts/{r.randint(10**15, 10**16 - 1)}"

    def erid(self) -> str:
        return "2Vtzq" + "".join(self.rng.choice(_BASE58) for _ in range(6))

    # -- one card's package
    def package(self, card: _Card) -> None:
        r = self.rng
        extras = _EXTRA_FORMATS.get(card.platform, _DEFAULT_EXTRA)
        formats = [card.format or extras[0][0]]
        while len(formats) < card.size:
            formats.append(r.choices([f for f, _ in extras], [w for _, w in extras])[0])
        cancelled = [False] * card.size
        if card.size >= 2 and r.random() < 0.1:
            cancelled[-1] = True
        # when each placement is (or was to be) out
        start = card.published_at or card.scheduled_at or card.stage_since
        until = card.reported_at or self.now
        times: list[dt.datetime | None] = []
        for i in range(card.size):
            if card.stage == "scheduled" or cancelled[i]:
                times.append(None)
            elif i == 0:
                times.append(card.published_at or start)
            else:
                at = start + (until - start) * r.uniform(0.15, 0.9)
                at = at.replace(second=0, microsecond=0)
                # at ``published`` a later post of the package may still be ahead
                if card.stage == "published" and r.random() < 0.35:
                    times.append(None)
                else:
                    times.append(at)
        weights = [_PRICE_WEIGHT.get(f, 1.0) for f, c in zip(formats, cancelled, strict=True)
                   if not c]  # fmt: skip
        currency = card.agreed_currency
        agreed = _split(card.agreed, weights, currency) if card.agreed and currency else None
        paid = None
        if card.stage == "paid" and card.paid and card.paid_currency == currency and currency:
            paid = _split(card.paid, weights, currency)
        k = 0
        for i in range(card.size):
            price_agreed = price_paid = None
            if not cancelled[i]:
                price_agreed = agreed[k] if agreed else None
                price_paid = paid[k] if paid else None
                k += 1
            self.placement(card, formats[i], times[i], cancelled[i], price_agreed, price_paid)

    def placement(
        self,
        card: _Card,
        fmt: str,
        published: dt.datetime | None,
        cancelled: bool,
        price_agreed: Decimal | None,
        price_paid: Decimal | None,
    ) -> None:
        r = self.rng
        delivers, late = self.channel_habits(card)
        goal = card.goal if card.goal in _GOAL else "reach"
        content = r.choices(CONTENT_TYPES, _CONTENT_WEIGHTS[goal])[0]
        created = card.scheduled_at or card.agreed_at or card.stage_since
        if published is not None:
            days_late = r.randint(1, 4) if r.random() < late else 0
            early = r.randint(1, 3) if not days_late and r.random() < 0.1 else 0
            planned_on = published.date() - dt.timedelta(days=days_late - early)
            created = min(created, published - dt.timedelta(hours=2))
        else:
            planned_on = max(created.date() + dt.timedelta(days=r.randint(2, 10)),
                             self.as_of - dt.timedelta(days=2))  # fmt: skip
        status = "cancelled" if cancelled else "published" if published else "planned"
        # the ad label: Russian channels anywhere, and every channel on the platforms where a
        # missing one is flagged (the few left without it are chosen in _flag)
        labelled = card.language != "en" or card.platform in ERID_PLATFORMS
        erid = None
        if not cancelled and labelled and (published is not None or r.random() < 0.5):
            erid = self.erid()
        planned_reach = planned_clicks = planned_conversions = None
        reach_factor, ctr_factor = _FORMAT_EFFECT.get(fmt, (1.0, 1.0))
        if card.avg_reach and r.random() < 0.92:
            planned = card.avg_reach * reach_factor * r.uniform(0.95, 1.15)
            planned_reach = max(int(round(planned, -2)), 100)
            planned_clicks = round(planned_reach * _CTR.get(card.platform, 0.005) * ctr_factor)
            planned_conversions = round(planned_clicks * _GOAL[goal][0])
        landing = _LANDING.get(card.brand or "")
        promo = None
        if goal in ("sales", "awareness") and r.random() < 0.6:
            promo = (card.handle.replace(".", "").replace("_", "")[:8] + "15").upper()
        card.placements.append(
            {
                "campaign_id": card.campaign_id, "channel_id": card.channel_id, "format": fmt,
                "content_type": content, "status": status, "planned_on": planned_on,
                "published_at": published,
                "post_url": self.post_url(card, fmt) if published else None,
                "landing_url": landing, "utm_url": None,
                "price_agreed": None if price_agreed is None else str(price_agreed),
                "price_paid": None if price_paid is None else str(price_paid),
                "currency": card.agreed_currency if price_agreed is not None else None,
                "erid": erid, "promo_code": promo, "planned_reach": planned_reach,
                "planned_clicks": planned_clicks, "planned_conversions": planned_conversions,
                "notes": r.choice(_CANCEL_NOTES) if cancelled else None,
                "version": 3 if published else 2 if cancelled else 1, "created_at": created,
                "updated_at": published or created,
                # what the results need, dropped before writing
                "_card": card, "_delivers": delivers,
            }
        )  # fmt: skip

    # -- measurements of one published placement
    def results(self, p: dict[str, Any], out: dict[str, list[Any]], ord_: int) -> None:
        r = self.rng
        card: _Card = p["_card"]
        published: dt.datetime = p["published_at"]
        if not card.avg_reach:
            return
        goal = card.goal if card.goal in _GOAL else "reach"
        reach_f, ctr_f = _FORMAT_EFFECT.get(p["format"], (1.0, 1.0))
        c_reach, c_ctr, c_cr, c_eng, c_com, c_sh, c_sav = _CONTENT_EFFECT[p["content_type"]]
        reach = card.avg_reach * reach_f * c_reach * p["_delivers"] * r.lognormvariate(0, 0.25)
        impressions = reach * r.uniform(1.15, 1.6)
        views = reach * r.uniform(1.05, 1.3)
        ctr = _CTR.get(card.platform, 0.005) * ctr_f * c_ctr * r.lognormvariate(0, 0.55)
        clicks = impressions * ctr
        cr, per_conversion = _GOAL[goal]
        value = float(per_conversion)
        conversions = clicks * cr * c_cr * r.lognormvariate(0, 0.6)
        if card.campaign_currency != "RUB":
            value = value / 90
        revenue = conversions * value * r.uniform(0.7, 1.4)
        er = (card.avg_engagement or 0) / card.avg_reach * c_eng * r.lognormvariate(0, 0.3)
        engaged = reach * er
        # the moments measured: 24 h, 72 h and 7 days after publication, those already past
        points = [published + dt.timedelta(hours=h, minutes=r.randint(0, 90))
                  for h in (24, 72, 168)]  # fmt: skip
        points = [t for t in points if t <= self.now]
        if not points:
            if self.now - published < dt.timedelta(hours=3):
                return  # out too recently to have numbers
            points = [self.now - dt.timedelta(minutes=r.randint(5, 60))]
        u = r.random()
        if u < 0.5:
            chosen = points
        elif u < 0.8:
            chosen = points[-1:]
        else:
            chosen = [points[0], points[-1]] if len(points) > 1 else points
        estimate = r.random() < 0.04
        if estimate:
            chosen = chosen[-1:]
        final_kind = r.choices(*zip(*_FINAL_PROVENANCE[goal], strict=True))[0]
        telegram = card.platform == "telegram"
        source: str | None
        for i, at in enumerate(chosen):
            hours = (at - published).total_seconds() / 3600
            share = 1.0 if hours >= 160 else 0.88 if hours >= 70 else 0.65
            last = i == len(chosen) - 1
            if estimate:
                kind, source = "estimate", "оценка по среднему охвату канала"
            elif last and final_kind in ("shop_analytics", "utm_analytics"):
                kind = final_kind
                source = ("AppsFlyer (UTM)" if card.campaign_currency == "USD"
                          else "Яндекс Метрика (UTM)" if kind == "utm_analytics"
                          else "CRM магазина (промокод и UTM)")  # fmt: skip
            elif card.platform in _API_PLATFORMS and r.random() < 0.4:
                kind, source = "platform_api", _API_PLATFORMS[card.platform]
            elif p["format"] == "story" or (
                card.platform in ("tiktok", "instagram") and r.random() < 0.6
            ):
                kind, source = "screenshot", "скриншот статистики от автора"
            else:
                kind, source = "platform_stats", _STATS_SOURCE.get(card.platform)
            row: dict[str, Any] = {
                "placement_ord": ord_, "measured_at": at,
                "reach": round(reach * share * r.uniform(0.97, 1.03)),
                # Telegram counts views, not impressions; an estimate knows the reach only
                "impressions": None if telegram or estimate else round(impressions * share),
                "views": None if estimate else round(views * share),
                "likes": None, "comments": None, "shares": None, "saves": None,
                "clicks": None, "conversions": None, "revenue": None, "currency": None,
                "provenance": kind, "source": source,
            }  # fmt: skip
            if not estimate:
                row["likes"] = round(engaged * share * 0.75)
                row["comments"] = round(engaged * share * 0.08 * c_com)
                row["shares"] = round(engaged * share * 0.1 * c_sh)
                row["saves"] = round(engaged * share * 0.07 * c_sav)
                row["clicks"] = round(clicks * share)
            if kind in ("shop_analytics", "utm_analytics"):
                row["conversions"] = round(conversions)
                row["revenue"] = str(Decimal(repr(revenue)).quantize(_CENT, ROUND_HALF_UP))
                row["currency"] = card.campaign_currency
            for key, value in row.items():
                out[key].append(value)


def _cards(cur: duckdb.DuckDBPyConnection) -> list[_Card]:
    rows = cur.execute(_CARDS).fetchall()
    return [_Card(*row) for row in rows]


def _sizes(rng: random.Random, cards: list[_Card]) -> None:
    """How many placements each card's package holds: one to four, topped up to at least
    ``MIN_PLACEMENTS`` over all cards (five at most each)."""
    for card in cards:
        card.size = rng.choices((1, 2, 3, 4), (10, 35, 35, 20))[0]
    total = sum(c.size for c in cards)
    while cards and total < MIN_PLACEMENTS and any(c.size < 5 for c in cards):
        card = min((c for c in cards if c.size < 5), key=lambda c: c.size)
        card.size += 1
        total += 1


def _flag(rng: random.Random, placements: list[dict[str, Any]]) -> None:
    """Leave a few published placements on erid platforms without an erid (flagged)."""
    candidates = [p for p in placements
                  if p["status"] == "published" and p["_card"].platform in ERID_PLATFORMS]  # fmt: skip
    for p in rng.sample(candidates, min(MISSING_ERID, len(candidates))):
        p["erid"] = None
        p["notes"] = "erid не пришёл от рекламной системы к выходу поста."


def _cover_content(rng: random.Random, placements: list[dict[str, Any]]) -> None:
    """Every content type on at least one published placement, whatever the draws were."""
    published = [p for p in placements if p["status"] == "published"]
    for p, content in zip(rng.sample(published, min(len(published), len(CONTENT_TYPES))),
                          CONTENT_TYPES, strict=False):  # fmt: skip
        p["content_type"] = content


def _utm(p: dict[str, Any], card: _Card, placement_id: int) -> str | None:
    landing = p["landing_url"]
    if landing is None:
        return None
    base, _, fragment = landing.partition("#")
    query = urlencode({
        "utm_source": card.platform,
        "utm_medium": "influencer" if card.kind == "person" else "public_page",
        "utm_campaign": _slug(card.name),
        "utm_content": f"{card.handle}-{placement_id}",
    })  # fmt: skip
    url = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{url}#{fragment}" if fragment else url


def _clicks_above_impressions(rng: random.Random, results: dict[str, list[Any]]) -> None:
    """A few latest measurements count more clicks than impressions (UTM clicks from a repost
    elsewhere): allowed, and flagged."""
    # a placement's measurements are written in time order: its last row is its latest
    last = {ord_: i for i, ord_ in enumerate(results["placement_ord"])}
    last = {o: i for o, i in last.items() if results["impressions"][i] and results["clicks"][i]}
    # small ones, so the flagged clicks do not swamp their groups' totals
    ords = sorted(last, key=lambda o: (results["impressions"][last[o]], o))
    ords = sorted(ords[: max(len(ords) // 3, CLICKS_ABOVE)])
    for ord_ in rng.sample(ords, min(CLICKS_ABOVE, len(ords))):
        i = last[ord_]
        results["clicks"][i] = round(results["impressions"][i] * rng.uniform(1.05, 1.4))


def generate_placements(
    cur: duckdb.DuckDBPyConnection, seed: int, *, as_of: dt.date, reserve: Reserve
) -> dict[str, int]:
    """Write the demo's placements and their results for the shortlist already written; call
    inside the demo's transaction after the outreach part. Returns the counts written."""
    b = _Builder(seed, as_of)
    cards = _cards(cur)
    _sizes(b.rng, cards)
    for card in cards:
        b.package(card)
    placements = [p for card in cards for p in card.placements]
    _flag(b.rng, placements)
    _cover_content(b.rng, placements)
    results = _columns(_RESULT_SCHEMA)
    for ord_, p in enumerate(placements, start=1):
        if p["status"] == "published":
            b.results(p, results, ord_)
    _clicks_above_impressions(b.rng, results)
    first = reserve(cur, "placements", len(placements)) if placements else 0
    rows = _columns(_PLACEMENT_SCHEMA)
    for ord_, p in enumerate(placements, start=1):
        p["utm_url"] = _utm(p, p["_card"], first + ord_ - 1)
        for key in _PLACEMENT_SCHEMA:
            rows[key].append(ord_ if key == "ord" else p[key])
    _write(cur, pl.DataFrame(rows, schema=_PLACEMENT_SCHEMA),
           pl.DataFrame(results, schema=_RESULT_SCHEMA), first, reserve)  # fmt: skip
    return {"placements": len(placements), "results": len(results["placement_ord"])}


def _write(
    cur: duckdb.DuckDBPyConnection,
    placements: pl.DataFrame,
    results: pl.DataFrame,
    first: int,
    reserve: Reserve,
) -> None:
    if placements.is_empty():
        return
    results = results.sort("measured_at", "placement_ord").with_row_index("ord", offset=1)
    result_base = reserve(cur, "results", results.height) if results.height else 0
    cur.register("demo_placements", placements)
    cur.register("demo_results", results)
    try:
        cur.execute(
            """
            insert into placements (id, campaign_id, channel_id, format, content_type, status,
                                    planned_on, published_at, post_url, landing_url, utm_url,
                                    price_agreed, price_paid, currency, erid, promo_code,
                                    planned_reach, planned_clicks, planned_conversions, notes,
                                    version, created_at, updated_at)
            select ? + ord - 1, campaign_id, channel_id, format, content_type, status,
                   planned_on, published_at, post_url, landing_url, utm_url,
                   price_agreed::decimal(18, 2), price_paid::decimal(18, 2), currency, erid,
                   promo_code, planned_reach, planned_clicks, planned_conversions, notes,
                   version, created_at, updated_at
            from demo_placements order by ord
            """,
            [first],
        )
        cur.execute(
            """
            insert into results (id, placement_id, measured_at, reach, impressions, views,
                                 likes, comments, shares, saves, clicks, conversions, revenue,
                                 currency, provenance, source, created_at)
            select ? + ord - 1, ? + placement_ord - 1, measured_at, reach, impressions, views,
                   likes, comments, shares, saves, clicks, conversions,
                   revenue::decimal(18, 2), currency, provenance, source, measured_at
            from demo_results order by ord
            """,
            [result_base, first],
        )
    finally:
        cur.unregister("demo_placements")
        cur.unregister("demo_results")
