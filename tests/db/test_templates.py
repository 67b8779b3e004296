"""Templates: unknown placeholders refused and never left raw, values in the template's
language, contact links, and sending logs a message."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.errors import NotFound, StaleEdit, ValidationError
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import timeline
from crm.outreach.shortlist import add_to_shortlist
from crm.outreach.templates import (
    Rendered,
    check_template,
    contact_links,
    delete_template,
    render,
    save_template,
    send_template,
    template_values,
    templates_frame,
)
from crm.pricing import add_price
from crm.registry import add_channel, add_owner
from crm.store import Store


@pytest.fixture
def setup(store: Store) -> tuple[Store, int, int, int]:
    irina = add_owner(store, "Ирина", email="irina@mail.ru", telegram="@irina_ads")
    alpha = add_channel(store, "telegram", "alpha", title="Рецепты", owner_id=irina,
                        telegram="@alpha_admin")  # fmt: skip
    bare = add_channel(store, "vk", "bare")
    cid = create_campaign(store, name="Весна", brand="Кефир", starts_on="2026-03-05")
    add_to_shortlist(store, cid, [alpha, bare])
    add_price(store, alpha, format="post", kind="quoted", amount="12000.5", currency="RUB",
              on=dt.date(2026, 3, 1), campaign_id=cid)  # fmt: skip
    return store, cid, alpha, bare


def test_check_template_names_unknown_placeholders() -> None:
    check_template("Hi {owner}, {Price} for a { format } on {date}")
    with pytest.raises(ValidationError) as err:
        check_template("Hi {ownr}, {prise} and {prise}", subject="{campaign}")
    assert str(err.value) == (
        "The template uses unknown placeholders: {ownr}, {prise}. Known placeholders: "
        "{owner} {channel} {format} {price} {date} {campaign} {brand}."
    )
    with pytest.raises(ValidationError, match="an unknown placeholder: {x}"):
        check_template("ok", subject="{x}")


def test_render_marks_missing_and_unknown() -> None:
    values = {"owner": "Anna", "price": None, "channel": "Cooking"}
    out = render("Hi {owner}! {price} for {channel}, {foo}.", values, subject="{brand} offer")
    assert out == Rendered(
        "[no brand] offer",
        "Hi Anna! [no price] for Cooking, [unknown placeholder “foo”].",
        ["foo"],
        ["brand", "price"],
    )
    ru = render("Цена: {price}", {}, language="ru")
    assert ru.text == "Цена: [нет цены]"
    assert "{" not in out.text + out.subject + ru.text


def test_values_in_the_templates_language(setup: tuple[Store, int, int, int]) -> None:
    store, cid, alpha, bare = setup
    ru = template_values(store.cursor(), cid, alpha, language="ru")
    assert ru == {
        "owner": "Ирина", "channel": "Рецепты", "format": "пост", "price": "₽12\u202f000.50",
        "date": "5 марта 2026", "campaign": "Весна", "brand": "Кефир",
    }  # fmt: skip
    en = template_values(store.cursor(), cid, alpha, format="story", language="en")
    assert (en["format"], en["price"], en["date"]) == ("story", None, "March 5, 2026")
    assert template_values(store.cursor(), cid, bare)["owner"] is None
    assert template_values(store.cursor(), cid, bare)["channel"] == "bare"


def test_contact_links(setup: tuple[Store, int, int, int]) -> None:
    store, _, alpha, bare = setup
    links = contact_links(store.cursor(), alpha, subject="Реклама & цена", body="Привет\nмир")
    assert links == {
        "mailto": "mailto:irina@mail.ru?subject=%D0%A0%D0%B5%D0%BA%D0%BB%D0%B0%D0%BC%D0%B0%20%26"
        "%20%D1%86%D0%B5%D0%BD%D0%B0&body=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%0A%D0%BC%D0%B8%D1%80",
        "telegram": "https://t.me/alpha_admin",  # the channel's own contact before the owner's
    }
    assert contact_links(store.cursor(), bare) == {}


def test_save_update_delete_and_send(setup: tuple[Store, int, int, int]) -> None:
    store, cid, alpha, _ = setup
    tid = save_template(store, name="Intro", language="Russian", subject="{brand}",
                        body="Здравствуйте, {owner}! {price}")  # fmt: skip
    save_template(store, name="Intro", language="en", body="Hello {owner}")
    with pytest.raises(ValidationError, match="There is a Russian template called “Intro”"):
        save_template(store, name="intro", language="ru", body="x")
    with pytest.raises(ValidationError, match="unknown placeholder: {prise}"):
        save_template(store, name="Other", language="ru", body="{prise}")
    with pytest.raises(ValidationError, match="Russian \\(ru\\) or English \\(en\\)"):
        save_template(store, name="Other", language="de", body="x")
    with pytest.raises(ValidationError, match="A template needs a text"):
        save_template(store, name="Other", language="ru", body="  ")
    assert save_template(store, name="Intro", language="ru", body="Добрый день, {owner}!",
                         template_id=tid, version=1, subject="{brand}") == tid  # fmt: skip
    with pytest.raises(StaleEdit):
        save_template(store, name="Intro", language="ru", body="x", template_id=tid, version=1)
    frame = templates_frame(store.cursor(), "ru")
    assert frame.select("name", "language", "subject", "body", "version").rows() == [
        ("Intro", "ru", "{brand}", "Добрый день, {owner}!", 2)
    ]
    assert templates_frame(store.cursor()).height == 2

    values = template_values(store.cursor(), cid, alpha, language="ru")
    rendered = render("Добрый день, {owner}!", values, subject="{brand}", language="ru")
    send_template(store, cid, alpha, tid, rendered, author="Olga")
    last = timeline(store.cursor(), cid, alpha).row(0, named=True)
    assert (last["type"], last["author"], last["text"]) == (
        "message", "Olga", "Кефир\n\nДобрый день, Ирина!",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Fix the unknown placeholders first: {x}"):
        send_template(store, cid, alpha, tid, render("{x}", {}), author="Olga")
    delete_template(store, tid)
    with pytest.raises(NotFound):
        delete_template(store, tid)
