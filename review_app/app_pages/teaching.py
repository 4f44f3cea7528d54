"""Teaching examples page: see :mod:`review_app.views.trainer`."""

from review_app import session
from review_app.views import trainer

trainer.render(session.engine(), session.signed_in())
