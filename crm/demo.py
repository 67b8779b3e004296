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
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import polars as pl

from crm.db import Store, quote_ident
from crm.errors import ValidationError
from crm.platforms import canonical_url

DEMO_AS_OF = dt.date(2026, 11, 23)

# Niches are stored in English, one vocabulary for the whole workspace.
NICHES = (
    "beauty", "food", "travel", "finance", "tech", "parenting", "humor", "sport",
    "auto", "fashion", "education", "news", "gaming", "health", "real estate",
)  # fmt: skip
_NICHE_WEIGHTS = (9, 9, 7, 8, 7, 7, 10, 6, 5, 6, 6, 9, 5, 5, 3)
# A blogger's second niche is a neighbour of the first.
_RELATED = {
    "beauty": ("fashion", "health"), "food": ("health", "parenting", "travel"),
    "travel": ("food", "education"), "finance": ("real estate", "tech", "education"),
    "tech": ("gaming", "education", "auto"), "parenting": ("education", "health", "food"),
    "humor": ("gaming", "news"), "sport": ("health",), "auto": ("tech", "travel"),
    "fashion": ("beauty", "travel"), "education": ("tech", "finance"),
    "news": ("finance", "humor"), "gaming": ("tech", "humor"), "health": ("sport", "food"),
    "real estate": ("finance",),
}  # fmt: skip

# ---------------------------------------------------------------- word lists


@dataclass(frozen=True)
class _City:
    country: str
    name: str  # English name, stored in the city field
    nom: str  # Russian forms for titles: nominative, genitive, prepositional
    gen: str
    prep: str
    gender: str  # m / f: "Типичный Екатеринбург", "Типичная Казань"
    code: str  # short Latin code for handles and titles ("SPb", "EKB")
    weight: int


_CITIES = (
    _City("Russia", "Moscow", "Москва", "Москвы", "Москве", "f", "MSK", 30),
    _City("Russia", "Saint Petersburg", "Петербург", "Петербурга", "Петербурге", "m", "SPb", 16),
    _City(
        "Russia", "Yekaterinburg", "Екатеринбург", "Екатеринбурга", "Екатеринбурге", "m", "EKB", 5
    ),
    _City("Russia", "Novosibirsk", "Новосибирск", "Новосибирска", "Новосибирске", "m", "NSK", 4),
    _City("Russia", "Kazan", "Казань", "Казани", "Казани", "f", "KZN", 4),
    _City("Russia", "Nizhny Novgorod", "Нижний", "Нижнего", "Нижнем", "m", "NN", 3),
    _City("Russia", "Krasnodar", "Краснодар", "Краснодара", "Краснодаре", "m", "KRD", 4),
    _City("Russia", "Samara", "Самара", "Самары", "Самаре", "f", "SMR", 3),
    _City("Russia", "Rostov-on-Don", "Ростов", "Ростова", "Ростове", "m", "RND", 3),
    _City("Russia", "Ufa", "Уфа", "Уфы", "Уфе", "f", "UFA", 2),
    _City("Russia", "Perm", "Пермь", "Перми", "Перми", "f", "PRM", 2),
    _City("Russia", "Voronezh", "Воронеж", "Воронежа", "Воронеже", "m", "VRN", 2),
    _City("Russia", "Chelyabinsk", "Челябинск", "Челябинска", "Челябинске", "m", "CHEL", 2),
    _City("Russia", "Omsk", "Омск", "Омска", "Омске", "m", "OMSK", 1),
    _City("Russia", "Krasnoyarsk", "Красноярск", "Красноярска", "Красноярске", "m", "KRSK", 2),
    _City("Russia", "Vladivostok", "Владивосток", "Владивостока", "Владивостоке", "m", "VL", 1),
    _City("Russia", "Sochi", "Сочи", "Сочи", "Сочи", "m", "Sochi", 2),
    _City("Russia", "Tyumen", "Тюмень", "Тюмени", "Тюмени", "f", "TMN", 1),
    _City("Kazakhstan", "Almaty", "Алматы", "Алматы", "Алматы", "m", "ALA", 5),
    _City("Kazakhstan", "Astana", "Астана", "Астаны", "Астане", "f", "AST", 3),
    _City("Kazakhstan", "Shymkent", "Шымкент", "Шымкента", "Шымкенте", "m", "SHM", 1),
    _City("Belarus", "Minsk", "Минск", "Минска", "Минске", "m", "MSQ", 5),
    _City("Belarus", "Gomel", "Гомель", "Гомеля", "Гомеле", "m", "GML", 1),
    _City("Belarus", "Brest", "Брест", "Бреста", "Бресте", "m", "BRS", 1),
    _City("Uzbekistan", "Tashkent", "Ташкент", "Ташкента", "Ташкенте", "m", "TAS", 3),
    _City("Uzbekistan", "Samarkand", "Самарканд", "Самарканда", "Самарканде", "m", "SKD", 1),
)
_EN_CITIES = (
    _City("United States", "New York", "", "", "", "m", "NYC", 3),
    _City("United Kingdom", "London", "", "", "", "m", "LDN", 3),
    _City("UAE", "Dubai", "", "", "", "m", "DXB", 3),
    _City("Cyprus", "Limassol", "", "", "", "m", "LCA", 1),
)
_GEO = (("Russia", 76), ("Kazakhstan", 7), ("Belarus", 5), ("Uzbekistan", 4), ("en", 8))
_CITIES_BY_COUNTRY = {
    country: tuple((c, c.weight) for c in (_EN_CITIES if country == "en" else _CITIES)
                   if country == "en" or c.country == country)
    for country, _ in _GEO
}  # fmt: skip

