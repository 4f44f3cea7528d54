"""The review store: runs, notes, flags, users and the append-only decision history.

One SQLAlchemy 2 model serves SQLite (default, WAL mode) and PostgreSQL
(``postgresql+psycopg://``). Decisions are never updated or deleted (ORM
guard plus database triggers); a flag's current state is its latest decision.
Optimistic concurrency: a decision names the sequence number its author saw
and is stored as ``sequence + 1``; the unique constraint on
``(flag_id, sequence)`` makes a second decision on the same version fail,
on both back ends, even when the pre-check races.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.schema import CreateIndex

from nlp.schema import Flag

DECISIONS: tuple[str, ...] = ("confirmed", "dismissed", "reopened")
STATUSES: tuple[str, ...] = ("open", "confirmed", "dismissed")
DISMISS_REASONS: tuple[str, ...] = (
    "authorised elsewhere",
    "not doing-for in context",
    "wrong person",
    "not a restriction",
    "rationale given elsewhere",
    "other",
    "not a decision or intervention",
    "element present in the plan",
)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Run(Base):
    __tablename__ = "runs"
    run_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(64), default="")
    input: Mapped[str] = mapped_column(Text, default="")
    model: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(Text, default="")
    n_notes: Mapped[int] = mapped_column(Integer, default=0)
    n_flags: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoteRow(Base):
    """One version of a note: keyed on id and text, so an edited note is a new row."""

    __tablename__ = "notes"
    note_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    note_id: Mapped[str] = mapped_column(String(200), index=True)
    person_id: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[str] = mapped_column(String(10), default="")
    service: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    note_type: Mapped[str] = mapped_column(String(40), default="daily_note")
    text: Mapped[str] = mapped_column(Text)
    # key of the newer version of this note when a later import brought edited text
    superseded_by: Mapped[str] = mapped_column(String(40), default="")


# How each field of ``nlp.schema.Flag`` (the one list of a flag's fields) is stored: SQL
# type and index. A field not named here is stored by its Python type (str -> TEXT).
_FLAG_STORAGE: dict[str, dict[str, Any]] = {
    "flag_id": {"type_": String(64), "primary_key": True},
    "note_id": {"type_": String(200), "index": True},
    "person_id": {"type_": String(200), "index": True},
    "service": {"type_": String(200), "index": True},
    "author": {"type_": String(200), "index": True},
    "date": {"type_": String(10), "index": True},
    "note_type": {"type_": String(40)},
    "category": {"type_": String(40), "index": True},
    "restriction_type": {"type_": String(40)},
    "source": {"type_": String(200)},
    "register_status": {"type_": String(40)},
    "element": {"type_": String(40)},
    "model_version": {"type_": String(64)},
}
_SQL_OF_PYTHON: dict[str, Any] = {"str": Text, "int": Integer, "float": Float}


def flag_columns() -> dict[str, Any]:
    """``mapped_column`` per field of :class:`nlp.schema.Flag`, in the schema's order."""
    columns: dict[str, Any] = {}
    for f in fields(Flag):
        opts = dict(_FLAG_STORAGE.get(f.name, {}))
        type_ = opts.pop("type_", None) or _SQL_OF_PYTHON[str(f.type)]()
        if f.default is not MISSING:
            opts["default"] = f.default
        columns[f.name] = mapped_column(type_, nullable=False, **opts)
    return columns


class _FlagLinks:
    """The flags table's columns that are not flag fields: note version, runs, the
    threshold of the model head behind the score, and the review state (derived)."""

    note_key: Mapped[str] = mapped_column(ForeignKey("notes.note_key"), index=True)
    first_run_id: Mapped[str] = mapped_column(String(200), default="")
    last_run_id: Mapped[str] = mapped_column(String(200), default="")
    # the decision threshold of the model head whose probability is the flag's score
    # (review_app.importer.flag_threshold): "most informative" ranks by |score - threshold|
    threshold: Mapped[float] = mapped_column(Float, default=0.5, server_default="0.5")
    # the state of the flag's latest decision ('open' if none): kept by a trigger on
    # decisions (like flag_state), so the queue walks an index of open flags in order
    review_status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")


# One row per flag: the columns are generated from nlp.schema.Flag, so a field added there
# is a column here (``add_missing_columns`` adds it to stores made before).
FlagRow: Any = type(
    "FlagRow",
    (_FlagLinks, Base),
    {"__tablename__": "flags", "__doc__": "One flag (see nlp.schema.Flag).", **flag_columns()},
)


class RunFlag(Base):
    """Which runs reported which flag (a re-audit reports the same flag again)."""

    __tablename__ = "run_flags"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id"), primary_key=True)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.flag_id"), primary_key=True)


