"""Review decisions -> training labels: gold records with ``null`` where nobody decided.

The one place that turns what reviewers did into labels; ``careaudit train
--review-db``, the teaching export and ``scripts/learning_loop.py`` all use it.
Per note version, every sentence starts *unknown* (``null``) for every label;
then, per category of flag (``doing_for``, ``unrecorded_restriction``,
``missing_rationale``):

- confirmed flag -> 1 on every sentence its span overlaps; dismissed -> 0; a
  sentence with both keeps the confirmation;
- ``unrecorded_restriction`` confirmed -> ``restriction`` 1 with the flag's type,
  ``authorised_in_text`` 0, ``in_register`` 0 (so ``unrecorded_restriction`` 1);
- ``unrecorded_restriction`` dismissed as "authorised elsewhere" -> ``restriction``
  1 with its type and ``in_register`` 1 (not unrecorded: the register or another
  record authorises it); ``authorised_in_text`` stays ``null`` (we do not know
  whether the authority was in this note), so the ``unauthorised`` head is not
  trained on it. Dismissed for any other reason -> ``restriction`` 0 (not a
  restriction of this person: not unrecorded, not unauthorised);
- a *missed* mark (a span the model did not flag) counts as a confirmation;
- a note marked *reviewed* (all its flags decided) makes every other sentence a
  known 0 for ``doing_for`` and ``missing_rationale`` and states
  ``unrecorded_restriction: 0``; its restriction fields stay ``null`` (an
  authorised restriction is never flagged, so the reviewer did not judge it).

A record is ``complete`` when every sentence's three flag labels are known,
else ``partial``. Sentences: the flags' own sentences (the pipeline's
segmentation) kept whole; the rest split on sentence punctuation and line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nlp.deid import strip_span
from nlp.records.corpus import GoldNote, gold_from_dicts
from nlp.schema import derive_unrecorded
from review_app.store import (
    MISSABLE,
    FlagFilter,
    FlagView,
    MarkRecord,
    NoteRow,
    list_flags,
    list_marks,
)

LABEL_KEYS: tuple[str, ...] = (
    "doing_for",
    "restriction",
    "restriction_type",
    "authorised_in_text",
    "in_register",
    "missing_rationale",
)
FLAG_LABELS: tuple[str, ...] = ("doing_for", "unrecorded_restriction", "missing_rationale")
# a break after sentence punctuation; closing quotes and brackets (group 1) stay with
# the sentence before it, so no character is left outside every sentence
_SENT_BREAK = re.compile(r"(?<=[.!?])([\"'’”)\]]*)\s+|\n+")


def split_sentences(text: str, fixed: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans covering all non-whitespace of ``text``; ``fixed`` spans are kept whole."""
    merged: list[list[int]] = []
    for lo, hi in sorted((max(0, a), min(len(text), b)) for a, b in fixed if b > a):
        if merged and lo < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    spans: list[tuple[int, int]] = []
    pos = 0
    for lo, hi in [*merged, [len(text), len(text)]]:
        if lo > pos:
            start = pos
            for m in _SENT_BREAK.finditer(text, pos, lo):
                spans.append(strip_span(text, start, m.start() + len(m.group(1) or "")))
                start = m.end()
            spans.append(strip_span(text, start, lo))
        if hi > lo:
            spans.append(strip_span(text, lo, hi))
        pos = max(pos, hi)
    return [(a, b) for a, b in spans if b > a]


def _unknown(start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, **dict.fromkeys(LABEL_KEYS)}


@dataclass(frozen=True, slots=True)
class _Event:
    """One decided label on a span: a decided flag or a missed mark."""

    category: str
    start: int
    end: int
    confirmed: bool
    reason: str = ""
    restriction_type: str = ""


def _events(flags: Iterable[FlagView], missed: Iterable[MarkRecord]) -> list[_Event]:
    out = [
        _Event(
            f.category,
            *((f.start, f.end) if f.end > f.start else (f.sentence_start, f.sentence_end)),
            confirmed=f.status == "confirmed",
            reason=f.reason,
            restriction_type=f.restriction_type,
        )
        for f in flags
        if f.status in ("confirmed", "dismissed") and f.category in MISSABLE
    ]
    out += [
        _Event(m.category, m.start, m.end, True, restriction_type=m.restriction_type)
        for m in missed
        if m.kind == "missed"
    ]
    # dismissals first, so a confirmation (or a missed mark) on the same sentence wins
    return sorted(out, key=lambda e: e.confirmed)


def _apply(s: dict[str, Any], e: _Event) -> None:
    if e.category != "unrecorded_restriction":
        s[e.category] = int(e.confirmed)
        return
    rtype = e.restriction_type or None
    if e.confirmed or e.reason == "authorised elsewhere":
        if rtype is None:  # no type: the gold format cannot say restriction=1
            if not e.confirmed:
                s["unrecorded_restriction"] = 0
            return
        s["restriction"], s["restriction_type"] = 1, rtype
        s["in_register"] = 0 if e.confirmed else 1
        s["authorised_in_text"] = 0 if e.confirmed else None
    else:
        s.update(restriction=0, restriction_type=None, authorised_in_text=0, in_register=0)
        s["unrecorded_restriction"] = 0