_RU_MALE = (
    ("Александр", "Саша", "Саши"), ("Дмитрий", "Дима", "Димы"), ("Максим", "Макс", "Макса"),
    ("Сергей", "Серёжа", "Серёжи"), ("Андрей", "Андрей", "Андрея"), ("Алексей", "Лёша", "Лёши"),
    ("Артём", "Артём", "Артёма"), ("Илья", "Илья", "Ильи"), ("Кирилл", "Кирилл", "Кирилла"),
    ("Михаил", "Миша", "Миши"), ("Никита", "Никита", "Никиты"), ("Роман", "Рома", "Ромы"),
    ("Егор", "Егор", "Егора"), ("Иван", "Ваня", "Вани"), ("Павел", "Паша", "Паши"),
    ("Тимур", "Тимур", "Тимура"), ("Денис", "Денис", "Дениса"), ("Олег", "Олег", "Олега"),
)  # fmt: skip
_RU_FEMALE = (
    ("Анна", "Аня", "Ани"), ("Мария", "Маша", "Маши"), ("Екатерина", "Катя", "Кати"),
    ("Ольга", "Оля", "Оли"), ("Дарья", "Даша", "Даши"), ("Алина", "Алина", "Алины"),
    ("Виктория", "Вика", "Вики"), ("Полина", "Полина", "Полины"), ("Ксения", "Ксюша", "Ксюши"),
    ("Наталья", "Наташа", "Наташи"), ("Юлия", "Юля", "Юли"), ("Софья", "Соня", "Сони"),
    ("Елена", "Лена", "Лены"), ("Татьяна", "Таня", "Тани"), ("Ирина", "Ира", "Иры"),
    ("Алёна", "Алёна", "Алёны"), ("Вероника", "Ника", "Ники"), ("Кристина", "Кристина", "Кристины"),
)  # fmt: skip
_RU_SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
    "Сергеев", "Белов", "Комаров", "Киселёв", "Медведев", "Ершов", "Никольский", "Крылов",
    "Ахметов", "Сулейменов", "Каримов", "Юсупов", "Гусев", "Титов", "Кравцов", "Жуковский",
)  # fmt: skip
_EN_FIRST = (
    "Kate", "Emma", "Olivia", "Sophie", "Mia", "Anna", "Lucy", "Grace", "Chloe", "Ella",
    "James", "Jack", "Oliver", "Daniel", "Alex", "Max", "Ryan", "Leo", "Nick", "Tom",
)  # fmt: skip
_EN_LAST = (
    "Smith", "Wilson", "Brown", "Taylor", "Walker", "Hughes", "Clarke", "Evans", "Carter",
    "Miller", "Parker", "Reed", "Hayes", "Cole", "Bennett", "Foster", "Gray", "Morgan",
)  # fmt: skip

