"""Auditing notes: one batch at a time, each note to its flags and restriction mentions.

:meth:`Auditor.audit_batch` is the unit every runner shares — the single-process
run, the ``--workers`` processes (:mod:`nlp.audit.run`) and the Dask path: the
cheap pass over every sentence; for a staged model (``prepare`` /
``parse_needed`` / ``finish``, see :mod:`nlp.prediction.sklearn_models`) the text
model first, then the parse of only the sentences whose parse can change a flag;
then flags, register matching and the care-plan standard. A note's rows depend
only on the note (and the model and register), never on the rest of the batch, so
any batch size and any number of processes give the same rows.

:func:`audit_notes` audits one batch with a pipeline and model loaded once per
process (:func:`cached_auditor`), for worker processes; :func:`shared_analyzer`
keeps one set of spaCy pipelines per process for every run in it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from nlp.analysis.analyzer import Analyzer
from nlp.audit.batch import STAGES, AuditSettings, BatchResult, NoteOutcome
from nlp.audit.flags import build_note_findings
from nlp.audit.plan_gaps import plan_gap_flags
from nlp.audit.register_match import Register
from nlp.prediction.base import SentenceModel
from nlp.prediction.version import model_version
from nlp.schema import CATEGORIES, Flag, Note, RestrictionMention

__all__ = [
    "STAGES",
    "AuditResult",
    "AuditSettings",
    "Auditor",
    "BatchResult",
    "NoteOutcome",
    "audit_notes",
    "cached_auditor",
    "shared_analyzer",
]


@dataclass(slots=True)
class AuditResult:
    notes: list[Note] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    restrictions: list[RestrictionMention] = field(default_factory=list)
    sentences: int = 0
    parsed_sentences: int = 0

    def counts(self) -> dict[str, object]:
        by_cat = Counter(f.category for f in self.flags)
        by_service: dict[str, Counter] = {}
        for f in self.flags:
            by_service.setdefault(f.service or "(none)", Counter())[f.category] += 1
        notes_per_service = Counter(n.service or "(none)" for n in self.notes)
        return {
            "notes": len(self.notes),
            "sentences": self.sentences,
            "parsed_sentences": self.parsed_sentences,
            "flags": len(self.flags),
            "flags_by_category": {c: by_cat.get(c, 0) for c in CATEGORIES},
            "restriction_mentions": len(self.restrictions),
            "by_service": {
                s: {"notes": notes_per_service[s], **dict(sorted(by_service.get(s, {}).items()))}
                for s in sorted(notes_per_service)
            },
        }


class Auditor:
    """Runs analyser + model + register over batches of notes (load once, reuse).

    ``selective_parse=False`` parses every candidate sentence, as before the
    parse was gated on the text model (for comparisons; the flags are the same).
    """

    def __init__(
        self,
        model: SentenceModel,
        analyzer: Analyzer | None = None,
        register: Register | None = None,
        batch_size: int = 256,
        plan_standard: bool = True,
        selective_parse: bool = True,
    ) -> None:
        self.model = model
        self.analyzer = analyzer or Analyzer()
        self.register = register or Register.empty()
        self.batch_size = batch_size
        self.plan_standard = plan_standard
        self.selective_parse = selective_parse
        self.version = model_version(model)
        self.timings = {"model_seconds": 0.0, "flags_seconds": 0.0, "plan_standard_seconds": 0.0}
        self.seconds = dict.fromkeys(STAGES, 0.0)

    def audit_batch(self, notes: Sequence[Note], register: Register | None = None) -> BatchResult:
        """Audit one batch of notes; the rows of each note depend on that note alone.

        ``register``: matched instead of the auditor's own (a worker process is handed
        the entries of the batch's people with each batch).
        """
        register = self.register if register is None else register
        clock = time.perf_counter
        seconds = dict.fromkeys(STAGES, 0.0)
        t = clock()
        analyses = self.analyzer.cheap_pass(notes)
        seconds["cheap"] = clock() - t
        staged = self.selective_parse and hasattr(self.model, "prepare")
        t = clock()
        prepared = self.model.prepare(analyses) if staged else None  # type: ignore[attr-defined]
        needed = self.model.parse_needed(prepared) if staged else None  # type: ignore[attr-defined]
        seconds["text_model"] = clock() - t
        t = clock()
        self.analyzer.parse(analyses, needed)
        seconds["parse"] = clock() - t
        t = clock()
        predictions = (
            self.model.finish(prepared)  # type: ignore[attr-defined]
            if staged
            else self.model.predict_notes(analyses)
        )
        seconds["model"] = clock() - t
        t = clock()
        result = BatchResult(seconds=seconds)
        plan_seconds = 0.0
        for analysis, preds in zip(analyses, predictions, strict=True):
            found = build_note_findings(analysis, preds, register)
            t2 = clock()
            if self.plan_standard:
                found.flags.extend(plan_gap_flags(analysis, found.restrictions))
            plan_seconds += clock() - t2
            for flag in found.flags:
                flag.model_version = self.version
            result.outcomes.append(
                NoteOutcome(
                    note=analysis.note,
                    flags=found.flags,
                    restrictions=found.restrictions,
                    sentences=len(analysis.sentences),
                    parsed=analysis.parsed,
                )
            )
        seconds["flags"] = clock() - t
        for stage, value in seconds.items():
            self.seconds[stage] += value
        self.timings["model_seconds"] += seconds["text_model"] + seconds["model"]
        self.timings["flags_seconds"] += seconds["flags"]
        self.timings["plan_standard_seconds"] += plan_seconds
        return result

    @contextmanager
    def memory_zones(self) -> Iterator[None]:
        """The analyzer's spaCy memory zones (:meth:`Analyzer.memory_zones`).

        Wrap whole :meth:`audit_batch` calls (its rows are plain Python objects); zones
        must not be nested.
        """
        with self.analyzer.memory_zones():
            yield

    def run(
        self, notes: Iterable[Note], progress: Callable[[int], None] | None = None
    ) -> AuditResult:
        """Audit every note, holding all rows in memory (evaluation, small inputs)."""
        result = AuditResult()
        it = iter(notes)
        while batch := list(islice(it, self.batch_size)):
            done = self.audit_batch(batch)
            for outcome in done.outcomes:
                result.notes.append(outcome.note)
                result.flags.extend(outcome.flags)
                result.restrictions.extend(outcome.restrictions)
                result.sentences += outcome.sentences
                result.parsed_sentences += outcome.parsed
            if progress:
                progress(len(batch))
        return result


# -- one auditor per process ---------------------------------------------------------


_AUDITORS: dict[AuditSettings, Auditor] = {}
_ANALYZERS: list[Analyzer] = []


def shared_analyzer() -> Analyzer:
    """This process's spaCy pipelines, built on first use (they hold no per-run state)."""
    if not _ANALYZERS:
        _ANALYZERS.append(Analyzer())
    return _ANALYZERS[0]


def cached_auditor(settings: AuditSettings) -> Auditor:
    """This process's auditor for ``settings``: pipelines, model and register load once
    (a ``--workers`` process's settings name no register: its batches bring theirs)."""
    auditor = _AUDITORS.get(settings)
    if auditor is None:
        from nlp.audit.register_match import load_register
        from nlp.prediction.registry import load_sentence_model

        register = load_register(Path(settings.register))[0] if settings.register else None
        auditor = Auditor(
            load_sentence_model(settings.model),
            analyzer=shared_analyzer(),
            register=register,
            batch_size=settings.batch_size,
            plan_standard=settings.plan_standard,
            selective_parse=settings.selective_parse,
        )
        _AUDITORS.clear()  # one configuration per process
        _AUDITORS[settings] = auditor
        from nlp.audit.heap import freeze_loaded

        freeze_loaded()  # loaded for the process's lifetime: out of the GC's full scans
    return auditor


def audit_notes(notes: Sequence[Note], settings: AuditSettings) -> BatchResult:
    """Audit one batch (or partition) of notes with this process's cached auditor."""
    return cached_auditor(settings).audit_batch(notes)
