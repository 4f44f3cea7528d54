"""The review store on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from review_app.importer import import_run
from review_app.store import (
    Decision,
    DecisionConflict,
    FlagFilter,
    decision_history,
    integrity_check,
    list_flags,
    make_engine,
    now_utc,
    record_decision,
)

from .conftest import RUN_A, RUN_B, add_users


def _ids(flags) -> set[str]:
    return {f.flag_id for f in flags}


def test_reimport_keeps_flags_and_decisions(engine, password_hash) -> None:
    add_users(engine, password_hash)  # integrity_check: every reviewer is a user
    first = import_run(engine, RUN_A)
    assert (first.flags_new, first.flags_updated, first.errors) == (13, 0, [])
    flags = list_flags(engine)
    assert len(flags) == 13
    confirmed, dismissed = flags[0], flags[1]
    record_decision(engine, confirmed.flag_id, "confirmed", "ann", 0, comment="clear case")
    record_decision(engine, dismissed.flag_id, "dismissed", "ann", 0, reason="wrong person")

    again = import_run(engine, RUN_A)
    assert (again.flags_new, again.flags_updated) == (0, 13)
    assert len(list_flags(engine)) == 13
    by_id = {f.flag_id: f for f in list_flags(engine)}
    assert by_id[confirmed.flag_id].status == "confirmed"
    assert by_id[confirmed.flag_id].comment == "clear case"
    assert by_id[dismissed.flag_id].status == "dismissed"
    assert by_id[dismissed.flag_id].reason == "wrong person"
    assert integrity_check(engine) == []


def test_reaudit_same_ids_new_scores_edited_note_superseded(engine) -> None:
    import_run(engine, RUN_A)
    before = {f.flag_id: f for f in list_flags(engine)}
    old_n3 = [f for f in before.values() if f.note_id == "N-0003"]
    record_decision(engine, old_n3[0].flag_id, "confirmed", "ann", 0)

    report = import_run(engine, RUN_B)
    # 11 unchanged notes' flags match by id; N-0003 was edited (2 new ids), N-0009 is new
    assert (report.flags_new, report.flags_updated) == (3, 11)
    after = {f.flag_id: f for f in list_flags(engine)}
    assert len(after) == 14
    for fid, flag in before.items():
        if flag.note_id != "N-0003":
            assert after[fid].score == pytest.approx(flag.score + 0.02)
    # the earlier version's flags leave the queue but keep their decision
    assert not _ids(old_n3) & set(after)
    everything = {f.flag_id: f for f in list_flags(engine, FlagFilter(include_superseded=True))}
    assert len(everything) == 16
    assert everything[old_n3[0].flag_id].status == "confirmed"


def test_decision_history_and_derived_state(engine, password_hash) -> None:
    add_users(engine, password_hash)
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    record_decision(engine, fid, "dismissed", "al", 1, reason="not a restriction", comment="no")
    record_decision(engine, fid, "reopened", "ann", 2)
    history = decision_history(engine, fid)
    assert [(d.sequence, d.decision, d.previous_state, d.reviewer) for d in history] == [
        (1, "confirmed", "open", "ann"),
        (2, "dismissed", "confirmed", "al"),
        (3, "reopened", "dismissed", "ann"),
    ]
    assert all(d.decided_at.tzinfo is not None for d in history)
    assert list_flags(engine, FlagFilter(flag_ids=[fid]))[0].status == "open"
    assert integrity_check(engine) == []


def test_stale_version_is_a_conflict(engine) -> None:
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    with pytest.raises(DecisionConflict) as err:
        record_decision(engine, fid, "dismissed", "al", 0, reason="other")
    assert "ann marked it confirmed" in str(err.value)
    assert err.value.latest is not None and err.value.latest.sequence == 1
    assert [d.decision for d in decision_history(engine, fid)] == ["confirmed"]


def test_bad_decisions_are_refused(engine) -> None:
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    with pytest.raises(ValueError, match="reason"):
        record_decision(engine, fid, "dismissed", "ann", 0)
    with pytest.raises(ValueError, match="decision must be"):
        record_decision(engine, fid, "deleted", "ann", 0)
    with pytest.raises(ValueError, match="already open"):
        record_decision(engine, fid, "reopened", "ann", 0)
    with pytest.raises(KeyError):
        record_decision(engine, "F-nope", "confirmed", "ann", 0)
    assert decision_history(engine, fid) == []


def test_simultaneous_decisions_one_wins(store_url: str) -> None:
    """Eight reviewers submit on the same version at once: one insert, seven conflicts."""
    setup = make_engine(store_url)
    import_run(setup, RUN_A)
    fid = list_flags(setup)[0].flag_id
    setup.dispose()
    barrier = threading.Barrier(8)
    results: list[str] = []

    def decide(i: int) -> None:
        eng = make_engine(store_url, create=False)  # own engine and connection each
        barrier.wait()
        try:
            record_decision(eng, fid, "confirmed", f"reviewer{i}", 0)
            results.append("ok")
        except DecisionConflict:
            results.append("conflict")
        finally:
            eng.dispose()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["conflict"] * 7 + ["ok"]
    check = make_engine(store_url, create=False)
    assert len(decision_history(check, fid)) == 1
    check.dispose()


def test_simultaneous_decisions_on_different_flags_keep_one_chain(
    store_url: str, password_hash: str
) -> None:
    """Eight reviewers decide eight flags at once: all stored, the hash chain unforked."""
    setup = make_engine(store_url)
    import_run(setup, RUN_A)
    add_users(setup, password_hash)
    flags = [f.flag_id for f in list_flags(setup)[:8]]
    setup.dispose()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def decide(i: int) -> None:
        eng = make_engine(store_url, create=False)
        barrier.wait()
        try:
            record_decision(eng, flags[i], "confirmed", ("ann", "al")[i % 2], 0)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    check = make_engine(store_url, create=False)
    assert all(len(decision_history(check, f)) == 1 for f in flags)
    assert integrity_check(check) == []
    check.dispose()


def test_unique_constraint_guards_sequence(engine) -> None:
    """Even a writer that skips the version check cannot add a second decision #1."""
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    row = {
        "flag_id": fid,
        "sequence": 1,
        "decision": "dismissed",
        "reason": "other",
        "comment": "",
        "reviewer": "mallory",
        "decided_at": now_utc(),
        "previous_state": "open",
    }
    with pytest.raises(IntegrityError), Session(engine) as s, s.begin():
        s.execute(insert(Decision).values(row))


