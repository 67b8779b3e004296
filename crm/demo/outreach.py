"""The demo's outreach part: campaigns, shortlists with their stage histories and activities,
message templates, prices quoted, agreed and paid in campaigns, and daily exchange rates.

Deterministic like the registry part: its own random stream from the seed, every date counted
from the demo's as-of day, built in memory as polars frames and written with set-based inserts
inside the caller's transaction.

Follow-up dates are relative to the as-of day too, while the app compares them with the real
today: a few cards are due on the as-of day itself (the demo's "today"), some before it
(overdue), most within two weeks after it. On a real day after the as-of day more of them show
as overdue, which is what an unattended workspace looks like.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from crm.demo.outreach_words import (
    ACTIVITIES,
    CAMPAIGNS,
    CARD_NOTES,
    FORMAT_WORDS,
    MONTHS,
    PAID_SOURCES,
    QUOTE_SOURCES,
    STAGE_WEIGHTS,
    TEMPLATES,
    CampaignSpec,
)
from crm.errors import ValidationError
from crm.workspace import set_workspace_values

RATE_DAYS = 200  # daily rates from the as-of day minus this many days through the as-of day
RATE_CURRENCIES = ("USD", "EUR", "KZT")
BASE_CURRENCY = "RUB"
NO_RESPONSE_DAYS = 7
FLOW = (
    "prospect", "shortlisted", "contacted", "replied", "negotiating", "agreed", "scheduled",
    "published", "reported", "paid",
)  # fmt: skip
CLOSING = ("declined", "no_response")
_OPEN_FOLLOW_UP = {
    # days after the card entered its stage that its manager plans the next touch
    "prospect": (2, 6), "shortlisted": (1, 4), "contacted": (2, 4), "replied": (1, 2),
    "negotiating": (1, 3), "agreed": (1, 3), "scheduled": (2, 7), "published": (1, 3),
    "reported": (3, 7),
}  # fmt: skip
_GAP_HOURS = {
    # hours between two stage changes of a card (uniform between the bounds)
    ("prospect", "shortlisted"): (6, 96), ("shortlisted", "contacted"): (2, 72),
    ("replied", "negotiating"): (0.5, 30), ("negotiating", "agreed"): (12, 120),
    ("agreed", "scheduled"): (2, 72), ("scheduled", "published"): (48, 240),
    ("published", "reported"): (24, 96), ("reported", "paid"): (24, 168),
}  # fmt: skip
# what a channel with no price list would be offered, by platform
_DEFAULT_FORMAT = {"youtube": "video_integration", "tiktok": "video_integration",
                   "rutube": "video_integration", "instagram": "reel", "dzen": "native"}  # fmt: skip
_SIGN = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸"}
_FOUR = Decimal("0.0001")
# takes n consecutive ids of a table's sequence and returns the first (the generator's)
Reserve = Callable[[duckdb.DuckDBPyConnection, str, int], int]

_Schema = dict[str, pl.DataType | type[pl.DataType]]
_CAMPAIGN_SCHEMA: _Schema = {
    "ord": pl.Int64, "name": pl.String, "brand": pl.String, "goal": pl.String,
    "budget": pl.Int64, "currency": pl.String, "starts_on": pl.Date, "ends_on": pl.Date,
    "audience_notes": pl.String, "status": pl.String, "version": pl.Int64,
    "created_at": pl.Datetime("us"), "updated_at": pl.Datetime("us"),
}  # fmt: skip
_ENTRY_SCHEMA: _Schema = {
    "ord": pl.Int64, "campaign_ord": pl.Int64, "channel_ord": pl.Int64, "stage": pl.String,
    "priority": pl.String, "manager": pl.String, "next_follow_up": pl.Date, "notes": pl.String,
    "stage_since": pl.Datetime("us"), "version": pl.Int64, "created_at": pl.Datetime("us"),
}  # fmt: skip
_EVENT_SCHEMA: _Schema = {
    "campaign_ord": pl.Int64, "channel_ord": pl.Int64, "occurred_at": pl.Datetime("us"),
    "seq": pl.Int64, "type": pl.String, "stage_from": pl.String, "stage_to": pl.String,
    "author": pl.String, "text": pl.String,
}  # fmt: skip
_PRICE_SCHEMA: _Schema = {
    "channel_ord": pl.Int64, "format": pl.String, "kind": pl.String, "amount": pl.Int64,
    "currency": pl.String, "date": pl.Date, "source": pl.String, "note": pl.String,
    "campaign_ord": pl.Int64, "created_at": pl.Datetime("us"),
}  # fmt: skip
_RATE_SCHEMA: _Schema = {"currency": pl.String, "date": pl.Date, "rate": pl.String}
_TEMPLATE_SCHEMA: _Schema = {"ord": pl.Int64, "name": pl.String, "language": pl.String,
                    "subject": pl.String, "body": pl.String}  # fmt: skip


@dataclass(frozen=True)
class _Channel:
    ord: int
    platform: str
    language: str
    followers: int
    listed: dict[str, tuple[int, str]]  # format → its latest listed amount and currency


@dataclass
class _Frames:
    campaigns: dict[str, list[Any]]
    entries: dict[str, list[Any]]
    events: dict[str, list[Any]]
    prices: dict[str, list[Any]]
    rates: dict[str, list[Any]]


def _columns(schema: _Schema) -> dict[str, list[Any]]:
    return {name: [] for name in schema}


def _add(columns: dict[str, list[Any]], row: dict[str, Any]) -> None:
    for key, value in row.items():
        columns[key].append(value)


# ---------------------------------------------------------------- small helpers


def daily_rates(rng: random.Random, as_of: dt.date) -> dict[str, list[Decimal]]:
    """Rubles per unit of USD, EUR and KZT for each day of the demo's range: smooth random walks
    pulled back towards a usual level, rounded to 4 decimals (index 0 = as_of - RATE_DAYS)."""
    usd, cross, kzt = 92.0 + rng.uniform(-1.5, 1.5), 1.08 + rng.uniform(-0.01, 0.01), 0.186
    out: dict[str, list[Decimal]] = {c: [] for c in RATE_CURRENCIES}
    for _ in range(RATE_DAYS + 1):
        usd = min(max(usd + 0.04 * (94.5 - usd) + rng.gauss(0, 0.45), 90.3), 99.7)
        cross = min(max(cross + 0.05 * (1.085 - cross) + rng.gauss(0, 0.003), 1.05), 1.12)
        kzt = min(max(kzt + 0.05 * (0.186 - kzt) + rng.gauss(0, 0.0008), 0.175), 0.198)
        eur = min(max(usd * cross, 98.3), 107.7)
        for code, value in (("USD", usd), ("EUR", eur), ("KZT", kzt)):
            out[code].append(Decimal(value).quantize(_FOUR))
    return out


def _round_price(amount: float, currency: str) -> int:
    """Round a price the way people name prices (to 5 dollars, to 50–1000 rubles)."""
    if currency in ("USD", "EUR"):
        step = 5 if amount < 1_000 else 50
    elif currency == "KZT":
        step = 500 if amount < 100_000 else 5_000
    else:
        step = 50 if amount < 1_000 else 100 if amount < 10_000 else 500
        step = 1_000 if amount >= 100_000 else step
    return max(int(round(amount / step)) * step, step)


def _round_budget(amount: Decimal, currency: str) -> int:
    step = 10_000 if currency in ("RUB", "KZT") else 500
    return max(int(round(amount / step)) * step, step)


def _money_text(amount: int, currency: str, lang: str) -> str:
    """How a price is written in a chat: '45 000 ₽', '$450', '45,000 RUB'."""
    if lang == "ru":
        digits = f"{amount:,}".replace(",", "\u00a0")
        sign = _SIGN.get(currency, currency)
        return f"{sign}{digits}" if currency in ("USD", "EUR") else f"{digits}\u00a0{sign}"
    digits = f"{amount:,}"
    return f"{_SIGN[currency]}{digits}" if currency in ("USD", "EUR") else f"{digits} {currency}"


def _date_text(day: dt.date, lang: str) -> str:
    return f"{day.day} {MONTHS[lang][day.month - 1]}"


def _office(t: dt.datetime, *, reply: bool = False) -> dt.datetime:
    """Move a time earlier into the hours people work (owners may answer late at night)."""
    t = t.replace(second=0, microsecond=0)
    if reply:
        if 2 <= t.hour < 8:
            return (t - dt.timedelta(days=1)).replace(hour=22 + t.hour % 2)
        return t
    # the minute spreads the moved times over the working day instead of piling them up
    if t.hour < 9:
        return (t - dt.timedelta(days=1)).replace(hour=10 + t.minute % 10)
    if t.hour >= 21:
        return t.replace(hour=10 + t.minute % 10)
    return t


def _reply_hours(rng: random.Random) -> float:
    """Hours from the first message to the owner's reply: most within a day, some in a week."""
    u = rng.random()
    if u < 0.6:
        return min(max(rng.lognormvariate(math.log(3.0), 1.0), 0.15), 23.5)
    if u < 0.85:
        return rng.uniform(24, 96)
    return rng.uniform(120, 216)


