"""The Owners page as a new user meets it: merging asks first and says what will happen, the
merge picker tells people apart, and the Add owner form keeps what was typed after a refusal."""

from __future__ import annotations

import json

import polars as pl
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.formatting import format_count
from crm.ui.state import get_store

from .conftest import open_page


def _busiest(app: AppTest) -> tuple[int, int]:
    owners = registry.list_owners(get_store().cursor()).sort("channels", descending=True)
    return int(owners["id"][0]), int(owners["id"][1])


def _text(at: AppTest, label: str, last: bool = False):  # type: ignore[no-untyped-def]
    found = [t for t in at.text_input if t.label == label]
    return found[-1] if last else found[0]


def test_merge_asks_first_listing_what_moves_and_what_is_deleted(app: AppTest) -> None:
    cur = get_store().cursor()
    keep, twin = _busiest(app)
    moving = registry.owner_channels(cur, twin)
    twin_name = registry.get_owner(cur, twin).name
    app.session_state["owners.selected"] = keep
    open_page(app, "owners")
    app.selectbox(key="owners.merge_twin").set_value(twin).run()
    app.button(key="owners.merge").click().run()
    assert not app.exception and not app.error
    # nothing merged yet: the confirmation lists the channels that move and who is deleted
    assert registry.owner_channels(cur, twin).height == moving.height
    # markdown escapes people's text (an underscore is no italic): compare what is shown
    shown = "\n".join(m.value for m in app.markdown).replace("\\", "")
    for title in moving["title"].fill_null(moving["handle"]).to_list():
        assert title in shown, title
    assert f"{twin_name} is deleted" in shown

    app.button(key="owners.merge_cancel").click().run()
    assert twin in registry.list_owners(cur)["id"].to_list()
    assert not any(b.key == "owners.merge_confirm" for b in app.button)

    app.selectbox(key="owners.merge_twin").set_value(twin).run()
    app.button(key="owners.merge").click().run()
    app.button(key="owners.merge_confirm").click().run()
    assert not app.exception and not app.error
    assert twin not in registry.list_owners(cur)["id"].to_list()
    assert all(registry.get_channel(cur, i).owner_id == keep for i in moving["id"])


def test_the_merge_picker_shows_contacts_and_channel_counts(app: AppTest) -> None:
    cur = get_store().cursor()
    keep, twin = _busiest(app)
    app.session_state["owners.selected"] = keep
    open_page(app, "owners")
    picker = app.selectbox(key="owners.merge_twin")
    owners = registry.list_owners(cur)
    row = owners.filter(pl.col("id") == twin).row(0, named=True)
    labels = [o for o in picker.options if o.startswith(row["name"])]
    assert len(labels) == 1, picker.options
    label = labels[0]
    assert f"{row['channels']} channel" in label
    contacts = [c for c in (row["telegram"], row["email"], row["phone"]) if c]
    assert contacts and contacts[0] in label


def test_add_owner_keeps_the_fields_after_a_refusal(app: AppTest) -> None:
    open_page(app, "owners")
    _text(app, "Name *").input("")
    _text(app, "E-mail").input("not-an-email")
    _text(app, "Telegram").input("@kept_handle")
    next(b for b in app.button if b.label == "Add owner").click().run()
    assert app.error, "an owner without a name must be refused"
    assert _text(app, "E-mail").value == "not-an-email"
    assert _text(app, "Telegram").value == "@kept_handle"

    _text(app, "Name *").input("Вера Кравец")
    _text(app, "E-mail").input("vera@example.com")
    next(b for b in app.button if b.label == "Add owner").click().run()
    assert not app.error
    assert registry.find_owner_by_name(get_store().cursor(), "Вера Кравец") is not None
    # after a success the form is empty for the next owner
    assert _text(app, "Name *").value == ""
    assert _text(app, "Telegram").value == ""


def test_owners_grid_widths_fit_the_screen(app: AppTest) -> None:
    open_page(app, "owners")
    config = json.loads(app.dataframe[0].proto.columns)
    order = list(app.dataframe[0].proto.column_order)
    widths = [config[c].get("width") for c in order]
    assert all(isinstance(w, int) for w in widths), dict(zip(order, widths, strict=True))
    # 1440 px minus the sidebar leave about 980 px for the grid, its checkbox column included
    assert sum(widths) + 40 <= 980
    assert "phone" in order
    assert config["followers"]["type_config"]["format"] == "%'\u202f,d"
    assert format_count(1234) == "1\u202f234"


def test_the_merge_dialog_says_what_the_backend_will_do(app: AppTest) -> None:
    cur = get_store().cursor()
    pair = next(
        p
        for p in registry.likely_duplicate_owners(cur)
        if registry.merge_preview(cur, p.first_id, p.second_id).filled
        or registry.merge_preview(cur, p.first_id, p.second_id).other_contacts
    )
    preview = registry.merge_preview(cur, pair.first_id, pair.second_id)
    app.session_state["owners.selected"] = pair.first_id
    open_page(app, "owners")
    app.selectbox(key="owners.merge_twin").set_value(pair.second_id).run()
    app.button(key="owners.merge").click().run()
    shown = "\n".join(m.value for m in app.markdown).replace("\\", "")
    for line in preview.lines()[1:]:
        assert line in shown, line
    for key in preview.channels:
        assert key.split(":", 1)[1] in shown, key


def test_likely_duplicates_are_pointed_out_and_lead_to_the_merge(app: AppTest) -> None:
    cur = get_store().cursor()
    pairs = registry.likely_duplicate_owners(cur)
    assert pairs
    open_page(app, "owners")
    assert any(f"{len(pairs)} pairs of owners look like" in w.value for w in app.warning), [
        w.value for w in app.warning
    ]
    pair = pairs[0]
    app.session_state["owners.selected"] = pair.first_id
    app.run()
    hint = next(i.value for i in app.info if "Possibly the same person" in i.value)
    assert pair.second_name in hint and ", ".join(pair.reasons) in hint
    app.button(key=f"owners.twin.{pair.second_id}").click().run()
    assert not app.exception
    # the merge dialog opens on that pair
    assert any(f"{pair.second_name} is deleted" in m.value for m in app.markdown)
    app.button(key="owners.merge_confirm").click().run()
    assert pair.second_id not in registry.list_owners(cur)["id"].to_list()


def test_an_owner_shows_their_time_to_first_reply(app: AppTest) -> None:
    from crm.formatting import format_hours
    from crm.outreach.events import reply_times

    replies = reply_times(get_store().cursor(), by="owner").sort("owner_id")
    r = replies.row(0, named=True)
    app.session_state["owners.selected"] = r["owner_id"]
    open_page(app, "owners")
    caption = next(c.value for c in app.caption if "Time to first reply" in c.value)
    assert f"median **{format_hours(r['median_hours'])}**" in caption
    assert f"over {r['replies']} of {r['contacted']} contacted" in caption