# Public page titles per niche; {nom}/{gen}/{prep}/{typ} are the city forms.
_RU_PAGES = {
    "beauty": ("Бьюти-секреты", "Маникюр | Идеи", "Макияж и уход", "Красота и здоровье",
               "Уход за собой", "Косметичка", "Волосы и уход", "Бьюти {gen}", "Beauty Room"),
    "food": ("Рецепты", "Вкусные рецепты", "Готовим дома", "Рецепты на каждый день",
             "Простые рецепты", "Выпечка", "Кулинарная книга", "Вкусно и просто", "ПП рецепты",
             "Домашняя кухня", "Ужин за 15 минут", "Салаты и закуски", "Где поесть в {prep}"),
    "travel": ("Дешёвые билеты", "Путешествия по России", "Куда поехать", "Горящие туры",
               "Бюджетные путешествия", "Мир вокруг", "Отпуск без переплат", "Дикий Алтай",
               "Выходные в {prep}", "Travel Guide"),
    "finance": ("Бизнес-Молодость", "Финансовая грамотность", "Инвестиции для начинающих",
                "Деньги и бизнес", "Биржевой вестник", "Трейдинг без воды", "Бизнес-идеи",
                "Пассивный доход", "Бизнес {gen}", "Crypto Daily"),
    "tech": ("IT-новости", "Гаджеты и технологии", "Код и кофе", "Нейросети каждый день",
             "Python для всех", "Android и iPhone", "Железо", "Tech Insider"),
    "parenting": ("Лайфхаки для дома", "Мамин клуб", "Мамы {gen}", "Беременность и роды",
                  "Дети и родители", "Развивашки", "Школа для родителей", "Уютный дом"),
    "humor": ("Лучшие мемы", "Юмор дня", "Смешные картинки", "Ржака до слёз", "Мемы для своих",
              "Котики и мемы", "Сарказм", "Улыбнись", "Это фиаско", "Чёрный юмор", "Мемная"),
    "sport": ("Футбол онлайн", "Фитнес дома", "Бег и ЗОЖ", "Хоккей сегодня", "Тренировки дома",
              "ММА Новости", "Спорт {gen}", "Велосипедисты {gen}"),
    "auto": ("Авто новости", "Автолюбители {gen}", "Тюнинг и ремонт", "Дорожный патруль {gen}",
             "Автомобили", "Гараж", "ДТП {gen}", "Японские авто"),
    "fashion": ("Стиль и мода", "Модные образы", "Шопинг-гид", "Находки с маркетплейсов",
                "Одежда и стиль", "Fashion Room", "Capsule Wardrobe"),
    "education": ("Английский каждый день", "Учим английский", "ЕГЭ без стресса",
                  "Полезные книги", "Психология", "Интересные факты", "Научпоп", "История России",
                  "Саморазвитие"),
    "news": ("{typ} {nom}", "Подслушано в {prep}", "Новости {gen}", "Инцидент {nom}",
             "Афиша {gen}", "Главное за день", "Новости России", "Мировые новости",
             "Это {nom}", "{typ} {nom}"),
    "gaming": ("Игровые новости", "Киберспорт", "Геймеры", "Скидки в Steam", "Мобильные игры",
               "Мир Minecraft"),
    "health": ("Здоровое питание", "ЗОЖ", "Психология отношений", "Йога каждый день",
               "Доктор рядом", "Здоровье и долголетие"),
    "real estate": ("Недвижимость {gen}", "Квартиры {gen}", "Новостройки {gen}",
                    "Ипотека и недвижимость", "Ремонт и дизайн квартир"),
}  # fmt: skip
_EN_PAGES = {
    "beauty": ("Glow Daily", "Beauty Insider", "Skin Notes"),
    "food": ("Easy Recipes", "Kitchen Stories", "Food Diary"),
    "travel": ("Travel Hacks", "Wander Notes", "Cheap Flights Daily"),
    "finance": ("Crypto Daily", "Money Talks", "Invest Smart"),
    "tech": ("Tech Insider", "Gadget Lab", "Code Daily"),
    "parenting": ("Happy Kids", "Parenting Tips", "Mama Blog {code}"),
    "humor": ("Daily Memes", "Funny Stuff", "Meme Factory"),
    "sport": ("Fit at Home", "Football Daily", "Run Club {code}"),
    "auto": ("Car Talk", "Auto Daily"),
    "fashion": ("Style Notes", "Outfit Ideas"),
    "education": ("English Daily", "Learn Something", "Science Bits"),
    "news": ("World Brief", "Daily Digest", "{city} Now"),
    "gaming": ("Gamer Zone", "Indie Games Daily"),
    "health": ("Healthy Habits", "Mind & Body"),
    "real estate": ("{city} Property", "Property Insider"),
}  # fmt: skip
# Personal channel titles per niche; {first} {last} {dim} {dim_gen} {code}.
_RU_PERSON = {
    "beauty": ("Бьюти-блог {dim_gen}", "{dim} про макияж", "{first} {last} | Beauty"),
    "food": ("Кухня {dim_gen}", "Рецепты от {dim_gen}", "{dim} готовит"),
    "travel": ("{dim} в дороге", "{first} {last} | Путешествия"),
    "finance": ("{first} {last} | Инвестиции", "Капитал {dim_gen}", "Финансы без паники"),
    "tech": ("{dim} про гаджеты", "{first} {last} | Tech"),
    "parenting": ("Мама-блог {dim_gen}", "Mama Blog {code}", "{dim} и дети"),
    "humor": ("{dim} шутит", "Стендап {dim_gen}"),
    "sport": ("{dim} Fit", "Тренировки {dim_gen}"),
    "auto": ("{dim} за рулём", "Гараж {dim_gen}"),
    "fashion": ("Стиль {dim_gen}", "{first} {last} | Style"),
    "education": ("{first} {last} | Английский", "Школа {dim_gen}"),
    "news": ("{first} {last} | Колонка", "Заметки {dim_gen}"),
    "gaming": ("{dim} играет", "{dim} Play"),
    "health": ("Доктор {last}", "{dim} о здоровье"),
    "real estate": ("{first} {last} | Недвижимость", "Риелтор {first} {last}"),
}  # fmt: skip
_EN_PERSON = {
    "beauty": ("Beauty by {first}", "{first} {last}"),
    "food": ("{first}'s Kitchen", "Cooking with {first}"),
    "travel": ("Travel with {first}", "{first} Abroad"),
    "finance": ("{first} {last} | Investing", "Money with {first}"),
    "tech": ("{first} Tech", "{first} {last}"),
    "parenting": ("Mama Blog {code}", "{first} & Kids"),
    "humor": ("{first} Laughs", "{first} {last}"),
    "sport": ("{first} Fit", "Run with {first}"),
    "auto": ("{first} Drives", "{first} {last}"),
    "fashion": ("{first} Style", "Outfits by {first}"),
    "education": ("English with {first}", "{first} Explains"),
    "news": ("{first} {last} Reports", "{first} {last}"),
    "gaming": ("{first} Plays", "{first}GG"),
    "health": ("Dr {last}", "{first} Wellness"),
    "real estate": ("{first} {last} | Property", "{code} Homes with {first}"),
}  # fmt: skip
_NETWORK_NAMES = (
    "Северный ветер", "Сибирь Медиа", "Волна", "Пиксель", "Вектор", "Орбита", "Лайк",
    "Хайп", "Городские медиа", "Паблик Лаб", "Медиа-Юг", "Горизонт",
)  # fmt: skip

