"""Second opinions page: see :mod:`review_app.views.second_opinion`."""

from review_app import session
from review_app.views import second_opinion

second_opinion.render(session.engine(), session.signed_in())