def label_sentences(
    spans: Sequence[tuple[int, int]],
    flags: Iterable[FlagView],
    missed: Iterable[MarkRecord] = (),
    reviewed: bool = False,
) -> list[dict[str, Any]]:
    """Gold sentence records (null = unknown) from decisions and marks; see the module doc."""
    sentences = [_unknown(a, b) for a, b in spans]
    if reviewed:
        for s in sentences:
            s.update(doing_for=0, missing_rationale=0, unrecorded_restriction=0)
    for e in _events(flags, missed):
        for s in sentences:
            if s["start"] < e.end and e.start < s["end"]:
                _apply(s, e)
    for s in sentences:
        derived = derive_unrecorded(s["restriction"], s["authorised_in_text"], s["in_register"])
        if derived is not None or s.get("unrecorded_restriction") is None:
            s.pop("unrecorded_restriction", None)  # the fields say it, or nobody knows
    return sentences


def flag_label(s: dict[str, Any], category: str) -> int | None:
    """A gold sentence record's label for a flag category (None = unknown)."""
    if category != "unrecorded_restriction":
        return s.get(category)
    derived = derive_unrecorded(s["restriction"], s["authorised_in_text"], s["in_register"])
    return s.get("unrecorded_restriction") if derived is None else derived


def is_complete(sentences: Iterable[dict[str, Any]]) -> bool:
    """Every sentence's label known for every flag category."""
    return all(flag_label(s, c) is not None for s in sentences for c in FLAG_LABELS)


@dataclass
class ReviewedNote:
    """One note version turned into a gold record (original text, not de-identified)."""

    note_key: str
    record: dict[str, Any]
    complete: bool
    flags: list[FlagView] = field(default_factory=list)


@dataclass
class LearningSummary:
    """What the labels were made from (for the model card and the trainer view)."""

    notes: int = 0
    complete_notes: int = 0
    sentences: int = 0
    decisions: int = 0
    confirmed: int = 0
    dismissed: int = 0
    missed: int = 0
    reviewed_notes: int = 0

    def as_source(self, url: str) -> dict[str, Any]:
        return {"review_db": url, **self.__dict__}


def reviewed_notes(
    engine: Engine, note_keys: Sequence[str] | None = None
) -> tuple[list[ReviewedNote], LearningSummary]:
    """Every note version with a decided flag, a missed mark or a reviewed mark, labelled.

    ``note_keys`` limits it to those versions (they are included even with nothing decided:
    all their labels are then unknown).
    """
    flags = list_flags(engine, FlagFilter(include_superseded=True))
    marks = list_marks(engine, note_keys)
    by_note: dict[str, list[FlagView]] = {}
    for f in flags:
        by_note.setdefault(f.note_key, []).append(f)
    marks_by_note: dict[str, list[MarkRecord]] = {}
    for m in marks:
        marks_by_note.setdefault(m.note_key, []).append(m)
    if note_keys is None:
        decided = {
            k
            for k, fs in by_note.items()
            if any(f.status in ("confirmed", "dismissed") and f.category in MISSABLE for f in fs)
        }
        keys = sorted(decided | set(marks_by_note))
    else:
        keys = list(dict.fromkeys(note_keys))
    notes = _note_rows(engine, keys)
    out: list[ReviewedNote] = []
    summary = LearningSummary()
    for key in keys:
        row = notes.get(key)
        if row is None:
            continue
        note_flags = by_note.get(key, [])
        note_marks = marks_by_note.get(key, [])
        missed = [m for m in note_marks if m.kind == "missed"]
        reviewed = any(m.kind == "note_reviewed" for m in note_marks)
        # a missed mark labels the sentences it overlaps; it does not cut them
        spans = split_sentences(row.text, [(f.sentence_start, f.sentence_end) for f in note_flags])
        sentences = label_sentences(spans, note_flags, missed, reviewed)
        complete = is_complete(sentences)
        record = {
            "note_id": row.note_id,
            "person_id": row.person_id,
            "service": row.service,
            "note_type": row.note_type,
            "date": row.date,
            "author": row.author,
            "text": row.text,
            "sentences": sentences,
            "review_status": "complete" if complete else "partial",
        }
        out.append(ReviewedNote(key, record, complete, note_flags))
        done = [
            f
            for f in note_flags
            if f.status in ("confirmed", "dismissed") and f.category in MISSABLE
        ]
        summary.notes += 1
        summary.complete_notes += complete
        summary.sentences += len(sentences)
        summary.decisions += len(done)
        summary.confirmed += sum(f.status == "confirmed" for f in done)
        summary.dismissed += sum(f.status == "dismissed" for f in done)
        summary.missed += len(missed)
        summary.reviewed_notes += reviewed
    return out, summary


def _note_rows(engine: Engine, keys: Sequence[str]) -> dict[str, NoteRow]:
    rows: dict[str, NoteRow] = {}
    with Session(engine, expire_on_commit=False) as s:
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            rows.update(
                {
                    n.note_key: n
                    for n in s.scalars(select(NoteRow).where(NoteRow.note_key.in_(chunk)))
                }
            )
    return rows


def review_gold(engine: Engine) -> tuple[list[GoldNote], LearningSummary]:
    """The store's decisions as gold notes for ``careaudit train --review-db`` (nulls kept)."""
    notes, summary = reviewed_notes(engine)
    return gold_from_dicts([n.record for n in notes], "review store"), summary
