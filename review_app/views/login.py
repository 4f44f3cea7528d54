"""Sign-in form."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from review_app.auth import authenticate, has_users


def render(engine: Engine) -> None:
    st.title("careaudit review")
    if not has_users(engine):
        st.warning(
            "No users yet. Create one on the command line, for example: "
            "`careaudit users add alice --role admin`"
        )
    with st.form("sign_in"):
        username = st.text_input("User name", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_button")
    if submitted:
        user = authenticate(engine, username, password)
        if user is None:
            st.error("Wrong user name or password.")
            return
        st.session_state["user"] = user
        st.rerun()
