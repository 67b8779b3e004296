"""One vocabulary for niches: English words, whatever language or wording a file uses.

Files bring niches as ``finance``, ``Финансы`` or Instagram's ``Finance & Economics``; the
filters must show one value, so every write path (forms, imports) goes through these, as
crm.vocab.geo does for countries. The base vocabulary is the demo workspace's niches; a
niche that none of the synonyms names is kept as typed.
"""

from __future__ import annotations

import polars as pl

_NICHES = {
    "beauty": (
        "красота", "бьюти", "косметика", "макияж", "уход", "makeup", "cosmetics", "skincare",
        "beauty & cosmetics",
    ),
    "food": (
        "еда", "кулинария", "рецепты", "кухня", "рестораны", "food & cooking", "cooking",
        "recipes", "restaurants", "foodie",
    ),
    "travel": ("путешествия", "туризм", "путешествие", "travelling", "traveling", "tourism"),
    "finance": (
        "финансы", "инвестиции", "деньги", "экономика", "бизнес", "finance & economics",
        "economics", "investing", "investments", "money", "business", "business & careers",
    ),
    "tech": (
        "технологии", "техника", "гаджеты", "it", "айти", "технологии и it", "technology",
        "technologies", "gadgets", "computers & gadgets", "machinery & technologies",
    ),
    "parenting": (
        "дети", "родительство", "материнство", "мамы", "семья", "family", "kids",
        "kids & toys", "parents", "motherhood",
    ),
    "humor": (
        "юмор", "приколы", "мемы", "развлечения", "humour", "comedy", "memes", "fun",
        "humor & fun & happiness", "entertainment",
    ),
    "sport": (
        "спорт", "фитнес", "футбол", "sports", "sports with a ball", "fitness",
        "fitness & gym", "football", "racing sports", "winter sports", "water sports",
    ),
    "auto": (
        "авто", "автомобили", "машины", "мото", "cars", "cars & motorbikes", "automotive",
        "motorbikes",
    ),
    "fashion": ("мода", "стиль", "одежда", "style", "clothing", "clothing & outfits"),
    "education": ("образование", "обучение", "курсы", "learning", "courses"),
    "news": ("новости", "сми", "медиа", "media", "news & media"),
    "gaming": ("игры", "гейминг", "киберспорт", "games", "video games", "esports"),
    "health": ("здоровье", "медицина", "зож", "wellness", "medicine", "health & wellness"),
    "real estate": ("недвижимость", "realty", "property", "real estate & property"),
}  # fmt: skip

NICHES = tuple(_NICHES)
NICHE_ALIASES = {a: name for name, aliases in _NICHES.items() for a in (name, *aliases)}


def _key(text: pl.Series) -> pl.Series:
    # lower case, ё as е, "_" and "-" as spaces, spaces collapsed: "Real_Estate" → "real estate"
    return (
        text.str.to_lowercase()
        .str.replace_all("ё", "е", literal=True)
        .str.replace_all(r"[\s_\-]+", " ")
        .str.strip_chars()
    )


_KEYS = {
    k: name for alias, name in NICHE_ALIASES.items() for k in _key(pl.Series([alias])).to_list()
}


def normalise_niche_column(values: pl.Series) -> pl.Series:
    """Niches typed in English or Russian to the vocabulary's words; other text kept as typed
    (stripped), blank as null. The one implementation behind the niche field type."""
    text = values.cast(pl.String).str.strip_chars()
    text = pl.select(pl.when(text != "").then(text)).to_series()
    mapped = _key(text).replace_strict(
        list(_KEYS), list(_KEYS.values()), default=None, return_dtype=pl.String
    )
    return mapped.fill_null(text).alias(values.name)


def normalise_niche(text: str | None) -> str | None:
    """The vocabulary's word for a niche typed in English or Russian; other text kept as typed."""
    out = normalise_niche_column(pl.Series([text], dtype=pl.String))[0]
    return None if out is None else str(out)
