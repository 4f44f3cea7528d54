"""Admin: import audit runs into the store; see runs and users."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from review_app import session
from review_app.auth import SignedInUser, list_users
from review_app.importer import RunImportError, import_run
from review_app.render import md_text
from review_app.settings import (
    DEFAULT_KEYS,
    KEY_LABELS,
    MAX_SECOND_OPINIONS,
    SettingsError,
    save,
)
from review_app.store import count_rows, list_runs

NAME = "Import"


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    st.header("Import audit runs")
    with st.form("import_form"):
        path = st.text_input(
            "Run directory on the server (written by `careaudit audit`)",
            key="import_path",
            placeholder="out/",
        )
        submitted = st.form_submit_button("Import", type="primary", key="import_button")
    if submitted and path.strip():
        try:
            report = import_run(engine, path.strip())
        except RunImportError as exc:
            st.error(md_text(exc))
        else:
            st.success(md_text(report.summary()))
            for warning in report.warnings:
                st.warning(md_text(warning))
            if report.errors:
                st.error(
                    f"{len(report.errors)} rows skipped:\n\n"
                    + "\n".join(f"- {md_text(e)}" for e in report.errors[:50])
                )
    counts = count_rows(engine)
    st.caption(" · ".join(f"{n} {table}" for table, n in counts.items()))
    runs = list_runs(engine)
    if runs:
        st.subheader("Runs")
        st.dataframe(
            [
                {
                    "run_id": r.run_id,
                    "created": r.created_at,
                    "model": r.model,
                    "notes": r.n_notes,
                    "flags": r.n_flags,
                    "imported": f"{r.imported_at:%Y-%m-%d %H:%M}",
                    "path": r.path,
                }
                for r in runs
            ],
            hide_index=True,
        )
    _settings(engine, user)
    st.subheader("Users")
    st.dataframe(
        [{"user": u, "role": r, "active": a} for u, r, a in list_users(engine)], hide_index=True
    )
    st.caption("Add users with `careaudit users add NAME --role auditor|supervisor|trainer|admin`.")


def _settings(engine: Engine, user: SignedInUser) -> None:
    """Shortcut keys and the share of decided flags routed for a blind second opinion."""
    current = session.review_settings()
    st.subheader("Review settings")
    with st.form("settings_form"):
        cols = st.columns(len(DEFAULT_KEYS) + 1)
        keys = {
            action: cols[i].text_input(
                f"Key: {KEY_LABELS[action]}", current.keys[action], max_chars=1, key=f"s_{action}"
            )
            for i, action in enumerate(DEFAULT_KEYS)
        }
        share = cols[-1].number_input(
            "Second opinions (%)",
            0,
            100,
            round(current.second_opinion_share * 100),
            key="s_share",
            help="Share of decided flags routed blind to a second auditor.",
        )
        per_flag = st.number_input(
            "Blind reviewers per routed flag",
            1,
            MAX_SECOND_OPINIONS,
            current.second_opinions_per_flag,
            key="s_per_flag",
            help="2 or 3 gives flags with three or four reviewers (Krippendorff's α).",
        )
        saved = st.form_submit_button("Save settings", key="s_save")
    if saved:
        try:
            save(
                engine,
                user.username,
                keys=keys,
                second_opinion_share=share / 100,
                second_opinions_per_flag=per_flag,
            )
        except SettingsError as exc:
            st.error(md_text(exc))
        else:
            st.success("Settings saved.")