_TAGS = (
    ("проверен", 0.20), ("работали", 0.10), ("бартер", 0.08), ("быстро отвечает", 0.06),
    ("дорого", 0.05), ("нет ответа", 0.05),
)  # fmt: skip
_RU_NOTES = (
    "Админ отвечает только в Telegram, обычно вечером.",
    "Скидка 15% при пакете из трёх постов.",
    "Просит предоплату 50%.",
    "Аудитория в основном женщины 25–34.",
    "Маркировку (erid) ставит сам, нужен токен заранее.",
    "Не берёт рекламу казино и микрозаймов.",
    "Очередь на размещение около двух недель.",
    "Был удачный пост в прошлой кампании, CTR выше среднего.",
)
_EN_NOTES = (
    "Replies within a day, prefers e-mail.",
    "Asks for 50% upfront.",
    "Audience mostly 25–34, US and UK.",
    "Media kit on request.",
)
_ARCHIVED_NOTES = ("Перестал отвечать, в архиве.", "Канал сменил тематику.", "Нашли накрутку.")

# Platform behaviour: median followers, followers spread, reach rate, engagement per reach.
_PLATFORM = {
    #            median  sigma  reach/followers  engagement/reach  views/reach
    "telegram": (22_000, 1.15, (0.15, 0.40), (0.010, 0.050), (1.05, 1.30)),
    "vk": (55_000, 1.25, (0.03, 0.15), (0.020, 0.080), (1.10, 1.40)),
    "ok": (50_000, 1.15, (0.02, 0.10), (0.020, 0.070), (1.10, 1.30)),
    "instagram": (38_000, 1.20, (0.05, 0.20), (0.030, 0.100), (1.10, 1.50)),
    "youtube": (70_000, 1.30, (0.05, 0.45), (0.030, 0.080), (1.10, 1.25)),
    "tiktok": (110_000, 1.25, (0.10, 0.70), (0.050, 0.120), (1.05, 1.20)),
    "dzen": (30_000, 1.10, (0.05, 0.30), (0.010, 0.040), (1.05, 1.20)),
    "rutube": (20_000, 1.10, (0.05, 0.30), (0.020, 0.060), (1.05, 1.20)),
    "x": (15_000, 1.20, (0.02, 0.10), (0.010, 0.040), (1.50, 3.00)),
    "facebook": (25_000, 1.10, (0.02, 0.08), (0.010, 0.050), (1.10, 1.40)),
}
_BLOGGER_PLATFORMS = (
    ("instagram", 30), ("youtube", 20), ("telegram", 20), ("tiktok", 12), ("vk", 8),
    ("dzen", 5), ("rutube", 2), ("x", 2), ("facebook", 1),
)  # fmt: skip
_PAGE_PLATFORMS = (
    ("vk", 35), ("telegram", 35), ("ok", 10), ("dzen", 8), ("instagram", 5), ("facebook", 4),
    ("youtube", 3),
)  # fmt: skip
_EN_SWAP = {"vk": "telegram", "ok": "facebook", "dzen": "x", "rutube": "youtube"}
_SOURCES = {
    "platform_api": {
        "vk": "VK API", "ok": "OK API", "youtube": "YouTube Data API",
        "telegram": "Telegram API", "instagram": "Instagram Graph API",
    },
    "platform_stats": {
        "telegram": "TGStat", "vk": "статистика сообщества", "ok": "статистика группы",
        "instagram": "Instagram Insights", "youtube": "YouTube Studio",
        "dzen": "статистика Дзена", "tiktok": "TikTok Analytics",
    },
}  # fmt: skip
_PROVENANCE = {
    "telegram": (("platform_stats", 80), ("platform_api", 10), ("screenshot", 10)),
    "vk": (("platform_stats", 55), ("platform_api", 35), ("screenshot", 10)),
    "ok": (("platform_stats", 70), ("screenshot", 30)),
    "instagram": (("screenshot", 65), ("platform_stats", 30), ("platform_api", 5)),
    "youtube": (("platform_api", 65), ("screenshot", 25), ("platform_stats", 10)),
}
_PROVENANCE_DEFAULT = (("platform_stats", 55), ("screenshot", 40), ("manual", 5))
_FORMATS = {
    "telegram": (("post", 1.0, 1.0), ("1/24", 0.8, 0.4), ("2/48", 0.9, 0.2)),
    "vk": (("post", 1.0, 1.0), ("1/24", 0.8, 0.3), ("repost", 0.5, 0.15)),
    "ok": (("post", 1.0, 1.0), ("1/24", 0.8, 0.3)),
    "instagram": (("story", 0.6, 1.0), ("post", 1.0, 0.7), ("reel", 1.3, 0.4)),
    "youtube": (("video_integration", 1.0, 1.0), ("dedicated_video", 3.0, 0.3)),
    "tiktok": (("video_integration", 1.0, 1.0),),
    "rutube": (("video_integration", 1.0, 1.0),),
    "dzen": (("native", 1.0, 1.0), ("post", 0.8, 0.3)),
}
_FORMATS_DEFAULT = (("post", 1.0, 1.0),)
_RUB_PER = {"USD": 92.0, "KZT": 1 / 5.6}

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәіңғүұқөһў",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "sch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
            "a",
            "i",
            "n",
            "g",
            "u",
            "u",
            "k",
            "o",
            "h",
            "o",
        ],
        strict=True,
    )
)
_TRANSLIT["ъ"] = ""
_TRANSLIT["ь"] = ""


