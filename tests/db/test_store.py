"""The store: re-entrant transactions, generations, DuckDB errors as the project's own, and the
versioned-record helpers."""

from __future__ import annotations

import threading

import duckdb
import pytest

from crm.errors import (
    Conflict,
    ConstraintViolation,
    CrmError,
    NotFound,
    StaleEdit,
    ValidationError,
)
from crm.store import Store, check_versions, update_versioned


def _names(store: Store) -> list[str]:
    rows = store.cursor().execute("select name from owners order by id").fetchall()
    return [r[0] for r in rows]


def _owner(store: Store, name: str, **values: object) -> int:
    names = ["name", *values]
    with store.transaction() as cur:
        row = cur.execute(
            f"insert into owners ({', '.join(names)}) values ({', '.join('?' for _ in names)}) "
            "returning id",
            [name, *values.values()],
        ).fetchall()
    return int(row[0][0])


def _row(store: Store, rid: int) -> tuple[object, ...]:
    rows = (
        store.cursor()
        .execute("select name, email, phone, notes, version from owners where id = ?", [rid])
        .fetchall()
    )
    return tuple(rows[0])


# --- re-entrant transactions ------------------------------------------------------------------


def test_a_nested_transaction_joins_the_open_one_and_only_the_outermost_commits(
    store: Store,
) -> None:
    with store.transaction() as outer:
        outer.execute("insert into owners (name) values ('outer')")
        with store.transaction() as inner:
            assert inner is outer
            inner.execute("insert into owners (name) values ('inner')")
        # the inner block ended, but nothing is committed until the outermost ends
        assert _names(store) == []
    assert _names(store) == ["outer", "inner"]


def test_an_inner_failure_rolls_back_the_whole_transaction(store: Store) -> None:
    with pytest.raises(ValidationError, match="inner says no"), store.transaction() as outer:
        outer.execute("insert into owners (name) values ('outer')")
        with store.transaction() as inner:
            inner.execute("insert into owners (name) values ('inner')")
            raise ValidationError("inner says no")
    assert _names(store) == []
    assert store.current_transaction() is None


def test_a_swallowed_inner_failure_still_rolls_back_and_says_nothing_was_written(
    store: Store,
) -> None:
    with (
        pytest.raises(CrmError, match="nothing was written: inner says no") as info,
        store.transaction() as outer,
    ):
        outer.execute("insert into owners (name) values ('outer')")
        try:
            with store.transaction() as inner:
                inner.execute("insert into owners (name) values ('inner')")
                raise ValidationError("inner says no")
        except ValidationError:
            pass  # the caller carries on as if only the inner part had failed
        outer.execute("insert into owners (name) values ('after')")
    assert isinstance(info.value.__cause__, ValidationError)
    assert _names(store) == []
    # the store is usable afterwards
    _owner(store, "next")
    assert _names(store) == ["next"]


def test_an_outer_failure_after_an_inner_success_rolls_back_both(store: Store) -> None:
    with (
        pytest.raises(RuntimeError),
        store.transaction() as outer,
        store.transaction() as inner,
    ):
        inner.execute("insert into owners (name) values ('inner')")
        outer.execute("insert into owners (name) values ('outer')")
        raise RuntimeError("outer fails")
    assert _names(store) == []


def test_the_project_errors_of_the_body_leave_unchanged(store: Store) -> None:
    raised = NotFound("Owner 7 does not exist.")
    with pytest.raises(NotFound) as info, store.transaction():
        raise raised
    assert info.value is raised


def test_actor_is_recorded_and_inherited(store: Store) -> None:
    assert store.current_actor() is None
    with store.transaction("registry", actor="anna"):
        assert store.current_actor() == "anna"
        with store.transaction(actor="boris"):
            assert store.current_actor() == "anna"  # the outer actor stands
        tx = store.current_transaction()
        assert tx is not None and tx.actor == "anna"
    assert store.current_actor() is None
    with store.transaction(), store.transaction(actor="boris"):
        # nobody was named outside: the first inner block that names someone fills it in
        assert store.current_actor() == "boris"


def test_transactions_of_other_threads_are_their_own(store: Store) -> None:
    seen: list[object] = []
    with store.transaction():
        worker = threading.Thread(target=lambda: seen.append(store.current_transaction()))
        worker.start()
        worker.join()
    assert seen == [None]


def test_another_thread_waits_for_the_open_transaction(store: Store) -> None:
    order: list[str] = []
    started = threading.Event()

    def other() -> None:
        started.set()
        with store.transaction() as cur:
            order.append("other")
            cur.execute("insert into owners (name) values ('other')")

    with store.transaction() as cur:
        worker = threading.Thread(target=other)
        worker.start()
        started.wait()
        worker.join(timeout=0.2)
        assert worker.is_alive()  # blocked on the write lock, not joined into ours
        order.append("first")
        cur.execute("insert into owners (name) values ('first')")
    worker.join()
    assert order == ["first", "other"]
    assert _names(store) == ["first", "other"]


