"""The vocabulary shared by every part of careaudit: notes, flags, restrictions.

One place defines the records that flow between the pipeline, the CLI, the
review app and the reports, and the column order of every file in an audit
run directory (``out/``):

- ``notes.jsonl``      one audited :class:`Note` per line (the review app shows them)
- ``flags.csv/.jsonl`` one :class:`Flag` per line
- ``restrictions.csv`` one :class:`RestrictionMention` per line
- ``rejected.csv``     rows of the input that could not be audited
- ``summary.json``     counts, plus ``run`` metadata (run_id, model, input)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from functools import cache, lru_cache
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "doing_for",
    "unrecorded_restriction",
    "missing_rationale",
    "plan_gap",
)
CATEGORY_LABELS: dict[str, str] = {
    "doing_for": "Doing for",
    "unrecorded_restriction": "Unrecorded restriction",
    "missing_rationale": "Missing rationale",
    "plan_gap": "Care-plan gap",
}
NOTE_TYPES: tuple[str, ...] = ("daily_note", "care_plan", "incident")
RESTRICTION_TYPES: tuple[str, ...] = (
    "environmental",
    "physical",
    "mechanical",
    "chemical",
    "seclusion",
    "supervision_surveillance",
    "routine_rule",
    "possessions_finance",
    "contact_communication",
    "coercion_threat",
)
PLAN_ELEMENTS: tuple[str, ...] = ("rationale", "alternative", "review_date", "involvement")


def flat_dict(record: Any) -> dict[str, Any]:
    """A record's fields in order, as ``dataclasses.asdict`` gives them for records whose
    fields are all strings and numbers (without its deep copy: 4x faster per flag row)."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass(slots=True)
class Note:
    """One record from a care system export."""

    note_id: str
    person_id: str
    date: str  # ISO yyyy-mm-dd
    text: str
    service: str = ""
    author: str = ""
    note_type: str = "daily_note"

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(slots=True)
class Flag:
    """One finding an auditor can confirm or dismiss."""

    flag_id: str
    note_id: str
    person_id: str
    service: str
    author: str
    date: str
    note_type: str
    category: str
    start: int
    end: int
    span_text: str
    sentence_start: int
    sentence_end: int
    restriction_type: str = ""
    score: float = 0.0
    source: str = ""
    explanation: str = ""
    suggestion: str = ""
    register_status: str = ""
    element: str = ""
    # the model that produced the flag: ``kind@`` + the first 12 hex of its weights' SHA-256
    model_version: str = ""

    @classmethod
    def for_note(cls, note: Note, **fields: Any) -> Flag:
        """A flag on ``note``: the note's id, person, service, author, date and type."""
        return cls(
            note_id=note.note_id,
            person_id=note.person_id,
            service=note.service,
            author=note.author,
            date=note.date,
            note_type=note.note_type,
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(slots=True)
class RestrictionMention:
    """A restriction found in a note, authorised or not (register review input)."""

    note_id: str
    person_id: str
    service: str
    author: str
    date: str
    note_type: str
    restriction_type: str
    start: int
    end: int
    span_text: str
    sentence_start: int
    sentence_end: int
    authority_cited: str = ""
    register_match: str = ""
    register_status: str = ""  # in_register | out_of_date | not_in_register | no_register
    status: str = ""  # authorised_in_text | recorded | unrecorded
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


FLAG_COLUMNS: list[str] = [f.name for f in fields(Flag)]
RESTRICTION_COLUMNS: list[str] = [f.name for f in fields(RestrictionMention)]
NOTE_COLUMNS: list[str] = [f.name for f in fields(Note)]


def make_flag_id(note_id: str, text: str, category: str, start: int, end: int) -> str:
    """A flag id that is stable across re-runs of the same note text.

    It hashes the note id, the note text, the category and the sentence-level
    position, so re-auditing unchanged notes gives the same ids (the review store
    keys decisions on them) while an edited note gets new ones.
    """
    key = "\x1f".join([note_id, text_digest(text), category, str(start), str(end)])
    return "F-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def text_digest(text: str) -> str:
    """SHA-256 of a note text, computed once per note (a long note has thousands of flags)."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(slots=True)
class SentenceLabels:
    """Gold or predicted labels of one sentence, as in the annotation guidelines.

    A label of ``None`` means *unknown* (a ``null`` in the gold file: nobody reviewed
    that sentence for that label); it is never the same as 0. ``unrecorded_label``
    holds a gold file's explicit ``unrecorded_restriction`` for a sentence whose
    restriction fields are unknown but whose flag label is known (a reviewed note).
    """

    start: int
    end: int
    doing_for: int | None = 0
    restriction: int | None = 0
    restriction_type: str | None = None
    authorised_in_text: int | None = 0
    in_register: int | None = 0
    missing_rationale: int | None = 0
    extra: dict[str, Any] = field(default_factory=dict)
    unrecorded_label: int | None = None

    @property
    def unrecorded_restriction(self) -> int | None:
        """Gold for the ``unrecorded_restriction`` flag; ``None`` when unknown."""
        derived = derive_unrecorded(self.restriction, self.authorised_in_text, self.in_register)
        return self.unrecorded_label if derived is None else derived


def derive_unrecorded(
    restriction: int | None, authorised_in_text: int | None, in_register: int | None
) -> int | None:
    """``restriction and not authorised_in_text and not in_register`` in three-valued logic."""
    if restriction == 0 or authorised_in_text == 1 or in_register == 1:
        return 0
    if restriction == 1 and authorised_in_text == 0 and in_register == 0:
        return 1
    return None
