"""Review app entry point: ``careaudit review out/`` or ``streamlit run review_app/app.py``.

Sign-in first (the only page until then), then ``st.navigation`` with the pages the
user's role may open (:mod:`review_app.navigation`); each page is one module.
"""

from __future__ import annotations

import streamlit as st

from review_app import navigation, session

st.set_page_config(page_title="careaudit review", page_icon="📝", layout="wide")
session.compact_layout()

user = session.current_user()
if user is None:
    st.navigation([navigation.login_page()], position="hidden").run()
    st.stop()

with st.sidebar:
    st.text(f"Signed in as {user.username} ({user.role})")
    st.button("Sign out", key="sign_out", on_click=session.sign_out)
st.navigation(navigation.pages_for(user), position="sidebar").run()
