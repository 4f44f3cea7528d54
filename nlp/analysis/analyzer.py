"""Run the two spaCy pipelines over notes and collect per-sentence evidence.

:class:`Analyzer` works in two steps. :meth:`Analyzer.cheap_pass` sends every note
through the cheap pipeline and returns a :class:`NoteAnalysis` per note: its
sentences with character offsets into the note text, the lexical evidence of each
(reasons, authorities, ...) and whether the candidate filter marks it.
:meth:`Analyzer.parse` then runs the full parser (in batches, NER excluded) on the
candidate sentences a caller selects — all of them by default; the audit selects
only those whose parse can change a flag — and adds the parsed components'
findings. Care-plan notes are parsed whole (the plan standard reads the whole
plan). Classifiers and the flag builder consume this evidence; nothing here
decides the final flags.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.analysis.components.context import modifiers
from nlp.analysis.parse_scope import DECISION_KEYS, DOING_FOR_KEYS, ParseScope
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
    # what the parse could find here (nlp.analysis.parse_scope); None: not checked, anything
    scope: frozenset[str] | None = None
    # the sentence as the full pipeline tokenises it, made for the scope check and reused
    # by the parse; dropped when the parse is done
    tokens: Doc | None = None


@dataclass(slots=True)
class NoteAnalysis:
    note: Note
    sentences: list[SentenceEvidence]
    doc: Doc | None = None  # the whole parsed note (care plans: the plan standard reads it)
    whole: bool = False  # a care plan short enough to parse whole
    tokens: Doc | None = None  # the whole note tokenised (care plans), reused by the parse
    parsed: int = 0  # sentences that went through the parser


# Components of the full pipeline that only whole care-plan notes need.
WHOLE_NOTE_ONLY: tuple[str, ...] = ("careaudit_plan_elements",)
# Batches run outside memory zones until the vocabulary (one, shared by both pipelines)
# has grown by this many strings (about 8,000 new words, some 8 MB), then every batch
# runs in zones (Analyzer.memory_zones).
SETTLE_STRINGS = 15_000
RESTRICTIONS = "careaudit_restrictions"
# Components of the full pipeline (in its order) that find nothing where a sentence's
# parse scope has none of their keys (nlp.analysis.parse_scope): run only where it has.
# Of a parsed sentence's evidence groups only the decision component reads any.
SCOPED_COMPONENTS: tuple[str, ...] = (
    "careaudit_evidence",
    "careaudit_doing_for",
    RESTRICTIONS,
    "careaudit_decisions",
)
_SCOPE_KEYS: dict[str, frozenset[str]] = {
    "careaudit_evidence": DECISION_KEYS,
    "careaudit_doing_for": DOING_FOR_KEYS,
    RESTRICTIONS: frozenset({"restriction"}),
    "careaudit_decisions": DECISION_KEYS,
}


def component_needed(name: str, scope: frozenset[str] | None) -> bool:
    """Whether a scoped component can find anything in a sentence of this scope."""
    return scope is None or not scope.isdisjoint(_SCOPE_KEYS[name])


class Analyzer:
    """Evidence extraction for batches of notes (load once, reuse)."""

    def __init__(
        self,
        full: Language | None = None,
        cheap: Language | None = None,
        batch_size: int = 256,
        parse_all: bool = False,
    ) -> None:
        self.full = full or build_full()
        self.cheap = cheap or build_cheap(self.full)  # one vocabulary and tokenizer
        self.parse_scope = ParseScope(self.full)
        self.batch_size = batch_size
        self.parse_all = parse_all
        self.stats: dict[str, float] = {
            "sentences": 0,
            "parsed": 0,
            "cheap_seconds": 0.0,
            "parse_seconds": 0.0,
        }
        self._strings_at_start = self._strings()  # see memory_zones

    def _strings(self) -> int:
        """Strings held by the two pipelines' vocabularies."""
        stores = {id(nlp.vocab.strings): nlp.vocab.strings for nlp in (self.cheap, self.full)}
        return sum(len(strings) for strings in stores.values())

    @contextmanager
    def memory_zones(self) -> Iterator[None]:
        """spaCy memory zones over the pipelines' vocabulary (one, shared, unless
        the caller gave pipelines with their own): strings and lexemes that the notes
        analysed inside add (names, ids, typos) are freed at the end, so a long run's
        memory stays flat.

        Inside a zone spaCy neither keeps a new word's lexeme nor caches its
        tokenization, so every batch would rebuild them for every word not known before
        the zone: a quarter of the audit's time. So batches run outside zones until the
        vocabulary has grown by ``SETTLE_STRINGS`` strings (everyday words, the
        service's staff and residents: kept, bounded), and in zones from then on.
        Nothing made inside a zone may be used after it; zones must not be nested.
        """
        if self._strings() - self._strings_at_start < SETTLE_STRINGS:
            yield  # not settled yet (zones free only what they add, so this never goes back)
            return
        with ExitStack() as stack:
            seen: set[int] = set()
            for nlp in (self.cheap, self.full):
                if id(nlp.vocab) not in seen and hasattr(nlp, "memory_zone"):
                    seen.add(id(nlp.vocab))
                    stack.enter_context(nlp.memory_zone())
            yield

    def analyse(self, notes: Iterable[Note]) -> Iterator[NoteAnalysis]:
        """Analyse notes lazily, ``batch_size`` notes at a time (every candidate parsed)."""
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

    def cheap_pass(
        self, notes: Sequence[Note], segments: Sequence[list[tuple[int, int]]] | None = None
    ) -> list[NoteAnalysis]:
        """Sentences, lexical evidence and candidate marks of each note; nothing parsed yet."""
        started = time.perf_counter()
        results: list[NoteAnalysis] = []
        for k, note in enumerate(notes):
            whole_note = note.note_type == "care_plan" and len(note.text) <= CHUNK_CHARS
            sentences: list[SentenceEvidence] = []
            if segments is None:
                pieces = [(offset, piece, False) for offset, piece in _chunks(note.text)]
            else:
                pieces = [(a, note.text[a:b], True) for a, b in segments[k]]
            for offset, piece, whole in pieces:
                sentences.extend(
                    _piece_evidence(
                        self.cheap(piece), offset, whole, whole_note or self.parse_all, piece
                    )
                )
            tokens = None
            if whole_note and sentences:  # parsed as one Doc: a match may cross sentences
                tokens = self.full.make_doc(note.text)
                scope = self.parse_scope(tokens)
                for ev in sentences:
                    ev.scope = scope
            else:
                for ev in sentences:
                    if ev.candidate:
                        ev.tokens = self.full.make_doc(ev.text)
                        ev.scope = self.parse_scope(ev.tokens)
            self.stats["sentences"] += len(sentences)
            results.append(
                NoteAnalysis(note=note, sentences=sentences, whole=whole_note, tokens=tokens)
            )
        self.stats["cheap_seconds"] += time.perf_counter() - started
        return results

    def parse(
        self, analyses: Sequence[NoteAnalysis], needed: Sequence[Sequence[bool]] | None = None
    ) -> int:
        """Parse the selected candidate sentences and add their findings; return how many.

        ``needed[i][j]`` selects sentence ``j`` of note ``i`` (only candidates are
        ever parsed; ``None`` selects every candidate). A care-plan note is parsed
        whole when any of its sentences is selected. Sentences are parsed one per
        Doc, so a sentence's findings do not depend on what else is in the batch.
        """
        started = time.perf_counter()
        to_parse: list[tuple[SentenceEvidence, Doc]] = []
        whole_notes: list[tuple[NoteAnalysis, Doc]] = []
        for i, analysis in enumerate(analyses):
            picks = [
                ev.candidate and (needed is None or bool(needed[i][j]))
                for j, ev in enumerate(analysis.sentences)
            ]
            if not any(picks):
                continue
            note = analysis.note
            if analysis.whole:
                ndoc = analysis.tokens or self.full.make_doc(note.text)
                ndoc._.note_type = note.note_type
                whole_notes.append((analysis, ndoc))
                analysis.parsed = len(analysis.sentences)
                continue
            for ev, pick in zip(analysis.sentences, picks, strict=True):
                if pick:
                    sdoc = ev.tokens or self.full.make_doc(ev.text)
                    sdoc._.note_type = note.note_type
                    to_parse.append((ev, sdoc))
                    analysis.parsed += 1
        # The English model parses every sentence; the components a sentence's scope
        # rules out are then skipped on it.
        scoped = [(name, self.full.get_pipe(name)) for name in SCOPED_COMPONENTS]
        docs = self.full.pipe(
            (d for _, d in to_parse),
            batch_size=128,
            disable=(*WHOLE_NOTE_ONLY, *SCOPED_COMPONENTS),
        )
        for (ev, _), doc in zip(to_parse, docs, strict=True):
            for name, component in scoped:
                if component_needed(name, ev.scope):
                    doc = component(doc)
            _add_parsed(ev, doc)
        docs = self.full.pipe((d for _, d in whole_notes), batch_size=16)
        for (analysis, _), doc in zip(whole_notes, docs, strict=True):
            analysis.doc = doc
            _add_parsed_whole(analysis.sentences, doc)
        for analysis in analyses:  # the tokenised copies are not needed any more
            analysis.tokens = None
            for ev in analysis.sentences:
                ev.tokens = None
        parsed = len(to_parse) + sum(len(a.sentences) for a, _ in whole_notes)
        self.stats["parsed"] += parsed
        self.stats["parse_seconds"] += time.perf_counter() - started
        return parsed

    # -- internals -----------------------------------------------------------
    def _analyse_batch(
        self, notes: list[Note], segments: list[list[tuple[int, int]]] | None = None
    ) -> list[NoteAnalysis]:
        results = self.cheap_pass(notes, segments)
        self.parse(results)
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


