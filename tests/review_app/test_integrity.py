"""Tamper evidence: the decision hash chain, the append-only triggers, the one-off migration.

Each attack is made the way someone with write access to the database would make it
(raw SQL, triggers dropped first where they stand in the way) on SQLite and on a
real PostgreSQL server, and the verifier must name the row.
"""

from __future__ import annotations

import itertools

import pytest
import typer
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cli import review_cmd
from review_app.importer import import_run
from review_app.integrity import checkpoint, migrations, restore_triggers
from review_app.store import (
    CHAIN_GENESIS,
    Decision,
    decision_digest,
    integrity_check,
    list_flags,
    make_engine,
    now_utc,
    record_decision,
)

from .conftest import RUN_A, add_users

runner = CliRunner()


@pytest.fixture
def decided(engine: Engine, password_hash: str) -> Engine:
    """run_a, one user per role, and five decisions (ids 1-5) by ann and al."""
    import_run(engine, RUN_A)
    add_users(engine, password_hash)
    flags = list_flags(engine)
    for f in flags[:4]:
        record_decision(engine, f.flag_id, "confirmed", "ann", 0, comment=f"ok {f.note_id}")
    record_decision(engine, flags[0].flag_id, "dismissed", "al", 1, reason="wrong person")
    assert integrity_check(engine) == []
    return engine


def _sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


def _drop_triggers(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        _sql(engine, "DROP TRIGGER decisions_no_update", "DROP TRIGGER decisions_no_delete")
    else:
        _sql(
            engine,
            "DROP TRIGGER decisions_append_only ON decisions",
            "DROP TRIGGER decisions_no_truncate ON decisions",
        )


def _row(engine: Engine, id_: int) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(Decision.__table__.select().where(Decision.id == id_)).one()._mapping
        )


def test_chain_links_every_decision(decided: Engine) -> None:
    rows = [_row(decided, i) for i in range(1, 6)]
    assert rows[0]["prev_hash"] == CHAIN_GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["row_hash"]
    for row in rows:
        assert row["row_hash"] == decision_digest(_Attrs(row))
    count, head = checkpoint(decided).split(":")
    assert (int(count), head) == (5, rows[-1]["row_hash"])


class _Attrs:
    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def test_dropped_trigger_is_reported_and_nothing_restored_silently(decided: Engine) -> None:
    _drop_triggers(decided)
    with decided.begin() as conn:  # without the trigger an UPDATE goes through...
        conn.execute(text("UPDATE decisions SET decision = decision WHERE id = 1"))
    decided.dispose()
    again = make_engine(str(decided.url.render_as_string(hide_password=False)))
    problems = integrity_check(again)
    # ...and start-up neither puts the trigger back nor keeps quiet about it
    assert problems and all("trigger" in p and "missing" in p for p in problems), problems
    assert any("decisions_no_update" in p or "decisions_append_only" in p for p in problems)
    fixed = restore_triggers(again, actor="test-admin")
    assert fixed == problems
    assert integrity_check(again) == []
    [restored] = [m for m in migrations(again) if m[0].startswith("restore-triggers")]
    assert "by test-admin" in restored[2] and "missing" in restored[2]
    with pytest.raises(DBAPIError, match="append-only"), again.begin() as conn:
        conn.execute(text("DELETE FROM decisions WHERE id = 1"))
    again.dispose()


@pytest.mark.parametrize(
    "change",
    [
        "comment = 'not what was written'",
        "reviewer = 'al'",  # another real user
        "decided_at = '2020-01-01 00:00:00'",
        "model_version = 'other-model'",
    ],
)
def test_rewritten_decision_is_named(decided: Engine, change: str) -> None:
    _drop_triggers(decided)
    _sql(decided, f"UPDATE decisions SET {change} WHERE id = 2")
    restore_triggers(decided, actor="test")
    problems = integrity_check(decided)
    assert len(problems) == 1, problems
    assert problems[0].startswith("decision id 2 (flag ")
    assert "content does not match its hash: it was rewritten" in problems[0]


@pytest.mark.parametrize("forged", ["hybrid@bbbbbbbbbbbb", ""])
def test_rewritten_model_version_is_named(
    engine: Engine, password_hash: str, tmp_path, forged: str
) -> None:
    """The model version stored on a decision is hashed: swapping or blanking it is found."""
    import json
    import shutil

    run = shutil.copytree(RUN_A, tmp_path / "run")
    summary = json.loads((run / "summary.json").read_text())
    summary["run"]["model_version"] = "hybrid@aaaaaaaaaaaa"
    (run / "summary.json").write_text(json.dumps(summary))
    import_run(engine, run)
    add_users(engine, password_hash)
    flags = list_flags(engine)
    for f in flags[:3]:
        assert record_decision(engine, f.flag_id, "confirmed", "ann", 0).model_version == (
            "hybrid@aaaaaaaaaaaa"
        )
    assert integrity_check(engine) == []
    _drop_triggers(engine)
    _sql(engine, f"UPDATE decisions SET model_version = '{forged}' WHERE id = 2")
    restore_triggers(engine, actor="test")
    [problem] = integrity_check(engine)
    assert problem.startswith("decision id 2 (flag ")
    assert "content does not match its hash: it was rewritten" in problem


