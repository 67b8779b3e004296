"""The demo's outreach part: campaigns, shortlists over every stage, consistent stage histories,
activities, templates, prices of every kind and currency, and daily exchange rates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm.demo import DEMO_AS_OF, generate_demo
from crm.demo.outreach import RATE_DAYS
from crm.demo.outreach_words import CAMPAIGNS, TEMPLATES
from crm.errors import ValidationError
from crm.outreach.templates import PLACEHOLDERS, check_template
from crm.store import Store

OUTREACH = ("campaigns", "shortlist", "events", "templates", "rates")
NOW = dt.datetime.combine(DEMO_AS_OF, dt.time(18, 0))  # the demo's last moment
FLOW = (
    "prospect", "shortlisted", "contacted", "replied", "negotiating", "agreed", "scheduled",
    "published", "reported", "paid",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo() -> Store:
    """One default demo workspace (seed 0) shared by the read-only tests of this module."""
    s = Store(":memory:")
    generate_demo(s, seed=0)
    yield s
    s.close()


def _rows(store: Store, sql: str, params: list[object] | None = None) -> list[tuple]:
    return store.cursor().execute(sql, params or []).fetchall()


def _outreach_frames(store: Store) -> dict[str, pl.DataFrame]:
    cur = store.cursor()
    frames = {t: cur.sql(f"select * from {t} order by all").pl() for t in OUTREACH}
    frames["prices"] = cur.sql("select * from prices order by id").pl()
    frames["workspace"] = cur.sql("select * from workspace order by key").pl()
    return frames


def _inconsistent_entries(store: Store) -> int:
    """Cards whose stage events do not chain from nothing to the card's stage and stage_since."""
    return _rows(
        store,
        """
        with s as (
            select e.*, row_number() over w as n, count(*) over w2 as total,
                   lag(stage_to) over w as prev_to, lag(occurred_at) over w as prev_at
            from events e where type = 'stage'
            window w as (partition by campaign_id, channel_id order by occurred_at, id),
                   w2 as (partition by campaign_id, channel_id)
        )
        select count(distinct (l.campaign_id, l.channel_id))
        from shortlist l left join s using (campaign_id, channel_id)
        where s.n is null
           or (s.n = 1 and s.stage_from is not null)
           or (s.n > 1 and (s.stage_from is distinct from s.prev_to
                            or s.occurred_at <= s.prev_at))
           or (s.n = s.total and (s.stage_to <> l.stage or s.occurred_at <> l.stage_since))
           or s.total <> l.version
           or s.stage_to is null
        """,
    )[0][0]


def test_same_seed_gives_identical_outreach_and_another_seed_differs(demo: Store) -> None:
    again, other = Store(":memory:"), Store(":memory:")
    generate_demo(again, seed=0)
    generate_demo(other, seed=1)
    first, second, third = _outreach_frames(demo), _outreach_frames(again), _outreach_frames(other)
    for name in first:
        assert_frame_equal(first[name], second[name])
    assert not first["shortlist"].equals(third["shortlist"])
    assert not first["rates"].equals(third["rates"])


def test_counts_returned_match_the_tables() -> None:
    s = Store(":memory:")
    counts = generate_demo(s, seed=4)
    for table in (*OUTREACH, "prices"):
        assert counts[table] == _rows(s, f"select count(*) from {table}")[0][0], table
    assert counts["campaigns"] >= 4 and counts["events"] >= 200