LEXICAL_GROUPS: tuple[str, ...] = (
    "authority",
    "reason",
    "non_reason",
    "pain_prn",
    "standard_med",
    "strong_reason",
)


def _piece_evidence(
    doc: Doc, offset: int, whole: bool, all_candidates: bool, text: str | None = None
) -> list[SentenceEvidence]:
    """Evidence of each sentence of a cheap-pass Doc (``whole``: the Doc is one sentence).

    Each span group is read once and bucketed by sentence (scanning a group per
    sentence would be quadratic on very long notes). Span texts are sliced from
    ``text``, the Doc's text (``Span.text`` builds a Python ``Token`` per word).
    """
    if text is None:
        text = doc.text
    sents = [doc[:]] if whole else list(doc.sents)
    starts = [s.start for s in sents]
    found: dict[str, list[list[str]]] = {}
    for group in LEXICAL_GROUPS:
        buckets: list[list[str]] = [[] for _ in sents]
        for span in doc.spans.get(group, []):
            k = bisect_right(starts, span.start) - 1
            if k >= 0 and span.start < sents[k].end:
                buckets[k].append(text[span.start_char : span.end_char].lower())
        found[group] = buckets
    candidate = [all_candidates] * len(sents)
    if not all_candidates:
        for span in doc.spans.get("candidates", []):  # a candidate span starts in the sentence
            k = bisect_right(starts, span.start) - 1
            if k >= 0 and span.start < sents[k].end:
                candidate[k] = True
    out: list[SentenceEvidence] = []
    for k, sent in enumerate(sents):
        sent_text = text[sent.start_char : sent.end_char]
        stripped = sent_text.strip()
        if not stripped:
            continue
        lead = len(sent_text) - len(sent_text.lstrip())
        start = offset + sent.start_char + lead
        ev = SentenceEvidence(start=start, end=start + len(stripped), text=stripped)
        ev.candidate = candidate[k]
        ev.authority = found["authority"][k]
        ev.reasons = found["reason"][k]
        ev.non_reasons = found["non_reason"][k]
        ev.pain_prn = bool(found["pain_prn"][k])
        ev.standard_med = bool(found["standard_med"][k])
        ev.strong_reason = bool(found["strong_reason"][k])
        out.append(ev)
    return out


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