def _gap_hours(a: str, b: str, rng: random.Random) -> float:
    if b == "replied":
        return _reply_hours(rng)
    if b == "no_response":
        return 24 * (NO_RESPONSE_DAYS + rng.uniform(0.2, 5))
    if b == "declined":
        return rng.uniform(1, 72)
    low, high = _GAP_HOURS.get((a, b), (2, 72))
    return rng.uniform(low, high)


def _path(target: str, rng: random.Random) -> list[str]:
    """The stages a card went through to stand in ``target`` today."""
    first = "prospect" if target == "prospect" or rng.random() < 0.35 else "shortlisted"
    start = FLOW.index(first)
    if target in FLOW:
        return list(FLOW[start : FLOW.index(target) + 1])
    to_contact = list(FLOW[start : FLOW.index("contacted") + 1])
    if target == "no_response":
        return [*to_contact, "no_response"]
    u = rng.random()
    exit_at = "contacted" if u < 0.2 else "replied" if u < 0.6 else "negotiating"
    return [*FLOW[start : FLOW.index(exit_at) + 1], "declined"]


# ---------------------------------------------------------------- the builder


class _Builder:
    def __init__(self, seed: int, as_of: dt.date, stages: set[str]) -> None:
        # a stream of its own, so the registry part stays as it was for the same seed
        self.rng = random.Random(f"demo-outreach-{seed}")
        self.as_of = as_of
        self.now = dt.datetime.combine(as_of, dt.time(18, 0))
        self.stages = stages
        self.first_rate_day = as_of - dt.timedelta(days=RATE_DAYS)
        self.rates = daily_rates(self.rng, as_of)
        self.out = _Frames(
            _columns(_CAMPAIGN_SCHEMA), _columns(_ENTRY_SCHEMA), _columns(_EVENT_SCHEMA),
            _columns(_PRICE_SCHEMA), _columns(_RATE_SCHEMA),
        )  # fmt: skip
        self.entry_ord = 0
        self.seq = 0
        self.foreign: dict[int, int] = {}  # campaign → channels paid in USD/EUR on purpose

    def rate(self, currency: str, on: dt.date) -> Decimal:
        if currency == BASE_CURRENCY:
            return Decimal(1)
        index = min(max((on - self.first_rate_day).days, 0), RATE_DAYS)
        return self.rates[currency][index]

    def convert(self, amount: int, currency: str, to: str, on: dt.date) -> Decimal:
        return Decimal(amount) * self.rate(currency, on) / self.rate(to, on)

    def rate_rows(self) -> None:
        for code in RATE_CURRENCIES:
            for i, value in enumerate(self.rates[code]):
                day = self.first_rate_day + dt.timedelta(days=i)
                _add(self.out.rates, {"currency": code, "date": day, "rate": str(value)})

    def event(
        self,
        campaign: int,
        channel: int,
        at: dt.datetime,
        type_: str,
        author: str | None,
        text: str | None = None,
        stage: tuple[str | None, str] | None = None,
    ) -> None:
        self.seq += 1  # keeps events of the same minute in the order they were made
        _add(
            self.out.events,
            {
                "campaign_ord": campaign, "channel_ord": channel, "occurred_at": at,
                "seq": self.seq, "type": type_, "stage_from": stage[0] if stage else None,
                "stage_to": stage[1] if stage else None, "author": author, "text": text,
            },
        )  # fmt: skip

    def price(
        self,
        channel: int,
        fmt: str,
        kind: str,
        amount: int,
        currency: str,
        at: dt.datetime,
        source: str | None,
        note: str | None,
        campaign: int | None,
    ) -> None:
        _add(
            self.out.prices,
            {
                "channel_ord": channel, "format": fmt, "kind": kind, "amount": amount,
                "currency": currency, "date": at.date(), "source": source, "note": note,
                "campaign_ord": campaign, "created_at": at,
            },
        )  # fmt: skip

    # -- one campaign
    def campaign(self, ord_: int, spec: CampaignSpec, picked: list[_Channel], cover: bool) -> None:
        r = self.rng
        starts = self.as_of + dt.timedelta(days=spec.starts)
        ends = self.as_of + dt.timedelta(days=spec.ends)
        if spec.status == "draft":
            created = self.now - dt.timedelta(days=r.uniform(2, 6))
        else:
            created = dt.datetime.combine(starts, dt.time(11, 0)) - dt.timedelta(days=21)
        created = _office(created)
        horizon = self.now
        if spec.status == "closed":
            horizon = dt.datetime.combine(ends, dt.time(17, 0)) + dt.timedelta(days=12)
        weights = STAGE_WEIGHTS[spec.profile]
        stages = [s for s in weights if s in self.stages]
        if not stages:
            return
        # the first cards of a chosen campaign stand one in each stage, so every column of
        # the board has a card
        covering = [s for s in (*FLOW, *CLOSING) if s in self.stages] if cover else []
        r.shuffle(covering)
        median = sorted(c.followers for c in picked)[len(picked) // 2] if picked else 0
        planned = Decimal(0)
        for i, ch in enumerate(picked):
            if i < len(covering):
                target = covering[i]
            else:
                target = r.choices(stages, [weights[s] for s in stages])[0]
            agreed = self.card(ord_, spec, ch, target, created, horizon, median)
            if agreed is not None:
                amount, currency, on = agreed
                planned += self.convert(amount, currency, spec.currency, on)
        budget = _round_budget(planned * Decimal(str(spec.budget_factor)), spec.currency)
        if planned == 0:
            budget = spec.fallback_budget
        closed_at = horizon if spec.status == "closed" else created
        _add(
            self.out.campaigns,
            {
                "ord": ord_, "name": spec.name, "brand": spec.brand, "goal": spec.goal,
                "budget": budget, "currency": spec.currency, "starts_on": starts,
                "ends_on": ends, "audience_notes": spec.audience, "status": spec.status,
                "version": 2 if spec.status == "closed" else 1, "created_at": created,
                "updated_at": closed_at,
            },
        )  # fmt: skip

    # -- one card: its stage history, activities and prices; returns its agreed price
    def card(
        self,
        campaign: int,
        spec: CampaignSpec,
        ch: _Channel,
        target: str,
        created: dt.datetime,
        horizon: dt.datetime,
        median: int,
    ) -> tuple[int, str, dt.date] | None:
        r = self.rng
        path = [s for s in _path(target, r) if s in self.stages]
        if not path:
            return None
        lang = "en" if ch.language == "en" else "ru"
        gaps = [_gap_hours(a, b, r) for a, b in zip(path, path[1:], strict=False)]
        times = self.times(path, gaps, target, created, horizon, spec.status == "closed")
        manager: str | None = spec.managers[0]
        if len(spec.managers) > 1 and r.random() < 0.3:
            manager = spec.managers[1]
        if spec.status == "draft" and r.random() < 0.5:
            manager = None  # not assigned yet

        # the format and what the channel asks for it
        offered = [f for f in spec.formats if f in ch.listed]
        fmt = (
            offered[0]
            if offered
            else next(iter(ch.listed), _DEFAULT_FORMAT.get(ch.platform, "post"))
        )
        amount, currency = ch.listed.get(fmt, (0, "USD" if lang == "en" else "RUB"))
        if not amount:
            amount = _round_price(max(ch.followers * 0.2 * r.uniform(0.3, 0.9), 500.0), "RUB")
            if currency != "RUB":
                amount = _round_price(float(self.convert(amount, "RUB", currency, self.as_of)),
                                      currency)  # fmt: skip
        when = dict(zip(path, times, strict=True))
        switch = note = None
        done = self.foreign.get(campaign, 0)
        if "en" in spec.languages and target == "paid" and done < 2:
            # a campaign abroad pays its first two channels in dollars and in euros
            switch, self.foreign[campaign] = ("USD", "EUR")[done], done + 1
        elif spec.currency != BASE_CURRENCY and currency == BASE_CURRENCY and r.random() < 0.4:
            switch = "USD" if r.random() < 0.6 else "EUR"  # a foreign brand's money
        elif lang == "en" and r.random() < 0.5:
            switch = "EUR"
        if switch is not None and switch != currency:
            on = _office(times[0] - dt.timedelta(days=r.uniform(5, 30)))
            amount = _round_price(float(self.convert(amount, currency, switch, on.date())), switch)
            currency = switch
            note = f"просит оплату в {switch}" if lang == "ru" else f"asks to be paid in {switch}"
            if switch == "EUR":  # their price list switched to euros shortly before we wrote
                self.price(ch.ord, fmt, "listed", amount, currency, on,
                           "медиакит" if lang == "ru" else "media kit",
                           "прайс теперь в EUR" if lang == "ru" else "media kit now in EUR",
                           None)  # fmt: skip
        quoted = agreed = None
        if "replied" in when:
            quoted = _round_price(amount * r.uniform(0.95, 1.25), currency)
            self.price(ch.ord, fmt, "quoted", quoted, currency, when["replied"],
                       r.choice(QUOTE_SOURCES[lang]), note, campaign)  # fmt: skip
        if "agreed" in when and quoted is not None:
            agreed = _round_price(quoted * r.uniform(0.8, 1.0), currency)
            self.price(ch.ord, fmt, "agreed", agreed, currency, when["agreed"],
                       "переписка" if lang == "ru" else "e-mail", None, campaign)  # fmt: skip
            if "paid" in when:
                self.price(ch.ord, fmt, "paid", agreed, currency, when["paid"],
                           r.choice(PAID_SOURCES[lang]), None, campaign)  # fmt: skip

        # the stage changes, the first one putting the card on the shortlist
        previous: str | None = None
        for stage, at in zip(path, times, strict=True):
            self.event(campaign, ch.ord, at, "stage", manager, stage=(previous, stage))
            previous = stage
        shown = agreed if agreed is not None else quoted
        publish = when.get("published") or times[-1] + dt.timedelta(days=r.uniform(2, 8))
        self.activities(campaign, ch.ord, spec, path, times, manager, lang, {
            "brand": spec.brand, "format": FORMAT_WORDS[lang].get(fmt, fmt),
            "price": _money_text(shown, currency, lang) if shown is not None else None,
            "date": _date_text(publish.date(), lang),
        })  # fmt: skip

        self.entry_ord += 1
        stage = path[-1]
        priority = r.choices(("high", "normal", "low"),
                             (35, 50, 15) if ch.followers >= median else (10, 60, 30))[0]  # fmt: skip
        _add(
            self.out.entries,
            {
                "ord": self.entry_ord, "campaign_ord": campaign, "channel_ord": ch.ord,
                "stage": stage, "priority": priority, "manager": manager,
                "next_follow_up": self.follow_up(stage, times[-1], spec.status),
                "notes": r.choice(CARD_NOTES) if r.random() < 0.15 else None,
                "stage_since": times[-1], "version": len(path), "created_at": times[0],
            },
        )  # fmt: skip
        if agreed is None:
            return None
        return agreed, currency, when["agreed"].date()

    def times(
        self,
        path: list[str],
        gaps: list[float],
        target: str,
        created: dt.datetime,
        horizon: dt.datetime,
        closed: bool,
    ) -> list[dt.datetime]:
        """When the card entered each stage: built backwards from how long it has stood in
        its stage, kept after the campaign was created."""
        r = self.rng
        if closed:
            slack = r.uniform(0, 30 * 24)
        elif target == "contacted":  # a third wait longer than the no-response limit
            slack = r.uniform(1, 96) if r.random() < 0.65 else r.uniform(8 * 24, 13 * 24)
        elif target in ("prospect", "shortlisted"):
            slack = r.uniform(2, 240)
        elif target in ("paid", *CLOSING):
            slack = r.uniform(2, 20 * 24)
        else:
            slack = r.uniform(2, 6 * 24)
        room = (horizon - created).total_seconds() / 3600 - sum(gaps) - 72
        slack = min(slack, max(room, 1.0))
        reply = [s == "replied" for s in path]
        times = [_office(horizon - dt.timedelta(hours=slack), reply=reply[-1])]
        for i in range(len(gaps) - 1, -1, -1):
            times.insert(0, _office(times[0] - dt.timedelta(hours=gaps[i]), reply=reply[i]))
        if times[0] < created:  # squeeze the history into the campaign's life
            end = times[-1]
            k = (end - created) / (end - times[0])
            times = [(end - (end - t) * k).replace(second=0, microsecond=0) for t in times]
            for i in range(1, len(times)):
                times[i] = max(times[i], times[i - 1] + dt.timedelta(minutes=1))
        return times

    def activities(
        self,
        campaign: int,
        channel: int,
        spec: CampaignSpec,
        path: list[str],
        times: list[dt.datetime],
        manager: str | None,
        lang: str,
        values: dict[str, str | None],
    ) -> None:
        r = self.rng
        texts = ACTIVITIES[lang]
        later = [*times[1:], self.now if spec.status != "closed" else times[-1]]
        moments = {
            # stage entered → (which texts, probability, minutes after entering the stage)
            "contacted": ("contact", 0.9, -3), "replied": ("reply", 0.85, -1),
            "negotiating": ("negotiate", 0.8, None), "agreed": ("agree", 0.7, 2),
            "scheduled": ("schedule", 0.6, 5), "published": ("publish", 0.5, 10),
            "reported": ("report", 0.6, -5), "paid": ("pay", 0.6, 3),
            "declined": ("decline", 0.8, -2), "no_response": ("give_up", 0.5, 1),
        }  # fmt: skip
        for stage, at, until in zip(path, times, later, strict=True):
            if stage == "contacted" and until - at > dt.timedelta(days=3):
                ping = _office(at + dt.timedelta(days=r.uniform(2.5, 3.2)))
                if at < ping < until and ping <= self.now:
                    self.text(campaign, channel, ping, manager, texts["reminder"], values)
            if stage not in moments:
                continue
            kind, probability, minutes = moments[stage]
            if r.random() >= probability:
                continue
            if minutes is None:  # somewhere between entering the stage and leaving it
                moment = at + (until - at) * r.uniform(0.1, 0.7)
            else:
                moment = at + dt.timedelta(minutes=minutes)
            moment = min(max(moment, times[0] + dt.timedelta(minutes=1)), self.now)
            self.text(campaign, channel, moment, manager, texts[kind], values)
        if r.random() < 0.12:
            aside = times[0] + (times[-1] - times[0]) * r.random() + dt.timedelta(minutes=7)
            self.text(campaign, channel, aside, manager, texts["aside"], values)

    def text(
        self,
        campaign: int,
        channel: int,
        at: dt.datetime,
        manager: str | None,
        choices: tuple[tuple[str, str], ...],
        values: dict[str, str | None],
    ) -> None:
        """Log one activity, choosing among the texts whose fill-ins are known."""
        usable = [c for c in choices if all(values[k] is not None or "{" + k + "}" not in c[1]
                                            for k in values)]  # fmt: skip
        if not usable:
            return
        type_, text = self.rng.choice(usable)
        self.event(campaign, channel, at.replace(second=0, microsecond=0), type_, manager,
                   text.format(**values))  # fmt: skip

    def follow_up(self, stage: str, since: dt.datetime, status: str) -> dt.date | None:
        r = self.rng
        if status == "closed" or stage not in _OPEN_FOLLOW_UP or r.random() < 0.15:
            return None
        low, high = _OPEN_FOLLOW_UP[stage]
        day = since.date() + dt.timedelta(days=r.randint(low, high))
        if r.random() < 0.06:
            return self.as_of  # due on the demo's "today"
        # a stale card's follow-up was pushed on, but some stay overdue by up to a week
        earliest, latest = self.as_of - dt.timedelta(days=7), self.as_of + dt.timedelta(days=14)
        return min(max(day, earliest), latest)


# ---------------------------------------------------------------- picking channels


def _pick(
    rng: random.Random, spec: CampaignSpec, pool: list[tuple[int, frozenset[str], str, float]]
) -> list[int]:
    """Channels that fit the campaign's niches and languages (the pool is not archived), bigger
    ones more likely, as a manager looks at them first."""
    n = rng.randint(*spec.size)
    # weighted sampling without replacement: the largest log(u) / weight win
    keyed = [
        (math.log(max(rng.random(), 1e-300)) / weight, o)
        for o, niches, lang, weight in pool
        if lang in spec.languages and not niches.isdisjoint(spec.niches)
    ]
    keyed.sort(reverse=True)
    return [o for _, o in keyed[:n]]


def _facts(
    ords: set[int], channels: pl.DataFrame, snapshots: pl.DataFrame, prices: pl.DataFrame
) -> dict[int, _Channel]:
    """What the cards need to know of the picked channels: followers and listed prices."""
    wanted = sorted(ords)
    latest = (
        snapshots.filter(pl.col("channel_ord").is_in(wanted))
        .sort("measured_on")
        .group_by("channel_ord", maintain_order=True)
        .last()
    )
    followers = dict(zip(latest["channel_ord"], latest["followers"], strict=True))
    listed: dict[int, dict[str, tuple[int, str]]] = {o: {} for o in ords}
    rows = (
        prices.filter(pl.col("channel_ord").is_in(wanted) & (pl.col("kind") == "listed"))
        .sort("date", "ord")
        .select("channel_ord", "format", "amount", "currency")
        .rows()
    )
    for o, fmt, amount, currency in rows:  # later dates overwrite earlier ones
        listed[o][fmt] = (amount, currency)
    info = channels.filter(pl.col("ord").is_in(wanted)).select("ord", "platform", "language")
    return {
        o: _Channel(o, platform, language, int(followers.get(o, 0)), listed[o])
        for o, platform, language in info.rows()
    }


# ---------------------------------------------------------------- generating and writing


def generate_outreach(
    cur: duckdb.DuckDBPyConnection,
    seed: int,
    *,
    channels: pl.DataFrame,
    snapshots: pl.DataFrame,
    prices: pl.DataFrame,
    as_of: dt.date,
    channel_base: int,
    reserve: Reserve,
) -> dict[str, int]:
    """Write the demo's campaigns, shortlists, events, templates, campaign prices and rates for
    the registry frames just written (ids from ``channel_base``); call inside the demo's
    transaction. ``reserve(cur, table, n)`` takes n ids of a table's sequence."""
    held = cur.execute(
        "select (select count(*) from campaigns), (select count(*) from rates)"
    ).fetchall()[0]
    if any(held):
        raise ValidationError(
            f"The database already holds {held[0]} campaigns and {held[1]} exchange rates; the "
            "demo workspace is only generated into an empty database."
        )
    stages = {str(r[0]) for r in cur.execute("select key from stages").fetchall()}
    b = _Builder(seed, as_of, stages)
    b.rate_rows()
    latest = snapshots.filter(pl.col("measured_on") == pl.col("measured_on").max())
    size = dict(zip(latest["channel_ord"], latest["followers"], strict=True))
    pool = [
        (int(o), frozenset(str(n).split("|")), str(lang), math.sqrt(max(size.get(o, 0), 1)))
        for o, n, lang, archived in channels.select("ord", "niches", "language", "archived").rows()
        if not archived
    ]
    picks = [_pick(b.rng, spec, pool) for spec in CAMPAIGNS]
    facts = _facts({o for p in picks for o in p}, channels, snapshots, prices)
    largest = max(
        (i for i, s in enumerate(CAMPAIGNS) if s.profile == "mature"),
        key=lambda i: len(picks[i]),
    )
    for i, (spec, picked) in enumerate(zip(CAMPAIGNS, picks, strict=True)):
        b.campaign(i + 1, spec, [facts[o] for o in picked], cover=i == largest)
    _due_today(b.out.entries, as_of)
    frames = {
        "demo_campaigns": pl.DataFrame(b.out.campaigns, schema=_CAMPAIGN_SCHEMA),
        "demo_entries": pl.DataFrame(b.out.entries, schema=_ENTRY_SCHEMA),
        "demo_events": pl.DataFrame(b.out.events, schema=_EVENT_SCHEMA)
        .sort("occurred_at", "seq")
        .with_row_index("ord", offset=1),
        "demo_prices": pl.DataFrame(b.out.prices, schema=_PRICE_SCHEMA)
        .sort("created_at", "channel_ord", "kind")
        .with_row_index("ord", offset=1),
        "demo_rates": pl.DataFrame(b.out.rates, schema=_RATE_SCHEMA),
        "demo_templates": pl.DataFrame(
            [(i + 1, *t) for i, t in enumerate(TEMPLATES)], schema=_TEMPLATE_SCHEMA, orient="row"
        ),
    }
    _write(cur, frames, channel_base, reserve, as_of)
    set_workspace_values(
        cur, {"base_currency": BASE_CURRENCY, "no_response_days": str(NO_RESPONSE_DAYS)}
    )
    return {
        "campaigns": frames["demo_campaigns"].height,
        "shortlist": frames["demo_entries"].height,
        "events": frames["demo_events"].height,
        "templates": frames["demo_templates"].height,
        "rates": frames["demo_rates"].height,
        "prices": frames["demo_prices"].height,
    }


def _due_today(entries: dict[str, list[Any]], as_of: dt.date) -> None:
    """At least three cards are due on the as-of day, whatever the draws were."""
    due = [i for i, d in enumerate(entries["next_follow_up"]) if d is not None]
    for i in due[:3]:
        entries["next_follow_up"][i] = as_of


def _write(
    cur: duckdb.DuckDBPyConnection,
    frames: dict[str, pl.DataFrame],
    channel_base: int,
    reserve: Reserve,
    as_of: dt.date,
) -> None:
    base = {
        table: reserve(cur, table, frames[name].height)
        for table, name in (
            ("campaigns", "demo_campaigns"), ("shortlist", "demo_entries"),
            ("events", "demo_events"), ("prices", "demo_prices"),
            ("templates", "demo_templates"),
        )
    }  # fmt: skip
    for name, frame in frames.items():
        cur.register(name, frame)
    stamp = dt.datetime.combine(as_of - dt.timedelta(days=120), dt.time(11, 0))
    try:
        cur.execute(
            """
            insert into campaigns (id, name, brand, goal, budget, currency, starts_on, ends_on,
                                   audience_notes, status, version, created_at, updated_at)
            select ? + ord - 1, name, brand, goal, budget::decimal(18, 2), currency, starts_on,
                   ends_on, audience_notes, status, version, created_at, updated_at
            from demo_campaigns order by ord
            """,
            [base["campaigns"]],
        )
        cur.execute(
            """
            insert into shortlist (id, campaign_id, channel_id, stage, priority, manager,
                                   next_follow_up, notes, stage_since, version, created_at,
                                   updated_at)
            select ? + ord - 1, ? + campaign_ord - 1, ? + channel_ord - 1, stage, priority,
                   manager, next_follow_up, notes, stage_since, version, created_at, stage_since
            from demo_entries order by ord
            """,
            [base["shortlist"], base["campaigns"], channel_base],
        )
        cur.execute(
            """
            insert into events (id, campaign_id, channel_id, occurred_at, type, stage_from,
                                stage_to, author, text, created_at)
            select ? + ord - 1, ? + campaign_ord - 1, ? + channel_ord - 1, occurred_at, type,
                   stage_from, stage_to, author, text, occurred_at
            from demo_events order by ord
            """,
            [base["events"], base["campaigns"], channel_base],
        )
        cur.execute(
            """
            insert into prices (id, channel_id, format, kind, amount, currency, date, source,
                                note, campaign_id, created_at)
            select ? + ord - 1, ? + channel_ord - 1, format, kind, amount::decimal(18, 2),
                   currency, date, source, note, ? + campaign_ord - 1, created_at
            from demo_prices order by ord
            """,
            [base["prices"], channel_base, base["campaigns"]],
        )
        cur.execute(
            """
            insert into rates (currency, date, rate, source, created_at)
            select currency, date, rate::decimal(20, 8), 'ЦБ РФ (демо)', date::timestamp
            from demo_rates order by currency, date
            """
        )
        cur.execute(
            """
            insert into templates (id, name, language, subject, body, created_at, updated_at)
            select ? + ord - 1, name, language, subject, body, ?, ?
            from demo_templates order by ord
            """,
            [base["templates"], stamp, stamp],
        )
    finally:
        for name in frames:
            cur.unregister(name)
