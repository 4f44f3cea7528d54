"""Auditor queue: one card per sentence; accept / reject / skip / undo with single keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import streamlit as st
from sqlalchemy import Engine

from review_app import card_view, session
from review_app.actions import decide_flags, reasons_for, undo
from review_app.auth import SignedInUser
from review_app.cards import MODES, ORDERS, Card, CardKey, load_card, queue_keys
from review_app.keys import key_script
from review_app.render import CATEGORY_LABELS
from review_app.store import FlagFilter, FlagView

NAME = "Queue"
UNDO_DEPTH = 50
SHORT_ORDERS = {"score": "Best score", "uncertainty": "Most informative"}


def _filters(opts: dict[str, list[str]]) -> FlagFilter:
    with st.sidebar.expander("Filters", expanded=False):
        flt = FlagFilter(
            services=st.multiselect("Service", opts["services"], key="f_services"),
            persons=st.multiselect("Person", opts["persons"], key="f_persons"),
            authors=st.multiselect("Author", opts["authors"], key="f_authors"),
            categories=st.multiselect(
                "Category",
                opts["categories"],
                key="f_categories",
                format_func=lambda c: CATEGORY_LABELS.get(c, c),
            ),
            restriction_types=st.multiselect(
                "Restriction type", opts["restriction_types"], key="f_rtypes"
            ),
            min_score=st.slider("Minimum score", 0.0, 1.0, 0.0, 0.05, key="f_score") or None,
        )
        lo, hi = opts["date_range"]
        if lo and hi:
            picked = st.date_input(
                "Date range",
                (),
                min_value=date.fromisoformat(lo),
                max_value=date.fromisoformat(hi),
                format="DD/MM/YYYY",
                key="f_dates",
                help="Empty: all dates",
            )
            if isinstance(picked, tuple) and picked:
                flt.date_from, flt.date_to = picked[0], picked[-1]
    return flt


def _on_action(
    engine: Engine, user: SignedInUser, card: str, flags: tuple[FlagView, ...], action: str
) -> None:
    """Button (and key) callback: runs before the rerun, on the card drawn on screen."""
    ss = st.session_state
    if action == "skip":
        ss["skipped"] = [c for c in ss.get("skipped", []) if c != card] + [card]
        ss["skipped_flags"] = list(
            dict.fromkeys([*ss.get("skipped_flags", [])] + [f.flag_id for f in flags])
        )
        ss["current_card"] = None
        return
    if action == "undo":
        stack = ss.get("undo_stack", [])
        if not stack:
            session.flash("warning", "Nothing to undo in this session.")
            return
        batch = stack.pop()
        outcome = undo(engine, user, batch)
        session.flash(outcome.kind, outcome.message)
        if outcome.ok:
            ss["current_card"] = batch.card
        return
    whole = action in ("accept", "reject")
    verb = "confirm" if action.startswith("accept") else "dismiss"
    outcome, batch = decide_flags(
        engine,
        user,
        card,
        flags,
        verb,
        reason=ss.get("card_reason"),
        comment=ss.get("card_comment", ""),
    )
    if batch is not None:
        ss["undo_stack"] = [*ss.get("undo_stack", []), batch][-UNDO_DEPTH:]
    session.flash(outcome.kind, outcome.message)
    if outcome.ok:
        ss["card_reason"], ss["card_comment"] = None, ""
        if whole and outcome.kind == "success":  # a partial reject keeps the card
            ss["current_card"] = None


def _pick() -> None:
    if st.session_state.get("queue_pick"):
        st.session_state["current_card"] = st.session_state["queue_pick"]


def _matches(card: Card, statuses: Sequence[str]) -> bool:
    return not statuses or any(f.status in statuses for f in card.flags)


def _current(
    engine: Engine, entries: list, statuses: Sequence[str], viewer: str, view: str
) -> Card | None:
    """The card on screen: the one chosen or undone if it still fits, else the queue's first.

    ``view`` names the filters, state and order: a card chosen under others is dropped.
    """
    if st.session_state.get("current_view") != view:
        st.session_state["current_view"] = view
        st.session_state["current_card"] = None
    chosen = st.session_state.get("current_card")
    candidates = [CardKey.parse(chosen)] if chosen else []
    candidates += [e.key for e in entries[:3]]
    candidates += [CardKey.parse(c) for c in st.session_state.get("skipped", [])]
    for key in candidates:
        card = load_card(engine, key, viewer=viewer)
        if card is not None and _matches(card, statuses):
            return card
    return None


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    card_view.css()
    flt = _filters(session.options())
    top = st.columns([2.0, 1.8, 0.8], vertical_alignment="bottom")
    show = top[0].segmented_control("Show", list(MODES), default="Open", key="f_show") or "Open"
    order = (
        top[1].segmented_control(
            "Order",
            list(ORDERS),
            default="score",
            key="f_order",
            format_func=SHORT_ORDERS.get,
            help=" / ".join(ORDERS.values()),
        )
        or "score"
    )
    entries = queue_keys(
        engine,
        flt,
        MODES[show],
        order,
        exclude=st.session_state.get("skipped_flags", []),
        viewer=user.username,
    )
    labels = {str(e.key): e.label for e in entries}
    chosen = st.session_state.get("current_card")
    st.session_state["queue_pick"] = chosen if chosen in labels else None
    with top[2].popover("Cards", help="Go to another card in this queue"):
        st.selectbox(
            f"Go to card ({len(entries)} next in this queue)",
            list(labels),
            index=None,
            key="queue_pick",
            on_change=_pick,
            format_func=lambda k: labels.get(k, k),
            placeholder="Choose a card",
        )
    _queue(engine, user, flt, show, order)


@st.fragment
def _queue(engine: Engine, user: SignedInUser, flt: FlagFilter, show: str, order: str) -> None:
    """The card and its buttons: a key press reruns only this part of the page."""
    settings = session.review_settings()
    statuses = MODES[show]
    total = session.count_flags(flt)
    reviewed = session.count_reviewed(flt)
    entries = queue_keys(
        engine,
        flt,
        statuses,
        order,
        exclude=st.session_state.get("skipped_flags", []),
        viewer=user.username,
        limit=12,
    )
    view = f"{session.filter_key(flt)}|{show}|{order}"
    card = _current(engine, entries, statuses, user.username, view)
    kind, message = st.session_state.pop("_flash", (None, ""))
    card_view.status_line(kind, message, progress=(reviewed, total))
    if card is None:
        st.success("Nothing to review with these filters.")
        return
    current = str(card.key)
    st.session_state["current_card"] = current

    left, right = st.columns([1.15, 1], gap="medium")
    with left:
        card_view.note_panel(card)
    deciding = user.may_decide
    with right:
        if deciding:
            card_view.reason_pills(reasons_for(card.categories), current)
            targets = tuple(f for f in card.flags if not statuses or f.status in statuses)
            several = len(card.groups()) > 1
            card_view.decision_bar(
                settings,
                lambda action: _on_action(engine, user, current, targets, action),
                labels={
                    "accept": "Accept all" if several else "Accept",
                    "reject": "Reject all" if several else "Reject",
                    "skip": "Skip",
                    "undo": "Undo",
                },
                disabled=() if st.session_state.get("undo_stack") else ("undo",),
            )

        def one_by_one(group: Sequence[FlagView]) -> None:
            gid = group[0].flag_id
            for action, label, help_text in (
                ("accept_one", "✓", "Accept this flag only"),
                ("reject_one", "✗", "Reject this flag only (uses the reason above)"),
            ):
                st.button(
                    label,
                    key=f"{action}_{gid}",
                    help=help_text,
                    on_click=_on_action,
                    args=(engine, user, current, tuple(group), action),
                )

        card_view.flag_rows(
            card,
            one_by_one=one_by_one if deciding else None,
            header=card_view.keys_html(settings, ("accept", "reject", "skip", "undo")),
        )
    if deciding:
        runs = st.session_state["_queue_runs"] = st.session_state.get("_queue_runs", 0) + 1
        st.html(key_script(settings.keys, current, runs), unsafe_allow_javascript=True)