def _add_parsed_whole(sentences: list[SentenceEvidence], doc: Doc) -> None:
    """Copy a whole parsed note's findings onto its sentences (each span to the sentence
    its first character falls in; the note's groups are read once, not once per sentence)."""
    starts = [ev.start for ev in sentences]
    buckets: dict[str, list[list[Span]]] = {}
    for name in ("doing_for", "restrictions", "restrictions_dropped", "decisions", "context"):
        per: list[list[Span]] = [[] for _ in sentences]
        for span in doc.spans.get(name, []):
            k = bisect_right(starts, span.start_char) - 1
            if k >= 0 and span.start_char < sentences[k].end:
                per[k].append(span)
        buckets[name] = per
    for k, ev in enumerate(sentences):
        ev.doing_for = [_finding(s, 0) for s in buckets["doing_for"][k]]
        ev.restrictions = [_finding(s, 0) for s in buckets["restrictions"][k]]
        ev.dropped = [_finding(s, 0, s._.drop_reason) for s in buckets["restrictions_dropped"][k]]
        ev.decisions = [_finding(s, 0) for s in buckets["decisions"][k]]
        ev.context = sorted({s.label_ for s in buckets["context"][k]})
        for target in buckets["decisions"][k]:
            ev.context.extend(f"decision_{m.lower()}" for m in modifiers(target))
