"""Supervisor: an author's confirmed flags in a period, grouped by category, as a pack."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from review_app import session
from review_app.auth import SignedInUser
from review_app.exports import supervision_flags, supervision_pack
from review_app.render import CATEGORY_LABELS, Span, md_text, note_html
from review_app.store import filter_options

NAME = "Supervision"


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    st.header("Supervision")
    opts = filter_options(engine)
    if not opts["authors"]:
        st.info("No flags in the store yet.")
        return
    left, right = st.columns(2)
    author = left.selectbox("Author", opts["authors"], key="sup_author")
    known = [date.fromisoformat(d) for d in opts["date_range"] if d]
    period = right.date_input("Period", tuple(known), format="DD/MM/YYYY", key="sup_period")
    date_from, date_to = (
        (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
    )

    groups = supervision_flags(engine, author, date_from, date_to)
    total = sum(len(v) for v in groups.values())
    st.markdown(f"**{total}** confirmed flag{'s' if total != 1 else ''} for **{author}**")
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
    for category, flags in groups.items():
        st.subheader(f"{CATEGORY_LABELS.get(category, category)} ({len(flags)})")
        for f in flags:
            st.caption(
                f"{f.date} · note {f.note_id} · person {f.person_id} · {f.service}"
                + (f" · {f.restriction_type}" if f.restriction_type else "")
                + f" · confirmed by {f.reviewer}"
            )
            st.html(note_html(f.text, [Span(f.start, f.end, f.category, current=True)]))
            st.markdown(f"*Why flagged:* {md_text(f.explanation)}")
            if f.comment:
                st.markdown(f"*Reviewer comment:* {md_text(f.comment)}")
