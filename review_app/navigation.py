"""Which pages each role gets, for ``st.navigation`` (Streamlit's dynamic-navigation pattern).

The base role → view lists live in :mod:`review_app.auth` (``ROLE_VIEWS``); the
second-opinion and adjudication pages are added here. Each page is one small script in
``review_app/app_pages/`` that calls its view's ``render`` (no logic in page files); views
check the role again when they render.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from review_app.auth import ROLE_VIEWS, SignedInUser

PAGES_DIR = Path(__file__).with_name("app_pages")
# view name -> (page script, url path, icon), in menu order
PAGES: dict[str, tuple[str, str, str]] = {
    "Queue": ("queue.py", "queue", ":material/checklist:"),
    "Second opinions": ("second_opinions.py", "second-opinions", ":material/group:"),
    "Adjudication": ("adjudication.py", "adjudication", ":material/gavel:"),
    "Supervision": ("supervision.py", "supervision", ":material/supervisor_account:"),
    "Teaching examples": ("teaching.py", "teaching", ":material/school:"),
    "Dashboard": ("dashboard.py", "dashboard", ":material/monitoring:"),
    "Import": ("import_runs.py", "import", ":material/upload:"),
}
EXTRA_ROLE_VIEWS: dict[str, tuple[str, ...]] = {
    "auditor": ("Second opinions",),
    "supervisor": ("Adjudication",),
    "admin": ("Second opinions", "Adjudication"),
}


def views_for(role: str) -> tuple[str, ...]:
    """The views ``role`` may open, in menu order."""
    allowed = set(ROLE_VIEWS.get(role, ())) | set(EXTRA_ROLE_VIEWS.get(role, ()))
    return tuple(v for v in PAGES if v in allowed)


def may_open(user: SignedInUser, view: str) -> bool:
    return view in views_for(user.role)


def page(view: str, default: bool = False) -> st.Page:
    script, url_path, icon = PAGES[view]
    return st.Page(PAGES_DIR / script, title=view, url_path=url_path, icon=icon, default=default)


def pages_for(user: SignedInUser) -> list[st.Page]:
    """One ``st.Page`` per view the user's role allows; the first is the default."""
    return [page(v, default=i == 0) for i, v in enumerate(views_for(user.role))]


def login_page() -> st.Page:
    return st.Page(PAGES_DIR / "login.py", title="Sign in", url_path="sign-in", default=True)
