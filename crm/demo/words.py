"""Word tables of the demo workspace: niches, names, cities, page titles, formats, sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
class City:
    country: str
    name: str  # English name, stored in the city field
    nom: str  # Russian forms for titles: nominative, genitive, prepositional
    gen: str
    prep: str
    gender: str  # m / f: "Типичный Екатеринбург", "Типичная Казань"
    code: str  # short Latin code for handles and titles ("SPb", "EKB")
    weight: int


_CITIES = (
    City("Russia", "Moscow", "Москва", "Москвы", "Москве", "f", "MSK", 30),
    City("Russia", "Saint Petersburg", "Петербург", "Петербурга", "Петербурге", "m", "SPb", 16),
    City(
        "Russia", "Yekaterinburg", "Екатеринбург", "Екатеринбурга", "Екатеринбурге", "m", "EKB", 5
    ),
    City("Russia", "Novosibirsk", "Новосибирск", "Новосибирска", "Новосибирске", "m", "NSK", 4),
    City("Russia", "Kazan", "Казань", "Казани", "Казани", "f", "KZN", 4),
    City("Russia", "Nizhny Novgorod", "Нижний", "Нижнего", "Нижнем", "m", "NN", 3),
    City("Russia", "Krasnodar", "Краснодар", "Краснодара", "Краснодаре", "m", "KRD", 4),
    City("Russia", "Samara", "Самара", "Самары", "Самаре", "f", "SMR", 3),
    City("Russia", "Rostov-on-Don", "Ростов", "Ростова", "Ростове", "m", "RND", 3),
    City("Russia", "Ufa", "Уфа", "Уфы", "Уфе", "f", "UFA", 2),
    City("Russia", "Perm", "Пермь", "Перми", "Перми", "f", "PRM", 2),
    City("Russia", "Voronezh", "Воронеж", "Воронежа", "Воронеже", "m", "VRN", 2),
    City("Russia", "Chelyabinsk", "Челябинск", "Челябинска", "Челябинске", "m", "CHEL", 2),
    City("Russia", "Omsk", "Омск", "Омска", "Омске", "m", "OMSK", 1),
    City("Russia", "Krasnoyarsk", "Красноярск", "Красноярска", "Красноярске", "m", "KRSK", 2),
    City("Russia", "Vladivostok", "Владивосток", "Владивостока", "Владивостоке", "m", "VL", 1),
    City("Russia", "Sochi", "Сочи", "Сочи", "Сочи", "m", "Sochi", 2),
    City("Russia", "Tyumen", "Тюмень", "Тюмени", "Тюмени", "f", "TMN", 1),
    City("Kazakhstan", "Almaty", "Алматы", "Алматы", "Алматы", "m", "ALA", 5),
    City("Kazakhstan", "Astana", "Астана", "Астаны", "Астане", "f", "AST", 3),
    City("Kazakhstan", "Shymkent", "Шымкент", "Шымкента", "Шымкенте", "m", "SHM", 1),
    City("Belarus", "Minsk", "Минск", "Минска", "Минске", "m", "MSQ", 5),
    City("Belarus", "Gomel", "Гомель", "Гомеля", "Гомеле", "m", "GML", 1),
    City("Belarus", "Brest", "Брест", "Бреста", "Бресте", "m", "BRS", 1),
    City("Uzbekistan", "Tashkent", "Ташкент", "Ташкента", "Ташкенте", "m", "TAS", 3),
    City("Uzbekistan", "Samarkand", "Самарканд", "Самарканда", "Самарканде", "m", "SKD", 1),
)
_EN_CITIES = (
    City("United States", "New York", "", "", "", "m", "NYC", 3),
    City("United Kingdom", "London", "", "", "", "m", "LDN", 3),
    City("UAE", "Dubai", "", "", "", "m", "DXB", 3),
    City("Cyprus", "Limassol", "", "", "", "m", "LCA", 1),
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
