"""Tamper evidence for the review store: the decision hash chain and the append-only triggers.

Every decision stores ``prev_hash`` (the ``row_hash`` of the decision inserted before
it, :data:`~review_app.store.CHAIN_GENESIS` for the first) and ``row_hash`` (SHA-256
of its own content and ``prev_hash``, :func:`~review_app.store.decision_digest`).
:func:`verify` walks the chain in insertion order and names every row that was
rewritten, does not follow the row before it (a deletion), carries no hash (inserted
outside careaudit) or names a reviewer who is not a user (forged); it also checks that
the triggers refusing UPDATE and DELETE are present, unchanged and enabled, and that
the derived ``flag_state`` table and ``flags.review_status`` (which the queue reads: an
edited one would hide an open flag from review) agree with the history.

Nothing is repaired silently: a missing trigger is re-created only by
:func:`restore_triggers` (``careaudit review --restore-triggers``), which records
itself in ``schema_migrations``. The chain uses no secret, so someone who can write
the database *and* recompute every later hash can still rewrite history; a
checkpoint (``COUNT:HASH`` printed by ``careaudit review --check``) kept outside the
database detects that, and the deletion of the newest decisions.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.orm import Session

from review_app.store import (
    _PG_APPEND_ONLY,
    _SQLITE_APPEND_ONLY,
    CHAIN_GENESIS,
    Decision,
    SchemaMigration,
    User,
    as_utc,
    decision_digest,
    lock_decision_chain,
    now_utc,
    state_after,
    write_session,
)

CHAIN_MIGRATION = "decision-chain-v1"
_CHAIN_COLUMNS = ("prev_hash", "row_hash")
_PG_FUNCTION_BODY = "BEGIN RAISE EXCEPTION 'decisions are append-only'; END"
# trigger name -> what pg_get_triggerdef must say (events, level, function)
_PG_TRIGGERS: dict[str, tuple[str, ...]] = {
    "decisions_append_only": (
        "BEFORE DELETE OR UPDATE ON",
        "FOR EACH ROW",
        "careaudit_decisions_append_only()",
    ),
    "decisions_no_truncate": (
        "BEFORE TRUNCATE ON",
        "FOR EACH STATEMENT",
        "careaudit_decisions_append_only()",
    ),
}


def _squash(sql: str) -> str:
    return " ".join(sql.replace("IF NOT EXISTS ", "").split())


def _sqlite_expected() -> dict[str, str]:
    return {
        re.findall(r"TRIGGER (?:IF NOT EXISTS )?(\w+)", sql)[0]: _squash(sql)
        for sql in _SQLITE_APPEND_ONLY
    }


# --- checks -------------------------------------------------------------------------------


def trigger_problems(conn: Connection) -> list[str]:
    """Missing, altered or disabled append-only triggers on ``decisions``."""
    if conn.dialect.name == "sqlite":
        found = {
            name: _squash(sql or "")
            for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND lower(tbl_name) = 'decisions'"
            )
        }
        problems = []
        for name, sql in _sqlite_expected().items():
            if name not in found:
                problems.append(
                    f"trigger {name} is missing: the database no longer refuses "
                    f"{'UPDATE' if 'UPDATE' in sql else 'DELETE'} on decisions"
                )
            elif found[name] != sql:
                problems.append(f"trigger {name} was altered: {found[name]!r}")
        return problems
    if conn.dialect.name != "postgresql":
        return [f"cannot check triggers on {conn.dialect.name}"]
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid), p.prosrc "
        "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'decisions'::regclass AND NOT t.tgisinternal"
    ).all()
    found_pg = {name: (enabled, definition, body) for name, enabled, definition, body in rows}
    problems = []
    for name, parts in _PG_TRIGGERS.items():
        if name not in found_pg:
            problems.append(f"trigger {name} is missing: decisions are no longer append-only")
            continue
        enabled, definition, body = found_pg[name]
        if str(enabled) not in ("O", "A"):
            problems.append(f"trigger {name} is disabled (tgenabled={enabled!r})")
        if not all(part in definition for part in parts):
            problems.append(f"trigger {name} was altered: {definition!r}")
        if " ".join(str(body).split()) != _PG_FUNCTION_BODY:
            problems.append(f"trigger function of {name} was altered: {str(body).strip()!r}")
    return problems


def _label(row: Any) -> str:
    """How a problem names its row: id, flag, sequence, what, who and when."""
    at = as_utc(row.decided_at).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"decision id {row.id} (flag {row.flag_id} #{row.sequence}, "
        f"{row.decision} by {row.reviewer!r} at {at} UTC)"
    )


def chain_problems(conn: Connection, expect: str | None = None) -> tuple[list[str], str]:
    """(problems, ``COUNT:HASH`` of the chain as stored) — see the module docstring."""
    users = set(conn.scalars(select(User.username)))
    rows = conn.execute(select(Decision.__table__).order_by(Decision.id))
    problems: list[str] = []
    count, prev, prev_id, head = 0, CHAIN_GENESIS, None, CHAIN_GENESIS
    want_count, want_hash = _parse_checkpoint(expect) if expect else (None, None)
    at_checkpoint = None
    latest: dict[str, tuple[int, str]] = {}
    for row in rows:
        count += 1
        if row.row_hash is None or row.prev_hash is None:
            problems.append(f"{_label(row)}: has no hash, so it was not recorded by careaudit")
            prev = None
        else:
            if prev is not None and row.prev_hash != prev:
                after = f"decision id {prev_id}" if prev_id is not None else "the start"
                problems.append(
                    f"{_label(row)}: does not follow {after} in the chain: a decision "
                    "between them was deleted, or the chain was rewritten"
                )
            if decision_digest(row) != row.row_hash:
                problems.append(f"{_label(row)}: content does not match its hash: it was rewritten")
            prev = head = row.row_hash
        if row.reviewer not in users:
            problems.append(f"{_label(row)}: reviewer {row.reviewer!r} is not a user: forged")
        if count == want_count:
            at_checkpoint = row.row_hash
        prev_id = row.id
        if row.sequence >= latest.get(row.flag_id, (0, ""))[0]:
            latest[row.flag_id] = (row.sequence, row.decision)
    if want_count is not None:
        if count < want_count:
            problems.append(
                f"checkpoint {expect}: only {count} decisions are stored, "
                f"{want_count - count} recorded ones were deleted"
            )
        elif at_checkpoint != want_hash:
            problems.append(
                f"checkpoint {expect}: decision #{want_count} in the chain has hash "
                f"{at_checkpoint}: the history up to the checkpoint was rewritten"
            )
    problems += _flag_state_problems(conn, latest)
    return problems, f"{count}:{head}"


def _parse_checkpoint(value: str) -> tuple[int, str]:
    match = re.fullmatch(r"\s*(\d+):([0-9a-f]{64})\s*", value)
    if not match:
        raise ValueError(f"checkpoint {value!r} is not COUNT:SHA256 (as printed by --check)")
    return int(match[1]), match[2]


def _flag_state_problems(conn: Connection, latest: dict[str, tuple[int, str]]) -> list[str]:
    """The derived ``flag_state`` table (where present) must agree with the history."""
    inspector = inspect(conn)
    if not inspector.has_table("flag_state"):
        return []
    if not {"flag_id", "status", "sequence"} <= {
        c["name"] for c in inspector.get_columns("flag_state")
    }:
        return []
    problems = []
    shown = {
        f: (seq, status)
        for f, status, seq in conn.exec_driver_sql(
            "SELECT flag_id, status, sequence FROM flag_state"
        )
    }
    for flag_id in sorted(set(shown) | set(latest)):
        seq, decision = latest.get(flag_id, (0, None))
        want = (seq, state_after(decision)) if decision else None
        got = shown.get(flag_id)
        if got != want:
            problems.append(
                f"flag_state for flag {flag_id} shows {_state_text(got, 'nothing')} but its "
                f"history ends with {_state_text(want, 'no decision')}: the table was edited"
            )
    if "review_status" not in {c["name"] for c in inspector.get_columns("flags")}:
        return problems
    # only decided flags can be anything but open: read those (index), not every flag
    marked = dict(
        conn.exec_driver_sql(
            "SELECT flag_id, review_status FROM flags WHERE review_status != 'open'"
        ).all()
    )
    decided = {f: state_after(d) for f, (_, d) in latest.items() if state_after(d) != "open"}
    for flag_id in sorted(set(marked) | set(decided)):
        if marked.get(flag_id, "open") != decided.get(flag_id, "open"):
            problems.append(
                f"flags.review_status for flag {flag_id} is {marked.get(flag_id, 'open')!r} but "
                f"its history leaves it {decided.get(flag_id, 'open')}: the column was edited "
                "(the queue reads it)"
            )
    return problems


def _state_text(value: tuple[int, str] | None, empty: str) -> str:
    return f"{value[1]} (#{value[0]})" if value else empty


def verify(engine: Engine, expect: str | None = None) -> list[str]:
    """Tamper problems in the store (empty list = none found); see the module docstring."""
    with engine.connect() as conn:
        problems, _ = chain_problems(conn, expect)
        return trigger_problems(conn) + problems


def checkpoint(engine: Engine) -> str:
    """``COUNT:HASH`` of the chain now: keep it outside the store, pass it to ``--expect-head``."""
    with engine.connect() as conn:
        return chain_problems(conn)[1]


# --- changes, never silent ------------------------------------------------------------------


def _recreate_triggers(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        for name in _sqlite_expected():
            session.connection().exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        statements = _SQLITE_APPEND_ONLY
    else:
        statements = [
            *_PG_APPEND_ONLY,
            *(f"ALTER TABLE decisions ENABLE TRIGGER {name}" for name in _PG_TRIGGERS),
        ]
    for sql in statements:
        session.connection().exec_driver_sql(sql)


def _drop_triggers(session: Session) -> None:
    names = _sqlite_expected() if session.get_bind().dialect.name == "sqlite" else _PG_TRIGGERS
    for name in names:
        suffix = "" if session.get_bind().dialect.name == "sqlite" else " ON decisions"
        session.connection().exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{suffix}")


def restore_triggers(engine: Engine, actor: str) -> list[str]:
    """Re-create missing or altered append-only triggers; returns what was wrong.

    Recorded in ``schema_migrations`` with who did it and what was found, so a
    restored store never looks as if nothing had happened.
    """
    with write_session(engine) as s, s.begin():
        lock_decision_chain(s)
        problems = trigger_problems(s.connection())
        if problems:
            _recreate_triggers(s)
            at = now_utc()
            s.add(
                SchemaMigration(
                    name=f"restore-triggers {at:%Y-%m-%dT%H:%M:%S.%fZ}",
                    applied_at=at,
                    detail=f"by {actor}; found: " + "; ".join(problems),
                )
            )
    return problems


def migrate(engine: Engine) -> None:
    """Chain the decisions of a store made before the chain existed (once, recorded).

    Skipped (left to :func:`verify` to report) when the append-only triggers are not
    intact or some rows already carry hashes: a store in that state is not
    re-hashed, which would launder whatever was done to it.
    """
    with write_session(engine) as s, s.begin():
        lock_decision_chain(s)
        conn = s.connection()
        columns = {c["name"] for c in inspect(conn).get_columns("decisions")}
        for name in _CHAIN_COLUMNS:
            if name not in columns:
                conn.exec_driver_sql(f"ALTER TABLE decisions ADD COLUMN {name} VARCHAR(64)")
        conn.exec_driver_sql(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_decisions_prev_hash ON decisions (prev_hash)"
        )
        if s.get(SchemaMigration, CHAIN_MIGRATION) is not None or trigger_problems(conn):
            return
        if s.scalar(select(Decision.id).where(Decision.row_hash.is_not(None)).limit(1)):
            return
        rows = conn.execute(select(Decision.__table__).order_by(Decision.id)).all()
        prev = CHAIN_GENESIS
        if rows:
            _drop_triggers(s)
            table = Decision.__table__
            for row in rows:
                values = {**row._mapping, "prev_hash": prev}
                digest = decision_digest(_Row(values))
                conn.execute(
                    table.update()
                    .where(table.c.id == row.id)
                    .values(prev_hash=prev, row_hash=digest)
                )
                prev = digest
            _recreate_triggers(s)
        s.add(
            SchemaMigration(
                name=CHAIN_MIGRATION,
                applied_at=now_utc(),
                detail=f"chained {len(rows)} existing decisions; checkpoint {len(rows)}:{prev}",
            )
        )


class _Row:
    """Attribute access over a mapping (for :func:`decision_digest`)."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def migrations(engine: Engine) -> list[tuple[str, datetime, str]]:
    """(name, applied_at, detail) of every recorded migration, oldest first."""
    with Session(engine) as s:
        rows = s.scalars(select(SchemaMigration).order_by(SchemaMigration.applied_at))
        return [(m.name, as_utc(m.applied_at), m.detail) for m in rows]
