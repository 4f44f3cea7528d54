"""Streamlit glue shared by the views: cached engine/analyzer, signed-in user, messages."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from review_app.auth import SignedInUser
from review_app.config import resolve_db_url
from review_app.store import make_engine


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The store named by ``$CAREAUDIT_DB`` (set by ``careaudit review``) or the default."""
    return _engine(resolve_db_url())


@st.cache_resource(show_spinner="Loading the de-identification model…")
def analyzer():  # type: ignore[no-untyped-def]
    from review_app.deid import shared_analyzer

    return shared_analyzer()


def current_user() -> SignedInUser | None:
    user = st.session_state.get("user")
    return user if isinstance(user, SignedInUser) else None


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def require(user: SignedInUser, view: str) -> None:
    """Stop the page unless the user's role may open ``view``."""
    if not user.may_open(view):
        st.error(f"Your role ({user.role}) cannot open {view}.")
        st.stop()


def flash(kind: str, message: str) -> None:
    """Queue a message for the next run (set from widget callbacks)."""
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("_flash", (None, None))
    if kind:
        getattr(st, kind)(message)
