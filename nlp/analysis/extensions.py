"""Every custom attribute careaudit sets on spaCy objects, declared in one place.

After medspaCy's ``_extensions.py``: importing this module (the pipelines do)
declares them once; components only read and write them.

- ``Doc._.note_type``: ``daily_note`` / ``care_plan`` / ``incident`` (hypothetical
  restrictions count in care plans).
- ``Span._.drop_reason``: why a restriction match was dropped (``negated``,
  ``historical``, ``hypothetical``, ``own_choice``, ``own_action``, ``enabled``,
  ``routine_checks``); empty on kept spans.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

DOC_EXTENSIONS: dict[str, object] = {"note_type": "daily_note"}
SPAN_EXTENSIONS: dict[str, object] = {"drop_reason": ""}


def declare() -> None:
    """Declare careaudit's extensions (idempotent)."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


declare()