def transliterate(text: str) -> str:
    """Cyrillic to Latin (a simple passport-style scheme); other characters kept."""
    return "".join(_TRANSLIT.get(ch, ch) if ch.islower() else _up(ch) for ch in text)


def _up(ch: str) -> str:
    low = ch.lower()
    if low in _TRANSLIT:
        return _TRANSLIT[low].capitalize()
    return ch


@lru_cache(maxsize=65536)
def handle_from(text: str, *, dots: bool = False) -> str:
    """A handle from a title or name: transliterated, lower case, ``[a-z0-9_]`` (dots if allowed)."""
    latin = transliterate(text.replace("&", " and ")).lower()
    keep = r"[^a-z0-9_.]+" if dots else r"[^a-z0-9_]+"
    handle = re.sub(keep, "_", latin)
    handle = re.sub(r"[_.]{2,}", "_", handle).strip("_.")
    return handle[:28].strip("_.")


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

    def geo(self) -> tuple[_City, str]:
        country = self.pick(_GEO)
        if country == "en":
            return self.pick(_CITIES_BY_COUNTRY["en"]), "en"
        return self.city_in(country), "ru"

    def city_in(self, country: str) -> _City:
        return self.pick(_CITIES_BY_COUNTRY[country])

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

    def unique_handle(self, platform: str, base: str, city: _City) -> str:
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

    def unique_title(self, platform: str, title: str, city: _City) -> str:
        if (platform, title) in self.titles:
            for variant in (f"{title} | {city.code}", f"{title} {city.name}", f"{title} 2.0"):
                if (platform, variant) not in self.titles:
                    title = variant
                    break
        self.titles.add((platform, title))
        return title

    def contacts(self, who: dict[str, str] | None, label: str, city: _City) -> dict[str, Any]:
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

    def phone(self, city: _City) -> str:
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

    def page(self, platform: str, owner: int | None, niche: str, city: _City, lang: str) -> None:
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
        city: _City,
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

    def prices(self, cid: int, platform: str, city: _City, reach: float, lang: str) -> None:
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
        _set_workspace(
            cur, {"kind": "demo", "seed": str(seed), "generated_as_of": as_of.isoformat()}
        )
    return {
        "owners": owners.height,
        "channels": chans.height,
        "snapshots": snaps.height,
        "prices": prices.height,
    }


