"""Admin: import audit runs into the store; see runs and users."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from review_app import session
from review_app.auth import SignedInUser, list_users
from review_app.importer import RunImportError, import_run
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
            st.error(str(exc))
        else:
            st.success(report.summary())
            for warning in report.warnings:
                st.warning(warning)
            if report.errors:
                st.error(
                    f"{len(report.errors)} rows skipped:\n\n"
                    + "\n".join(f"- {e}" for e in report.errors[:50])
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
    st.subheader("Users")
    st.dataframe(
        [{"user": u, "role": r, "active": a} for u, r, a in list_users(engine)], hide_index=True
    )
    st.caption("Add users with `careaudit users add NAME --role auditor|supervisor|trainer|admin`.")