def test_every_stored_field_of_a_decision_is_in_its_hash(decided: Engine) -> None:
    """Changing any column of a decision but its id and its own hash changes the hash, so no
    field (model_version included, and any column added later) escapes the chain."""
    row = _row(decided, 2)
    base = decision_digest(_Attrs(row))
    assert base == row["row_hash"]
    covered = [c.name for c in Decision.__table__.columns if c.name not in ("id", "row_hash")]
    assert "model_version" in covered and "prev_hash" in covered
    for name in covered:
        value = row[name]
        if isinstance(value, int):
            changed = value + 1
        elif isinstance(value, str):
            changed = value + "x"
        else:  # decided_at
            changed = value.replace(year=value.year - 1)
        assert decision_digest(_Attrs(row | {name: changed})) != base, name


def test_rewritten_and_rehashed_decision_breaks_the_next_link(decided: Engine) -> None:
    _drop_triggers(decided)
    row = _row(decided, 3) | {"comment": "nothing to see"}
    forged = decision_digest(_Attrs(row))
    _sql(
        decided,
        f"UPDATE decisions SET comment = 'nothing to see', row_hash = '{forged}' WHERE id = 3",
    )
    restore_triggers(decided, actor="test")
    [problem] = integrity_check(decided)
    assert problem.startswith("decision id 4 ") and "does not follow decision id 3" in problem


def test_deleted_decision_is_found_between_its_neighbours(decided: Engine) -> None:
    _drop_triggers(decided)
    _sql(decided, "DELETE FROM decisions WHERE id = 3")
    restore_triggers(decided, actor="test")
    problems = integrity_check(decided)
    assert any(
        p.startswith("decision id 4 ") and "does not follow decision id 2" in p and "deleted" in p
        for p in problems
    ), problems


def test_deleted_newest_decisions_are_found_against_a_checkpoint(decided: Engine) -> None:
    mark = checkpoint(decided)
    _drop_triggers(decided)
    _sql(decided, "DELETE FROM decisions WHERE id = 5")
    restore_triggers(decided, actor="test")
    problems = integrity_check(decided, expect=mark)
    assert any("only 4 decisions are stored, 1 recorded ones were deleted" in p for p in problems)
    # a later decision on top does not hide it either
    flag = list_flags(decided)[5]
    record_decision(decided, flag.flag_id, "confirmed", "ann", 0)
    assert any("rewritten" in p for p in integrity_check(decided, expect=mark))


def _forge(engine: Engine, reviewer: str, chained: bool) -> None:
    flag = list_flags(engine)[6]
    row = {
        "flag_id": flag.flag_id,
        "sequence": 1,
        "decision": "dismissed",
        "reason": "other",
        "comment": "",
        "reviewer": reviewer,
        "decided_at": now_utc(),
        "previous_state": "open",
    }
    if chained:  # a forger who knows the scheme computes the hashes too
        head = checkpoint(engine).split(":")[1]
        row["prev_hash"] = head
        row["row_hash"] = decision_digest(_Attrs(row))
    with engine.begin() as conn:  # INSERT is allowed: the triggers only refuse changes
        conn.execute(insert(Decision.__table__).values(row))


def test_forged_decision_by_a_non_user(decided: Engine) -> None:
    _forge(decided, "mallory", chained=True)
    problems = integrity_check(decided)
    assert len(problems) == 1, problems
    assert problems[0].startswith("decision id 6 ")
    assert "reviewer 'mallory' is not a user: forged" in problems[0]


def test_forged_decision_without_a_hash(decided: Engine) -> None:
    _forge(decided, "ann", chained=False)
    [problem] = integrity_check(decided)
    assert problem.startswith("decision id 6 ") and "has no hash" in problem


def test_edited_flag_state_is_found(decided: Engine) -> None:
    if not _has_flag_state(decided):
        pytest.skip("this store has no flag_state table")
    flag = list_flags(decided)[1]
    _sql(decided, f"UPDATE flag_state SET status = 'dismissed' WHERE flag_id = '{flag.flag_id}'")
    [problem] = integrity_check(decided)
    assert f"flag_state for flag {flag.flag_id} shows dismissed (#1)" in problem


