"""Governance dashboard: reviewed vs open and confirmed rate by service, category, month."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from review_app import session
from review_app.auth import SignedInUser
from review_app.charts import counts_chart, rate_chart
from review_app.stats import GROUPS, flag_frame, long_counts, summarise

NAME = "Dashboard"


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    st.header("Dashboard")
    frame = flag_frame(engine)
    if frame.empty:
        st.info("No flags in the store yet.")
        return
    reviewed = int((frame["status"] != "open").sum())
    confirmed = int((frame["status"] == "confirmed").sum())
    cols = st.columns(4)
    cols[0].metric("Flags", len(frame))
    cols[1].metric("Reviewed", reviewed)
    cols[2].metric("Open", len(frame) - reviewed)
    cols[3].metric("Confirmed rate", f"{confirmed / reviewed:.0%}" if reviewed else "–")
    for tab, (label, by) in zip(
        st.tabs([f"By {g.lower()}" for g in GROUPS]), GROUPS.items(), strict=True
    ):
        with tab:
            table = summarise(frame, by)
            st.altair_chart(counts_chart(long_counts(frame, by), by, label), width="stretch")
            rate = table.dropna(subset=["confirmed_rate"])
            if not rate.empty:
                st.altair_chart(rate_chart(rate, by, label), width="stretch")
            st.dataframe(table, hide_index=True)
