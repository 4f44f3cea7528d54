"""Streamlit glue shared by the views: cached engine and queries, signed-in user, messages.

Heavy objects (engine, de-identification analyser) live in ``st.cache_resource``.
Queries whose answer changes only with an import or a decision are cached with
``st.cache_data`` and keyed on :func:`review_app.store.store_stamp`, so a new import or
decision invalidates them and nothing else does.
"""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from review_app import cards, settings, stats
from review_app.auth import SignedInUser
from review_app.config import resolve_db_url
from review_app.render import md_text
from review_app.store import FlagFilter, filter_options, make_engine, store_stamp


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The store named by ``$CAREAUDIT_DB`` (set by ``careaudit review``) or the default."""
    return _engine(resolve_db_url())


@st.cache_resource(show_spinner="Loading the de-identification model…")
def analyzer():  # type: ignore[no-untyped-def]
    from nlp.deid import shared_analyzer

    return shared_analyzer()


def current_user() -> SignedInUser | None:
    user = st.session_state.get("user")
    return user if isinstance(user, SignedInUser) else None


def signed_in() -> SignedInUser:
    """The signed-in user; stops the page when there is none."""
    user = current_user()
    if user is None:
        st.error("Sign in first.")
        st.stop()
    return user  # type: ignore[return-value]


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def require(user: SignedInUser, view: str) -> None:
    """Stop the page unless the user's role may open ``view``."""
    from review_app.navigation import may_open

    if not may_open(user, view):
        st.error(f"Your role ({user.role}) cannot open {view}.")
        st.stop()


def flash(kind: str, message: str) -> None:
    """Queue a message for the next run (set from widget callbacks)."""
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    """Success as a toast (no layout shift); warnings and errors in the page."""
    kind, message = st.session_state.pop("_flash", (None, None))
    if kind == "success":  # messages quote flag ids and names: never Markdown
        st.toast(md_text(message), icon=":material/check:")
    elif kind:
        getattr(st, kind)(md_text(message))


def compact_layout() -> None:
    """Less padding, so a whole card and its buttons fit a 1366×768 screen."""
    st.html(
        "<style>"
        '[data-testid="stMainBlockContainer"]{padding-top:2.6rem;padding-bottom:1rem}'
        '[data-testid="stSidebarUserContent"]{padding-top:0.5rem}'
        "h3{padding-top:0.2rem!important}"
        # no fades or slides: a new card is drawn at once and costs the browser less
        "*,*::before,*::after{transition:none!important;animation-duration:0s!important}"
        "</style>"
    )


# --- cached queries ------------------------------------------------------------------------


def stamp() -> tuple[str, str]:
    """(imports, decisions) stamp of the store, read once per run."""
    return store_stamp(engine())


def filter_key(flt: FlagFilter) -> str:
    return repr(astuple(flt))


@st.cache_data(show_spinner=False, max_entries=64)
def _options(url: str, imports: str) -> dict[str, list[str]]:
    return filter_options(_engine(url))


def options() -> dict[str, list[str]]:
    """Distinct services, authors, … for the filters (changes only with an import)."""
    return _options(resolve_db_url(), stamp()[0])


@st.cache_data(show_spinner=False, max_entries=256)
def _count(url: str, imports: str, key: str, _flt: FlagFilter) -> int:
    return cards.count_flags(_engine(url), _flt)


def count_flags(flt: FlagFilter) -> int:
    """Flags matching ``flt`` (cached per import)."""
    return _count(resolve_db_url(), stamp()[0], filter_key(flt), flt)


@st.cache_resource(show_spinner=False)
def _reviewed_counts(url: str) -> cards.ReviewedCounts:
    return cards.ReviewedCounts()


def count_reviewed(flt: FlagFilter) -> int:
    """Reviewed flags matching ``flt``: counted once per import, then kept up to date from
    the decisions appended since (shared by every session; O(new decisions))."""
    url = resolve_db_url()
    return _reviewed_counts(url).count(_engine(url), flt, f"{stamp()[0]}|{filter_key(flt)}")


@st.cache_resource(show_spinner=False)
def _decided_cube(url: str) -> stats.DecidedCube:
    return stats.DecidedCube()


def decided_cube() -> Any:
    """The dashboard's decided flags per cell and state (:class:`review_app.stats.DecidedCube`:
    read once per import, then only the decisions appended since)."""
    url = resolve_db_url()
    return _decided_cube(url).frame(_engine(url), stamp()[0])


@st.cache_data(show_spinner=False, max_entries=16)
def _settings(url: str, decisions: str) -> settings.ReviewSettings:
    return settings.load(_engine(url))


def review_settings() -> settings.ReviewSettings:
    return _settings(resolve_db_url(), stamp()[1])


def cached(fn: Any, *args: Any, imports: bool = True, decisions: bool = True) -> Any:
    """``fn(engine, *args)`` cached on the store stamp (see :func:`_cached`)."""
    imp, dec = stamp()
    key = f"{fn.__module__}.{fn.__qualname__}{args!r}"
    return _cached(
        resolve_db_url(), imp if imports else "", dec if decisions else "", fn, key, args
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(url: str, imports: str, decisions: str, _fn: Any, key: str, _args: tuple) -> Any:
    return _fn(_engine(url), *_args)