def _has_flag_state(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("flag_state")


def test_disabled_trigger_is_reported_on_postgresql(decided: Engine) -> None:
    if decided.dialect.name != "postgresql":
        pytest.skip("SQLite triggers cannot be disabled, only dropped")
    _sql(decided, "ALTER TABLE decisions DISABLE TRIGGER decisions_append_only")
    [problem] = integrity_check(decided)
    assert "decisions_append_only is disabled" in problem
    assert restore_triggers(decided, actor="test") == [problem]
    assert integrity_check(decided) == []


def test_existing_store_is_chained_once_by_a_recorded_migration(decided: Engine) -> None:
    """A store from before the chain: columns added, old rows hashed, migration recorded."""
    url = decided.url.render_as_string(hide_password=False)
    before = [_row(decided, i) for i in range(1, 6)]
    statements = ["DELETE FROM schema_migrations"]
    if decided.dialect.name == "sqlite":
        statements.append("DROP INDEX uq_decisions_prev_hash")
    statements += [
        "ALTER TABLE decisions DROP COLUMN prev_hash",
        "ALTER TABLE decisions DROP COLUMN row_hash",
    ]
    _sql(decided, *statements)
    decided.dispose()
    migrated = make_engine(url)
    assert integrity_check(migrated) == []
    after = [_row(migrated, i) for i in range(1, 6)]
    assert [r["row_hash"] for r in after] == [r["row_hash"] for r in before]
    [(_, _, detail)] = [m for m in migrations(migrated) if m[0] == "decision-chain-v1"]
    assert detail == f"chained 5 existing decisions; checkpoint {checkpoint(migrated)}"
    # the triggers were put back in the same transaction
    with pytest.raises(DBAPIError, match="append-only"), migrated.begin() as conn:
        conn.execute(text("UPDATE decisions SET comment = 'x'"))
    # a second start changes nothing
    migrated.dispose()
    again = make_engine(url)
    assert [m[0] for m in migrations(again)] == ["decision-chain-v1"]
    again.dispose()


def test_unchained_rows_in_a_chained_store_are_not_rehashed(decided: Engine) -> None:
    url = decided.url.render_as_string(hide_password=False)
    _forge(decided, "ann", chained=False)
    decided.dispose()
    again = make_engine(url)  # start-up: the migration is done, nothing is laundered
    assert any("has no hash" in p for p in integrity_check(again))
    again.dispose()


# --- the CLI --------------------------------------------------------------------------------


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    review_cmd.register(app)
    return app


def test_review_check_reports_rows_and_refuses_to_start(
    app: typer.Typer, decided: Engine, monkeypatch
) -> None:
    url = decided.url.render_as_string(hide_password=False)
    ok = runner.invoke(app, ["review", "--check", "--db", url])
    assert ok.exit_code == 0, ok.output
    assert f"store OK; checkpoint {checkpoint(decided)}" in ok.output
    _forge(decided, "mallory", chained=True)

    bad = runner.invoke(app, ["review", "--check", "--db", url])
    assert bad.exit_code == 1
    assert "failed its integrity check" in bad.output and "left as found" in bad.output
    assert "decision id 6 " in bad.output and "'mallory' is not a user" in bad.output

    def no_launch(*_a: object, **_k: object) -> None:
        raise AssertionError("the app must not start on a store that fails")

    monkeypatch.setattr(review_cmd.subprocess, "Popen", no_launch)
    refused = runner.invoke(app, ["review", str(RUN_A), "--db", url])
    assert refused.exit_code == 1 and "decision id 6 " in refused.output
    assert "Traceback" not in refused.output


def test_review_expect_head_and_restore_triggers(app: typer.Typer, decided: Engine) -> None:
    url = decided.url.render_as_string(hide_password=False)
    mark = checkpoint(decided)
    same = runner.invoke(app, ["review", "--check", "--expect-head", mark, "--db", url])
    assert same.exit_code == 0, same.output
    garbled = runner.invoke(app, ["review", "--check", "--expect-head", "5:abc", "--db", url])
    assert garbled.exit_code == 2 and "COUNT:SHA256" in garbled.output
    _drop_triggers(decided)
    _sql(decided, "DELETE FROM decisions WHERE id = 5")
    tail = runner.invoke(app, ["review", "--check", "--expect-head", mark, "--db", url])
    assert tail.exit_code == 1
    assert "trigger" in tail.output and "1 recorded ones were deleted" in tail.output
    fixed = runner.invoke(app, ["review", "--check", "--restore-triggers", "--db", url])
    assert fixed.output.startswith("restored: trigger")
    # the triggers are back; the deleted decision is still reported (not "repaired")
    assert fixed.exit_code == 1 and "left as found" in fixed.output
    assert "missing" not in fixed.output.split("left as found")[1]
    again = runner.invoke(app, ["review", "--check", "--restore-triggers", "--db", url])
    assert "triggers intact; nothing restored" in again.output


def test_app_refuses_a_store_that_fails(decided: Engine, monkeypatch) -> None:
    if decided.dialect.name != "sqlite":
        pytest.skip("the app code is the same on both back ends; checked once")
    from streamlit.testing.v1 import AppTest

    from .test_app import APP

    _forge(decided, "mallory", chained=True)
    monkeypatch.setenv("CAREAUDIT_DB", decided.url.render_as_string(hide_password=False))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "failed its integrity check" in at.error[0].value
    assert "decision id 6 " in at.text[0].value and "'mallory' is not a user" in at.text[0].value
    assert not at.text_input  # no sign-in form
