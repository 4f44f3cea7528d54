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
from dataclasses import asdict, dataclass, field, fields
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
        return asdict(self)


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
        return asdict(self)


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
        return asdict(self)


FLAG_COLUMNS: list[str] = [f.name for f in fields(Flag)]
RESTRICTION_COLUMNS: list[str] = [f.name for f in fields(RestrictionMention)]
NOTE_COLUMNS: list[str] = [f.name for f in fields(Note)]


def make_flag_id(note_id: str, text: str, category: str, start: int, end: int) -> str:
    """A flag id that is stable across re-runs of the same note text.

    It hashes the note id, the note text, the category and the sentence-level
    position, so re-auditing unchanged notes gives the same ids (the review store
    keys decisions on them) while an edited note gets new ones.
    """
    key = "\x1f".join(
        [note_id, hashlib.sha256(text.encode()).hexdigest(), category, str(start), str(end)]
    )
    return "F-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(slots=True)
class SentenceLabels:
    """Gold or predicted labels of one sentence, as in the annotation guidelines."""

    start: int
    end: int
    doing_for: int = 0
    restriction: int = 0
    restriction_type: str | None = None
    authorised_in_text: int = 0
    in_register: int = 0
    missing_rationale: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def unrecorded_restriction(self) -> int:
        return int(self.restriction == 1 and self.authorised_in_text == 0 and self.in_register == 0)
