"""De-identify whole records: text and the id, person, author, service and date columns.

The batch is read twice: first every name (columns included) is learned, so a name
found in one row is replaced in all of them; then each row is rewritten in input
order. The same person gets the same pseudonym in every row and every date of a
person moves by that person's number of days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from nlp.deid.dates import shift_date_text
from nlp.deid.pseudonymiser import Pseudonymiser

COLUMNS = ("note_id", "person_id", "date", "service", "author", "note_type", "text")


def deidentify_notes(
    notes: Iterable[Any],
    pseudonymiser: Pseudonymiser,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, str]]:
    """One de-identified row (:data:`COLUMNS`) per note, in the order given.

    ``notes`` are :class:`nlp.schema.Note` objects (or anything with those fields).
    """
    notes = list(notes)
    p = pseudonymiser
    p.add_services(n.service for n in notes if n.service)
    for n in notes:
        if n.author:
            p.add_staff(n.author, n.service)
    texts = [n.text for n in notes]
    docs = p.analyzer.parse(texts)
    p.learn(texts, [n.person_id for n in notes], docs, [n.service for n in notes])
    rows = []
    for note, doc in zip(notes, docs, strict=True):
        shift = p.shift_for(note.person_id)
        rows.append(
            {
                "note_id": p.value("NOTE_ID", note.note_id),
                "person_id": p.value("PERSON_ID", note.person_id),
                "date": shift_date_text(note.date, shift) or note.date,
                "service": p.value("SERVICE", note.service) if note.service else "",
                "author": p.value("STAFF", note.author) if note.author else "",
                "note_type": note.note_type,
                "text": p.pseudonymise(
                    note.text, person=note.person_id, doc=doc, service=note.service
                ).text,
            }
        )
        if progress is not None:
            progress(1)
    return rows
