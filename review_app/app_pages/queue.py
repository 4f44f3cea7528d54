"""Queue page: see :mod:`review_app.views.auditor`."""

from review_app import session
from review_app.views import auditor

auditor.render(session.engine(), session.signed_in())
