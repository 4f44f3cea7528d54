"""Quality improvement actions: from a report's findings to a plan, and its re-audit.

An action records the problem, the standard or control introduced, how staff
will apply it, the owner, the due date and its *success measure*: a careaudit
metric (:data:`nlp.governance.measures.METRICS`) for a service or all services,
with an optional target.  Actions live in their own table, ``qi_actions``,
in the review store's database (same SQLAlchemy URL as the review app; this
module defines and creates only its own table).

Status: ``open``, ``overdue`` (open past its due date, escalated: listed first)
or ``done``.  The re-audit (:func:`reaudit`) measures the metric before and
after the action's date, the day it was marked done or, while open, its due
date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Date, DateTime, Engine, Float, Integer, String, Text, create_engine, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from nlp.governance.measures import (
    METRICS,
    check_metric,
    compare,
    improvement,
    is_pct,
    measure,
    metric_label,
    select_notes,
)

STATUSES = ("overdue", "open", "done")


class ActionsError(ValueError):
    """An action cannot be stored or found (worded for the person running the command)."""


class ActionsBase(DeclarativeBase):
    """Metadata of the actions table only (kept apart from the review app's tables)."""


class QiAction(ActionsBase):
    __tablename__ = "qi_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    problem: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text)
    staff_practice: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(80))
    service: Mapped[str] = mapped_column(String(300), default="")
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    source_run: Mapped[str] = mapped_column(Text, default="")
    baseline_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    baseline_notes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_by: Mapped[str] = mapped_column(String(200), default="")
    done_note: Mapped[str] = mapped_column(Text, default="")


@dataclass(slots=True)
class Action:
    """A plain copy of one stored action."""

    id: int
    created_at: datetime
    created_by: str
    problem: str
    standard: str
    staff_practice: str
    owner: str
    due_date: date
    metric: str
    service: str
    target: float | None
    source_run: str
    baseline_count: int | None
    baseline_notes: int | None
    status: str
    done_on: date | None
    done_by: str
    done_note: str

    def state(self, as_of: date) -> str:
        """``done``, ``overdue`` (open and due before ``as_of``) or ``open``."""
        if self.status == "done":
            return "done"
        return "overdue" if self.due_date < as_of else "open"

    def days_overdue(self, as_of: date) -> int | None:
        return (as_of - self.due_date).days if self.state(as_of) == "overdue" else None

    @property
    def action_date(self) -> date:
        """The date the re-audit splits on: done date, else due date."""
        return self.done_on or self.due_date

    @property
    def baseline_value(self) -> float | None:
        if not self.baseline_notes:
            return None
        return (self.baseline_count or 0) / self.baseline_notes * 100

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _copy(row: QiAction) -> Action:
    return Action(**{name: getattr(row, name) for name in Action.__slots__})


def actions_engine(url: str) -> Engine:
    """An engine for the store at ``url`` with the ``qi_actions`` table created."""
    engine = _engine(url)
    ActionsBase.metadata.create_all(engine)
    return engine


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(url, pool_pre_ping=True)


def load_actions(url: str | None) -> list[Action]:
    """Every action in the store at ``url``, read-only: [] when there is no store or table.

    Never creates a database file or table (a report must not write to the store).
    """
    if not url:
        return []
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and (not parsed.database or not Path(parsed.database).is_file()):
        return []
    engine = _engine(url)
    try:
        if not sa_inspect(engine).has_table(QiAction.__tablename__):
            return []
        return list_actions(engine)
    finally:
        engine.dispose()


def add_action(engine: Engine, *, problem: str, standard: str, staff_practice: str, owner: str,
               due_date: date, metric: str, service: str = "", target: float | None = None,
               created_by: str = "", source_run: str = "", baseline_count: int | None = None,
               baseline_notes: int | None = None) -> Action:
    """Store a new open action; every text field but ``service`` is required."""
    fields = {"problem": problem, "standard": standard, "staff_practice": staff_practice,
              "owner": owner}
    missing = [k for k, v in fields.items() if not (v or "").strip()]
    if missing:
        raise ActionsError(f"an action needs: {', '.join(missing)}")
    try:
        check_metric(metric)
    except ValueError as exc:
        raise ActionsError(str(exc)) from exc
    if target is not None and target < 0:
        raise ActionsError("the target cannot be negative")
    row = QiAction(created_at=datetime.now(UTC), created_by=created_by,
                   problem=problem.strip(), standard=standard.strip(),
                   staff_practice=staff_practice.strip(), owner=owner.strip(),
                   due_date=due_date, metric=metric, service=service.strip(), target=target,
                   source_run=source_run, baseline_count=baseline_count,
                   baseline_notes=baseline_notes, status="open", done_by="", done_note="")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(row)
    return _copy(row)


