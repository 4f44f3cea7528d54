"""Supervision numbers (no Streamlit): an author's confirmed flags per note, rates per 100
notes against the previous period, and author values that look like job titles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from review_app.cards import flag_views
from review_app.store import FlagRow, FlagState, FlagView, NoteRow

_JOB_WORDS = (
    "support worker workers carer carers care assistant assistants staff team leader nurse "
    "rgn rmn hca hcas senior manager deputy practitioner pbs night day shift agency bank "
    "coordinator officer sw cw keyworker key registered home domiciliary"
)
ROLE_WORDS = frozenset(_JOB_WORDS.split())


@dataclass(slots=True)
class NoteGroup:
    """One note with the author's confirmed flags on it."""

    note_key: str
    flags: list[FlagView]

    @property
    def first(self) -> FlagView:
        return self.flags[0]


def _iso(value: date | str | None) -> str | None:
    if not value:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def confirmed_by_note(
    engine: Engine, author: str, date_from: date | str | None, date_to: date | str | None
) -> list[NoteGroup]:
    """The author's confirmed flags in the period, one group per note, oldest first."""
    where = [FlagRow.author == author, FlagState.status == "confirmed", NoteRow.superseded_by == ""]
    if lo := _iso(date_from):
        where.append(FlagRow.date >= lo)
    if hi := _iso(date_to):
        where.append(FlagRow.date <= hi)
    with Session(engine) as s:
        flags = flag_views(s, and_(*where))
    groups: dict[str, NoteGroup] = {}
    for f in sorted(flags, key=lambda f: (f.date, f.note_id, f.start)):
        groups.setdefault(f.note_key, NoteGroup(f.note_key, [])).flags.append(f)
    return list(groups.values())


@dataclass(frozen=True, slots=True)
class PeriodRate:
    notes: int
    flags: int
    confirmed: int

    @property
    def per_100(self) -> float | None:
        return 100.0 * self.flags / self.notes if self.notes else None

    @property
    def confirmed_per_100(self) -> float | None:
        return 100.0 * self.confirmed / self.notes if self.notes else None


def period_rate(engine: Engine, author: str, lo: str, hi: str) -> PeriodRate:
    """Notes the author wrote in [lo, hi], flags on them, confirmed flags on them."""
    with Session(engine) as s:
        notes = s.scalar(
            select(func.count())
            .select_from(NoteRow)
            .where(
                NoteRow.author == author,
                NoteRow.superseded_by == "",
                NoteRow.date >= lo,
                NoteRow.date <= hi,
            )
        )
        base = (
            select(func.count())
            .select_from(FlagRow)
            .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
            .where(
                FlagRow.author == author,
                NoteRow.superseded_by == "",
                FlagRow.date >= lo,
                FlagRow.date <= hi,
            )
        )
        flags = s.scalar(base)
        confirmed = s.scalar(
            base.join(FlagState, FlagState.flag_id == FlagRow.flag_id).where(
                FlagState.status == "confirmed"
            )
        )
    return PeriodRate(int(notes or 0), int(flags or 0), int(confirmed or 0))


def compare_periods(
    engine: Engine, author: str, date_from: date, date_to: date
) -> tuple[PeriodRate, PeriodRate]:
    """(this period, the period of the same length just before it)."""
    days = (date_to - date_from).days + 1
    before_to = date_from - timedelta(days=1)
    before_from = before_to - timedelta(days=days - 1)
    return (
        period_rate(engine, author, date_from.isoformat(), date_to.isoformat()),
        period_rate(engine, author, before_from.isoformat(), before_to.isoformat()),
    )


@dataclass(frozen=True, slots=True)
class RoleLike:
    author: str
    notes: int
    persons: int
    services: int


def role_like_authors(engine: Engine) -> list[RoleLike]:
    """Author values that name a job rather than a person.

    Either every word is a job word ("support worker", "night staff", "RGN") or one
    value covers notes about many people in several services.
    """
    q = (
        select(
            NoteRow.author,
            func.count(),
            func.count(func.distinct(NoteRow.person_id)),
            func.count(func.distinct(NoteRow.service)),
        )
        .where(NoteRow.superseded_by == "", NoteRow.author != "")
        .group_by(NoteRow.author)
    )
    with Session(engine) as s:
        rows = s.execute(q).all()
    out = []
    for author, notes, persons, services in rows:
        words = re.findall(r"[a-z]+", author.lower())
        job_title = bool(words) and all(w in ROLE_WORDS for w in words)
        if job_title or (services >= 3 and persons >= 20):
            out.append(RoleLike(author, int(notes), int(persons), int(services)))
    return sorted(out, key=lambda r: -r.notes)


def busiest_author(engine: Engine) -> str | None:
    """The author with the most confirmed flags (the supervision page opens on them)."""
    q = (
        select(FlagRow.author, func.count().label("n"))
        .select_from(FlagState)
        .join(FlagRow, FlagRow.flag_id == FlagState.flag_id)
        .where(FlagState.status == "confirmed", FlagRow.author != "")
        .group_by(FlagRow.author)
        .order_by(func.count().desc(), FlagRow.author)
        .limit(1)
    )
    with Session(engine) as s:
        return s.scalar(q)
