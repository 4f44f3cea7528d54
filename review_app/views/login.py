"""Sign-in form: refuses a store that fails its integrity check; throttled sign-in."""

from __future__ import annotations

import ipaddress

import streamlit as st
from sqlalchemy import Engine

from review_app.auth import USERNAME_MAX, has_users, sign_in
from review_app.passwords import MAX_PASSWORD_LENGTH
from review_app.store import integrity_check

CHECK_EVERY_S = 600  # verified at start-up, then again at most every 10 minutes
SHOWN_PROBLEMS = 20


@st.cache_data(ttl=CHECK_EVERY_S, show_spinner="Checking the review store…")
def _store_problems(url: str, _engine: Engine) -> list[str]:
    """Chain, triggers and invariants (not SQLite's full-file check: --check does that)."""
    return integrity_check(_engine, physical=False)


def client_address() -> str | None:
    """The client's IP address, or None when unknown (then sign-in is throttled per user).

    Streamlit's server (uvicorn) takes it from ``X-Forwarded-For`` when the connection
    comes from the local reverse proxy; a browser on this machine gives None.
    """
    try:
        value = st.context.ip_address
        return str(ipaddress.ip_address(value)) if isinstance(value, str) else None
    except Exception:  # not in a browser session (tests, bare mode), or not an address
        return None


def refuse_broken_store(engine: Engine) -> None:
    """Stop the page, saying which rows failed, when the store fails its checks."""
    problems = _store_problems(engine.url.render_as_string(), engine)
    if not problems:
        return
    st.error(
        "This review store failed its integrity check, so the app will not open it. "
        "Nothing has been repaired. An administrator can see every problem with "
        "careaudit review --check."
    )
    more = len(problems) - SHOWN_PROBLEMS
    st.text("\n".join(problems[:SHOWN_PROBLEMS]) + (f"\n… and {more} more" if more > 0 else ""))
    st.stop()


def render(engine: Engine) -> None:
    st.title("careaudit review")
    refuse_broken_store(engine)
    if not has_users(engine):
        st.warning(
            "No users yet. Create one on the command line, for example: "
            "`careaudit users add alice --role admin`"
        )
    with st.form("sign_in"):
        username = st.text_input("User name", key="login_user", max_chars=USERNAME_MAX)
        password = st.text_input(
            "Password", type="password", key="login_password", max_chars=MAX_PASSWORD_LENGTH
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_button")
    if submitted:
        result = sign_in(engine, username, password, address=client_address())
        if result.user is None:
            st.error(result.message)
            return
        st.session_state["user"] = result.user
        st.rerun()