def list_actions(engine: Engine) -> list[Action]:
    """All actions, oldest first."""
    with Session(engine) as session:
        return [_copy(r) for r in session.scalars(select(QiAction).order_by(QiAction.id))]


def get_action(engine: Engine, action_id: int) -> Action:
    with Session(engine) as session:
        row = session.get(QiAction, action_id)
        if row is None:
            raise ActionsError(f"no action {action_id}")
        return _copy(row)


def complete_action(engine: Engine, action_id: int, *, on: date | None = None, by: str = "",
                    note: str = "") -> Action:
    """Mark an action done on ``on`` (default today) with the evidence in ``note``."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = session.get(QiAction, action_id)
        if row is None:
            raise ActionsError(f"no action {action_id}")
        if row.status == "done":
            raise ActionsError(f"action {action_id} was already marked done on {row.done_on}")
        row.status, row.done_on = "done", on or date.today()
        row.done_by, row.done_note = by, note.strip()
    return _copy(row)


def ordered(actions: list[Action], as_of: date) -> list[Action]:
    """Overdue first (most overdue first), then open by due date, then done (latest first)."""
    def key(a: Action) -> tuple[int, int]:
        state = a.state(as_of)
        if state == "overdue":
            return 0, a.due_date.toordinal()
        if state == "open":
            return 1, a.due_date.toordinal()
        return 2, -(a.done_on or a.due_date).toordinal()

    return sorted(actions, key=key)


REAUDIT_COLUMNS: list[str] = [
    "id", "state", "days_overdue", "problem", "standard", "staff_practice", "owner",
    "due_date", "done_on", "done_note", "measure", "target", "baseline", "action_date",
    "before", "before_lo", "before_hi", "before_count", "before_notes",
    "after", "after_lo", "after_hi", "after_count", "after_notes",
    "change", "p_value", "outcome", "target_met",
]


def reaudit(actions: list[Action], notes: pd.DataFrame, flags: pd.DataFrame,
            restrictions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per action (:func:`ordered`): status and the measure before/after its date.

    ``notes`` are the re-audit's notes (``when`` as Timestamp), ``flags`` and
    ``restrictions`` the matching run frames.
    """
    rows = []
    for a in ordered(actions, as_of):
        split = pd.Timestamp(a.action_date)
        scope = select_notes(notes, a.service)
        before = measure(select_notes(scope, before=split), flags, restrictions, a.metric)
        after = measure(select_notes(scope, since=split), flags, restrictions, a.metric)
        change, p = compare(before, after)
        if not after.notes:
            change = f"no notes since {a.action_date.isoformat()} yet"
        elif not before.notes:
            change = f"no notes before {a.action_date.isoformat()}"
        unit = "%" if is_pct(a.metric) else " per 100 notes"
        target_met = ""
        if a.target is not None and after.shown:
            good = METRICS[a.metric][1]
            met = after.value <= a.target if good == "falling" else after.value >= a.target
            target_met = "yes" if met else "not yet"
        base = a.baseline_value
        rows.append({
            "id": a.id, "state": a.state(as_of), "days_overdue": a.days_overdue(as_of),
            "problem": a.problem, "standard": a.standard, "staff_practice": a.staff_practice,
            "owner": a.owner, "due_date": a.due_date.isoformat(),
            "done_on": a.done_on.isoformat() if a.done_on else "", "done_note": a.done_note,
            "measure": metric_label(a.metric, a.service),
            "target": f"{a.target:g}{unit}" if a.target is not None else "",
            "baseline": (f"{base:,.1f}{unit.strip() if is_pct(a.metric) else ''} "
                         f"({a.baseline_count} in {a.baseline_notes} notes)"
                         if base is not None else ""),
            "action_date": a.action_date.isoformat(),
            "before": before.value if before.shown else None,
            "before_lo": before.lo if before.shown else None,
            "before_hi": before.hi if before.shown else None,
            "before_count": before.count, "before_notes": before.notes,
            "after": after.value if after.shown else None,
            "after_lo": after.lo if after.shown else None,
            "after_hi": after.hi if after.shown else None,
            "after_count": after.count, "after_notes": after.notes,
            "change": change, "p_value": p, "outcome": improvement(a.metric, change),
            "target_met": target_met,
        })
    return pd.DataFrame(rows, columns=REAUDIT_COLUMNS)
