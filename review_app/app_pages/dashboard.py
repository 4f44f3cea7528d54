"""Dashboard page: see :mod:`review_app.views.dashboard`."""

from review_app import session
from review_app.views import dashboard

dashboard.render(session.engine(), session.signed_in())