def test_campaigns_look_real(demo: Store) -> None:
    rows = _rows(
        demo,
        "select name, brand, goal, budget, currency, starts_on, ends_on, status, audience_notes "
        "from campaigns order by id",
    )
    assert len(rows) >= 4
    assert {r[2] for r in rows} == {"reach", "sales", "subscribers", "awareness"}
    assert {r[7] for r in rows} <= {"active", "draft", "closed"}
    assert [r[7] for r in rows].count("closed") == 1
    assert "RUB" in {r[4] for r in rows} and {r[4] for r in rows} & {"USD", "EUR"}
    for name, brand, _, budget, _, starts, ends, status, notes in rows:
        assert brand and notes and isinstance(budget, Decimal) and budget > 0, name
        assert starts < ends
        assert abs((starts - DEMO_AS_OF).days) <= 120 and abs((ends - DEMO_AS_OF).days) <= 120
        if status == "closed":
            assert ends < DEMO_AS_OF
        if status == "active":
            assert starts <= DEMO_AS_OF <= ends
    assert any(re.search("[а-яё]", r[0], re.I) for r in rows)


def test_every_stage_holds_cards_from_fitting_channels(demo: Store) -> None:
    stages = {r[0] for r in _rows(demo, "select key from stages")}
    counts = dict(_rows(demo, "select stage, count(*) from shortlist group by all"))
    assert set(counts) == stages
    assert {"declined", "no_response"} <= set(counts)
    sizes = dict(
        _rows(
            demo,
            "select c.name, count(*) from shortlist s join campaigns c on c.id = s.campaign_id "
            "where c.status <> 'draft' group by all",
        )
    )
    assert all(25 <= n <= 60 for n in sizes.values()), sizes
    niches = {spec.name: set(spec.niches) for spec in CAMPAIGNS}
    cards = _rows(
        demo,
        """
        select c.name, ch.niches, ch.archived from shortlist s
        join campaigns c on c.id = s.campaign_id join channels ch on ch.id = s.channel_id
        """,
    )
    for name, channel_niches, archived in cards:
        assert not archived
        assert niches[name] & set(channel_niches), (name, channel_niches)


def test_stage_events_match_every_card(demo: Store) -> None:
    assert _inconsistent_entries(demo) == 0
    orphans = _rows(
        demo,
        "select count(*) from events e anti join shortlist s using (campaign_id, channel_id)",
    )
    assert orphans == [(0,)]


def test_stage_events_follow_the_pipeline(demo: Store) -> None:
    rows = _rows(
        demo,
        """
        select campaign_id, channel_id, occurred_at, stage_from, stage_to from events
        where type = 'stage' order by campaign_id, channel_id, occurred_at, id
        """,
    )
    contacted: dict[tuple[int, int], dt.datetime] = {}
    for campaign, channel, at, frm, to in rows:
        key = (campaign, channel)
        if frm is None:
            assert to in ("prospect", "shortlisted")
        elif to in FLOW:
            assert FLOW.index(to) == FLOW.index(frm) + 1, (frm, to)
        elif to == "declined":
            assert frm in ("contacted", "replied", "negotiating")
        else:
            assert to == "no_response" and frm == "contacted"
            assert at - contacted[key] >= dt.timedelta(days=7)
        if to == "contacted":
            contacted[key] = at
    # nothing happens after the demo's day, nor before its campaign was created
    early_or_late = _rows(
        demo,
        "select count(*) from events e join campaigns c on c.id = e.campaign_id "
        "where e.occurred_at > ? or e.occurred_at < c.created_at",
        [NOW],
    )
    assert early_or_late == [(0,)]


def test_activities_and_reply_times(demo: Store) -> None:
    types = dict(_rows(demo, "select type, count(*) from events group by all"))
    assert sum(types.values()) >= 200
    assert set(types) == {"stage", "message", "call", "email", "meeting", "note"}
    texts = [r[0] for r in _rows(demo, "select text from events where type <> 'stage'")]
    assert all(t and "{" not in t and "}" not in t for t in texts)
    assert any(re.search("[а-яё]", t, re.I) for t in texts)
    assert any(re.fullmatch(r"[\x20-\x7e€$₽]+", t) for t in texts)  # English ones
    hours = [
        r[0]
        for r in _rows(
            demo,
            """
            select date_diff('minute', min(occurred_at) filter (stage_to = 'contacted'),
                             min(occurred_at) filter (stage_to = 'replied')) / 60
            from events where type = 'stage' group by campaign_id, channel_id
            having min(occurred_at) filter (stage_to = 'replied') is not null
            """,
        )
    ]
    assert len(hours) >= 50
    assert sum(h < 24 for h in hours) > len(hours) / 2  # most reply within a day
    assert sum(h >= 120 for h in hours) >= 3  # some after most of a week
    assert min(hours) > 0
    # some contacted long ago and still waiting: the no-response proposal has candidates
    waiting = _rows(
        demo,
        "select count(*) from shortlist where stage = 'contacted' and stage_since < ?",
        [NOW - dt.timedelta(days=7)],
    )[0][0]
    assert waiting >= 1


