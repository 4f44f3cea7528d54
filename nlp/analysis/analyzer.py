"""Run the two spaCy pipelines over notes and collect per-sentence evidence.

:class:`Analyzer` sends every note through the cheap pipeline, then only the
candidate sentences through the full parser (in batches, NER excluded), and
returns a :class:`NoteAnalysis` per note: its sentences with character offsets
into the note text and the findings of each component. Classifiers and the
flag builder consume this evidence; nothing here decides the final flags.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.analysis.components.context import modifiers
from nlp.analysis.pipelines import build_cheap, build_full
from nlp.records.exports import LONG_NOTE_CHARS as CHUNK_CHARS  # longer notes: analysed in pieces
from nlp.schema import Note


@dataclass(slots=True)
class Finding:
    """One span a component found, with offsets into the note text."""

    start: int
    end: int
    text: str
    label: str
    rule: str
    why: str = ""


@dataclass(slots=True)
class SentenceEvidence:
    """What the pipeline found in one sentence of a note."""

    start: int
    end: int
    text: str
    candidate: bool = False
    doing_for: list[Finding] = field(default_factory=list)
    restrictions: list[Finding] = field(default_factory=list)
    dropped: list[Finding] = field(default_factory=list)
    decisions: list[Finding] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    non_reasons: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    pain_prn: bool = False
    standard_med: bool = False
    strong_reason: bool = False


@dataclass(slots=True)
class NoteAnalysis:
    note: Note
    sentences: list[SentenceEvidence]
    doc: Doc | None = None  # the whole parsed note (care plans: the plan standard reads it)


class Analyzer:
    """Evidence extraction for batches of notes (load once, reuse)."""

    def __init__(
        self,
        full: Language | None = None,
        cheap: Language | None = None,
        batch_size: int = 256,
        parse_all: bool = False,
    ) -> None:
        self.cheap = cheap or build_cheap()
        self.full = full or build_full()
        self.batch_size = batch_size
        self.parse_all = parse_all
        self.stats: dict[str, float] = {
            "sentences": 0,
            "parsed": 0,
            "cheap_seconds": 0.0,
            "parse_seconds": 0.0,
        }

    def analyse(self, notes: Iterable[Note]) -> Iterator[NoteAnalysis]:
        """Analyse notes lazily, ``batch_size`` notes at a time."""
        it = iter(notes)
        while batch := list(islice(it, self.batch_size)):
            yield from self._analyse_batch(batch)

    def analyse_segmented(
        self, notes: list[Note], segments: list[list[tuple[int, int]]]
    ) -> list[NoteAnalysis]:
        """Analyse notes whose sentence boundaries are given (gold corpora, training)."""
        out: list[NoteAnalysis] = []
        for start in range(0, len(notes), self.batch_size):
            out.extend(
                self._analyse_batch(
                    notes[start : start + self.batch_size],
                    segments[start : start + self.batch_size],
                )
            )
        return out

    def analyse_one(self, text: str, note_type: str = "daily_note") -> NoteAnalysis:
        note = Note(note_id="-", person_id="-", date="", text=text, note_type=note_type)
        return next(self._analyse_batch([note]).__iter__())

    def parse_sentence(self, text: str, note_type: str = "daily_note") -> Doc:
        """Run the full pipeline on one sentence (tests and explanations)."""
        doc = self.full.make_doc(text)
        doc._.note_type = note_type
        return next(iter(self.full.pipe([doc])))

    # -- internals -----------------------------------------------------------
    def _analyse_batch(
        self, notes: list[Note], segments: list[list[tuple[int, int]]] | None = None
    ) -> list[NoteAnalysis]:
        started = time.perf_counter()
        results: list[NoteAnalysis] = []
        to_parse: list[tuple[SentenceEvidence, Doc]] = []
        whole_notes: list[tuple[NoteAnalysis, Doc]] = []
        for k, note in enumerate(notes):
            whole_note = note.note_type == "care_plan" and len(note.text) <= CHUNK_CHARS
            sentences: list[SentenceEvidence] = []
            if segments is None:
                pieces = [(offset, piece, False) for offset, piece in _chunks(note.text)]
            else:
                pieces = [(a, note.text[a:b], True) for a, b in segments[k]]
            for offset, piece, whole in pieces:
                doc = self.cheap(piece)
                candidate_starts = {s.start for s in doc.spans["candidates"]}
                sents = [doc[:]] if whole else list(doc.sents)
                for sent in sents:
                    ev = _sentence_evidence(sent, offset)
                    if ev is None:
                        continue
                    ev.candidate = (
                        whole_note
                        or self.parse_all
                        or bool(candidate_starts & set(range(sent.start, sent.end)))
                    )
                    sentences.append(ev)
                    if ev.candidate and not whole_note:
                        sdoc = self.full.make_doc(ev.text)
                        sdoc._.note_type = note.note_type
                        to_parse.append((ev, sdoc))
            self.stats["sentences"] += len(sentences)
            results.append(NoteAnalysis(note=note, sentences=sentences))
            if whole_note:
                ndoc = self.full.make_doc(note.text)
                ndoc._.note_type = note.note_type
                whole_notes.append((results[-1], ndoc))
        self.stats["cheap_seconds"] += time.perf_counter() - started
        self.stats["parsed"] += len(to_parse) + sum(len(a.sentences) for a, _ in whole_notes)
        started = time.perf_counter()
        docs = self.full.pipe((d for _, d in to_parse), batch_size=128)
        for (ev, _), doc in zip(to_parse, docs, strict=True):
            _add_parsed(ev, doc)
        docs = self.full.pipe((d for _, d in whole_notes), batch_size=16)
        for (analysis, _), doc in zip(whole_notes, docs, strict=True):
            analysis.doc = doc
            for ev in analysis.sentences:
                _add_parsed(ev, doc, window=(ev.start, ev.end))
        self.stats["parse_seconds"] += time.perf_counter() - started
        return results


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Split very long text at line breaks into pieces the tokenizer handles well."""
    if len(text) <= CHUNK_CHARS:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(". ", start, end) + 1)
            end = cut if cut > start else end
        yield start, text[start:end]
        start = end


