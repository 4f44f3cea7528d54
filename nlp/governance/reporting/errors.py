"""Errors the report commands turn into one-line messages (never tracebacks)."""

from __future__ import annotations


class ReportError(Exception):
    """A problem with the inputs of a report, worded for the person running it."""


class RunDirError(ReportError):
    """A run directory (``out/``) is missing a file or has a bad file."""


class ChromiumNotFoundError(ReportError):
    """PDF output needs Chromium and none was found."""
