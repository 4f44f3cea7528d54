"""Sign-in page (the only page before sign-in): see :mod:`review_app.views.login`."""

from review_app import session
from review_app.views import login

login.render(session.engine())