class Decision(Base):
    """One reviewer action on a flag. Rows are only ever inserted."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("flag_id", "sequence", name="uq_decisions_flag_sequence"),
        CheckConstraint("sequence >= 1", name="ck_decisions_sequence"),
        CheckConstraint(
            "decision IN ('confirmed', 'dismissed', 'reopened')", name="ck_decisions_decision"
        ),
        # one successor per chain link: two writers can never fork the chain
        Index("uq_decisions_prev_hash", "prev_hash", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.flag_id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    previous_state: Mapped[str] = mapped_column(String(20))
    # tamper evidence (review_app.integrity): SHA-256 of the previous decision's row_hash
    # (CHAIN_GENESIS for the first) and of this row's content + prev_hash
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the model that produced the flag as the reviewer saw it (copied from the flag)
    model_version: Mapped[str] = mapped_column(String(64), default="")


class AuthEvent(Base):
    """One sign-in event (failure, success, locked, unlocked, refused); rows only inserted.

    Back-off and lockout are computed from these rows (review_app.auth), so the log
    and the state cannot disagree.
    """

    __tablename__ = "auth_events"
    __table_args__ = (
        Index("ix_auth_events_user", "username", "id"),
        Index("ix_auth_events_address", "address", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(64), default="")
    event: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200), default="")


class SchemaMigration(Base):
    """A one-off change to an existing store (e.g. chaining old decisions), recorded once."""

    __tablename__ = "schema_migrations"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str] = mapped_column(Text, default="")


CHAIN_GENESIS = "0" * 64
_CHAIN_LOCK = 0x6361726561  # PostgreSQL advisory lock serialising decision inserts


def _chain_time(value: datetime) -> str:
    """UTC, microseconds: SQLite hands back naive UTC, PostgreSQL the session's zone."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def decision_digest(d: object) -> str:
    """SHA-256 of a decision's content and ``prev_hash`` (a Decision or a result row).

    Each field is length-prefixed, so no choice of text can make two different
    decisions encode the same.
    """
    parts = (
        "careaudit-decision-v1",
        getattr(d, "prev_hash", None) or "",
        d.flag_id,  # type: ignore[attr-defined]
        str(int(d.sequence)),  # type: ignore[attr-defined]
        d.decision,  # type: ignore[attr-defined]
        getattr(d, "reason", None) or "",
        getattr(d, "comment", None) or "",
        d.reviewer,  # type: ignore[attr-defined]
        _chain_time(d.decided_at),  # type: ignore[attr-defined]
        d.previous_state,  # type: ignore[attr-defined]
        getattr(d, "model_version", None) or "",
    )
    payload = "".join(f"{len(part)}:{part};" for part in parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def lock_decision_chain(session: Session) -> None:
    """Serialise writers of the chain (SQLite: BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})


_SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
]
_PG_APPEND_ONLY = [
    "CREATE OR REPLACE FUNCTION careaudit_decisions_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION careaudit_decisions_append_only()",
    "CREATE OR REPLACE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION careaudit_decisions_append_only()",
]
for _sql in _SQLITE_APPEND_ONLY:
    event.listen(Decision.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in _PG_APPEND_ONLY:
    event.listen(Decision.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


@event.listens_for(Decision, "before_update")
@event.listens_for(Decision, "before_delete")
def _refuse_change(*_: object) -> None:
    raise PermissionError("decisions are append-only")


class DecisionConflict(Exception):
    """Someone else decided the flag after the version the reviewer saw."""

    def __init__(self, flag_id: str, expected: int, latest: DecisionRecord | None) -> None:
        self.flag_id, self.expected, self.latest = flag_id, expected, latest
        who = (
            f"{latest.reviewer} marked it {latest.decision} "
            f"at {latest.decided_at:%Y-%m-%d %H:%M} UTC"
            if latest
            else "its history changed"
        )
        super().__init__(
            f"Conflict on flag {flag_id}: {who} while you were reviewing it. "
            "Your decision was not saved; look at the flag again."
        )


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    flag_id: str
    sequence: int
    decision: str
    reason: str
    comment: str
    reviewer: str
    decided_at: datetime
    previous_state: str
    model_version: str = ""  # the model that produced the flag the reviewer decided on

    @property
    def state(self) -> str:
        """The flag's state after this decision."""
        return state_after(self.decision)


@dataclass(slots=True)
class FlagView(Flag):
    """A flag (every field of nlp.schema.Flag) with its note text and current review state."""

    note_key: str = ""
    text: str = ""
    status: str = "open"
    sequence: int = 0
    reviewer: str = ""
    reason: str = ""
    comment: str = ""
    decided_at: datetime | None = None
    previous_state: str = ""
    threshold: float = 0.5  # decision threshold of the model head behind ``score``


# FlagRow columns that are not FlagView fields: the runs, and review_status (a derived copy
# of ``status``, which views read from the decision itself)
NOT_VIEW_COLUMNS: tuple[str, ...] = ("first_run_id", "last_run_id", "review_status")


@dataclass(slots=True)
class FlagFilter:
    """Queue filters; empty means no restriction."""

    services: Sequence[str] = ()
    persons: Sequence[str] = ()
    authors: Sequence[str] = ()
    categories: Sequence[str] = ()
    restriction_types: Sequence[str] = ()
    statuses: Sequence[str] = ()
    date_from: date | str | None = None
    date_to: date | str | None = None
    min_score: float | None = None
    max_score: float | None = None
    flag_ids: Sequence[str] = field(default_factory=tuple)
    include_superseded: bool = False


def state_after(decision: str | None) -> str:
    return "open" if decision in (None, "reopened") else str(decision)


def note_key(note_id: str, text: str) -> str:
    """Key of one version of a note (id + exact text)."""
    return hashlib.sha256(f"{note_id}\x1f{text}".encode()).hexdigest()[:32]


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- engine -------------------------------------------------------------------------------


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url`` with the schema created (idempotent).

    SQLite gets WAL journaling, ``synchronous=FULL``, foreign keys, a busy
    timeout, and explicit ``BEGIN`` so that writers can take the write lock up
    front (``BEGIN IMMEDIATE``) instead of failing on a stale snapshot.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if create:
        Base.metadata.create_all(engine)
        add_missing_columns(engine)
        ensure_review_schema(engine)
        from review_app.integrity import migrate

        migrate(engine)
    return engine


# Columns added after the first release: (table, column, SQL type and default). Stores
# made before get them on first use; rows already there read as "" (model unknown).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("flags", "model_version", "VARCHAR(64) NOT NULL DEFAULT ''"),
    ("decisions", "model_version", "VARCHAR(64) NOT NULL DEFAULT ''"),
    ("flags", "threshold", "FLOAT NOT NULL DEFAULT 0.5"),
    ("flags", "review_status", "VARCHAR(20) NOT NULL DEFAULT 'open'"),
)