@pytest.mark.parametrize(
    "sql", ["UPDATE decisions SET decision = 'dismissed'", "DELETE FROM decisions"]
)
def test_decisions_are_append_only_in_the_database(engine, sql: str) -> None:
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))
    assert [d.decision for d in decision_history(engine, fid)] == ["confirmed"]


def test_orm_refuses_to_change_a_decision(engine) -> None:
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    with pytest.raises(PermissionError), Session(engine) as s, s.begin():
        s.query(Decision).one().comment = "rewritten"
        s.flush()


def test_filters(engine) -> None:
    import_run(engine, RUN_A)

    def notes(**kw) -> set[str]:
        return {f.note_id for f in list_flags(engine, FlagFilter(**kw))}

    assert notes(services=["Birchwood Supported Living"]) == {
        "N-0004",
        "N-0005",
        "N-0006",
        "N-0008",
    }
    assert notes(persons=["P-102"]) == {"N-0003", "N-0007"}
    assert notes(authors=["Priya Natt"]) == {"N-0005", "N-0006"}
    assert notes(categories=["missing_rationale"]) == {"N-0001", "N-0002", "N-0004"}
    assert notes(restriction_types=["seclusion", "mechanical"]) == {"N-0005", "N-0006"}
    assert notes(date_from="2026-03-01", date_to="2026-03-31") == {"N-0005", "N-0006", "N-0007"}
    assert notes(min_score=0.85) == {"N-0001", "N-0003", "N-0005"}
    scores = [f.score for f in list_flags(engine)]
    assert scores == sorted(scores, reverse=True)
    fid = list_flags(engine, FlagFilter(persons=["P-204"]))[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    assert _ids(list_flags(engine, FlagFilter(statuses=("confirmed",)))) == {fid}
    assert fid not in _ids(list_flags(engine, FlagFilter(statuses=("open",))))
