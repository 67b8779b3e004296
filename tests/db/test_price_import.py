"""Price lists and exchange rates through the one import engine, in the shapes real files take."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from crm import registry
from crm.errors import ImportRefused, StaleEdit
from crm.importing.prices import apply_price_import, import_prices_file, plan_price_import
from crm.importing.rates import import_rates_file, plan_rate_import
from crm.importing.read import read_table
from crm.pricing import rates_frame
from crm.store import Store

D = dt.date


def _write(tmp_path: Path, text: str, name: str = "prices.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _channels(store: Store) -> None:
    registry.add_channel_from_url(store, "t.me/anna")
    registry.add_channel_from_url(store, "t.me/boris")
    registry.add_channel(store, "vk", "carl")


def _prices(store: Store) -> list[tuple[object, ...]]:
    return (
        store.cursor()
        .execute(
            """
        select c.platform || ':' || c.handle, p.format, p.kind, p.amount, p.currency, p.date,
               p.source, p.note
        from prices p join channels c on c.id = p.channel_id order by p.id
        """
        )
        .fetchall()
    )


RUSSIAN_LIST = (
    "Канал;Площадка;Формат;Цена;Валюта;Дата;Тип цены;Примечание\n"
    "t.me/anna;;пост;12 000 ₽;;01.03.2026;прайс;\n"
    "@boris;telegram;пост;$150;;02.03.2026;запрос;без ссылки\n"
    'vk:carl;;сторис;"1,5 тыс";RUB;03.03.2026;agreed;\n'
    'https://t.me/anna;;пост;"11 000,50";RUB;04.03.2026;оплачено;\n'
)


def test_a_russian_price_list_in_its_own_shapes(store: Store, tmp_path: Path) -> None:
    _channels(store)
    result = import_prices_file(store, _write(tmp_path, RUSSIAN_LIST))
    assert result.summary() == "4 new, 0 updated, 0 unchanged, 0 rejected"
    source = "import: prices.csv"
    assert _prices(store) == [
        ("telegram:anna", "post", "listed", Decimal("12000.00"), "RUB", D(2026, 3, 1), source, None),
        ("telegram:boris", "post", "quoted", Decimal("150.00"), "USD", D(2026, 3, 2), source,
         "без ссылки"),
        ("vk:carl", "story", "agreed", Decimal("1500.00"), "RUB", D(2026, 3, 3), source, None),
        ("telegram:anna", "post", "paid", Decimal("11000.50"), "RUB", D(2026, 3, 4), source, None),
    ]  # fmt: skip


def test_bad_rows_are_rejected_with_line_and_reason(store: Store, tmp_path: Path) -> None:
    _channels(store)
    text = (
        "channel,amount,currency,date\n"
        "telegram:anna,0,RUB,2026-03-01\n"
        "telegram:anna,-5,RUB,2026-03-01\n"
        "telegram:anna,abc,RUB,2026-03-01\n"
        "telegram:anna,100,XYZ,2026-03-01\n"
        "t.me/nobody,100,RUB,2026-03-01\n"
        "dan,100,RUB,2026-03-01\n"
        "telegram:boris,100,RUB,2026-03-01\n"
    )
    report = tmp_path / "rejected.csv"
    result = import_prices_file(store, _write(tmp_path, text), report=report)
    assert [str(r) for r in result.rejects] == [
        "line 2: amount must be more than 0",
        "line 3: amount cannot be negative",
        "line 4: amount “abc” is not a number",
        "line 5: currency “XYZ” is not a known ISO 4217 code",
        "line 6: channel telegram:nobody is not in the registry: add it (or import the channels) "
        "first",
        "line 7: handle “dan” names no platform: add a platform column, write PLATFORM:HANDLE or "
        "a link, or choose the platform of the file",
    ]
    assert (result.new, result.rejected) == (1, 6)
    assert _prices(store)[0][:5] == ("telegram:boris", "post", "listed", Decimal("100.00"), "RUB")
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line,reason,channel,amount,currency,date"
    assert lines[1] == "2,amount must be more than 0,telegram:anna,0,RUB,2026-03-01"


def test_preview_counts_new_updated_unchanged_rejected_and_duplicates(
    store: Store, tmp_path: Path
) -> None:
    _channels(store)
    first = "channel,format,kind,amount,currency,date\nt.me/anna,post,listed,100,RUB,2026-03-01\n"
    import_prices_file(store, _write(tmp_path, first))
    text = (
        "channel,format,kind,amount,currency,date,note\n"
        "t.me/anna,post,listed,120,RUB,2026-03-01,new list\n"  # updated
        "t.me/boris,post,listed,50,RUB,2026-03-01,\n"  # new, then repeated below
        "t.me/boris,post,listed,55,RUB,2026-03-01,\n"
        "vk.com/carl,post,listed,0,RUB,2026-03-01,\n"  # rejected
    )
    table = read_table(text.encode(), "again.csv")
    plan = plan_price_import(store.cursor(), table)
    assert plan.counts() == {"new": 1, "updated": 1, "unchanged": 0, "rejected": 1, "duplicates": 1}
    assert plan.preview.filter(status="updated")["changes"].to_list() == [
        "amount: 100.00 RUB → 120.00 RUB; note: — → new list"
    ]
    apply_price_import(store, plan)
    assert [p[3] for p in _prices(store)] == [Decimal("120.00"), Decimal("55.00")]
    again = plan_price_import(store.cursor(), table)
    assert again.counts()["unchanged"] == 2


def test_a_price_changed_since_the_preview_refuses_the_whole_import(
    store: Store, tmp_path: Path
) -> None:
    _channels(store)
    import_prices_file(store, _write(tmp_path, "channel,amount,currency\nt.me/anna,100,RUB\n"))
    table = read_table(b"channel,amount,currency\nt.me/anna,200,RUB\nt.me/boris,1,RUB\n", "x.csv")
    plan = plan_price_import(store.cursor(), table)
    store.cursor().execute("update prices set amount = 150")
    with pytest.raises(StaleEdit, match="1 price changed since the preview"):
        apply_price_import(store, plan)
    assert [p[3] for p in _prices(store)] == [Decimal("150.00")]  # nothing half-written


def test_handles_with_a_platform_column_or_the_file_s_platform(
    store: Store, tmp_path: Path
) -> None:
    _channels(store)
    text = "Ник,Площадка,Стоимость\nanna,Телеграм,100 руб\ncarl,вк,200 руб\n"
    result = import_prices_file(store, _write(tmp_path, text))
    assert result.summary() == "2 new, 0 updated, 0 unchanged, 0 rejected"
    only_handles = 'Ник,Стоимость\nboris,"1,5 тыс ₽"\n'
    result = import_prices_file(store, _write(tmp_path, only_handles), platform="telegram")
    assert result.new == 1
    assert [p[:4] for p in _prices(store)] == [
        ("telegram:anna", "post", "listed", Decimal("100.00")),
        ("vk:carl", "post", "listed", Decimal("200.00")),
        ("telegram:boris", "post", "listed", Decimal("1500.00")),
    ]


def test_choices_the_file_leaves_open(store: Store, tmp_path: Path) -> None:
    _channels(store)
    no_currency = _write(tmp_path, "channel,amount,date\nt.me/anna,100,03/04/2026\n")
    with pytest.raises(ImportRefused, match="1 row has an amount but no currency"):
        import_prices_file(store, no_currency, date_order="dmy")
    with pytest.raises(ImportRefused, match="read both ways"):
        import_prices_file(store, no_currency, currency="EUR")
    result = import_prices_file(store, no_currency, currency="EUR", date_order="mdy")
    assert result.new == 1
    assert _prices(store)[0][4:6] == ("EUR", D(2026, 3, 4))
    with pytest.raises(ImportRefused, match="not a known ISO 4217 code"):
        import_prices_file(store, no_currency, currency="ABC")
    with pytest.raises(ImportRefused, match="No column names the channels"):
        import_prices_file(store, _write(tmp_path, "a,amount\nx,1\n"))
    with pytest.raises(ImportRefused, match="No column holds the amounts"):
        import_prices_file(store, _write(tmp_path, "channel,note\nt.me/anna,x\n"))


def test_an_undated_price_is_dated_today_and_said(store: Store, tmp_path: Path) -> None:
    _channels(store)
    table = read_table(b"channel,amount,currency\nt.me/anna,100,RUB\n", "x.csv")
    plan = plan_price_import(store.cursor(), table)
    assert plan.warnings == [f"1 price has no date: dated {dt.date.today().isoformat()} (today)."]


RATES = (
    "Дата;Валюта;Курс\n"
    "01.03.2026;USD;92,50\n"
    "02.03.2026;eur;100.1234\n"
    "03.03.2026;USD;0\n"
    "03.03.2026;XYZ;1\n"
    "03.03.2026;RUB;1\n"
    "03.03.2026;USD;-1\n"
    ";USD;90\n"
)


def test_rates_import_refuses_bad_rates_and_upserts(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, RATES, "rates.csv")
    result = import_rates_file(store, path)
    assert [str(r) for r in result.rejects] == [
        "line 4: rate must be more than 0: it is how many units of the base currency one unit buys",
        "line 5: currency “XYZ” is not a known ISO 4217 code",
        "line 6: RUB is the base currency: its rate is 1 by definition",
        "line 7: rate cannot be negative",
        "line 8: no date",
    ]
    assert rates_frame(store.cursor()).rows() == [
        ("EUR", D(2026, 3, 2), Decimal("100.12340000"), "import: rates.csv"),
        ("USD", D(2026, 3, 1), Decimal("92.50000000"), "import: rates.csv"),
    ]
    table = read_table(b"date,currency,rate\n2026-03-01,USD,93\n2026-03-02,EUR,100.1234\n", "r.csv")
    plan = plan_rate_import(store.cursor(), table)
    assert plan.counts() == {"new": 0, "updated": 1, "unchanged": 1, "rejected": 0, "duplicates": 0}
    assert plan.preview.filter(status="updated")["changes"].to_list() == [
        "rate: 92.50000000 → 93.00000000"
    ]
    with pytest.raises(ImportRefused, match="No column holds rate"):
        import_rates_file(store, _write(tmp_path, "date,currency\n2026-03-01,USD\n", "r2.csv"))


def test_a_dry_run_writes_nothing(store: Store, tmp_path: Path) -> None:
    _channels(store)
    result = import_prices_file(store, _write(tmp_path, RUSSIAN_LIST), dry_run=True)
    assert (result.new, result.dry_run) == (4, True)
    rates = import_rates_file(store, _write(tmp_path, RATES, "rates.csv"), dry_run=True)
    assert rates.new == 2
    assert _prices(store) == [] and rates_frame(store.cursor()).height == 0


def test_a_percent_for_an_amount_is_refused_with_a_reason_true_for_a_price_list(
    store: Store, tmp_path: Path
) -> None:
    # a price list reads тыс, K and млн, so the reason names only what it refuses: the %
    _channels(store)
    text = (
        "channel,amount,currency,date\n"
        "t.me/anna,15%,RUB,2026-03-01\n"
        "t.me/boris,15K,RUB,2026-03-01\n"
        'vk:carl,"1,2 млн",RUB,2026-03-01\n'
    )
    result = import_prices_file(store, _write(tmp_path, text))
    assert [str(r) for r in result.rejects] == [
        "line 2: amount “15%” is a percent, not an amount: write the price itself "
        "(1,5 тыс, 15K and 1,2 млн are read as 1500, 15000 and 1200000)"
    ]
    assert [p[3] for p in _prices(store)] == [Decimal("15000.00"), Decimal("1200000.00")]


def test_every_kind_refuses_an_unknown_date_order_with_one_sentence(
    store: Store, tmp_path: Path
) -> None:
    from crm.importing.channels import import_channels_file

    _channels(store)
    path = _write(tmp_path, "channel,link,amount,currency,date,rate\nt.me/anna,t.me/anna,1,RUB,,\n")
    sentence = "The date order must be dmy (day first) or mdy (month first), not “ymd”."
    for run in (import_channels_file, import_prices_file, import_rates_file):
        with pytest.raises(ImportRefused) as info:
            run(store, path, date_order="ymd", dry_run=True)
        assert str(info.value) == sentence, run.__name__
