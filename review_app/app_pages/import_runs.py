"""Import page: see :mod:`review_app.views.admin`."""

from review_app import session
from review_app.views import admin

admin.render(session.engine(), session.signed_in())
