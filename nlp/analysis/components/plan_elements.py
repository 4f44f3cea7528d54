"""Care-plan restriction standard: which of the four required elements are missing.

Every restriction written into a care plan needs (1) a rationale linked to an
assessed risk, (2) a PBS or less restrictive alternative, (3) an agreed review
date and (4) evidence the person was involved and had it explained
(``nlp.schema.PLAN_ELEMENTS``).

Two parts:

- the spaCy component ``careaudit_plan_elements`` finds evidence of each
  element with patterns kept as data (``nlp/resources/plan_elements.json``) and
  stores it in ``doc.spans["plan_elements"]`` (``span.label_`` = element);
  evidence that is negated ("no PBS plan", "review date: TBC", "was not
  involved") goes to ``doc.spans["plan_elements_negated"]`` and does not count;
- :func:`plan_gaps` decides, per restriction span, which elements are missing.

Scope rule: a care-plan note is one plan section, so evidence anywhere in the
note counts for every restriction in it.  Tying evidence to the nearest
restriction was considered and not adopted: plans usually state the review
date and the person's involvement once, at the end, for all the restrictions
above.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup, Token
from spacy.util import filter_spans

from nlp.analysis.components.anchored_matcher import AnchoredMatcher
from nlp.schema import PLAN_ELEMENTS, Flag, Note, make_flag_id

FACTORY = "careaudit_plan_elements"
SPANS_KEY = "plan_elements"
NEGATED_KEY = "plan_elements_negated"
PATTERNS_PATH = Path(__file__).resolve().parents[1] / "resources" / "plan_elements.json"
_PATTERNS_FILE = "plan_elements.json"


def load_patterns(path: str | Path | None = None) -> dict[str, Any]:
    """Read and check the plan-element pattern file (default: the packaged one)."""
    path = Path(path) if path else PATTERNS_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read plan-element patterns {path}: {exc}") from exc
    check_patterns(data, str(path))
    return data


def check_patterns(data: dict[str, Any], where: str = "patterns") -> None:
    """Raise ValueError when the pattern data lacks an element or a required key."""
    elements = data.get("elements", {})
    missing = [e for e in PLAN_ELEMENTS if e not in elements]
    if missing:
        raise ValueError(f"{where}: no patterns for element(s) {', '.join(missing)}")
    for name, spec in elements.items():
        if name not in PLAN_ELEMENTS:
            raise ValueError(f"{where}: unknown element {name!r} (expected {PLAN_ELEMENTS})")
        if not spec.get("explanation"):
            raise ValueError(f"{where}: element {name!r} has no 'explanation'")


def expand_pattern(pattern: list[Any], macros: dict[str, list[list[dict]]]) -> list[list[dict]]:
    """Expand ``"@NAME"`` items into every alternative of ``macros[NAME]``."""
    parts: list[list[list[dict]]] = []
    for item in pattern:
        if isinstance(item, str):
            if not item.startswith("@") or item[1:] not in macros:
                raise ValueError(f"unknown pattern macro {item!r}")
            parts.append(macros[item[1:]])
        else:
            parts.append([[item]])
    return [[tok for seq in combo for tok in seq] for combo in itertools.product(*parts)]


class PlanElements:
    """spaCy component: evidence of the four care-plan elements as span groups."""

    def __init__(
        self,
        nlp: Language,
        name: str = FACTORY,
        *,
        spans_key: str = SPANS_KEY,
        negated_key: str = NEGATED_KEY,
        patterns_path: str | None = None,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.negated_key = negated_key
        self.set_patterns(load_patterns(patterns_path))

    def set_patterns(self, data: dict[str, Any]) -> None:
        """(Re)build the matchers from pattern data."""
        check_patterns(data)
        self.data = data
        self.negation: dict[str, Any] = data.get("negation", {})
        macros = data.get("macros", {})
        # only the patterns whose words occur run (plans are long): the same spans
        self.matcher = AnchoredMatcher(self.nlp.vocab, validate=True)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for element, spec in data["elements"].items():
            patterns = [p for raw in spec.get("patterns", []) for p in expand_pattern(raw, macros)]
            if patterns:
                self.matcher.add(element, patterns)
            phrases = [self.nlp.make_doc(p) for p in spec.get("phrases", [])]
            if phrases:
                self.phrase_matcher.add(element, phrases)
        self.matcher.compile()

    def __call__(self, doc: Doc) -> Doc:
        found: dict[str, list[Span]] = {e: [] for e in PLAN_ELEMENTS}
        for matcher in (self.matcher, self.phrase_matcher):
            for match_id, start, end in matcher(doc):
                label = self.nlp.vocab.strings[match_id]
                found[label].append(Span(doc, start, end, label=label))
        kept: list[Span] = []
        negated: list[Span] = []
        for element in PLAN_ELEMENTS:
            head_rule = bool(self.data["elements"][element].get("head_negation", True))
            for span in filter_spans(found[element]):
                (negated if is_negated(span, self.negation, head_rule) else kept).append(span)
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=sorted(kept))
        doc.spans[self.negated_key] = SpanGroup(doc, name=self.negated_key, spans=sorted(negated))
        return doc

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        patterns_path: str | None = None,
    ) -> None:
        """Reload patterns from ``patterns_path`` (``[initialize.components]`` config)."""
        if patterns_path:
            self.set_patterns(load_patterns(patterns_path))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _PATTERNS_FILE).write_text(json.dumps(self.data, indent=1), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> PlanElements:
        self.set_patterns(load_patterns(Path(path) / _PATTERNS_FILE))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.data).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> PlanElements:
        self.set_patterns(json.loads(data.decode("utf-8")))
        return self


@Language.factory(
    FACTORY,
    default_config={"spans_key": SPANS_KEY, "negated_key": NEGATED_KEY, "patterns_path": None},
    assigns=["doc.spans"],
)
def make_plan_elements(
    nlp: Language, name: str, spans_key: str, negated_key: str, patterns_path: str | None
) -> PlanElements:
    """Factory for ``nlp.add_pipe("careaudit_plan_elements")``."""
    return PlanElements(
        nlp, name, spans_key=spans_key, negated_key=negated_key, patterns_path=patterns_path
    )


def _has_cue_child(token: Token, cues: set[str]) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in cues for c in token.children)


def is_negated(span: Span, rules: dict[str, Any], head_rule: bool = True) -> bool:
    """True when the evidence is negated or only awaited ("no PBS plan", "review date: TBC").

    With a dependency parse: a negating child of the evidence head ("no", "not"),
    a governing "without"/"awaiting"/"lack of", or (``head_rule``) a negated verb of
    which the evidence is subject/object ("John's views were not recorded").
    Without a parse: a cue in the ``before_window`` tokens.  Either way a cue
    right after the evidence ("review date: TBC", "PBS plan not in place").
    """
    doc = span.doc
    child_cues = set(rules.get("child_cues", ()))
    if doc.has_annotation("DEP"):
        node = span.root
        climb = set(rules.get("climb_deps", ()))
        while node.dep_ in climb and node.head.i != node.i:
            node = node.head
        if _has_cue_child(node, child_cues) or (
            node.i != span.root.i and _has_cue_child(span.root, child_cues)
        ):
            return True
        governors = set(rules.get("governor_cues", ()))
        up = node.head
        for _ in range(2):
            if up.lower_ in governors or up.lemma_.lower() in governors:
                return True
            up = up.head
        if (
            head_rule
            and node.dep_ in set(rules.get("head_deps", ()))
            and _has_cue_child(node.head, child_cues)
        ):
            return True
    else:
        before = set(rules.get("before_cues", ()))
        window = int(rules.get("before_window", 2))
        for tok in reversed(doc[max(0, span.start - window) : span.start]):
            if tok.is_punct:
                break
            if tok.lower_ in before:
                return True
    after = set(rules.get("after_cues", ()))
    transparent = set(rules.get("after_transparent", ()))
    seen = 0
    for tok in doc[span.end :]:
        if tok.text in transparent:
            continue
        if tok.is_punct or seen >= int(rules.get("after_window", 2)):
            break
        if tok.lower_ in after:
            return True
        seen += 1
    return False


# --------------------------------------------------------------------------- gaps

_MESSAGES: dict[str, dict[str, str]] | None = None


def element_messages() -> dict[str, dict[str, str]]:
    """``{element: {"explanation": ..., "suggestion": ...}}`` from the packaged data."""
    global _MESSAGES
    if _MESSAGES is None:
        data = load_patterns()
        _MESSAGES = {
            e: {"explanation": s["explanation"], "suggestion": s.get("suggestion", "")}
            for e, s in data["elements"].items()
        }
    return _MESSAGES


@dataclass(slots=True)
class PlanGap:
    """One missing element of one restriction in a care plan."""

    start: int  # restriction span, character offsets into the note text
    end: int
    span_text: str
    restriction_type: str
    element: str  # one of nlp.schema.PLAN_ELEMENTS
    explanation: str
    suggestion: str = ""
    sentence_start: int = 0
    sentence_end: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_FALLBACK: dict[int, PlanElements] = {}


def _evidence(doc: Doc, spans_key: str) -> set[str]:
    if spans_key not in doc.spans:
        # The component did not run on this doc: run a default one on the fly.
        vocab_id = id(doc.vocab)
        if vocab_id not in _FALLBACK:
            holder = spacy.blank("en", vocab=doc.vocab)
            _FALLBACK[vocab_id] = PlanElements(holder, spans_key=spans_key)
        _FALLBACK[vocab_id](doc)
    return {span.label_ for span in doc.spans[spans_key]}


def plan_gaps(
    doc: Doc,
    restriction_spans: Iterable[Span],
    *,
    note_type: str | None = None,
    spans_key: str = SPANS_KEY,
) -> list[PlanGap]:
    """The missing plan elements of each restriction span (``span.label_`` = restriction_type).

    ``doc`` is one care-plan note processed by a pipeline containing
    ``careaudit_plan_elements`` (if it is absent the packaged patterns are run
    here).  Evidence anywhere in the note counts for every restriction in it.
    Returns nothing when ``note_type`` is given and is not ``"care_plan"``.
    Gaps come in restriction order, then in ``PLAN_ELEMENTS`` order; a span
    passed twice is reported once.
    """
    if note_type is not None and note_type != "care_plan":
        return []
    spans = sorted(
        {(s.start_char, s.end_char): s for s in restriction_spans}.values(),
        key=lambda s: (s.start_char, s.end_char),
    )
    if not spans:
        return []
    present = _evidence(doc, spans_key)
    messages = element_messages()
    has_sents = doc.has_annotation("SENT_START")
    gaps: list[PlanGap] = []
    for span in spans:
        text = _short(span.text)
        sent = span.sent if has_sents else span
        for element in PLAN_ELEMENTS:
            if element in present:
                continue
            gaps.append(
                PlanGap(
                    start=span.start_char,
                    end=span.end_char,
                    span_text=span.text,
                    restriction_type=span.label_,
                    element=element,
                    explanation=f"restriction '{text}' {messages[element]['explanation']}",
                    suggestion=messages[element]["suggestion"],
                    sentence_start=sent.start_char,
                    sentence_end=sent.end_char,
                )
            )
    return gaps


def plan_gap_flag(
    gap: PlanGap, note: Note, *, score: float = 1.0, source: str = "rules:plan_elements"
) -> Flag:
    """A ``plan_gap`` :class:`Flag` for one gap.

    The flag id hashes ``plan_gap:<element>`` and the restriction's character
    span, so the four possible gaps of one restriction (and two restrictions in
    one sentence) get distinct, stable ids.
    """
    category = f"plan_gap:{gap.element}"
    return Flag.for_note(
        note,
        flag_id=make_flag_id(note.note_id, note.text, category, gap.start, gap.end),
        category="plan_gap",
        start=gap.start,
        end=gap.end,
        span_text=gap.span_text,
        sentence_start=gap.sentence_start,
        sentence_end=gap.sentence_end,
        restriction_type=gap.restriction_type,
        score=score,
        source=source,
        explanation=gap.explanation,
        suggestion=gap.suggestion,
        element=gap.element,
    )