def _reserve_ids(cur: duckdb.DuckDBPyConnection, table: str, n: int) -> int:
    """Take ``n`` consecutive ids from the table's sequence; returns the first."""
    seq = f"{table}_id_seq"  # table names are this module's constants
    first = cur.execute("select nextval(?)", [seq]).fetchall()[0][0]
    if n > 1:
        cur.execute("select max(nextval(?)) from range(?)", [seq, n - 1]).fetchall()
    return int(first)


def _set_workspace(cur: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for key, value in values.items():
        cur.execute("insert or replace into workspace (key, value) values (?, ?)", [key, value])


def set_workspace_kind(cur: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Label the workspace ('demo', 'empty', …); call inside a transaction."""
    _set_workspace(cur, {"kind": kind})


def clear_workspace(store: Store) -> None:
    """Delete every owner, channel, snapshot and price, and mark the workspace empty."""
    with store.transaction() as cur:
        for table in ("prices", "snapshots", "channels", "owners"):
            cur.execute(f"delete from {quote_ident(table)}")
        cur.execute("delete from workspace where key in ('seed', 'generated_as_of')")
        _set_workspace(cur, {"kind": "empty"})


def workspace_kind(cur: duckdb.DuckDBPyConnection) -> str | None:
    """What the workspace is: 'demo', 'empty', another label, or None when never marked."""
    rows = cur.execute("select value from workspace where key = 'kind'").fetchall()
    return rows[0][0] if rows else None
