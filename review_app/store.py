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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

DECISIONS: tuple[str, ...] = ("confirmed", "dismissed", "reopened")
STATUSES: tuple[str, ...] = ("open", "confirmed", "dismissed")
DISMISS_REASONS: tuple[str, ...] = (
    "authorised elsewhere",
    "not doing-for in context",
    "wrong person",
    "not a restriction",
    "rationale given elsewhere",
    "other",
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


class FlagRow(Base):
    __tablename__ = "flags"
    flag_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    note_key: Mapped[str] = mapped_column(ForeignKey("notes.note_key"), index=True)
    note_id: Mapped[str] = mapped_column(String(200), index=True)
    person_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    service: Mapped[str] = mapped_column(String(200), default="", index=True)
    author: Mapped[str] = mapped_column(String(200), default="", index=True)
    date: Mapped[str] = mapped_column(String(10), default="", index=True)
    note_type: Mapped[str] = mapped_column(String(40), default="daily_note")
    category: Mapped[str] = mapped_column(String(40), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    span_text: Mapped[str] = mapped_column(Text, default="")
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    restriction_type: Mapped[str] = mapped_column(String(40), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(200), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    register_status: Mapped[str] = mapped_column(String(40), default="")
    element: Mapped[str] = mapped_column(String(40), default="")
    first_run_id: Mapped[str] = mapped_column(String(200), default="")
    last_run_id: Mapped[str] = mapped_column(String(200), default="")


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

    @property
    def state(self) -> str:
        """The flag's state after this decision."""
        return state_after(self.decision)


@dataclass(slots=True)
class FlagView:
    """A flag with its note text and current review state."""

    flag_id: str
    note_key: str
    note_id: str
    person_id: str
    service: str
    author: str
    date: str
    note_type: str
    category: str
    start: int
    end: int
    span_text: str
    sentence_start: int
    sentence_end: int
    restriction_type: str
    score: float
    source: str
    explanation: str
    suggestion: str
    register_status: str
    element: str
    text: str
    status: str = "open"
    sequence: int = 0
    reviewer: str = ""
    reason: str = ""
    comment: str = ""
    decided_at: datetime | None = None
    previous_state: str = ""


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
    return engine


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


def integrity_check(engine: Engine) -> list[str]:
    """Problems found in the store (empty list = consistent).

    SQLite's own ``integrity_check`` and ``foreign_key_check``, plus our
    invariants: every flag's decisions are numbered 1..n without gaps, and each
    decision's ``previous_state`` is the state the one before it left.
    """
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
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
            if s.get(FlagRow, flag_id) is None:
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
            row = Decision(
                flag_id=flag_id,
                sequence=expected_sequence + 1,
                decision=decision,
                reason=reason,
                comment=comment.strip(),
                reviewer=reviewer,
                decided_at=now_utc(),
                previous_state=previous,
            )
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


def list_flags(engine: Engine, flt: FlagFilter | None = None) -> list[FlagView]:
    """Flags matching ``flt`` with note text and current state, best score first."""
    flt = flt or FlagFilter()
    cur = _latest_subquery()
    q = (
        select(FlagRow, NoteRow.text, cur)
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
        .outerjoin(cur, cur.c.flag_id == FlagRow.flag_id)
    )
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


_FLAG_FIELDS = tuple(
    c.key for c in FlagRow.__table__.columns if c.key not in ("first_run_id", "last_run_id")
)


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


def count_rows(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Run, NoteRow, FlagRow, Decision, User)
        }
