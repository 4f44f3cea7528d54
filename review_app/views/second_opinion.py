"""Blind second opinions: an auditor decides flags another auditor already decided, unseen."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from review_app import agreement, card_view, session
from review_app.actions import reasons_for
from review_app.auth import SignedInUser
from review_app.cards import card_of, flags_by_id, load_card
from review_app.keys import key_script

NAME = "Second opinions"


def _on_action(engine: Engine, user: SignedInUser, flag_id: str, action: str) -> None:
    ss = st.session_state
    if action == "skip":
        ss["so_skipped"] = [f for f in ss.get("so_skipped", []) if f != flag_id] + [flag_id]
        return
    outcome = agreement.record_second_opinion(
        engine,
        user,
        flag_id,
        "confirm" if action == "accept" else "dismiss",
        reason=ss.get("card_reason"),
        comment=ss.get("card_comment", ""),
    )
    session.flash(outcome.kind, outcome.message)


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    card_view.css()
    _body(engine, user)


@st.fragment
def _body(engine: Engine, user: SignedInUser) -> None:
    settings = session.review_settings()
    owed = agreement.pending(engine, user.username)
    if not owed:
        agreement.claim(
            engine,
            user.username,
            settings.second_opinion_share,
            per_flag=settings.second_opinions_per_flag,
        )
        owed = agreement.pending(engine, user.username)
    skipped = [f for f in st.session_state.get("so_skipped", []) if f in owed]
    owed = [f for f in owed if f not in skipped] + skipped
    st.caption(
        f"{len(owed)} flag{'s' if len(owed) != 1 else ''} routed to you for a blind second "
        f"opinion ({settings.second_opinion_share:.0%} of decided flags are routed). You see "
        "the flag as the first auditor saw it; their decision stays hidden until you have "
        "given yours."
    )
    kind, message = st.session_state.pop("_flash", (None, ""))
    card_view.status_line(kind, message)
    if not owed:
        st.info("No second opinions waiting for you.")
        return
    flag_id = owed[0]
    found = flags_by_id(engine, [flag_id], viewer=user.username)
    card = load_card(engine, card_of(found[0]), viewer=user.username) if found else None
    if card is None:
        st.warning("The flag routed to you is no longer in the store.")
        return
    left, right = st.columns([1.15, 1], gap="medium")
    with left:
        card_view.note_panel(card, only=[flag_id])
    with right:
        card_view.reason_pills(reasons_for([found[0].category]), f"so:{flag_id}")
        card_view.decision_bar(
            settings,
            lambda action: _on_action(engine, user, flag_id, action),
            labels={"accept": "Accept", "reject": "Reject", "skip": "Skip", "undo": ""},
        )
        card_view.flag_rows(
            card,
            only=[flag_id],
            show_state=False,
            header=card_view.keys_html(settings, ("accept", "reject", "skip")),
        )
    st.html(key_script(settings.keys, f"so:{flag_id}"), unsafe_allow_javascript=True)
