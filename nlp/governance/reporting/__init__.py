"""Governance reports from an audit run: HTML/PDF/XLSX report, register review, person page.

Layout: ``rundir`` loads ``out/``; ``sections`` and ``person`` turn it into a
:class:`~nlp.reporting.model.Report` (sections of tables and inline SVG charts
from ``charts``); ``html`` (Jinja templates in ``templates/``), ``pdf``
(headless Chromium) and ``xlsx`` render it; ``build`` holds the entry points
the CLI calls.

The names below are loaded on first use (PEP 562), so importing a submodule such
as ``errors`` (which ``nlp.records.run_reader`` does) does not pull in ``build``
and with it ``run_reader`` itself: no import cycle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "FORMATS": "build",
    "person_command": "build",
    "register_review_command": "build",
    "report_command": "build",
    "run_register_review": "build",
    "ChromiumNotFoundError": "errors",
    "ReportError": "errors",
    "RunDirError": "errors",
    "ReportOptions": "sections",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
