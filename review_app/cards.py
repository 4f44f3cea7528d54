"""Review cards: every flag on one sentence, fetched page by page (no Streamlit).

A card is one sentence of one note version, keyed ``note_key:sentence_start:sentence_end``;
it holds every flag on that sentence (a care-plan restriction missing three elements is
one card listing the three). The queue asks the store only for what it shows: the next
page of flags in the chosen order (an index walk with ``LIMIT``), the flags of the card on
screen, and counts. The open queue walks an index of open flags in the chosen order
(``flags.review_status``, kept by a trigger), so decided flags are never stepped over; the
reviewed count is brought up to date from the decisions appended since it was last read
(:class:`ReviewedCounts`). Nothing here loads the whole store or reads every decided flag,
so a decision costs the same at 500 and at 100,000 flags, with 30 or 30,000 decided.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from nlp.schema import CATEGORY_LABELS, PLAN_ELEMENTS
from review_app.store import (
    MARGIN,
    NOT_VIEW_COLUMNS,
    Assignment,
    Decision,
    FlagFilter,
    FlagRow,
    FlagState,
    FlagView,
    NoteRow,
    SecondOpinion,
    as_utc,
    filtered,
    state_after,
)

MODES: dict[str, tuple[str, ...]] = {
    "Open": ("open",),
    "Confirmed": ("confirmed",),
    "Dismissed": ("dismissed",),
    "All": (),
}
ORDERS: dict[str, str] = {
    "score": "Best score first",
    "uncertainty": "Most informative first (score nearest its category's decision threshold)",
}
CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORY_LABELS)}
ELEMENT_ORDER = {e: i for i, e in enumerate(PLAN_ELEMENTS)}
HIDDEN = "hidden"  # state shown to a reviewer who owes the flag a blind second opinion


@dataclass(frozen=True, slots=True, order=True)
class CardKey:
    """One sentence of one note version."""

    note_key: str
    sentence_start: int
    sentence_end: int

    def __str__(self) -> str:
        return f"{self.note_key}:{self.sentence_start}:{self.sentence_end}"

    @classmethod
    def parse(cls, value: str) -> CardKey:
        key, start, end = value.rsplit(":", 2)
        return cls(key, int(start), int(end))


@dataclass(slots=True)
class Card:
    """A sentence with all its flags, the note it sits in and the note's other flags."""

    key: CardKey
    flags: list[FlagView]
    note_spans: list[tuple[int, int, str, str]] = field(default_factory=list)

    @property
    def first(self) -> FlagView:
        return self.flags[0]

    @property
    def text(self) -> str:
        return self.first.text

    @property
    def sentence(self) -> str:
        return self.text[self.key.sentence_start : self.key.sentence_end]

    @property
    def open_flags(self) -> list[FlagView]:
        return [f for f in self.flags if f.status == "open"]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(f.category for f in self.flags))

    def groups(self) -> list[list[FlagView]]:
        """Flags to show as one row each; plan gaps on one restriction span are one row."""
        rows: dict[tuple[Any, ...], list[FlagView]] = {}
        for f in self.flags:
            group = (f.category, f.start, f.end) if f.category == "plan_gap" else (f.flag_id,)
            rows.setdefault(group, []).append(f)
        return list(rows.values())


def _status_clause(statuses: Sequence[str]) -> Any:
    """Flags whose latest decision left them in one of ``statuses`` (``flags.review_status``,
    so the queue walks the (review_status, order) index)."""
    if len(statuses) == 1:
        return FlagRow.review_status == statuses[0]
    return FlagRow.review_status.in_(list(statuses))


