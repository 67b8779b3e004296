"""One vocabulary for countries (English names) and languages (ISO 639-1 codes).

Spreadsheets say "Россия", "РФ", "russia" or "Russian Federation"; the filters must show one
value, so every write path (forms, imports) goes through these.
"""

from __future__ import annotations

import polars as pl

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
    "United Arab Emirates": ("оаэ", "uae", "ae"),
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


def normalise_country(text: str | None) -> str | None:
    """The English name of a country typed in English or Russian; other text is kept as typed."""
    if text is None or not text.strip():
        return None
    return COUNTRY_ALIASES.get(text.strip().lower(), text.strip())


def normalise_language(text: str | None) -> str | None:
    """The ISO 639-1 code of a language typed as a code or a name; other text is kept as typed."""
    if text is None or not text.strip():
        return None
    return LANGUAGE_ALIASES.get(text.strip().lower(), text.strip())


def normalise_country_column(values: pl.Series) -> pl.Series:
    """normalise_country over a text column, vectorised."""
    key = values.str.strip_chars().str.to_lowercase()
    mapped = key.replace_strict(COUNTRY_ALIASES, default=None, return_dtype=pl.String)
    return mapped.fill_null(values.str.strip_chars()).alias(values.name)


def normalise_language_column(values: pl.Series) -> pl.Series:
    """normalise_language over a text column, vectorised."""
    key = values.str.strip_chars().str.to_lowercase()
    mapped = key.replace_strict(LANGUAGE_ALIASES, default=None, return_dtype=pl.String)
    return mapped.fill_null(values.str.strip_chars()).alias(values.name)
