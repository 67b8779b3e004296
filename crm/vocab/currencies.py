"""Currencies: ISO codes and the signs and words people write instead."""

CURRENCY_ALIASES = {
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "р": "RUB",
    "р.": "RUB",
    "rub": "RUB",
    "rur": "RUB",
    "$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "евро": "EUR",
    "тенге": "KZT",
    "₸": "KZT",
    "kzt": "KZT",
    "byn": "BYN",
    "uah": "UAH",
    "₴": "UAH",
}
