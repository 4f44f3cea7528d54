"""Note-level review controls, a section any page showing a note can call:

- **Missed flag**: pick the sentence the model missed (and, optionally, the exact
  words), a category (a restriction needs its type) -> an append-only mark that
  trains as a positive label;
- **Mark note reviewed**: once every flag on the note is decided, every other
  sentence becomes a known negative (complete teaching examples);
- the note's marks, each of which can be withdrawn (a new row; nothing is deleted).

``render(engine, user, note_key, text)``; the logic is in :mod:`review_app.marking`.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from nlp.schema import RESTRICTION_TYPES
from review_app import session
from review_app.auth import SignedInUser
from review_app.marking import mark_missed, mark_reviewed, note_sentences, withdraw
from review_app.render import CATEGORY_LABELS, md_text
from review_app.store import MISSABLE, MarkRecord, list_marks


def _key(note_key: str, name: str) -> str:
    return f"nr-{name}-{note_key[:12]}"


def _on_missed(
    engine: Engine, user: SignedInUser, note_key: str, text: str, spans: list[tuple[int, int]]
) -> None:
    state = st.session_state
    picked = state.get(_key(note_key, "sentence"))
    if picked is None:
        session.flash("warning", "Pick the sentence the model missed first.")
        return
    outcome = mark_missed(
        engine,
        user,
        note_key,
        text,
        spans[picked],
        state.get(_key(note_key, "category")) or "",
        words=state.get(_key(note_key, "words"), ""),
        restriction_type=state.get(_key(note_key, "rtype")) or "",
        comment=state.get(_key(note_key, "comment"), ""),
    )
    session.flash(outcome.kind, outcome.message)


def _on_reviewed(engine: Engine, user: SignedInUser, note_key: str) -> None:
    outcome = mark_reviewed(engine, user, note_key)
    session.flash(outcome.kind, outcome.message)


def _on_withdraw(engine: Engine, user: SignedInUser, mark: MarkRecord) -> None:
    outcome = withdraw(engine, user, mark)
    session.flash(outcome.kind, outcome.message)


def _describe(mark: MarkRecord, text: str) -> str:
    if mark.kind == "note_reviewed":
        return f"#{mark.id} note marked reviewed by {mark.reviewer} ({mark.marked_at:%Y-%m-%d})"
    label = CATEGORY_LABELS.get(mark.category, mark.category)
    rtype = f" ({mark.restriction_type})" if mark.restriction_type else ""
    return (
        f"#{mark.id} missed {label}{rtype}: “{text[mark.start : mark.end][:60]}” — {mark.reviewer}"
    )


def render(engine: Engine, user: SignedInUser, note_key: str, text: str) -> None:
    """The note-review section for one note version (nothing for roles that cannot decide)."""
    if not user.may_decide:
        return
    marks = list_marks(engine, [note_key])
    reviewed = any(m.kind == "note_reviewed" for m in marks)
    title = "Missed flags · mark note reviewed" + (" (reviewed)" if reviewed else "")
    with st.expander(title, expanded=False):
        spans = note_sentences(engine, note_key, text)
        st.selectbox(
            "Sentence the model missed",
            list(range(len(spans))),
            index=None,
            key=_key(note_key, "sentence"),
            format_func=lambda i: text[spans[i][0] : spans[i][1]][:100],
            placeholder="Pick a sentence",
        )
        st.text_input(
            "Exact words (optional)",
            key=_key(note_key, "words"),
            help="Part of the sentence, as written; empty marks the whole sentence.",
        )
        left, right = st.columns(2)
        left.radio(
            "Category",
            MISSABLE,
            key=_key(note_key, "category"),
            format_func=lambda c: CATEGORY_LABELS.get(c, c),
        )
        right.selectbox(
            "Restriction type (restrictions only)",
            RESTRICTION_TYPES,
            index=None,
            key=_key(note_key, "rtype"),
        )
        st.text_input("Comment", key=_key(note_key, "comment"))
        st.button(
            "Mark as missed",
            key=_key(note_key, "missed"),
            on_click=_on_missed,
            args=(engine, user, note_key, text, spans),
        )
        st.divider()
        st.button(
            "Mark note reviewed",
            key=_key(note_key, "reviewed"),
            disabled=reviewed,
            on_click=_on_reviewed,
            args=(engine, user, note_key),
            help="Every flag on the note is decided and nothing else was missed: the other "
            "sentences become known negatives for training.",
        )
        for mark in marks:
            row = st.columns([5, 1])
            row[0].caption(md_text(_describe(mark, text)))
            row[1].button(
                "Withdraw",
                key=_key(note_key, f"withdraw-{mark.id}"),
                on_click=_on_withdraw,
                args=(engine, user, mark),
            )
