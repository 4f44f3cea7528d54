"""Features of a name candidate, for the learned name decision (:mod:`nlp.deid.name_model`).

A candidate is a word token the rules may have to judge: any word but a lower-case
common word that no rule, list or earlier note calls a name. Its features are strings
(one-hot): casing and position, the rules' own votes (their first status and the final one
after name runs grow), word-list membership, spaCy's entity, part-of-speech and dependency
labels of the word and its neighbours, a window of context-word classes, whether the
same word is a name elsewhere in the note or in the batch, word shape and suffixes, and
the learned name tagger's vote (:mod:`nlp.deid.name_tagger`; a word it tags is a
candidate whatever its case) and MiniLM's probability (:mod:`nlp.deid.name_encoder`,
in bands; a word it finds likely a name is a candidate whatever its case).
The word itself is no feature (only its last two and three letters), so little that
is learned is tied to one writer's cast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nlp.deid import context as cx

if TYPE_CHECKING:
    from nlp.deid.names import Known, NameFinder

STATUS_NAMES = ("none", "sur_after", "sur", "name", "strong", "place")
NAME_MIN = 3  # names.NAME; repeated here so this module imports nothing from names


@dataclass
class NoteView:
    """What the rules decided for one note, shared by its candidates."""

    caps: list[bool]
    first: list[int]  # status from the per-token rules
    final: list[int]  # status after runs, signatures and growth
    known: Known
    named_keys: set[str]  # folded words the rules call a name somewhere in this note
    ruled_out: set[int] = field(default_factory=set)  # never names (NameFinder._ruled_out)
    protected: set[int] = field(default_factory=set)  # always names (titles, signatures)
    known_names: set[int] = field(default_factory=set)  # names known before: kept, no feature
    tagged: dict[int, str] | None = None  # the name tagger's spans (B/I/L/U); None: untagged
    encoded: dict[int, float] | None = None  # MiniLM's name probability; None: not read


ENCODER_CANDIDATE = 0.5  # MiniLM's probability from which any word is a candidate
# bands of MiniLM's probability (upper bounds): a feature per band, not the number
ENCODER_BANDS = ((0.05, "lo"), (0.2, "low"), (0.5, "mid"), (0.8, "high"), (0.95, "hi"))


def encoder_band(p: float) -> str:
    """The band of MiniLM's name probability ``p`` (``lo`` ... ``top``)."""
    return next((name for bound, name in ENCODER_BANDS if p < bound), "top")


def word_class(key: str, lex: Any) -> list[str]:
    """Context-word classes of a folded word (``title``, ``relation``, ``speech`` ...)."""
    classes = []
    for name, words in (
        ("title", cx.TITLES),
        ("relation", cx.RELATIONS),
        ("role", cx.ROLES),
        ("greeting", cx.GREETINGS),
        ("det", cx.DETERMINERS),
        ("be", cx.BE_FORMS),
        ("poss", cx.POSSESSIVES),
        ("speech", cx.SPEECH),
        ("cue", cx.PERSON_CUES),
        ("company", cx.COMPANY),
        ("state", cx.STATES),
        ("product", cx.PRODUCT_NOUNS),
        ("facility", cx.FACILITY_AFTER),
        ("household", cx.HOUSEHOLD),
        ("pet", cx.PETS),
        ("org", cx.ORG_HEADS),
        ("titleverb", cx.TITLE_VERBS),
        ("subject", cx.SUBJECTS),
        ("month", cx.MONTHS_DAYS),
        ("alias", cx.ALIASES),
        ("locative", cx.LOCATIVES),
    ):
        if key in words:
            classes.append(name)
    return classes


def lexical(key: str, lex: Any) -> list[str]:
    """Word-list membership of a folded word."""
    out = []
    gender = lex.first_names.get(key)
    if gender is not None:
        out.append(f"first_{gender}")
    if key in lex.surnames:
        out.append("surname")
    if key in lex.common_words:
        out.append("common")
    elif lex.is_common(key):
        out.append("rare")
    if key in lex.not_names:
        out.append("not_name")
    if key in lex.places or key in lex.gazetteer:
        out.append("place")
    if key in lex.regions:
        out.append("region")
    if key in cx.PARTICLES:
        out.append("particle")
    return out or ["unlisted"]


def word_shape(text: str) -> str:
    """``Xx``, ``xx``, ``XX``, ``X.``, ``Xx'Xx`` style shape, runs collapsed."""
    shape = re.sub(r"[A-ZÀ-Þ]", "X", text)
    shape = re.sub(r"[a-zß-ÿ]", "x", shape)
    shape = re.sub(r"[^\sXx]", lambda m: m.group(0) if m.group(0) in "'’-." else "o", shape)
    return re.sub(r"(.)\1{2,}", r"\1\1", shape)


