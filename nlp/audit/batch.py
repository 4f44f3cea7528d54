"""What one audited batch is, and what a worker process needs: light enough for any process.

:class:`NoteOutcome` and :class:`BatchResult` are what
:meth:`nlp.audit.auditor.Auditor.audit_batch` returns (plain rows: notes, flags,
restriction mentions, counts, seconds per stage); :class:`AuditSettings` is what
a worker process needs to build its own auditor. :func:`start_worker` and
:func:`audit_in_worker` are the entry points of ``--workers`` processes. This
module imports neither spaCy nor the model, so the process that only reads the
export and writes the run folder stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nlp.schema import Flag, Note, RestrictionMention

if TYPE_CHECKING:
    from nlp.audit.register_match import Register


@dataclass(slots=True)
class NoteOutcome:
    """What the audit found in one note."""

    note: Note
    flags: list[Flag]
    restrictions: list[RestrictionMention]
    sentences: int
    parsed: int


@dataclass(slots=True)
class BatchResult:
    """One audited batch: an outcome per note, in input order, and where the time went."""

    outcomes: list[NoteOutcome] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def notes(self) -> list[Note]:
        return [o.note for o in self.outcomes]

    @property
    def flags(self) -> list[Flag]:
        return [f for o in self.outcomes for f in o.flags]

    @property
    def restrictions(self) -> list[RestrictionMention]:
        return [r for o in self.outcomes for r in o.restrictions]

    @property
    def sentences(self) -> int:
        return sum(o.sentences for o in self.outcomes)

    @property
    def parsed(self) -> int:
        return sum(o.parsed for o in self.outcomes)


STAGES: tuple[str, ...] = ("cheap", "text_model", "parse", "model", "flags")


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """What a worker process needs to build its auditor (picklable, hashable)."""

    model: str = "hybrid"
    register: str | None = None  # path of the register CSV
    batch_size: int = 256
    plan_standard: bool = True
    selective_parse: bool = True


def start_worker(settings: AuditSettings, register: Register | None = None) -> None:
    """Process-pool initializer: load the pipelines and model once.

    ``register`` is the register the parent has already read: a worker given it does
    not read the file again, and so never imports pandas (about 70 MB per worker).
    """
    from nlp.audit.auditor import cached_auditor

    cached_auditor(settings, register)


def audit_in_worker(notes: Sequence[Note], settings: AuditSettings) -> BatchResult:
    """Audit one batch in a worker process (its cached auditor)."""
    from nlp.audit.auditor import cached_auditor
    from nlp.audit.heap import release_freed_memory

    auditor = cached_auditor(settings)
    with auditor.memory_zones():
        result = auditor.audit_batch(notes)
    release_freed_memory()
    return result