# --- DuckDB errors become the project's ---------------------------------------------------------


def test_a_broken_unique_constraint_becomes_a_validation_error(store: Store) -> None:
    with store.transaction() as cur:
        cur.execute("insert into channels (platform, handle) values ('vk', 'dup')")
    with (
        pytest.raises(ConstraintViolation, match="would duplicate a record") as info,
        store.transaction() as cur,
    ):
        cur.execute("insert into owners (name) values ('written first')")
        cur.execute("insert into channels (platform, handle) values ('vk', 'dup')")
    assert isinstance(info.value, ValidationError)
    assert isinstance(info.value.__cause__, duckdb.ConstraintException)
    assert _names(store) == []


def test_a_missing_required_value_says_so(store: Store) -> None:
    with (
        pytest.raises(ConstraintViolation, match="required value is missing"),
        store.transaction() as cur,
    ):
        cur.execute("insert into owners (name) values (null)")


def test_a_constraint_broken_in_a_nested_block_is_translated_there(store: Store) -> None:
    with store.transaction() as cur:
        cur.execute("insert into channels (platform, handle) values ('vk', 'dup')")
    with pytest.raises(CrmError, match="nothing was written"), store.transaction():
        try:
            with store.transaction() as inner:
                inner.execute("insert into channels (platform, handle) values ('vk', 'dup')")
        except ConstraintViolation:
            pass
    assert store.cursor().execute("select count(*) from channels").fetchall() == [(1,)]


def test_other_database_errors_become_a_crm_error(store: Store) -> None:
    with (
        pytest.raises(CrmError, match="The database refused the change and nothing") as info,
        store.transaction() as cur,
    ):
        cur.execute("insert into owners (name) values ('x')")
        cur.execute("select * from no_such_table")
    assert type(info.value) is CrmError
    assert isinstance(info.value.__cause__, duckdb.Error)
    assert _names(store) == []


# --- generations ------------------------------------------------------------------------------


def test_a_commit_moves_on_the_generation_of_the_parts_it_touched(store: Store) -> None:
    registry, pricing = store.generation("registry"), store.generation("pricing")
    with store.transaction("registry"):
        pass
    assert (store.generation("registry"), store.generation("pricing")) == (registry + 1, pricing)
    with store.transaction(("registry", "pricing")):
        pass
    assert (store.generation("registry"), store.generation("pricing")) == (
        registry + 2,
        pricing + 1,
    )


def test_nested_parts_accumulate_and_bump_once_per_commit(store: Store) -> None:
    registry, pricing = store.generation("registry"), store.generation("pricing")
    with store.transaction("registry"):
        with store.transaction("registry"):
            pass
        with store.transaction("pricing"):
            pass
        # nothing moves before the outermost commits
        assert store.generation("registry") == registry
    assert (store.generation("registry"), store.generation("pricing")) == (
        registry + 1,
        pricing + 1,
    )


def test_a_transaction_without_a_part_moves_every_part_even_unread_ones(store: Store) -> None:
    before = {p: store.generation(p) for p in ("registry", "never_read_before")}
    with store.transaction("registry"), store.transaction():
        pass
    after = {p: store.generation(p) for p in ("registry", "never_read_before")}
    assert all(after[p] > before[p] for p in before)


def test_a_rolled_back_transaction_moves_nothing(store: Store) -> None:
    before = (store.generation("registry"), store.generation("other"))
    with pytest.raises(ValidationError), store.transaction():
        raise ValidationError("no")
    with pytest.raises(CrmError), store.transaction("registry"):
        try:
            with store.transaction():
                raise ValidationError("no")
        except ValidationError:
            pass
    assert (store.generation("registry"), store.generation("other")) == before


def test_two_stores_never_share_a_generation() -> None:
    # cached reads are keyed by generation across the whole process
    one, two = Store(), Store()
    try:
        assert one.generation("registry") != two.generation("registry")
        with one.transaction("registry"):
            pass
        assert one.generation("registry") != two.generation("registry")
    finally:
        one.close()
        two.close()


# --- versioned records ------------------------------------------------------------------------


def test_a_record_still_at_its_version_takes_the_edit(store: Store) -> None:
    rid = _owner(store, "Анна")
    with store.transaction() as cur:
        assert update_versioned(cur, "owners", rid, 1, {"email": "a@b.ru"}) == 2
    with store.transaction() as cur:
        assert update_versioned(cur, "owners", rid, 2, {"email": "a@b.ru"}) == 2  # no-op
    assert _row(store, rid) == ("Анна", "a@b.ru", None, None, 2)