def add_missing_columns(engine: Engine) -> None:
    """Add :data:`ADDED_COLUMNS` to a store made by an older version (idempotent)."""
    with _writer(engine).begin() as conn:
        have = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t, _, _ in ADDED_COLUMNS}
        for table, column, ddl in ADDED_COLUMNS:
            if column in have[table]:
                continue
            guard = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {guard}{column} {ddl}")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def _writer(engine: Engine) -> Engine:
    """The same engine, taking SQLite's write lock at BEGIN (no-op on PostgreSQL)."""
    return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")


def write_session(engine: Engine) -> Session:
    return Session(_writer(engine), expire_on_commit=False)


def integrity_check(
    engine: Engine, expect: str | None = None, *, physical: bool = True
) -> list[str]:
    """Problems found in the store (empty list = consistent).

    SQLite's own ``integrity_check`` and ``foreign_key_check`` (skipped with
    ``physical=False``: they read the whole file), plus our invariants: every
    flag's decisions are numbered 1..n without gaps, and each decision's
    ``previous_state`` is the state the one before it left; then the tamper checks
    of :func:`review_app.integrity.verify` (hash chain, reviewers, append-only
    triggers; ``expect`` is a ``COUNT:HASH`` checkpoint).
    """
    from review_app.integrity import verify

    return _consistency_problems(engine, physical) + verify(engine, expect)


def _consistency_problems(engine: Engine, physical: bool = True) -> list[str]:
    problems: list[str] = []
    with engine.connect() as conn:
        if physical and engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if rows != ["ok"]:
                problems += [f"sqlite integrity_check: {r}" for r in rows]
            problems += [
                f"foreign key: {tuple(r)}" for r in conn.exec_driver_sql("PRAGMA foreign_key_check")
            ]
        rows = conn.execute(
            select(
                Decision.flag_id, Decision.sequence, Decision.decision, Decision.previous_state
            ).order_by(Decision.flag_id, Decision.sequence)
        ).all()
    expected_seq: dict[str, int] = {}
    state: dict[str, str] = {}
    for flag_id, seq, decision, previous in rows:
        want = expected_seq.get(flag_id, 0) + 1
        if seq != want:
            problems.append(f"flag {flag_id}: decision sequence {seq}, expected {want}")
        if previous != state.get(flag_id, "open"):
            problems.append(f"flag {flag_id} #{seq}: previous_state {previous!r} is wrong")
        expected_seq[flag_id] = seq
        state[flag_id] = state_after(decision)
    return problems


# --- decisions ----------------------------------------------------------------------------


def _record(d: Decision) -> DecisionRecord:
    return DecisionRecord(
        flag_id=d.flag_id,
        sequence=d.sequence,
        decision=d.decision,
        reason=d.reason or "",
        comment=d.comment or "",
        reviewer=d.reviewer,
        decided_at=as_utc(d.decided_at),
        previous_state=d.previous_state,
        model_version=d.model_version or "",
    )


def _latest(session: Session, flag_id: str) -> Decision | None:
    return session.scalars(
        select(Decision)
        .where(Decision.flag_id == flag_id)
        .order_by(Decision.sequence.desc())
        .limit(1)
    ).first()


def latest_decision(engine: Engine, flag_id: str) -> DecisionRecord | None:
    with Session(engine) as s:
        d = _latest(s, flag_id)
        return _record(d) if d else None