def _sentence_evidence(sent: Span, offset: int) -> SentenceEvidence | None:
    text = sent.text
    stripped = text.strip()
    if not stripped:
        return None
    lead = len(text) - len(text.lstrip())
    start = offset + sent.start_char + lead
    doc = sent.doc
    ev = SentenceEvidence(start=start, end=start + len(stripped), text=stripped)
    ev.authority = _texts_in(doc, "authority", sent)
    ev.reasons = _texts_in(doc, "reason", sent)
    ev.non_reasons = _texts_in(doc, "non_reason", sent)
    ev.pain_prn = bool(_texts_in(doc, "pain_prn", sent))
    ev.standard_med = bool(_texts_in(doc, "standard_med", sent))
    ev.strong_reason = bool(_texts_in(doc, "strong_reason", sent))
    return ev


def _texts_in(doc: Doc, group: str, sent: Span) -> list[str]:
    return [s.text.lower() for s in doc.spans.get(group, []) if sent.start <= s.start < sent.end]


def _finding(span: Span, base: int, why: str = "") -> Finding:
    return Finding(
        start=base + span.start_char,
        end=base + span.end_char,
        text=span.text,
        label=span.label_,
        rule=span.id_,
        why=why,
    )


def _add_parsed(ev: SentenceEvidence, doc: Doc, window: tuple[int, int] | None = None) -> None:
    """Copy the parsed findings onto the sentence.

    ``doc`` is either the sentence itself (offsets relative to it) or the whole note,
    in which case only spans starting inside ``window`` (note offsets) belong here.
    """
    base = 0 if window else ev.start

    def group(name: str) -> list[Span]:
        spans = doc.spans.get(name, [])
        if window is None:
            return list(spans)
        return [s for s in spans if window[0] <= s.start_char < window[1]]

    ev.doing_for = [_finding(s, base) for s in group("doing_for")]
    ev.restrictions = [_finding(s, base) for s in group("restrictions")]
    ev.dropped = [_finding(s, base, s._.drop_reason) for s in group("restrictions_dropped")]
    ev.decisions = [_finding(s, base) for s in group("decisions")]
    ev.context = sorted({s.label_ for s in group("context")})
    for target in group("decisions"):
        ev.context.extend(f"decision_{m.lower()}" for m in modifiers(target))
