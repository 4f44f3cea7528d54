"""One audit run: notes in, flags and restriction mentions out."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from nlp.analysis.analyzer import Analyzer
from nlp.audit.flags import build_note_findings
from nlp.audit.plan_gaps import plan_gap_flags
from nlp.audit.register_match import Register
from nlp.prediction.base import SentenceModel
from nlp.schema import CATEGORIES, Flag, Note, RestrictionMention


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
    """Runs analyser + model + register over batches of notes."""

    def __init__(
        self,
        model: SentenceModel,
        analyzer: Analyzer | None = None,
        register: Register | None = None,
        batch_size: int = 256,
        plan_standard: bool = True,
    ) -> None:
        self.model = model
        self.analyzer = analyzer or Analyzer()
        self.register = register or Register.empty()
        self.batch_size = batch_size
        self.plan_standard = plan_standard
        self.timings = {"model_seconds": 0.0, "flags_seconds": 0.0, "plan_standard_seconds": 0.0}

    def run(
        self, notes: Iterable[Note], progress: Callable[[int], None] | None = None
    ) -> AuditResult:
        result = AuditResult()
        clock = time.perf_counter
        it = iter(notes)
        while batch := list(islice(it, self.batch_size)):
            analyses = list(self.analyzer.analyse(batch))
            t0 = clock()
            predictions = self.model.predict_notes(analyses)
            t1 = clock()
            for analysis, preds in zip(analyses, predictions, strict=True):
                found = build_note_findings(analysis, preds, self.register)
                result.flags.extend(found.flags)
                result.restrictions.extend(found.restrictions)
                t2 = clock()
                if self.plan_standard:
                    result.flags.extend(plan_gap_flags(analysis, found.restrictions))
                self.timings["plan_standard_seconds"] += clock() - t2
            self.timings["model_seconds"] += t1 - t0
            self.timings["flags_seconds"] += clock() - t1
            result.notes.extend(batch)
            if progress:
                progress(len(batch))
        result.sentences = self.analyzer.stats["sentences"]
        result.parsed_sentences = self.analyzer.stats["parsed"]
        return result