def test_without_seen_a_record_that_moved_on_is_refused(store: Store) -> None:
    rid = _owner(store, "Анна")
    with store.transaction() as cur:
        update_versioned(cur, "owners", rid, 1, {"phone": "+7 900"})
    with (
        pytest.raises(StaleEdit, match="Someone else changed this record") as info,
        store.transaction() as cur,
    ):
        update_versioned(cur, "owners", rid, 1, {"email": "a@b.ru"})
    assert info.value.conflicts == []
    assert _row(store, rid) == ("Анна", None, "+7 900", None, 2)


def test_with_seen_an_edit_of_other_fields_goes_on_top(store: Store) -> None:
    rid = _owner(store, "Анна", notes="old notes")
    with store.transaction() as cur:  # someone else edits the phone meanwhile
        update_versioned(cur, "owners", rid, 1, {"phone": "+7 900"})
    # the form (opened at version 1) sends every field; the user changed only the e-mail
    form = {"name": "Анна", "email": "a@b.ru", "phone": None, "notes": "old notes"}
    seen = {"name": "Анна", "email": None, "phone": None, "notes": "old notes"}
    with store.transaction() as cur:
        assert update_versioned(cur, "owners", rid, 1, form, seen=seen) == 3
    # their phone is kept, not reverted to what the form still showed
    assert _row(store, rid) == ("Анна", "a@b.ru", "+7 900", "old notes", 3)


def test_with_seen_an_edit_of_the_same_field_is_refused_showing_both_values(
    store: Store,
) -> None:
    rid = _owner(store, "Анна", email="old@b.ru")
    with store.transaction() as cur:
        update_versioned(cur, "owners", rid, 1, {"email": "theirs@b.ru"})
    with pytest.raises(StaleEdit) as info, store.transaction() as cur:
        update_versioned(
            cur,
            "owners",
            rid,
            1,
            {"email": "mine@b.ru", "phone": "+7 1"},
            seen={"email": "old@b.ru", "phone": None},
        )
    assert info.value.conflicts == [Conflict("email", "old@b.ru", "theirs@b.ru", "mine@b.ru")]
    message = str(info.value)
    assert "email" in message and "“theirs@b.ru”" in message and "“mine@b.ru”" in message
    assert _row(store, rid) == ("Анна", "theirs@b.ru", None, None, 2)  # nothing of it written


def test_with_seen_the_same_change_made_twice_is_no_conflict(store: Store) -> None:
    rid = _owner(store, "Анна")
    with store.transaction() as cur:
        update_versioned(cur, "owners", rid, 1, {"email": "same@b.ru"})
    with store.transaction() as cur:
        assert (
            update_versioned(cur, "owners", rid, 1, {"email": "same@b.ru"}, seen={"email": None})
            == 2
        )
    assert _row(store, rid) == ("Анна", "same@b.ru", None, None, 2)


def test_with_seen_empty_text_and_null_are_the_same(store: Store) -> None:
    rid = _owner(store, "Анна", notes="")
    with store.transaction() as cur:
        update_versioned(cur, "owners", rid, 1, {"phone": "+7 900"})
    # the form showed empty fields as "", and sends an emptied field as None
    with store.transaction() as cur:
        assert (
            update_versioned(
                cur,
                "owners",
                rid,
                1,
                {"email": "a@b.ru", "notes": None},
                seen={"email": "", "notes": ""},
            )
            == 3
        )
    assert _row(store, rid) == ("Анна", "a@b.ru", "+7 900", "", 3)


def test_with_seen_missing_a_changed_field_the_edit_is_refused(store: Store) -> None:
    rid = _owner(store, "Анна")
    with store.transaction() as cur:
        update_versioned(cur, "owners", rid, 1, {"phone": "+7 900"})
    with pytest.raises(StaleEdit), store.transaction() as cur:
        update_versioned(cur, "owners", rid, 1, {"email": "a@b.ru"}, seen={"name": "Анна"})


def test_a_versioned_edit_of_a_deleted_record_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound), store.transaction() as cur:
        update_versioned(cur, "owners", 404, 1, {"email": "a@b.ru"}, seen={"email": None})


def test_check_versions_counts_what_changed(store: Store) -> None:
    a, b, c = (_owner(store, n) for n in ("a", "b", "c"))
    with store.transaction() as cur:
        check_versions(cur, "owners", {a: 1, b: 1, c: 1})
        check_versions(cur, "owners", {})
        update_versioned(cur, "owners", b, 1, {"email": "b@b.ru"})
    with (
        pytest.raises(StaleEdit, match="Of the 3 records you selected, 1 record changed since"),
        store.transaction() as cur,
    ):
        check_versions(cur, "owners", {a: 1, b: 1, c: 1})
    with (
        pytest.raises(StaleEdit, match="1 record changed and 1 record no longer exists"),
        store.transaction() as cur,
    ):
        check_versions(cur, "owners", {a: 1, b: 1, 999: 1})