def is_candidate(finder: NameFinder, doc: Any, i: int, view: NoteView) -> bool:
    """A word the learned decision judges (see the module docstring)."""
    text = doc[i].text
    if not cx.is_alpha_word(text):
        return False
    if view.first[i] or view.final[i] or (view.tagged and i in view.tagged):
        return True
    if view.encoded and view.encoded.get(i, 0.0) >= ENCODER_CANDIDATE:
        return True
    key = cx.fold(text)
    lex = finder.lex
    if cx.shape(text) != "lower" or key in view.known.strong or key in view.known.weak:
        return True
    if key in lex.first_names or key in lex.surnames or key in view.named_keys:
        return True
    return len(key) >= 2 and not lex.is_common(key) and not doc[i].is_stop


def _neighbour_feats(tag: str, tok: Any, finder: NameFinder, view: NoteView) -> list[str]:
    if tok is None:
        return [f"{tag}:none"]
    key = cx.fold(tok.text)
    out = [f"{tag}.pos={tok.pos_}", f"{tag}.shape={cx.shape(tok.text)}"]
    if tok.is_punct or not cx.is_alpha_word(tok.text):
        out.append(f"{tag}.punct={tok.text[:2]}")
    else:
        out += [f"{tag}.cls={c}" for c in word_class(key, finder.lex)]
        out += [f"{tag}.lex={c}" for c in lexical(key, finder.lex)]
        out.append(f"{tag}.st={STATUS_NAMES[view.final[tok.i]]}")
    if tok.ent_type_:
        out.append(f"{tag}.ent={tok.ent_type_}")
    if tok.tag_ in ("VBD", "VBZ", "VBG", "VBN", "POS", "MD"):
        out.append(f"{tag}.tag={tok.tag_}")
    if tok.lower_ in _PIVOTS:
        out.append(f"{tag}.w={tok.lower_}")
    if view.tagged and tok.i in view.tagged:
        out.append(f"{tag}.nt")
    if view.encoded and view.encoded.get(tok.i, 0.0) >= ENCODER_CANDIDATE:
        out.append(f"{tag}.enc")
    return out


# function words whose identity says a lot about the word beside them
_PIVOTS = frozenset(
    [
        "with",
        "and",
        "to",
        "from",
        "by",
        "for",
        "of",
        "in",
        "at",
        "on",
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "my",
        "'s",
        "’s",
        "(",
        ")",
        ":",
        "-",
        ",",
        ".",
        "&",
        "w/",
        "/",
        "told",
        "said",
        "says",
        "asked",
        "rang",
        "called",
        "visited",
        "saw",
        "had",
        "was",
        "is",
        "has",
        "will",
        "watched",
        "played",
        "ate",
        "bought",
        "brought",
    ]
)