def test_managers_priorities_and_follow_ups(demo: Store) -> None:
    managers = {r[0] for r in _rows(demo, "select manager from shortlist where manager not null")}
    assert 3 <= len(managers) <= 4
    priorities = {r[0] for r in _rows(demo, "select distinct priority from shortlist")}
    assert priorities == {"high", "normal", "low"}
    due = [
        r[0]
        for r in _rows(demo, "select next_follow_up from shortlist where next_follow_up not null")
    ]
    assert sum(d == DEMO_AS_OF for d in due) >= 3
    assert any(d < DEMO_AS_OF for d in due) and any(d > DEMO_AS_OF for d in due)
    misplaced = _rows(
        demo,
        """
        select count(*) from shortlist s join campaigns c on c.id = s.campaign_id
        where s.next_follow_up is not null
          and (c.status = 'closed' or s.stage in ('paid', 'declined', 'no_response'))
        """,
    )
    assert misplaced == [(0,)]


def test_prices_of_every_kind_in_three_currencies(demo: Store) -> None:
    present = set(_rows(demo, "select distinct kind, currency from prices"))
    for kind in ("listed", "quoted", "agreed", "paid"):
        for currency in ("RUB", "USD", "EUR"):
            assert (kind, currency) in present, (kind, currency)
    # agreed and paid prices belong to a campaign; listed ones never do
    loose = _rows(
        demo,
        "select count(*) from prices where (kind in ('agreed', 'paid') and campaign_id is null) "
        "or (kind = 'listed' and campaign_id is not null)",
    )
    assert loose == [(0,)]
    # one agreed price for every card at agreed or later, dated the day it was agreed; one
    # paid price (the agreed amount) for every paid card; none for the others
    rows = _rows(
        demo,
        """
        select s.stage,
               count(p.id) filter (p.kind = 'agreed'),
               count(p.id) filter (p.kind = 'paid'),
               max(p.amount) filter (p.kind = 'agreed'),
               max(p.amount) filter (p.kind = 'paid'),
               max(p.date) filter (p.kind = 'agreed'),
               (select max(occurred_at)::date from events e
                where e.campaign_id = s.campaign_id and e.channel_id = s.channel_id
                  and e.stage_to = 'agreed')
        from shortlist s
        left join prices p on p.campaign_id = s.campaign_id and p.channel_id = s.channel_id
        group by s.id, s.stage, s.campaign_id, s.channel_id
        """,
    )
    after = FLOW[FLOW.index("agreed") :]
    for stage, agreed, paid, agreed_amount, paid_amount, agreed_on, agreed_event in rows:
        assert agreed == (1 if stage in after else 0), stage
        assert paid == (1 if stage == "paid" else 0), stage
        if stage == "paid":
            assert paid_amount == agreed_amount
        if agreed:
            assert agreed_on == agreed_event
    assert _rows(demo, "select min(amount) > 0 from prices") == [(True,)]


