"""What the note-review buttons do, without Streamlit: mark a missed flag, mark a note
reviewed, withdraw a mark. Marks are append-only rows (``review_store.ReviewMark``)
that :mod:`review_app.learning` turns into training labels."""

from __future__ import annotations

from sqlalchemy import Engine

from review_app.actions import Outcome
from review_app.auth import SignedInUser
from review_app.learning import split_sentences
from review_app.render import CATEGORY_LABELS
from review_app.store import MarkRecord, list_marks, note_flags, record_mark


def note_sentences(engine: Engine, note_key: str, text: str) -> list[tuple[int, int]]:
    """The note's sentences as the labels use them (flag sentences kept whole)."""
    fixed = [(f.sentence_start, f.sentence_end) for f in note_flags(engine, [note_key])]
    return split_sentences(text, fixed)


def words_span(text: str, sentence: tuple[int, int], words: str) -> tuple[int, int] | None:
    """The span of ``words`` inside ``sentence`` (case-insensitive); the sentence if empty."""
    lo, hi = sentence
    words = " ".join(words.split())
    if not words:
        return sentence
    at = text[lo:hi].lower().find(words.lower())
    return None if at < 0 else (lo + at, lo + at + len(words))


def mark_missed(
    engine: Engine,
    user: SignedInUser,
    note_key: str,
    text: str,
    sentence: tuple[int, int],
    category: str,
    words: str = "",
    restriction_type: str = "",
    comment: str = "",
) -> Outcome:
    """Record that the model missed ``category`` on ``words`` of ``sentence`` (or all of it)."""
    if not user.may_decide:
        return Outcome(False, "error", f"Your role ({user.role}) cannot mark missed flags.")
    span = words_span(text, sentence, words)
    if span is None:
        return Outcome(False, "warning", f"“{words.strip()}” is not in that sentence.")
    try:
        mark = record_mark(
            engine,
            "missed",
            note_key,
            user.username,
            category=category,
            start=span[0],
            end=span[1],
            restriction_type=restriction_type or "",
            comment=comment,
        )
    except (KeyError, ValueError) as exc:
        return Outcome(False, "warning", str(exc).strip("'\""))
    label = CATEGORY_LABELS.get(category, category)
    return Outcome(
        True, "success", f"Marked as missed {label}: “{text[mark.start : mark.end][:60]}”."
    )


def mark_reviewed(engine: Engine, user: SignedInUser, note_key: str) -> Outcome:
    """Record that every sentence of the note was read: undecided ones are known negatives."""
    if not user.may_decide:
        return Outcome(False, "error", f"Your role ({user.role}) cannot mark notes reviewed.")
    if any(m.kind == "note_reviewed" for m in list_marks(engine, [note_key])):
        return Outcome(False, "warning", "This note is already marked reviewed.")
    try:
        record_mark(engine, "note_reviewed", note_key, user.username)
    except (KeyError, ValueError) as exc:
        return Outcome(False, "warning", str(exc).strip("'\""))
    return Outcome(True, "success", "Note marked reviewed: it can now teach the model in full.")


def withdraw(engine: Engine, user: SignedInUser, mark: MarkRecord) -> Outcome:
    """Take back a missed or reviewed mark (a new ``retracted`` row; nothing is deleted)."""
    if not user.may_decide:
        return Outcome(False, "error", f"Your role ({user.role}) cannot withdraw marks.")
    try:
        record_mark(engine, "retracted", mark.note_key, user.username, target_id=mark.id)
    except (KeyError, ValueError) as exc:
        return Outcome(False, "warning", str(exc).strip("'\""))
    return Outcome(True, "success", f"Mark #{mark.id} withdrawn.")
