"""Review app entry point: ``careaudit review out/`` or ``streamlit run review_app/app.py``.

Sign-in, then the views the user's role may open (see ``auth.ROLE_VIEWS``).
"""

from __future__ import annotations

import streamlit as st

from review_app import session
from review_app.views import VIEWS, login

st.set_page_config(page_title="careaudit review", page_icon="📝", layout="wide")

engine = session.engine()
user = session.current_user()
if user is None:
    login.render(engine)
    st.stop()

with st.sidebar:
    st.markdown(f"Signed in as **{user.username}** ({user.role})")
    view = st.radio("View", user.views, key="view")
    st.button("Sign out", key="sign_out", on_click=session.sign_out)

session.show_flash()
VIEWS[view].render(engine, user)
