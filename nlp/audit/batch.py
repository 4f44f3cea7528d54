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


# numpy's OpenBLAS reads this when it loads; a worker sets it unless the user has (not
# OMP_NUM_THREADS: torch reads that too, and the transformer model would get one thread)
BLAS_THREADS = ("OPENBLAS_NUM_THREADS",)


def start_worker(settings: AuditSettings) -> None:
    """Process-pool initializer: one BLAS thread; load the pipelines and model once.

    The worker reads no register (``settings.register`` is None): each batch comes with
    its people's entries (:func:`audit_in_worker`), so no worker imports pandas (about
    70 MB each). Each worker is one of ``--workers`` processes sharing the machine's
    cores, so numpy's OpenBLAS starts one thread instead of one per core, as Dask's
    nanny sets for its workers (two workers on two cores: 4,000 dense notes 7.5 -> 7.1 s;
    calling ``threadpoolctl`` after the loading did not help: the idle threads exist).
    """
    import os

    for name in BLAS_THREADS:  # read when numpy loads, below (a spawned worker has not yet)
        os.environ.setdefault(name, "1")
    from nlp.audit.auditor import cached_auditor

    cached_auditor(settings)


def audit_in_worker(
    notes: Sequence[Note], settings: AuditSettings, register: Register | None = None
) -> BatchResult:
    """Audit one batch in a worker process (its cached auditor); ``register``: the
    register entries of the batch's people (:meth:`Register.for_people`), if any."""
    from nlp.audit.auditor import cached_auditor
    from nlp.audit.heap import release_freed_memory

    auditor = cached_auditor(settings)
    with auditor.memory_zones():
        result = auditor.audit_batch(notes, register)
    release_freed_memory()
    return result
