"""One vocabulary for countries (English names) and languages (ISO 639-1 codes).

Spreadsheets say "Россия", "РФ", "russia" or "Russian Federation"; the filters must show one
value, so every write path (forms, imports) goes through these.
"""

from __future__ import annotations

import polars as pl

from crm.vocab.distinct import per_distinct

_COUNTRIES = {
    "Russia": ("россия", "рф", "russian federation", "ru", "rus", "российская федерация"),
    "Kazakhstan": ("казахстан", "kz", "kaz", "қазақстан"),
    "Belarus": ("беларусь", "белоруссия", "by", "blr"),
    "Ukraine": ("украина", "ua", "ukr"),
    "Uzbekistan": ("узбекистан", "uz", "uzb"),
    "Kyrgyzstan": ("киргизия", "кыргызстан", "kg"),
    "Armenia": ("армения", "am"),
    "Georgia": ("грузия", "ge"),
    "Azerbaijan": ("азербайджан", "az"),
    "Tajikistan": ("таджикистан", "tj"),
    "Moldova": ("молдова", "молдавия", "md"),
    "Turkey": ("турция", "türkiye", "turkiye", "tr"),
    "Germany": ("германия", "de"),
    "United States": ("сша", "usa", "us", "united states of america", "америка"),
    "United Kingdom": ("великобритания", "uk", "gb", "англия"),
    # "UAE", as people (and the demo workspace) write it, not the long official name
    "UAE": ("оаэ", "ae", "united arab emirates", "объединенные арабские эмираты"),
    "Serbia": ("сербия", "rs"),
    "Israel": ("израиль", "il"),
    "Cyprus": ("кипр", "cy"),
    "Thailand": ("таиланд", "тайланд", "th"),
    "Indonesia": ("индонезия",),
    "India": ("индия",),
    "Brazil": ("бразилия",),
    "Argentina": ("аргентина",),
    "France": ("франция", "fr"),
    "Italy": ("италия", "it"),
    "Spain": ("испания", "es"),
    "China": ("китай", "cn"),
}
_LANGUAGES = {
    "ru": ("русский", "russian", "рус", "rus", "ру"),
    "en": ("английский", "english", "eng", "англ"),
    "kk": ("казахский", "kazakh", "қазақша"),
    "uk": ("украинский", "ukrainian", "укр"),
    "be": ("белорусский", "belarusian"),
    "uz": ("узбекский", "uzbek"),
    "hy": ("армянский", "armenian"),
    "ka": ("грузинский", "georgian"),
    "az": ("азербайджанский", "azerbaijani"),
    "tr": ("турецкий", "turkish"),
    "de": ("немецкий", "german"),
    "es": ("испанский", "spanish"),
    "pt": ("португальский", "portuguese"),
    "fr": ("французский", "french"),
    "ar": ("арабский", "arabic"),
}

COUNTRY_ALIASES = {
    a: name for name, aliases in _COUNTRIES.items() for a in (name.lower(), *aliases)
}
LANGUAGE_ALIASES = {a: code for code, aliases in _LANGUAGES.items() for a in (code, *aliases)}


def _canonical(values: pl.Series, aliases: dict[str, str]) -> pl.Series:
    def canonical(values: pl.Series) -> pl.Series:
        text = values.cast(pl.String).str.strip_chars()
        text = pl.select(pl.when(text != "").then(text)).to_series()
        lower = text.str.to_lowercase()
        mapped = lower.replace_strict(aliases, default=None, return_dtype=pl.String)
        return mapped.fill_null(text).alias(values.name)

    # a file names the same few countries (languages) on every row
    return per_distinct(values, canonical)


def normalise_country_column(values: pl.Series) -> pl.Series:
    """Countries typed in English or Russian to their English names; other text kept as typed,
    blank as null. The one implementation behind normalise_country."""
    return _canonical(values, COUNTRY_ALIASES)


def normalise_language_column(values: pl.Series) -> pl.Series:
    """Languages typed as a code or a name to their ISO 639-1 codes; other text kept as typed,
    blank as null. The one implementation behind normalise_language."""
    return _canonical(values, LANGUAGE_ALIASES)


def normalise_country(text: str | None) -> str | None:
    """The English name of a country typed in English or Russian; other text is kept as typed."""
    out = normalise_country_column(pl.Series([text], dtype=pl.String))[0]
    return None if out is None else str(out)


def normalise_language(text: str | None) -> str | None:
    """The ISO 639-1 code of a language typed as a code or a name; other text is kept as typed."""
    out = normalise_language_column(pl.Series([text], dtype=pl.String))[0]
    return None if out is None else str(out)
