"""Auditor queue: filter open flags, read the note, confirm / dismiss / skip."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from review_app import session
from review_app.actions import order_queue, submit
from review_app.auth import SignedInUser
from review_app.render import CATEGORY_LABELS, Span, note_html
from review_app.store import (
    DISMISS_REASONS,
    FlagFilter,
    FlagView,
    decision_history,
    filter_options,
    list_flags,
    note_flags,
    progress,
)

NAME = "Queue"
SHOW = {"Open": ("open",), "Confirmed": ("confirmed",), "Dismissed": ("dismissed",), "All": ()}


def _filters(engine: Engine) -> tuple[FlagFilter, tuple[str, ...]]:
    opts = filter_options(engine)
    with st.sidebar.expander("Filters", expanded=True):
        show = st.radio("Show", list(SHOW), horizontal=True, key="f_show")
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
            min_score=st.slider("Minimum score", 0.0, 1.0, 0.0, 0.05, key="f_score"),
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
    return flt, SHOW[show]


def _on_decide(engine: Engine, user: SignedInUser, flag_id: str, seen: int, action: str) -> None:
    """Button callback: runs before the rerun, with the version rendered on screen."""
    if action == "skip":
        skipped = [f for f in st.session_state.get("skipped", []) if f != flag_id]
        st.session_state["skipped"] = [*skipped, flag_id]
        st.session_state["current_flag"] = None
        return
    outcome = submit(
        engine,
        user,
        flag_id,
        seen,
        action,
        reason=st.session_state.get(f"reason-{flag_id}"),
        comment=st.session_state.get(f"comment-{flag_id}", ""),
    )
    session.flash(outcome.kind, outcome.message)
    if outcome.ok:
        st.session_state["current_flag"] = None


def _pick() -> None:
    st.session_state["current_flag"] = st.session_state["queue_pick"]


def _label(f: FlagView) -> str:
    category = CATEGORY_LABELS.get(f.category, f.category)
    return f"{f.date} · {f.note_id} · {category} · “{f.span_text[:40]}”"


def _details(engine: Engine, flag: FlagView) -> None:
    st.subheader(CATEGORY_LABELS.get(flag.category, flag.category))
    facts = [f"score **{flag.score:.2f}**", f"status **{flag.status}**"]
    if flag.restriction_type:
        facts.append(f"type **{flag.restriction_type}**")
    if flag.register_status:
        facts.append(f"register **{flag.register_status}**")
    if flag.element:
        facts.append(f"missing **{flag.element.replace('_', ' ')}**")
    st.markdown(" · ".join(facts))
    st.markdown("**Why flagged**")
    st.text(flag.explanation or "—")
    st.markdown("**Suggestion**")
    st.text(flag.suggestion or "—")
    history = decision_history(engine, flag.flag_id)
    if history:
        with st.expander(f"History ({len(history)})"):
            for d in history:
                extra = f" — {d.reason}" if d.reason else ""
                st.text(
                    f"#{d.sequence} {d.decided_at:%Y-%m-%d %H:%M} {d.reviewer}: "
                    f"{d.previous_state} → {d.state}{extra}"
                    + (f"\n   “{d.comment}”" if d.comment else "")
                )


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    flt, statuses = _filters(engine)
    matching = list_flags(engine, flt)
    reviewed, total = progress(matching)
    st.header("Review queue")
    st.progress(reviewed / total if total else 1.0, text=f"{reviewed} of {total} reviewed")
    queue = order_queue(matching, statuses, st.session_state.get("skipped", []))
    if not queue:
        st.success("Nothing to review with these filters.")
        return
    ids = [f.flag_id for f in queue]
    current_id = st.session_state.get("current_flag")
    flag = queue[ids.index(current_id)] if current_id in ids else queue[0]
    st.session_state["current_flag"] = flag.flag_id
    st.session_state["queue_pick"] = flag.flag_id
    by_id = {f.flag_id: f for f in queue}
    st.selectbox(
        f"Flag ({len(queue)} in this queue)",
        ids,
        key="queue_pick",
        on_change=_pick,
        format_func=lambda i: _label(by_id[i]),
    )

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.caption(
            f"Note {flag.note_id} · {flag.note_type} · {flag.date} · person {flag.person_id} · "
            f"{flag.service} · written by {flag.author}"
        )
        spans = [
            Span(f.start, f.end, f.category, current=f.flag_id == flag.flag_id)
            for f in note_flags(engine, [flag.note_key])
        ]
        st.html(note_html(flag.text, spans))
    with right:
        _details(engine, flag)
        if not user.may_decide:
            return
        seen = flag.sequence
        with st.form(f"decide-{flag.flag_id}", border=True):
            st.selectbox(
                "Dismiss reason",
                DISMISS_REASONS,
                index=None,
                key=f"reason-{flag.flag_id}",
                placeholder="Needed to dismiss",
            )
            st.text_area("Comment", key=f"comment-{flag.flag_id}", height=80)
            actions = [
                ("confirm", "Confirm", "Alt+Y"),
                ("dismiss", "Dismiss", "Alt+N"),
                ("skip", "Skip", "Alt+S"),
            ]
            if flag.status != "open":
                actions.append(("reopen", "Reopen", "Alt+O"))
            row = st.container(horizontal=True, gap="small")
            for action, label, shortcut in actions:
                row.form_submit_button(
                    label,
                    key=action,
                    shortcut=shortcut,
                    type="primary" if action == "confirm" else "secondary",
                    on_click=_on_decide,
                    args=(engine, user, flag.flag_id, seen, action),
                )
        st.caption("Keys: Alt+Y confirm · Alt+N dismiss · Alt+S skip · Tab moves between fields")