def test_budgets_show_one_campaign_over_its_plan(demo: Store) -> None:
    # planned: agreed prices converted to the campaign's currency at each price's date
    rows = _rows(
        demo,
        """
        with rated as (
            select currency, date, rate from rates
            union all select 'RUB', date, 1 from rates where currency = 'USD'
        )
        select c.name, c.budget, sum(p.amount * pr.rate / cr.rate)
        from campaigns c
        join prices p on p.campaign_id = c.id and p.kind = 'agreed'
        join rated pr on pr.currency = p.currency and pr.date = p.date
        join rated cr on cr.currency = c.currency and cr.date = p.date
        group by all
        """,
    )
    assert len(rows) >= 4
    assert any(planned > budget for _, budget, planned in rows)
    assert any(planned < budget for _, budget, planned in rows)


def test_a_rate_for_every_day(demo: Store) -> None:
    first = DEMO_AS_OF - dt.timedelta(days=RATE_DAYS)
    for currency, low, high in (("USD", 90, 100), ("EUR", 98, 108), ("KZT", 0.17, 0.2)):
        rows = _rows(
            demo, "select date, rate from rates where currency = ? order by date", [currency]
        )
        assert [r[0] for r in rows] == [first + dt.timedelta(days=i) for i in range(RATE_DAYS + 1)]
        rates = [r[1] for r in rows]
        assert all(isinstance(r, Decimal) and r == r.quantize(Decimal("0.0001")) for r in rates)
        assert all(Decimal(str(low)) <= r <= Decimal(str(high)) for r in rates), currency
        # a smooth walk: no day moves more than 3 %
        assert all(abs(b - a) / a < Decimal("0.03") for a, b in zip(rates, rates[1:], strict=False))
    # every price of a campaign can be converted: a rate exists on its date
    missing = _rows(
        demo,
        """
        select count(*) from prices p
        where p.campaign_id is not null and p.currency <> 'RUB'
          and not exists (select 1 from rates r where r.currency = p.currency
                          and r.date = p.date)
        """,
    )
    assert missing == [(0,)]


def test_templates_in_both_languages_with_known_placeholders(demo: Store) -> None:
    rows = _rows(demo, "select name, language, subject, body from templates")
    languages = [r[1] for r in rows]
    assert languages.count("ru") >= 2 and languages.count("en") >= 2
    used: set[str] = set()
    for _, _, subject, body in rows:
        for text in (subject, body):
            check_template(text)  # the outreach API's own check: no unknown placeholder
            used |= set(re.findall(r"\{([^{}]*)\}", text))
    assert used == set(PLACEHOLDERS)  # every placeholder is shown in use
    assert len(rows) == len(TEMPLATES)


def test_workspace_settings(demo: Store) -> None:
    values = dict(_rows(demo, "select key, value from workspace"))
    assert values["base_currency"] == "RUB"
    assert values["no_response_days"] == "7"


def test_a_small_demo_is_consistent_too(store: Store) -> None:
    generate_demo(store, seed=5, channels=40, weeks=3)
    assert _rows(store, "select count(*) from shortlist")[0][0] > 0
    assert _inconsistent_entries(store) == 0


def test_a_deleted_stage_is_left_out(store: Store) -> None:
    # stages are workspace settings and survive clearing; the demo uses the ones that exist
    store.cursor().execute("delete from stages where key = 'reported'")
    generate_demo(store, seed=0)
    used = _rows(
        store,
        "select count(*) from events where 'reported' in (stage_from, stage_to) "
        "union all select count(*) from shortlist where stage = 'reported'",
    )
    assert used == [(0,), (0,)]
    assert _inconsistent_entries(store) == 0
    assert _rows(store, "select count(*) from shortlist where stage = 'paid'")[0][0] > 0


def test_refuses_a_database_with_campaigns(store: Store) -> None:
    store.cursor().execute("insert into campaigns (name) values ('Моя кампания')")
    with pytest.raises(ValidationError, match="already holds 1 campaigns"):
        generate_demo(store)
    assert _rows(store, "select count(*) from channels") == [(0,)]
    assert _rows(store, "select count(*) from rates") == [(0,)]