def features(finder: NameFinder, doc: Any, i: int, view: NoteView) -> list[str]:
    """The feature strings of candidate ``doc[i]``."""
    tok = doc[i]
    text = tok.text
    key = cx.fold(text)
    lex = finder.lex
    form = cx.shape(text)
    if view.caps[i]:
        form = "capsline"
    first, final = STATUS_NAMES[view.first[i]], STATUS_NAMES[view.final[i]]
    lexes = lexical(key, lex)
    feats = [
        "bias",
        f"form={form}",
        f"shape={word_shape(text)[:6]}",
        f"len={min(len(key), 8)}",
        f"st0={first}",
        f"st={final}",
        f"st0*st={first}*{final}",
        f"pos={tok.pos_}",
        f"tag={tok.tag_}",
        f"dep={tok.dep_}",
        f"ent={tok.ent_type_ or 'O'}",
        f"form*st={form}*{final}",
        f"form*ent={form}*{tok.ent_type_ or 'O'}",
        f"suf3={key[-3:]}",
        f"suf2={key[-2:]}",
    ]
    feats += [f"lex={c}" for c in lexes]
    feats += [f"form*lex={form}*{c}" for c in lexes]
    feats += [f"st*lex={final}*{c}" for c in lexes]
    if view.tagged is not None:  # the name tagger's vote (nlp/deid/name_tagger.py)
        nt = view.tagged.get(i, "O")
        feats += [f"nt={nt}", f"nt*st={nt}*{final}", f"nt*form={nt}*{form}"]
        feats += [f"nt*lex={nt}*{c}" for c in lexes]
    if view.encoded is not None:  # MiniLM's reading (nlp/deid/name_encoder.py)
        band = encoder_band(view.encoded.get(i, 0.0))
        feats += [f"enc={band}", f"enc*st={band}*{final}", f"enc*form={band}*{form}"]
        if view.tagged is not None:
            feats.append(f"enc*nt={band}*{view.tagged.get(i, 'O')}")
    if tok.is_stop:
        feats.append("stopword")
    if i in view.ruled_out:
        feats.append("ruled_out")
    if i in view.protected:
        feats.append("protected")
    if key in view.known.strong:
        feats.append("known_strong")
    if key in view.known.weak:
        feats.append("known_weak")
    if key in view.named_keys and not NAME_MIN <= view.final[i] <= NAME_MIN + 1:
        feats.append("named_elsewhere_in_note")
    initial = cx.line_initial(doc, i)
    if initial:
        feats.append("line_initial")
        feats.append(f"line_initial*form={form}")
    if tok.is_sent_start:
        feats.append("sent_start")
    position = cx.line_position(doc, i)
    feats.append(f"line_pos={min(position, 3)}")
    ctx = finder._context(doc, i)
    if ctx:
        feats += [f"ctx={ctx}", f"ctx*form={ctx}*{form}"]
    for name, test in _RULE_TESTS:
        if test(finder, doc, i):
            feats += [f"rule={name}", f"rule*form={name}*{form}"]
    prev, nxt = cx.prev_word(doc, i, skip=""), cx.next_word(doc, i)
    feats += _neighbour_feats("p1", prev, finder, view)
    feats += _neighbour_feats("n1", nxt, finder, view)
    prev2 = cx.prev_word(doc, prev.i, skip="") if prev is not None else None
    nxt2 = cx.next_word(doc, nxt.i) if nxt is not None else None
    feats += [f for f in _neighbour_feats("p2", prev2, finder, view) if ".pos=" not in f]
    feats += [f for f in _neighbour_feats("n2", nxt2, finder, view) if ".pos=" not in f]
    feats += _run_feats(finder, doc, i, view)
    window = doc[max(0, i - 6) : i + 7]
    for other in window:
        if other.i != i and cx.fold(other.text) in cx.PRONOUNS_F | cx.PRONOUNS_M:
            feats.append("pronoun_near")
            break
    return feats


def _run_feats(finder: NameFinder, doc: Any, i: int, view: NoteView) -> list[str]:
    """Where the word stands in the rules' run of names (``DN Rosalind Okonjo``): its
    length, the word's place in it, and what names the run's first word."""
    if not NAME_MIN <= view.final[i] <= NAME_MIN + 1:
        return []
    run = [i]
    for step in (-1, 1):
        j = finder._neighbour(doc, run[0] if step < 0 else run[-1], step)
        while j is not None and NAME_MIN <= view.final[j] <= NAME_MIN + 1:
            run = [j, *run] if step < 0 else [*run, j]
            j = finder._neighbour(doc, j, step)
    place = "first" if run[0] == i else "last" if run[-1] == i else "mid"
    place = "alone" if len(run) == 1 else place
    ctx = finder._context(doc, run[0]) or "none"
    return [f"run={min(len(run), 3)}*{place}", f"run_ctx={ctx}", f"run_ctx*place={ctx}*{place}"]


def _has_poss(doc: Any, i: int) -> bool:
    nxt = cx.next_word(doc, i)
    return nxt is not None and nxt.text in ("'s", "’s")


_RULE_TESTS: Sequence[tuple[str, Any]] = (
    ("det_blocked", lambda f, d, i: f._det_blocked(d, i)),
    ("det_before", lambda f, d, i: f._det_before(d, i)),
    ("name_position", lambda f, d, i: f._name_position(d, i)),
    ("unknown_position", lambda f, d, i: f._unknown_position(d, i)),
    ("person_slot", lambda f, d, i: f._person_slot(d, i, True)),
    ("verb_reading", lambda f, d, i: f._verb_reading(d, i)),
    ("facility", lambda f, d, i: f._facility(d, i)),
    ("after_pronoun", lambda f, d, i: f._after_pronoun(d, i)),
    ("product", lambda f, d, i: f._product(d, i)),
    ("title_run", lambda f, d, i: f._title_run(d, i)),
    ("locative", lambda f, d, i: f._locative(d, i)),
    ("alone", lambda f, d, i: f._alone(d, i)),
    ("beside_room", lambda f, d, i: f._beside_room(d, i)),
    ("rating", lambda f, d, i: f._rating(d, i)),
    ("modifier", lambda f, d, i: f._modifier(d, i)),
    ("possessive", lambda f, d, i: _has_poss(d, i)),
)
