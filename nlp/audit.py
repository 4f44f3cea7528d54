"""One audit run: notes in, flags and restriction mentions out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from nlp.analysis import Analyzer, NoteAnalysis
from nlp.flags import build_note_findings
from nlp.prediction import SentenceModel
from nlp.register import Register
from nlp.schema import Flag, Note, RestrictionMention


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
            "flags_by_category": dict(sorted(by_cat.items())),
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
        extra_findings: Callable[[NoteAnalysis], list[Flag]] | None = None,
    ) -> None:
        self.model = model
        self.analyzer = analyzer or Analyzer()
        self.register = register or Register.empty()
        self.batch_size = batch_size
        self.extra_findings = extra_findings

    def run(
        self, notes: Iterable[Note], progress: Callable[[int], None] | None = None
    ) -> AuditResult:
        result = AuditResult()
        it = iter(notes)
        while batch := list(islice(it, self.batch_size)):
            analyses = list(self.analyzer.analyse(batch))
            for analysis, preds in zip(analyses, self.model.predict_notes(analyses), strict=True):
                found = build_note_findings(analysis, preds, self.register)
                result.flags.extend(found.flags)
                result.restrictions.extend(found.restrictions)
                if self.extra_findings is not None:
                    result.flags.extend(self.extra_findings(analysis))
            result.notes.extend(batch)
            if progress:
                progress(len(batch))
        result.sentences = self.analyzer.stats["sentences"]
        result.parsed_sentences = self.analyzer.stats["parsed"]
        return result
