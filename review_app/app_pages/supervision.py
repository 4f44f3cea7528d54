"""Supervision page: see :mod:`review_app.views.supervisor`."""

from review_app import session
from review_app.views import supervisor

supervisor.render(session.engine(), session.signed_in())
