"""Governance reports from an audit run: HTML/PDF/XLSX report, register review, person page.

Layout: ``rundir`` loads ``out/``; ``sections`` and ``person`` turn it into a
:class:`~nlp.reporting.model.Report` (sections of tables and inline SVG charts
from ``charts``); ``html`` (Jinja templates in ``templates/``), ``pdf``
(headless Chromium) and ``xlsx`` render it; ``build`` holds the entry points
the CLI calls.
"""

from nlp.governance.reporting.build import (
    FORMATS,
    person_command,
    register_review_command,
    report_command,
    run_register_review,
)
from nlp.governance.reporting.errors import ChromiumNotFoundError, ReportError, RunDirError
from nlp.governance.reporting.sections import ReportOptions

__all__ = [
    "FORMATS",
    "ChromiumNotFoundError",
    "ReportError",
    "ReportOptions",
    "RunDirError",
    "person_command",
    "register_review_command",
    "report_command",
    "run_register_review",
]
