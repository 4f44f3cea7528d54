"""Adjudication page: see :mod:`review_app.views.adjudication`."""

from review_app import session
from review_app.views import adjudication

adjudication.render(session.engine(), session.signed_in())