def record_decision(
    engine: Engine,
    flag_id: str,
    decision: str,
    reviewer: str,
    expected_sequence: int,
    reason: str = "",
    comment: str = "",
) -> DecisionRecord:
    """Append a decision on top of the version ``expected_sequence`` the reviewer saw.

    Raises :class:`DecisionConflict` if the flag has a newer decision (checked
    first, and enforced by the ``(flag_id, sequence)`` unique constraint),
    ``KeyError`` for an unknown flag and ``ValueError`` for a bad decision.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    if decision == "dismissed" and reason not in DISMISS_REASONS:
        raise ValueError(f"a dismissal needs a reason from {DISMISS_REASONS}")
    if decision != "dismissed":
        reason = ""
    if not reviewer:
        raise ValueError("a decision needs a reviewer")
    try:
        with write_session(engine) as s, s.begin():
            flag = s.get(FlagRow, flag_id)
            if flag is None:
                raise KeyError(f"no flag {flag_id!r} in the store")
            latest = _latest(s, flag_id)
            latest_seq = latest.sequence if latest else 0
            if latest_seq != expected_sequence:
                raise DecisionConflict(
                    flag_id, expected_sequence, _record(latest) if latest else None
                )
            previous = state_after(latest.decision if latest else None)
            if decision == "reopened" and previous == "open":
                raise ValueError("the flag is already open")
            lock_decision_chain(s)
            head = s.scalars(select(Decision.row_hash).order_by(Decision.id.desc()).limit(1))
            row = Decision(
                flag_id=flag_id,
                sequence=expected_sequence + 1,
                decision=decision,
                reason=reason,
                comment=comment.strip(),
                reviewer=reviewer,
                decided_at=now_utc(),
                previous_state=previous,
                prev_hash=head.first() or CHAIN_GENESIS,
                model_version=flag.model_version or "",
            )
            row.row_hash = decision_digest(row)
            s.add(row)
        return _record(row)
    except IntegrityError as exc:
        newer = latest_decision(engine, flag_id)
        if newer is not None and newer.sequence > expected_sequence:
            raise DecisionConflict(flag_id, expected_sequence, newer) from exc
        raise


def decision_history(engine: Engine, flag_id: str) -> list[DecisionRecord]:
    with Session(engine) as s:
        rows = s.scalars(
            select(Decision).where(Decision.flag_id == flag_id).order_by(Decision.sequence)
        )
        return [_record(d) for d in rows]


def all_decisions(engine: Engine) -> list[DecisionRecord]:
    with Session(engine) as s:
        rows = s.scalars(select(Decision).order_by(Decision.flag_id, Decision.sequence))
        return [_record(d) for d in rows]


# --- flags --------------------------------------------------------------------------------


def _latest_subquery():  # type: ignore[no-untyped-def]
    last = (
        select(Decision.flag_id, func.max(Decision.sequence).label("seq"))
        .group_by(Decision.flag_id)
        .subquery()
    )
    return (
        select(Decision)
        .join(last, and_(Decision.flag_id == last.c.flag_id, Decision.sequence == last.c.seq))
        .subquery()
    )


def _iso(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def filtered(q: Any, flt: FlagFilter) -> Any:
    """``q`` (over flags joined to their notes) narrowed to what ``flt`` asks for."""
    for column, values in (
        (FlagRow.service, flt.services),
        (FlagRow.person_id, flt.persons),
        (FlagRow.author, flt.authors),
        (FlagRow.category, flt.categories),
        (FlagRow.restriction_type, flt.restriction_types),
        (FlagRow.flag_id, flt.flag_ids),
    ):
        if values:
            q = q.where(column.in_(list(values)))
    if (lo := _iso(flt.date_from)) is not None:
        q = q.where(FlagRow.date >= lo)
    if (hi := _iso(flt.date_to)) is not None:
        q = q.where(FlagRow.date <= hi)
    if not flt.include_superseded and not flt.flag_ids:
        q = q.where(NoteRow.superseded_by == "")
    if flt.min_score is not None:
        q = q.where(FlagRow.score >= flt.min_score)
    if flt.max_score is not None:
        q = q.where(FlagRow.score <= flt.max_score)
    return q


def list_flags(engine: Engine, flt: FlagFilter | None = None) -> list[FlagView]:
    """Flags matching ``flt`` with note text and current state, best score first."""
    flt = flt or FlagFilter()
    cur = _latest_subquery()
    q = (
        select(FlagRow, NoteRow.text, cur)
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
        .outerjoin(cur, cur.c.flag_id == FlagRow.flag_id)
    )
    q = filtered(q, flt)
    q = q.order_by(FlagRow.score.desc(), FlagRow.date, FlagRow.note_id, FlagRow.start)
    views: list[FlagView] = []
    with Session(engine) as s:
        for row in s.execute(q):
            flag: FlagRow = row[0]
            decision = row.decision
            view = FlagView(
                **{k: getattr(flag, k) for k in _FLAG_FIELDS},
                text=row.text,
                status=state_after(decision),
                sequence=row.sequence or 0,
                reviewer=row.reviewer or "",
                reason=row.reason or "",
                comment=row.comment or "",
                decided_at=as_utc(row.decided_at) if row.decided_at else None,
                previous_state=row.previous_state or "",
            )
            if not flt.statuses or view.status in flt.statuses:
                views.append(view)
    return views


_FLAG_FIELDS = tuple(c.key for c in FlagRow.__table__.columns if c.key not in NOT_VIEW_COLUMNS)


def get_flag(engine: Engine, flag_id: str) -> FlagView | None:
    found = list_flags(engine, FlagFilter(flag_ids=[flag_id]))
    return found[0] if found else None


def note_flags(engine: Engine, note_keys: Sequence[str]) -> list[FlagView]:
    """All flags on the given note versions (to highlight them together)."""
    with Session(engine) as s:
        ids = list(s.scalars(select(FlagRow.flag_id).where(FlagRow.note_key.in_(list(note_keys)))))
    return list_flags(engine, FlagFilter(flag_ids=ids)) if ids else []


def progress(flags: Iterable[FlagView]) -> tuple[int, int]:
    """(reviewed, total) of the given flags."""
    items = list(flags)
    return sum(f.status != "open" for f in items), len(items)


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """Distinct values for the filter widgets."""
    out: dict[str, list[str]] = {}
    with Session(engine) as s:
        for name, column in (
            ("services", FlagRow.service),
            ("persons", FlagRow.person_id),
            ("authors", FlagRow.author),
            ("categories", FlagRow.category),
            ("restriction_types", FlagRow.restriction_type),
        ):
            values = s.scalars(select(column).distinct().order_by(column))
            out[name] = [v for v in values if v]
        lo, hi = s.execute(select(func.min(FlagRow.date), func.max(FlagRow.date))).one()
    out["date_range"] = [lo or "", hi or ""]
    return out


def list_runs(engine: Engine) -> list[Run]:
    with Session(engine, expire_on_commit=False) as s:
        return list(s.scalars(select(Run).order_by(Run.imported_at.desc())))


def note_authors(engine: Engine) -> list[tuple[str, str]]:
    """Every (author, service) pair of the stored notes, sorted: who writes in which service."""
    with Session(engine) as s:
        rows = s.execute(
            select(NoteRow.author, NoteRow.service)
            .where(NoteRow.author != "")
            .distinct()
            .order_by(NoteRow.author, NoteRow.service)
        )
        return [(author, service) for author, service in rows]


def count_rows(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Run, NoteRow, FlagRow, Decision, User)
        }


# --- review speed, second opinions, adjudication, settings (additive) ---------------------
#
# ``flag_state`` caches each decided flag's latest decision so that the queue and the
# dashboard never aggregate the whole decision history. Database triggers keep it in step
# with every INSERT into ``decisions`` (whichever code path inserts), in the same
# transaction; ``decisions`` itself stays append-only. Second opinions and adjudication
# markers are append-only tables of their own.

SECOND_OPINION_DECISIONS: tuple[str, ...] = ("confirmed", "dismissed")


class FlagState(Base):
    """The latest decision of each decided flag (derived; maintained by triggers)."""

    __tablename__ = "flag_state"
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.flag_id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Assignment(Base):
    """A flag routed to a reviewer for a blind second opinion (rows only inserted)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("flag_id", "reviewer", name="uq_assignments_flag_reviewer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.flag_id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(120), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecondOpinion(Base):
    """A blind second reviewer's decision on a flag (append-only).

    ``first_sequence`` is the decision of the flag the opinion is compared with (the
    state the flag was in when the second reviewer decided; never shown to them).
    """

    __tablename__ = "second_opinions"
    __table_args__ = (
        UniqueConstraint("flag_id", "reviewer", name="uq_second_opinions_flag_reviewer"),
        CheckConstraint(
            "decision IN ('confirmed', 'dismissed')", name="ck_second_opinions_decision"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.flag_id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(120))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    first_sequence: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Adjudication(Base):
    """Marks a decision in ``decisions`` as a lead's settlement of a disagreement."""

    __tablename__ = "adjudications"
    __table_args__ = (
        UniqueConstraint("flag_id", "decision_sequence", name="uq_adjudications_flag_sequence"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.flag_id"), index=True)
    decision_sequence: Mapped[int] = mapped_column(Integer)
    adjudicator: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Setting(Base):
    """Review settings an admin can change (shortcut keys, second-opinion share)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Queue order: best score first, or most informative first: the score nearest the decision
# threshold of the model head that produced it (|p - t| smallest; each category has its
# own threshold, stored on the flag). The same expression is in the index and in queries,
# so both back ends walk the index. The open queue walks (review_status, order) indexes,
# so it never steps over decided flags: a decision costs the same with 30 or 30,000
# decided flags.
MARGIN = func.abs(FlagRow.score - FlagRow.threshold)
REVIEW_INDEXES: tuple[Index, ...] = (
    Index("ix_flags_score_id", FlagRow.score, FlagRow.flag_id),
    Index("ix_flags_margin", MARGIN, FlagRow.flag_id),
    Index("ix_flags_status_score", FlagRow.review_status, FlagRow.score, FlagRow.flag_id),
    Index("ix_flags_status_margin", FlagRow.review_status, MARGIN, FlagRow.flag_id),
    Index("ix_flags_sentence", FlagRow.note_key, FlagRow.sentence_start, FlagRow.sentence_end),
    Index("ix_flags_author_date", FlagRow.author, FlagRow.date),
    Index("ix_notes_author_date", NoteRow.author, NoteRow.date),
    Index("ix_decisions_reviewer", Decision.reviewer, Decision.decided_at),
)

for _model in (SecondOpinion, Adjudication):
    _table = _model.__tablename__
    event.listen(
        _model.__table__,
        "after_create",
        DDL(
            f"CREATE TRIGGER IF NOT EXISTS {_table}_no_update BEFORE UPDATE ON {_table} "
            f"BEGIN SELECT RAISE(ABORT, '{_table} are append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
    event.listen(
        _model.__table__,
        "after_create",
        DDL(
            f"CREATE TRIGGER IF NOT EXISTS {_table}_no_delete BEFORE DELETE ON {_table} "
            f"BEGIN SELECT RAISE(ABORT, '{_table} are append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
    for _sql in (
        "CREATE OR REPLACE FUNCTION careaudit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql",
        f"CREATE OR REPLACE TRIGGER {_table}_append_only BEFORE UPDATE OR DELETE ON {_table} "
        "FOR EACH ROW EXECUTE FUNCTION careaudit_append_only()",
        f"CREATE OR REPLACE TRIGGER {_table}_no_truncate BEFORE TRUNCATE ON {_table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION careaudit_append_only()",
    ):
        event.listen(_model.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


@event.listens_for(SecondOpinion, "before_update")
@event.listens_for(SecondOpinion, "before_delete")
@event.listens_for(Adjudication, "before_update")
@event.listens_for(Adjudication, "before_delete")
def _refuse_opinion_change(*_: object) -> None:
    raise PermissionError("second opinions and adjudications are append-only")


_STATE_OF_NEW = "CASE NEW.decision WHEN 'reopened' THEN 'open' ELSE NEW.decision END"
_SQLITE_FLAG_STATE = (
    "CREATE TRIGGER IF NOT EXISTS decisions_flag_state AFTER INSERT ON decisions BEGIN "
    "INSERT INTO flag_state (flag_id, status, sequence, reviewer, decided_at) VALUES "
    f"(NEW.flag_id, {_STATE_OF_NEW}, NEW.sequence, NEW.reviewer, NEW.decided_at) "
    "ON CONFLICT(flag_id) DO UPDATE SET status = excluded.status, "
    "sequence = excluded.sequence, reviewer = excluded.reviewer, "
    "decided_at = excluded.decided_at WHERE excluded.sequence > flag_state.sequence; END"
)
_PG_FLAG_STATE = (
    "CREATE OR REPLACE FUNCTION careaudit_flag_state() RETURNS trigger AS $$ BEGIN "
    "INSERT INTO flag_state (flag_id, status, sequence, reviewer, decided_at) VALUES "
    f"(NEW.flag_id, {_STATE_OF_NEW}, NEW.sequence, NEW.reviewer, NEW.decided_at) "
    "ON CONFLICT (flag_id) DO UPDATE SET status = EXCLUDED.status, "
    "sequence = EXCLUDED.sequence, reviewer = EXCLUDED.reviewer, "
    "decided_at = EXCLUDED.decided_at WHERE flag_state.sequence < EXCLUDED.sequence; "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE TRIGGER decisions_flag_state AFTER INSERT ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION careaudit_flag_state()",
)
# flags.review_status: the state of the flag's latest decision (the queue's index walks it)
_NEW_STATE = "CASE NEW.decision WHEN 'reopened' THEN 'open' ELSE NEW.decision END"
_IS_LATEST = (
    "NEW.sequence >= (SELECT max(d.sequence) FROM decisions d WHERE d.flag_id = NEW.flag_id)"
)
_SQLITE_REVIEW_STATUS = (
    "CREATE TRIGGER IF NOT EXISTS decisions_review_status AFTER INSERT ON decisions BEGIN "
    f"UPDATE flags SET review_status = {_NEW_STATE} "
    f"WHERE flag_id = NEW.flag_id AND {_IS_LATEST}; END"
)
_PG_REVIEW_STATUS = (
    "CREATE OR REPLACE FUNCTION careaudit_review_status() RETURNS trigger AS $$ BEGIN "
    f"UPDATE flags SET review_status = {_NEW_STATE} "
    f"WHERE flag_id = NEW.flag_id AND {_IS_LATEST}; "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE TRIGGER decisions_review_status AFTER INSERT ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION careaudit_review_status()",
)
_BACKFILL_REVIEW_STATUS = (
    "UPDATE flags SET review_status = coalesce((SELECT s.status FROM flag_state s "
    "WHERE s.flag_id = flags.flag_id), 'open')"
)
# indexes of earlier versions that newer ones replace
DROPPED_INDEXES: tuple[str, ...] = ("ix_flags_uncertainty",)

_BACKFILL_FLAG_STATE = (
    "INSERT INTO flag_state (flag_id, status, sequence, reviewer, decided_at) "
    "SELECT d.flag_id, CASE d.decision WHEN 'reopened' THEN 'open' ELSE d.decision END, "
    "d.sequence, d.reviewer, d.decided_at FROM decisions d "
    "JOIN (SELECT flag_id, max(sequence) AS seq FROM decisions GROUP BY flag_id) last "
    "ON last.flag_id = d.flag_id AND last.seq = d.sequence "
    "WHERE d.flag_id NOT IN (SELECT flag_id FROM flag_state)"
)


def _install_trigger(
    conn: Any, name: str, sqlite_sql: str, pg_sql: tuple[str, ...], backfill: str
) -> None:
    """Create trigger ``name`` (SQLite or PostgreSQL form) once, then backfill its column."""
    if conn.engine.dialect.name == "sqlite":
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).first()
        statements: tuple[str, ...] = (sqlite_sql,)
    else:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_trigger WHERE tgname = %(name)s", {"name": name}
        ).first()
        statements = pg_sql
    if not exists:
        for sql in statements:
            conn.exec_driver_sql(sql)
        conn.exec_driver_sql(backfill)


def ensure_review_schema(engine: Engine) -> None:
    """Indexes and the ``flag_state`` and ``review_status`` triggers on an older store.

    Idempotent and cheap once done. The first time, ``flag_state`` is filled from the
    decision history (and ``flags.review_status`` from ``flag_state``) in the same
    transaction that creates the trigger.
    """
    with _writer(engine).begin() as conn:
        if engine.dialect.name == "postgresql":  # one process at a time sets this up
            conn.exec_driver_sql("LOCK TABLE decisions IN SHARE ROW EXCLUSIVE MODE")
        _install_trigger(
            conn, "decisions_flag_state", _SQLITE_FLAG_STATE, _PG_FLAG_STATE, _BACKFILL_FLAG_STATE
        )
        _install_trigger(
            conn,
            "decisions_review_status",
            _SQLITE_REVIEW_STATUS,
            _PG_REVIEW_STATUS,
            _BACKFILL_REVIEW_STATUS,
        )
        for name in DROPPED_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        for index in REVIEW_INDEXES:
            conn.execute(CreateIndex(index, if_not_exists=True))


def store_stamp(engine: Engine) -> tuple[str, str]:
    """(imports, decisions): two short strings that change when flags or decisions change.

    Cheap (runs table and primary-key maxima only): cached queries key on them, so
    a new import or a new decision invalidates exactly what depends on it.
    """
    with engine.connect() as conn:
        runs = conn.execute(select(func.count(), func.max(Run.imported_at))).one()
        marks = [
            conn.execute(select(func.max(col))).scalar() or 0
            for col in (Decision.id, SecondOpinion.id, Adjudication.id, Assignment.id)
        ]
        setting = conn.execute(select(func.max(Setting.updated_at))).scalar()
    return f"{runs[0]}:{runs[1]}", ":".join(map(str, [*marks, setting]))


# --- reviewer marks: missed flags and notes marked reviewed (append-only) -----------------
#
# A reviewer can mark a span the model missed ("missed": a positive label for that category
# on every sentence the span overlaps) and mark a whole note version reviewed (every
# sentence without a decided flag or a missed mark is then a known negative). Marks are
# never changed: a mistake is taken back by a "retracted" mark naming the one it withdraws.
# Kept apart from ``decisions`` (whose rows are per flag, hash-chained and CHECK-limited
# to confirmed / dismissed / reopened) so older stores need no table rebuild.

MARK_KINDS: tuple[str, ...] = ("missed", "note_reviewed", "retracted")
MISSABLE: tuple[str, ...] = ("doing_for", "unrecorded_restriction", "missing_rationale")


class ReviewMark(Base):
    """One reviewer mark on a note version (rows only inserted)."""

    __tablename__ = "review_marks"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('missed', 'note_reviewed', 'retracted')", name="ck_review_marks_kind"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    note_key: Mapped[str] = mapped_column(ForeignKey("notes.note_key"), index=True)
    category: Mapped[str] = mapped_column(String(40), default="")
    start: Mapped[int] = mapped_column(Integer, default=0)
    end: Mapped[int] = mapped_column(Integer, default=0)
    restriction_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reviewer: Mapped[str] = mapped_column(String(120))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    model_version: Mapped[str] = mapped_column(String(64), default="")
    comment: Mapped[str] = mapped_column(Text, default="")


for _sql in (
    "CREATE TRIGGER IF NOT EXISTS review_marks_no_update BEFORE UPDATE ON review_marks "
    "BEGIN SELECT RAISE(ABORT, 'review_marks are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS review_marks_no_delete BEFORE DELETE ON review_marks "
    "BEGIN SELECT RAISE(ABORT, 'review_marks are append-only'); END",
):
    event.listen(ReviewMark.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in (
    "CREATE OR REPLACE FUNCTION careaudit_marks_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'review_marks are append-only'; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE TRIGGER review_marks_append_only BEFORE UPDATE OR DELETE ON "
    "review_marks FOR EACH ROW EXECUTE FUNCTION careaudit_marks_append_only()",
    "CREATE OR REPLACE TRIGGER review_marks_no_truncate BEFORE TRUNCATE ON review_marks "
    "FOR EACH STATEMENT EXECUTE FUNCTION careaudit_marks_append_only()",
):
    event.listen(ReviewMark.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


@event.listens_for(ReviewMark, "before_update")
@event.listens_for(ReviewMark, "before_delete")
def _refuse_mark_change(*_: object) -> None:
    raise PermissionError("review marks are append-only")


@dataclass(frozen=True, slots=True)
class MarkRecord:
    id: int
    kind: str
    note_key: str
    category: str
    start: int
    end: int
    restriction_type: str
    target_id: int | None
    reviewer: str
    marked_at: datetime
    model_version: str
    comment: str


def _mark_record(m: ReviewMark) -> MarkRecord:
    return MarkRecord(
        id=m.id,
        kind=m.kind,
        note_key=m.note_key,
        category=m.category or "",
        start=m.start or 0,
        end=m.end or 0,
        restriction_type=m.restriction_type or "",
        target_id=m.target_id,
        reviewer=m.reviewer,
        marked_at=as_utc(m.marked_at),
        model_version=m.model_version or "",
        comment=m.comment or "",
    )


def record_mark(
    engine: Engine,
    kind: str,
    note_key: str,
    reviewer: str,
    *,
    category: str = "",
    start: int = 0,
    end: int = 0,
    restriction_type: str = "",
    target_id: int | None = None,
    comment: str = "",
) -> MarkRecord:
    """Append a mark. ``missed``: a span and a category (a restriction needs its type);
    ``note_reviewed``: refused while a flag of a category in :data:`MISSABLE` on the note
    is open; ``retracted``: ``target_id`` names an active mark on the same note.

    Raises ``KeyError`` for an unknown note or mark, ``ValueError`` for a bad mark.
    """
    from nlp.schema import RESTRICTION_TYPES

    if kind not in MARK_KINDS:
        raise ValueError(f"kind must be one of {MARK_KINDS}, not {kind!r}")
    if not reviewer:
        raise ValueError("a mark needs a reviewer")
    with write_session(engine) as s, s.begin():
        note = s.get(NoteRow, note_key)
        if note is None:
            raise KeyError(f"no note version {note_key!r} in the store")
        flags = list(s.scalars(select(FlagRow).where(FlagRow.note_key == note_key)))
        if kind == "missed":
            if category not in MISSABLE:
                raise ValueError(f"category must be one of {MISSABLE}, not {category!r}")
            if not 0 <= start < end <= len(note.text) or not note.text[start:end].strip():
                raise ValueError(f"span {start}-{end} is not text of the note")
            if category == "unrecorded_restriction" and restriction_type not in RESTRICTION_TYPES:
                raise ValueError("a missed restriction needs its restriction type")
            if category != "unrecorded_restriction":
                restriction_type = ""
        else:
            category, start, end, restriction_type = "", 0, 0, ""
        if kind == "note_reviewed":
            states = dict(
                s.execute(
                    select(FlagState.flag_id, FlagState.status).where(
                        FlagState.flag_id.in_([f.flag_id for f in flags])
                    )
                ).all()
            )
            still_open = [
                f
                for f in flags
                if f.category in MISSABLE and states.get(f.flag_id, "open") == "open"
            ]
            if still_open:
                raise ValueError(
                    f"decide the {len(still_open)} open flag(s) on this note before marking "
                    "it reviewed"
                )
        if kind == "retracted":
            target = s.get(ReviewMark, target_id) if target_id is not None else None
            if target is None or target.note_key != note_key or target.kind == "retracted":
                raise KeyError(f"no missed or reviewed mark {target_id!r} on this note")
            again = s.scalar(
                select(ReviewMark.id).where(
                    ReviewMark.kind == "retracted", ReviewMark.target_id == target_id
                )
            )
            if again is not None:
                raise ValueError(f"mark {target_id} was already retracted")
        else:
            target_id = None
        versions = sorted({f.model_version for f in flags if f.model_version})
        row = ReviewMark(
            kind=kind,
            note_key=note_key,
            category=category,
            start=start,
            end=end,
            restriction_type=restriction_type,
            target_id=target_id,
            reviewer=reviewer,
            marked_at=now_utc(),
            model_version=versions[-1] if versions else "",
            comment=comment.strip(),
        )
        s.add(row)
        s.flush()
        return _mark_record(row)


def list_marks(
    engine: Engine, note_keys: Sequence[str] | None = None, active_only: bool = True
) -> list[MarkRecord]:
    """Marks in the order made; ``active_only`` leaves out retracted marks and retractions."""
    q = select(ReviewMark).order_by(ReviewMark.id)
    if note_keys is not None:
        q = q.where(ReviewMark.note_key.in_(list(note_keys)))
    with Session(engine) as s:
        marks = [_mark_record(m) for m in s.scalars(q)]
    if not active_only:
        return marks
    gone = {m.target_id for m in marks if m.kind == "retracted"}
    return [m for m in marks if m.kind != "retracted" and m.id not in gone]
