"""Adjudication: a lead settles flags where the first decision and the second opinion differ."""

from __future__ import annotations

from html import escape

import streamlit as st
from sqlalchemy import Engine

from review_app import agreement, card_view, session
from review_app.actions import reasons_for
from review_app.auth import SignedInUser
from review_app.cards import card_of, flags_by_id, load_card
from review_app.keys import key_script

NAME = "Adjudication"


def _on_action(engine: Engine, user: SignedInUser, flag_id: str, seen: int, action: str) -> None:
    ss = st.session_state
    if action == "skip":
        ss["adj_skipped"] = [f for f in ss.get("adj_skipped", []) if f != flag_id] + [flag_id]
        return
    outcome = agreement.adjudicate(
        engine,
        user,
        flag_id,
        seen,
        "confirm" if action == "accept" else "dismiss",
        reason=ss.get("card_reason"),
        comment=ss.get("card_comment", ""),
    )
    session.flash(outcome.kind, outcome.message)


def _opinions(pair: agreement.Pair) -> str:
    first = f"{pair.first} by {pair.first_reviewer}" + (
        f" — {pair.first_reason}" if pair.first_reason else ""
    )
    second = f"{pair.second} by {pair.second_reviewer}" + (
        f" — {pair.second_reason}" if pair.second_reason else ""
    )
    return (
        '<div class="ca-flag"><div><b>First decision:</b> '
        f"{escape(first)}</div><div><b>Blind second opinion:</b> {escape(second)}</div></div>"
    )


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    card_view.css()
    _body(engine, user)


@st.fragment
def _body(engine: Engine, user: SignedInUser) -> None:
    settings = session.review_settings()
    todo = agreement.disagreements(engine)
    skipped = [f for f in st.session_state.get("adj_skipped", []) if f in {p.flag_id for p in todo}]
    todo = [p for p in todo if p.flag_id not in skipped] + [
        p for f in skipped for p in todo if p.flag_id == f
    ]
    st.caption(
        f"{len(todo)} disagreement{'s' if len(todo) != 1 else ''} between a first decision and "
        "a blind second opinion. Your decision is recorded like any other (appended, never "
        "overwriting) and marked as the adjudication."
    )
    kind, message = st.session_state.pop("_flash", (None, ""))
    card_view.status_line(kind, message)
    if not todo:
        st.info("No disagreements to settle.")
        return
    pair = todo[0]
    found = flags_by_id(engine, [pair.flag_id])
    card = load_card(engine, card_of(found[0])) if found else None
    if card is None:
        st.warning("The flag is no longer in the store.")
        return
    flag = found[0]
    left, right = st.columns([1.15, 1], gap="medium")
    with left:
        card_view.note_panel(card, only=[flag.flag_id])
    with right:
        st.html(_opinions(pair))
        card_view.reason_pills(reasons_for([flag.category]), f"adj:{flag.flag_id}")
        card_view.decision_bar(
            settings,
            lambda action: _on_action(engine, user, flag.flag_id, flag.sequence, action),
            labels={"accept": "Confirm", "reject": "Dismiss", "skip": "Skip", "undo": ""},
        )
        card_view.flag_rows(
            card,
            only=[flag.flag_id],
            header=card_view.keys_html(settings, ("accept", "reject", "skip")),
        )
    st.html(key_script(settings.keys, f"adj:{flag.flag_id}"), unsafe_allow_javascript=True)
