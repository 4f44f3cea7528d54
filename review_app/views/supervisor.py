"""Supervisor: an author's confirmed flags in a period, note by note, with suggestions."""

from __future__ import annotations

from datetime import date
from html import escape

import streamlit as st
from sqlalchemy import Engine

from nlp.schema import CATEGORY_LABELS
from review_app import card_view, session, supervision
from review_app.auth import SignedInUser
from review_app.exports import supervision_pack
from review_app.render import Span, md_text, note_html

NAME = "Supervision"


def _role_warning(engine: Engine, author: str) -> None:
    roles = session.cached(supervision.role_like_authors, decisions=False)
    if not roles:
        return
    mine = next((r for r in roles if r.author == author), None)
    example = mine or roles[0]
    st.warning(
        f"Author values look like job titles, not people: “{md_text(example.author)}” covers "
        f"{example.notes} notes about {example.persons} people in {example.services} "
        f"service{'s' if example.services != 1 else ''}"
        + (f" ({len(roles)} such values)" if len(roles) > 1 else "")
        + ". Supervision packs need staff names: map the export's author column to the "
        "staff member's name when auditing (careaudit audit … --columns author=StaffName).",
        icon=":material/badge:",
    )


def _rates(engine: Engine, author: str, date_from: date, date_to: date) -> None:
    now, before = supervision.compare_periods(engine, author, date_from, date_to)
    cols = st.columns(4)
    cols[0].metric("Notes written", now.notes, delta=now.notes - before.notes or None)
    per, prev = now.per_100, before.per_100
    cols[1].metric(
        "Flags per 100 notes",
        "–" if per is None else f"{per:.0f}",
        delta=None if per is None or prev is None else f"{per - prev:+.0f}",
        delta_color="inverse",
        help="Flags the audit found on this author's notes, per 100 notes they wrote; the "
        "change is against the period of the same length just before.",
    )
    cper, cprev = now.confirmed_per_100, before.confirmed_per_100
    cols[2].metric(
        "Confirmed per 100 notes",
        "–" if cper is None else f"{cper:.0f}",
        delta=None if cper is None or cprev is None else f"{cper - cprev:+.0f}",
        delta_color="inverse",
    )
    cols[3].metric("Confirmed flags", now.confirmed)
    st.caption(
        f"Previous period ({before.notes} notes): "
        + ("no notes" if prev is None else f"{prev:.0f} flags per 100 notes")
    )


def _note(group: supervision.NoteGroup) -> None:
    f = group.first
    meta = f"{f.date} · note {f.note_id} · person {f.person_id} · {f.service}"
    st.html(f'<div class="ca-meta">{escape(meta)}</div>')
    st.html(
        note_html(f.text, [Span(g.start, g.end, g.category, current=True) for g in group.flags])
    )
    rows = []
    for g in group.flags:
        label = CATEGORY_LABELS.get(g.category, g.category)
        extra = f" · {g.element.replace('_', ' ')}" if g.element else ""
        comment = (
            f'<div class="why">Reviewer ({escape(g.reviewer)}): {escape(g.comment)}</div>'
            if g.comment
            else ""
        )
        rows.append(
            f'<div class="ca-flag"><div class="head">{escape(label + extra)}</div>'
            f'<div class="why">{escape(g.explanation)}</div>'
            f'<div class="tip">{escape(g.suggestion or "—")}</div>{comment}</div>'
        )
    st.html("".join(rows))


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    card_view.css()
    st.subheader("Supervision")
    opts = session.options()
    if not opts["authors"]:
        st.info("No flags in the store yet.")
        return
    left, right = st.columns(2)
    busiest = session.cached(supervision.busiest_author, imports=False)
    start = opts["authors"].index(busiest) if busiest in opts["authors"] else 0
    author = left.selectbox("Author", opts["authors"], index=start, key="sup_author")
    known = [date.fromisoformat(d) for d in opts["date_range"] if d]
    period = right.date_input("Period", tuple(known), format="DD/MM/YYYY", key="sup_period")
    date_from, date_to = (
        (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
    )
    _role_warning(engine, author)
    if date_from and date_to:
        _rates(engine, author, date_from, date_to)
    groups = supervision.confirmed_by_note(engine, author, date_from, date_to)
    total = sum(len(g.flags) for g in groups)
    st.text(
        f"{total} confirmed flag{'s' if total != 1 else ''} in {len(groups)} "
        f"note{'s' if len(groups) != 1 else ''} for {author}"
    )
    if total:
        html, csv_data = supervision_pack(engine, author, date_from, date_to)
        stem = f"supervision-{author.replace(' ', '_')}-{date_from}-{date_to}"
        a, b = st.columns(2)
        a.download_button(
            "Download pack (HTML)", html, f"{stem}.html", "text/html", key="pack_html"
        )
        b.download_button(
            "Download pack (CSV)", csv_data, f"{stem}.csv", "text/csv", key="pack_csv"
        )
    for group in groups:
        with st.container(border=True):
            _note(group)