def _pending_for(reviewer: str) -> Any:
    """Flags assigned to ``reviewer`` for a second opinion they have not given yet."""
    given = select(SecondOpinion.flag_id).where(SecondOpinion.reviewer == reviewer)
    return select(Assignment.flag_id).where(
        Assignment.reviewer == reviewer, Assignment.flag_id.not_in(given)
    )


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A card in the queue, with a short label for the jump list."""

    key: CardKey
    label: str


def queue_keys(
    engine: Engine,
    flt: FlagFilter,
    statuses: Sequence[str] = ("open",),
    order: str = "score",
    exclude: Sequence[str] = (),
    viewer: str = "",
    limit: int = 60,
) -> list[QueueEntry]:
    """Cards of the next ``limit`` flags in ``order``, each card once, first-seen first.

    A card's place is that of its best (or most informative: score nearest the flag's
    own threshold) matching flag. ``exclude`` holds flag ids to leave out (skipped this
    session); ``viewer``'s pending blind second opinions never appear among decided flags.
    """
    q = select(
        FlagRow.note_key,
        FlagRow.sentence_start,
        FlagRow.sentence_end,
        FlagRow.date,
        FlagRow.note_id,
        FlagRow.category,
        FlagRow.span_text,
    ).join(NoteRow, NoteRow.note_key == FlagRow.note_key)
    q = filtered(q, flt)
    if statuses:
        q = q.where(_status_clause(statuses))
    if exclude:
        q = q.where(FlagRow.flag_id.not_in(list(exclude)))
    if viewer and tuple(statuses) != ("open",):
        q = q.where(FlagRow.flag_id.not_in(_pending_for(viewer)))
    if order == "uncertainty":
        q = q.order_by(MARGIN, FlagRow.flag_id)
    else:
        q = q.order_by(FlagRow.score.desc(), FlagRow.flag_id.desc())
    with Session(engine) as s:
        rows = s.execute(q.limit(limit)).all()
    entries: dict[CardKey, QueueEntry] = {}
    for note_key, start, end, date, note_id, category, span in rows:
        key = CardKey(note_key, start, end)
        if key not in entries:
            label = " ".join(span.split())[:40]
            cat = CATEGORY_LABELS.get(category, category)
            entries[key] = QueueEntry(key, f"{date} · {note_id} · {cat} · “{label}”")
    return list(entries.values())


def count_flags(engine: Engine, flt: FlagFilter) -> int:
    """Flags matching ``flt`` (all states). O(flags): cache it on the import stamp."""
    q = (
        select(func.count())
        .select_from(FlagRow)
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
    )
    with Session(engine) as s:
        return int(s.scalar(filtered(q, flt)) or 0)


def _reviewed_query(flt: FlagFilter) -> Any:
    """(reviewed flags matching ``flt``, newest decision id), in one statement: one snapshot."""
    head = select(func.coalesce(func.max(Decision.id), 0)).scalar_subquery()
    q = (
        select(func.count(), head)
        .select_from(FlagState)
        .join(FlagRow, FlagRow.flag_id == FlagState.flag_id)
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
        .where(FlagState.status != "open")
    )
    return filtered(q, flt)


def count_reviewed(engine: Engine, flt: FlagFilter) -> int:
    """Decided flags matching ``flt`` (reads every decided flag: see :class:`ReviewedCounts`)."""
    with Session(engine) as s:
        return int(s.execute(_reviewed_query(flt)).one()[0] or 0)


class ReviewedCounts:
    """Reviewed counts per filter, brought up to date from the decisions appended since.

    The first count of a filter reads ``flag_state`` with the newest decision id, in
    one statement (one snapshot). Later counts read only the decisions appended after
    that id and add what each changed: +1 when it left an open flag decided, -1 when it
    reopened a decided one (its state against its ``previous_state``). So the count on
    the queue costs O(new decisions), not O(decided flags). Decisions get their ids in
    the order they commit (inserts are serialised by the chain lock), so "id greater
    than the last one read" misses none. ``key`` must change with every import (flags
    and superseded notes change then): callers key on the import stamp and the filter.
    Thread-safe; shared by every session of the app.
    """

    def __init__(self, size: int = 256) -> None:
        self._lock = threading.Lock()
        self._known: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._size = size

    def count(self, engine: Engine, flt: FlagFilter, key: str) -> int:
        with self._lock:
            known = self._known.get(key)
        with Session(engine) as s:
            if known is None:
                n, head = s.execute(_reviewed_query(flt)).one()
                n, head = int(n or 0), int(head or 0)
            else:
                last, n = known
                head = int(s.scalar(select(func.max(Decision.id))) or 0)
                if head < last:  # the history is shorter than when counted: count again
                    n, head = (int(v or 0) for v in s.execute(_reviewed_query(flt)).one())
                elif head > last:
                    q = (
                        select(Decision.decision, Decision.previous_state)
                        .join(FlagRow, FlagRow.flag_id == Decision.flag_id)
                        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
                        .where(Decision.id > last, Decision.id <= head)
                    )
                    for decision, before in s.execute(filtered(q, flt)):
                        n += (state_after(decision) != "open") - (before != "open")
        with self._lock:
            self._known[key] = (head, n)
            self._known.move_to_end(key)
            while len(self._known) > self._size:
                self._known.popitem(last=False)
        return n


_FLAG_COLUMNS = [c for c in FlagRow.__table__.columns if c.key not in NOT_VIEW_COLUMNS]


def flag_views(s: Session, where: Any, hide_for: str = "") -> list[FlagView]:
    """Flags matching ``where`` with their current decision (from ``flag_state``).

    Flags whose blind second opinion ``hide_for`` still owes show state ``hidden`` and
    nothing of the decision.
    """
    q = (
        select(*_FLAG_COLUMNS, NoteRow.text, Decision)
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
        .outerjoin(FlagState, FlagState.flag_id == FlagRow.flag_id)
        .outerjoin(
            Decision,
            and_(Decision.flag_id == FlagRow.flag_id, Decision.sequence == FlagState.sequence),
        )
        .where(where)
        .order_by(FlagRow.start, FlagRow.end, FlagRow.category, FlagRow.flag_id)
    )
    hidden = set(s.scalars(_pending_for(hide_for))) if hide_for else set()
    views = []
    for row in s.execute(q):
        m = row._mapping
        d: Decision | None = m[Decision]
        view = FlagView(
            **{c.key: m[c] for c in _FLAG_COLUMNS},
            text=m[NoteRow.text],
            status=state_after(d.decision if d else None),
            sequence=d.sequence if d else 0,
            reviewer=d.reviewer if d else "",
            reason=(d.reason or "") if d else "",
            comment=(d.comment or "") if d else "",
            decided_at=as_utc(d.decided_at) if d else None,
            previous_state=d.previous_state if d else "",
        )
        if view.flag_id in hidden and view.status != "open":
            view.status, view.reviewer, view.reason, view.comment = HIDDEN, "", "", ""
            view.decided_at, view.previous_state = None, ""
        views.append(view)
    return views


def load_card(engine: Engine, key: CardKey, viewer: str = "") -> Card | None:
    """The card's flags with their current state, and every flag span on its note."""
    with Session(engine) as s:
        flags = flag_views(
            s,
            and_(
                FlagRow.note_key == key.note_key,
                FlagRow.sentence_start == key.sentence_start,
                FlagRow.sentence_end == key.sentence_end,
            ),
            hide_for=viewer,
        )
        if not flags:
            return None
        spans = s.execute(
            select(FlagRow.start, FlagRow.end, FlagRow.category, FlagRow.flag_id).where(
                FlagRow.note_key == key.note_key
            )
        ).all()
    flags.sort(
        key=lambda f: (CATEGORY_ORDER.get(f.category, 9), f.start, ELEMENT_ORDER.get(f.element, 9))
    )
    return Card(key, flags, [tuple(r) for r in spans])


def flags_by_id(engine: Engine, flag_ids: Sequence[str], viewer: str = "") -> list[FlagView]:
    """Flag views for the given ids (any state), in the order given."""
    if not flag_ids:
        return []
    with Session(engine) as s:
        found = {f.flag_id: f for f in flag_views(s, FlagRow.flag_id.in_(list(flag_ids)), viewer)}
    return [found[i] for i in flag_ids if i in found]


def card_of(flag: FlagView) -> CardKey:
    return CardKey(flag.note_key, flag.sentence_start, flag.sentence_end)
