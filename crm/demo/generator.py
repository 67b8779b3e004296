"""The demo workspace: a deterministic, realistic registry of owners, channels, snapshots and prices.

The same seed gives byte-identical data on any day (dates count back from ``DEMO_AS_OF``).
Everything is built in memory as polars frames and written with a few set-based inserts
in one transaction, so that even 50 000 channels take seconds.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from typing import Any

import duckdb
import polars as pl

from crm.demo.audience import generate_audiences
from crm.demo.outreach import generate_outreach
from crm.demo.placements import generate_placements
from crm.demo.words import (
    _ARCHIVED_NOTES,
    _BLOGGER_PLATFORMS,
    _CITIES_BY_COUNTRY,
    _EN_FIRST,
    _EN_LAST,
    _EN_NOTES,
    _EN_PAGES,
    _EN_PERSON,
    _EN_SWAP,
    _FORMATS,
    _FORMATS_DEFAULT,
    _GEO,
    _NETWORK_NAMES,
    _NICHE_WEIGHTS,
    _PAGE_PLATFORMS,
    _PLATFORM,
    _PROVENANCE,
    _PROVENANCE_DEFAULT,
    _RELATED,
    _RU_FEMALE,
    _RU_MALE,
    _RU_NOTES,
    _RU_PAGES,
    _RU_PERSON,
    _RU_SURNAMES,
    _RUB_PER,
    _SOURCES,
    _TAGS,
    NICHES,
    City,
    handle_from,
)
from crm.errors import ValidationError
from crm.store import Store
from crm.vocab.platforms import canonical_url
from crm.workspace import set_workspace_values

DEMO_AS_OF = dt.date(2026, 11, 23)

# ---------------------------------------------------------------- generation


_OWNER_SCHEMA = {
    "ord": pl.Int64, "name": pl.String, "email": pl.String, "telegram": pl.String,
    "phone": pl.String, "other_contact": pl.String, "notes": pl.String,
}  # fmt: skip
_CHANNEL_SCHEMA = {
    "ord": pl.Int64, "platform": pl.String, "handle": pl.String, "url": pl.String,
    "title": pl.String, "kind": pl.String, "owner_ord": pl.Int64, "niches": pl.String,
    "country": pl.String, "city": pl.String, "language": pl.String, "email": pl.String,
    "telegram": pl.String, "phone": pl.String, "tags": pl.String, "notes": pl.String,
    "archived": pl.Boolean,
}  # fmt: skip
_PRICE_SCHEMA = {
    "channel_ord": pl.Int64, "format": pl.String, "kind": pl.String, "amount": pl.Int64,
    "currency": pl.String, "date": pl.Date, "source": pl.String, "note": pl.String,
}  # fmt: skip
_HISTORY_SCHEMA = {
    "channel_ord": pl.Int64, "log_followers": pl.Float64, "growth": pl.Float64,
    "jump_week": pl.Int64, "jump": pl.Float64, "reach_rate": pl.Float64,
    "er_reach": pl.Float64, "views_factor": pl.Float64, "likes_share": pl.Float64,
    "comments_share": pl.Float64, "provenance": pl.String, "source": pl.String,
}  # fmt: skip
_NOISE = {"walk": 0.004, "reach": 0.08, "likes": 0.1, "comments": 0.15, "shares": 0.15}


class _Frames:
    """Column lists, filled channel by channel in a fixed order."""

    def __init__(self) -> None:
        self.owners: dict[str, list[Any]] = {k: [] for k in _OWNER_SCHEMA}
        self.channels: dict[str, list[Any]] = {k: [] for k in _CHANNEL_SCHEMA}
        self.prices: dict[str, list[Any]] = {k: [] for k in _PRICE_SCHEMA}
        self.history: dict[str, list[Any]] = {k: [] for k in _HISTORY_SCHEMA}
        self.noise: dict[str, list[float]] = {k: [] for k in _NOISE}


def _add(columns: dict[str, list[Any]], row: dict[str, Any]) -> None:
    for key, value in row.items():
        columns[key].append(value)


_CUMULATIVE: dict[int, tuple[list[Any], list[float]]] = {}


def _cumulative(weighted: tuple[tuple[Any, float], ...]) -> tuple[list[Any], list[float]]:
    # the weighted tables are module constants, so their id is a safe cache key
    found = _CUMULATIVE.get(id(weighted))
    if found is None:
        items = [w[0] for w in weighted]
        found = items, list(itertools.accumulate(w[1] for w in weighted))
        _CUMULATIVE[id(weighted)] = found
    return found


class _Generator:
    def __init__(self, seed: int, channels: int, weeks: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed)
        self.target = channels
        self.weeks = weeks
        self.as_of = as_of
        self.stamp = dt.datetime.combine(as_of, dt.time(9, 0))
        self.out = _Frames()
        self.handles: dict[str, set[str]] = {}
        self.numbered: dict[tuple[str, str], int] = {}  # next free number per handle stem
        self.titles: set[tuple[str, str]] = set()
        self.owner_emails: set[str] = set()
        self.owner_id = 0
        self.channel_id = 0

    # -- helpers
    def pick(self, weighted: tuple[tuple[Any, float], ...]) -> Any:
        items, cumulative = _cumulative(weighted)
        return self.rng.choices(items, cum_weights=cumulative)[0]

    def niche(self) -> str:
        return self.rng.choices(NICHES, _NICHE_WEIGHTS)[0]

    def geo(self) -> tuple[City, str]:
        country = self.pick(_GEO)
        if country == "en":
            return self.pick(_CITIES_BY_COUNTRY["en"]), "en"
        return self.city_in(country), "ru"

    def city_in(self, country: str) -> City:
        city: City = self.pick(_CITIES_BY_COUNTRY[country])
        return city

    def person(self, lang: str) -> dict[str, str]:
        r = self.rng
        if lang == "en":
            first, last = r.choice(_EN_FIRST), r.choice(_EN_LAST)
            return {"first": first, "last": last, "dim": first, "dim_gen": first}
        female = r.random() < 0.6
        first, dim, dim_gen = r.choice(_RU_FEMALE if female else _RU_MALE)
        last = r.choice(_RU_SURNAMES)
        if female:
            last = last[:-2] + "ая" if last.endswith("ий") else last + "а"
        return {"first": first, "last": last, "dim": dim, "dim_gen": dim_gen}

    def unique_handle(self, platform: str, base: str, city: City) -> str:
        taken = self.handles.setdefault(platform, set())
        base = base or "channel"
        if len(base) < 5:
            base = (base + "_" + city.code.lower())[:28]
        if base not in taken:
            taken.add(base)
            return base
        for suffix in (city.code.lower(), "official", "tv", "club", "news", "ru"):
            candidate = f"{base[:24]}_{suffix}"
            if candidate not in taken:
                taken.add(candidate)
                return candidate
        stem = base[:24]
        n = self.numbered.get((platform, stem), 2)
        while f"{stem}{n}" in taken:
            n += 1
        self.numbered[(platform, stem)] = n + 1
        taken.add(f"{stem}{n}")
        return f"{stem}{n}"

    def unique_title(self, platform: str, title: str, city: City) -> str:
        if (platform, title) in self.titles:
            for variant in (f"{title} | {city.code}", f"{title} {city.name}", f"{title} 2.0"):
                if (platform, variant) not in self.titles:
                    title = variant
                    break
        self.titles.add((platform, title))
        return title

    def contacts(self, who: dict[str, str] | None, label: str, city: City) -> dict[str, Any]:
        r = self.rng
        base = handle_from(f"{who['first']} {who['last']}" if who else label) or "ads"
        email = None
        if r.random() < 0.7:
            domain = r.choice(("gmail.com", "yandex.ru", "mail.ru", "bk.ru"))
            if city.country not in ("Russia", "Kazakhstan", "Belarus", "Uzbekistan"):
                domain = r.choice(("gmail.com", "outlook.com", "proton.me"))
            local = base.replace("_", ".") if who else "ads." + base.replace("_", "")
            email = f"{local}@{domain}"
            n = 2
            while email in self.owner_emails:
                email = f"{local}{n}@{domain}"
                n += 1
            self.owner_emails.add(email)
        telegram = None
        if r.random() < 0.85:
            telegram = "@" + (base if r.random() < 0.6 else base[:20] + "_ads")
            if len(telegram) < 6:
                telegram += "_pr"
        phone = self.phone(city) if r.random() < 0.4 else None
        return {"email": email, "telegram": telegram, "phone": phone}

    def phone(self, city: City) -> str:
        r = self.rng
        d = "".join(str(r.randrange(10)) for _ in range(7))
        tail = f"{d[:3]}-{d[3:5]}-{d[5:]}"
        if city.country == "Kazakhstan":
            return f"+7 7{r.choice('0157')}{r.randrange(10)} {tail}"
        if city.country == "Belarus":
            return f"+375 {r.choice(('29', '33', '44'))} {tail}"
        if city.country == "Uzbekistan":
            return f"+998 9{r.randrange(10)} {tail}"
        if city.country == "Russia":
            return f"+7 9{r.randrange(10)}{r.randrange(10)} {tail}"
        return f"+{r.choice(('44 7', '1 2', '971 5'))}{r.randrange(10)}{r.randrange(10)} {d}"

    def add_owner(self, name: str, contacts: dict[str, Any], notes: str | None = None) -> int:
        self.owner_id += 1
        other = None
        if self.rng.random() < 0.1:
            other = "WhatsApp " + (contacts["phone"] or "по запросу")
        _add(
            self.out.owners,
            {
                "ord": self.owner_id,
                "name": name,
                **contacts,
                "other_contact": other,
                "notes": notes,
            },
        )
        return self.owner_id

    # -- entities
    def run(self) -> _Frames:
        while self.channel_id < self.target:
            kind = self.rng.random()
            if kind < 0.12:
                self.network()
            elif kind < 0.67:
                self.blogger()
            else:
                self.single_page()
        return self.out

    def blogger(self) -> None:
        r = self.rng
        city, lang = self.geo()
        who = self.person(lang)
        niches = [self.niche()]
        if r.random() < 0.3:
            niches.append(r.choice(_RELATED[niches[0]]))
        templates = (_EN_PERSON if lang == "en" else _RU_PERSON)[niches[0]]
        title = r.choice((*templates, "{first} {last}")).format(**who, code=city.code)
        owner = self.add_owner(f"{who['first']} {who['last']}", self.contacts(who, title, city))
        count = r.choices((1, 2, 3), (55, 30, 15))[0]
        platforms: list[str] = []
        while len(platforms) < count:
            p = self.pick(_BLOGGER_PLATFORMS)
            p = _EN_SWAP.get(p, p) if lang == "en" else p
            if p not in platforms:
                platforms.append(p)
        scale = 1.0
        name_handle = handle_from(f"{who['first']} {who['last']}")
        for i, platform in enumerate(platforms):
            base = handle_from(title, dots=platform == "instagram")
            if r.random() < 0.5 or not base:
                base = name_handle if r.random() < 0.7 else name_handle.replace("_", "")
            self.channel(platform, title, base, "person", owner, niches, city, lang, scale=scale)
            scale = r.uniform(0.1, 0.6) if i == 0 else scale * r.uniform(0.3, 1.0)

    def network(self) -> None:
        r = self.rng
        city, lang = self.geo()
        if r.random() < 0.55:
            who = self.person(lang)
            name = f"{who['first']} {who['last']}"
            contacts = self.contacts(who, name, city)
        else:
            brand = r.choice(_NETWORK_NAMES)
            name = r.choice((f"Сеть пабликов «{brand}»", f"ООО «{brand}»", f"{brand} (админ сети)"))
            contacts = self.contacts(None, brand, city)
        note = r.choice(
            (
                "Продаёт размещения пакетом по всей сети, скидка от пяти постов.",
                "Админ сети пабликов; прайс на все паблики одним файлом.",
                None,
            )
        )
        owner = self.add_owner(name, contacts, note)
        home = self.pick(_PAGE_PLATFORMS)
        home = _EN_SWAP.get(home, home) if lang == "en" else home
        theme = self.niche()
        for _ in range(r.randint(3, 12)):
            if self.channel_id >= self.target:
                break
            platform = home if r.random() < 0.7 else r.choice(("vk", "ok", "telegram", "dzen"))
            platform = _EN_SWAP.get(platform, platform) if lang == "en" else platform
            page_city = city if r.random() < 0.5 or lang == "en" else self.city_in(city.country)
            self.page(platform, owner, theme if r.random() < 0.5 else self.niche(), page_city, lang)

    def single_page(self) -> None:
        r = self.rng
        city, lang = self.geo()
        platform = self.pick(_PAGE_PLATFORMS)
        platform = _EN_SWAP.get(platform, platform) if lang == "en" else platform
        owner = None
        if r.random() < 0.9:
            who = self.person(lang)
            owner = self.add_owner(f"{who['first']} {who['last']}", self.contacts(who, "", city))
        self.page(platform, owner, self.niche(), city, lang)

    def page(self, platform: str, owner: int | None, niche: str, city: City, lang: str) -> None:
        r = self.rng
        if lang == "en":
            title = r.choice(_EN_PAGES[niche]).format(city=city.name, code=city.code)
        else:
            typ = "Типичная" if city.gender == "f" else "Типичный"
            title = r.choice(_RU_PAGES[niche]).format(
                nom=city.nom, gen=city.gen, prep=city.prep, typ=typ
            )
        base = handle_from(title)
        if r.random() < 0.3:
            base = base.replace("_", "")[:28]
        self.channel(platform, title, base, "public_page", owner, [niche], city, lang)

    def channel(
        self,
        platform: str,
        title: str,
        base: str,
        kind: str,
        owner: int | None,
        niches: list[str],
        city: City,
        lang: str,
        scale: float = 1.0,
    ) -> None:
        r = self.rng
        self.channel_id += 1
        cid = self.channel_id
        handle = self.unique_handle(platform, base, city)
        title = self.unique_title(platform, title, city)
        median, sigma, reach_rate, err, views = _PLATFORM[platform]
        followers = median * math.exp(r.gauss(0, sigma)) * scale
        followers = min(max(followers, 2_000 + r.random() * 1_000), 3_000_000 * r.uniform(0.9, 1))
        tags = [t for t, p in _TAGS if r.random() < p]
        bought = r.random() < 0.05
        if bought:
            tags.append("накрутка?")
        if followers > 500_000 and r.random() < 0.4:
            tags.append("VIP")
        archived = r.random() < 0.02
        notes = None
        if archived:
            notes = r.choice(_ARCHIVED_NOTES)
        elif r.random() < 0.12:
            notes = r.choice(_EN_NOTES if lang == "en" else _RU_NOTES)
        email = telegram = None
        if owner is None or r.random() < 0.1:
            telegram = "@" + (handle.replace(".", "_")[:24] + "_ads")
        _add(
            self.out.channels,
            {
                "ord": cid,
                "platform": platform,
                "handle": handle,
                "url": canonical_url(platform, handle),
                "title": title,
                "kind": kind,
                "owner_ord": owner,
                "niches": "|".join(niches),
                "country": city.country,
                "city": city.name,
                "language": lang,
                "email": email,
                "telegram": telegram,
                "phone": None,
                "tags": "|".join(tags),
                "notes": notes,
                "archived": archived,
            },
        )
        rr = r.uniform(*reach_rate) * (0.45 if bought else 1.0)
        er_reach = r.uniform(*err)
        vf = r.uniform(*views)
        self.history(cid, platform, followers, rr, er_reach, vf, bought)
        self.prices(cid, platform, city, followers * rr, lang)

    def history(
        self,
        cid: int,
        platform: str,
        followers: float,
        rr: float,
        er_reach: float,
        vf: float,
        bought: bool,
    ) -> None:
        r = self.rng
        shape = r.random()
        if shape < 0.12:
            growth = r.uniform(0.01, 0.03)  # taking off
        elif shape < 0.25:
            growth = r.uniform(-0.012, -0.002)  # losing followers
        else:
            growth = r.gauss(0.003, 0.004)
        jump_week = r.randrange(1, self.weeks) if bought and self.weeks > 1 else -1
        jump = r.uniform(1.25, 1.6)
        likes_share = r.uniform(0.7, 0.9)
        comments_share = r.uniform(0.03, 0.15)
        provenance = self.pick(_PROVENANCE.get(platform, _PROVENANCE_DEFAULT))
        source = _SOURCES.get(provenance, {}).get(platform)
        if provenance == "screenshot":
            source = "скриншот статистики от автора"
        # numbers are computed for all channels at once in _snapshot_frame; here only
        # the channel's parameters and its noise are drawn, in a fixed order
        h = self.out.history
        for name, value in (
            ("channel_ord", cid), ("log_followers", math.log(followers)), ("growth", growth),
            ("jump_week", jump_week), ("jump", jump), ("reach_rate", rr), ("er_reach", er_reach),
            ("views_factor", vf), ("likes_share", likes_share),
            ("comments_share", comments_share), ("provenance", provenance), ("source", source),
        ):  # fmt: skip
            h[name].append(value)
        # uniform noise with the given standard deviation: cheap enough for 300 000 rows
        u = r.random
        weeks = range(self.weeks)
        n = self.out.noise
        for name, sd in _NOISE.items():
            width = sd * 3.4641016151377544  # sqrt(12)
            n[name].extend([(u() - 0.5) * width for _ in weeks])

    def prices(self, cid: int, platform: str, city: City, reach: float, lang: str) -> None:
        r = self.rng
        cpm = r.uniform(150, 900)
        currency = "RUB"
        if lang == "en":
            currency = "USD"
        elif city.country == "Kazakhstan" and r.random() < 0.7:
            currency = "KZT"
        for fmt, factor, probability in _FORMATS.get(platform, _FORMATS_DEFAULT):
            if r.random() >= probability:
                continue
            rate = _RUB_PER.get(currency, 1.0)
            amount = _nice(max(reach * cpm / 1000 * factor, 300.0) / rate, currency)
            date = self.as_of - dt.timedelta(days=r.randint(3, 60))
            listed_source = (
                "media kit" if lang == "en" else r.choice(("медиакит", "прайс в описании"))
            )
            self.price(cid, fmt, "listed", amount, currency, date, listed_source, None)
            if r.random() < 0.25:
                old = _nice(max(amount * r.uniform(0.7, 0.9), 300 / rate), currency)
                older = self.as_of - dt.timedelta(days=r.randint(100, 170))
                self.price(cid, fmt, "listed", old, currency, older, listed_source, None)
            if r.random() < 0.2:
                quoted = _nice(max(amount * r.uniform(0.85, 1.2), 300 / rate), currency)
                note = "quoted in chat" if lang == "en" else "назвал в переписке"
                self.price(cid, fmt, "quoted", quoted, currency, date, "Telegram", note)

    def price(
        self,
        cid: int,
        fmt: str,
        kind: str,
        amount: int,
        currency: str,
        date: dt.date,
        source: str | None,
        note: str | None,
    ) -> None:
        _add(
            self.out.prices,
            {
                "channel_ord": cid,
                "format": fmt,
                "kind": kind,
                "amount": amount,
                "currency": currency,
                "date": date,
                "source": source,
                "note": note,
            },
        )


def _nice(amount: float, currency: str) -> int:
    """Round a price the way price lists do (to 50, 100, 500 or 1000)."""
    step = 5 if currency == "USD" else 50 if amount < 1_000 else 100 if amount < 10_000 else 500
    if amount >= 100_000:
        step = 1000
    return max(int(round(amount / step)) * step, step)


# ---------------------------------------------------------------- writing


def _snapshot_frame(data: _Frames, weeks: int, as_of: dt.date) -> pl.DataFrame:
    """Weekly snapshots for every channel from its parameters and noise, all at once."""
    params = pl.DataFrame(data.history, schema=_HISTORY_SCHEMA)
    rows = params.height * weeks
    index = pl.int_range(0, rows, dtype=pl.Int64)
    frame = params.select(pl.all().gather(index // weeks)).with_columns(
        (pl.int_range(0, rows, dtype=pl.Int64) % weeks).alias("week"),
        *(pl.Series(name, data.noise[name], dtype=pl.Float64) for name in _NOISE),
    )
    ch = "channel_ord"
    step = pl.col("growth") + pl.col("walk")
    jumped = (pl.col("jump_week") >= 0) & (pl.col("week") >= pl.col("jump_week"))
    # followers walk backwards from today's number; bought followers arrive in one jump
    log_f = (
        pl.col("log_followers")
        - (step.cum_sum(reverse=True).over(ch) - step)
        - pl.when(jumped | (pl.col("jump_week") < 0)).then(0.0).otherwise(pl.col("jump").log())
    )
    frame = frame.with_columns(log_f.alias("log_f"))
    low, high = pl.col("log_f").min().over(ch), pl.col("log_f").max().over(ch)
    # keep the whole history inside the demo's range of 2k to 3M followers
    shift = (
        pl.when(low < math.log(2_000))
        .then(math.log(2_000) - low + 0.01)
        .when(high > math.log(3_000_000))
        .then(math.log(3_000_000) - high - 0.01)
        .otherwise(0.0)
    )
    frame = frame.with_columns(
        (pl.col("log_f") + shift).exp().round().cast(pl.Int64).alias("followers")
    )
    organic = pl.when(jumped).then(1 / pl.col("jump")).otherwise(1.0)  # bought ones do not read
    reach = pl.col("followers") * organic * pl.col("reach_rate") * (1 + pl.col("reach"))
    frame = frame.with_columns(reach.clip(lower_bound=0).round().alias("avg_reach"))
    engaged = pl.col("avg_reach") * pl.col("er_reach")
    shares_part = (1 - pl.col("likes_share") - pl.col("comments_share")).clip(lower_bound=0.02)
    frame = frame.with_columns(
        (engaged * pl.col("likes_share") * (1 + pl.col("likes"))).clip(lower_bound=0).round()
        .alias("avg_likes"),
        (engaged * pl.col("comments_share") * (1 + pl.col("comments"))).clip(lower_bound=0)
        .round().alias("avg_comments"),
        (engaged * shares_part * (1 + pl.col("shares"))).clip(lower_bound=0).round()
        .alias("avg_shares"),
        (pl.col("avg_reach") * pl.col("views_factor")).round().alias("avg_views"),
        (pl.lit(as_of) - pl.duration(days=(weeks - 1 - pl.col("week")) * 7)).alias("measured_on"),
    )  # fmt: skip
    return frame.select(
        "channel_ord", "measured_on", "followers", "avg_reach", "avg_views",
        (pl.col("avg_likes") + pl.col("avg_comments") + pl.col("avg_shares"))
        .alias("avg_engagement"),
        "avg_likes", "avg_comments", "avg_shares", "provenance", "source",
    ).with_row_index("ord", offset=1)  # fmt: skip


def generate_demo(
    store: Store,
    seed: int = 0,
    *,
    channels: int = 320,
    weeks: int = 26,
    as_of: dt.date = DEMO_AS_OF,
) -> dict[str, int]:
    """Fill an empty database with the demo workspace for ``seed``; returns the counts written."""
    if channels < 1 or weeks < 1:
        raise ValidationError("The demo needs at least one channel and one week of snapshots.")
    gen = _Generator(seed, channels, weeks, as_of)
    data = gen.run()
    stamp = gen.stamp
    owners = pl.DataFrame(data.owners, schema=_OWNER_SCHEMA)
    chans = pl.DataFrame(data.channels, schema=_CHANNEL_SCHEMA)
    snaps = _snapshot_frame(data, weeks, as_of)
    prices = pl.DataFrame(data.prices, schema=_PRICE_SCHEMA).with_row_index("ord", offset=1)

    with store.transaction() as cur:
        existing = cur.execute("select count(*) from channels").fetchall()[0][0]
        if existing:
            raise ValidationError(
                f"The database already holds {existing} channels; the demo workspace is only "
                "generated into an empty database. Use a new database file (--db), or clear "
                "this workspace first."
            )
        base = {name: _reserve_ids(cur, name, n) for name, n in (
            ("owners", owners.height), ("channels", chans.height),
            ("snapshots", snaps.height), ("prices", prices.height),
        )}  # fmt: skip
        frames = {"demo_owners": owners, "demo_channels": chans,
                  "demo_snapshots": snaps, "demo_prices": prices}  # fmt: skip
        for name, frame in frames.items():
            cur.register(name, frame)
        try:
            params = [base["owners"], stamp, stamp]
            cur.execute(
                """
                insert into owners (id, name, email, telegram, phone, other_contact, notes,
                                    created_at, updated_at)
                select ? + ord - 1, name, email, telegram, phone, other_contact, notes, ?, ?
                from demo_owners order by ord
                """,
                params,
            )
            cur.execute(
                """
                insert into channels (id, platform, handle, url, title, kind, owner_id, niches,
                                      country, city, language, email, telegram, phone, tags,
                                      notes, archived, created_at, updated_at)
                select ? + ord - 1, platform, handle, url, title, kind, ? + owner_ord - 1,
                       case when niches = '' then []::varchar[] else string_split(niches, '|') end, country, city, language, email, telegram, phone,
                       case when tags = '' then []::varchar[] else string_split(tags, '|') end, notes,
                       archived, ?, ?
                from demo_channels order by ord
                """,
                [base["channels"], base["owners"], stamp, stamp],
            )
            cur.execute(
                """
                insert into snapshots (id, channel_id, measured_on, followers, avg_reach,
                                       avg_views, avg_engagement, avg_likes, avg_comments,
                                       avg_shares, provenance, source, created_at)
                select ? + ord - 1, ? + channel_ord - 1, measured_on, followers, avg_reach,
                       avg_views, avg_engagement, avg_likes, avg_comments, avg_shares,
                       provenance, source, ?
                from demo_snapshots order by ord
                """,
                [base["snapshots"], base["channels"], stamp],
            )
            cur.execute(
                """
                insert into prices (id, channel_id, format, kind, amount, currency, date,
                                    source, note, created_at)
                select ? + ord - 1, ? + channel_ord - 1, format, kind, amount::decimal(18, 2),
                       currency, date, source, note, ?
                from demo_prices order by ord
                """,
                [base["prices"], base["channels"], stamp],
            )
        finally:
            for name in frames:
                cur.unregister(name)
        outreach = generate_outreach(
            cur, seed, channels=chans, snapshots=snaps, prices=prices, as_of=as_of,
            channel_base=base["channels"], reserve=_reserve_ids,
        )  # fmt: skip
        placed = generate_placements(cur, seed, as_of=as_of, reserve=_reserve_ids)
        audience = generate_audiences(cur, seed, as_of=as_of)
        set_workspace_values(
            cur, {"kind": "demo", "seed": str(seed), "generated_as_of": as_of.isoformat()}
        )
    return {
        "owners": owners.height,
        "channels": chans.height,
        "snapshots": snaps.height,
        **outreach,
        **placed,
        **audience,
        "prices": prices.height + outreach["prices"],
    }


def _reserve_ids(cur: duckdb.DuckDBPyConnection, table: str, n: int) -> int:
    """Take ``n`` consecutive ids from the table's sequence; returns the first."""
    seq = f"{table}_id_seq"  # table names are this module's constants
    first = cur.execute("select nextval(?)", [seq]).fetchall()[0][0]
    if n > 1:
        cur.execute("select max(nextval(?)) from range(?)", [seq, n - 1]).fetchall()
    return int(first)
