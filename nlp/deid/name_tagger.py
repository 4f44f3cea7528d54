"""A learned name tagger whose votes the name decision weighs.

A small spaCy pipeline (``tok2vec`` + ``ner`` with one label, ``NAME``) trained from
scratch on the development writers' ``name`` spans (``scripts/deid_ner/``). It reads
context the rules do not (initials, unlisted names, shouted full names), but alone it
is far below the rules and breaks ordinary words, so it never replaces anything itself:
its spans are put on the note's Doc (``doc.spans["deid_tagger"]``) and become features
of the learned decision (:mod:`nlp.deid.features`), where the rules' counter-evidence
can outweigh them.

Stored in ``models/deid_tagger/`` in spaCy's ``to_disk`` format (config, JSON and
msgpack; spaCy reads no pickle) with ``model.json`` (kind ``spacy_name_tagger``)
listing the SHA-256 of every file; loading refuses a changed, missing or unlisted file
and loads the bytes it checked (:func:`nlp.analysis.english.load_checked_pipeline`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KIND = "spacy_name_tagger"
LABEL = "NAME"
SPANS_KEY = "deid_tagger"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models" / "deid_tagger"


class TaggerMissing(RuntimeError):
    """A note reached the name decision without the tagger's spans it was trained with."""


@dataclass
class NameTagger:
    """The loaded tagger; :meth:`tag` puts its name spans on parsed notes."""

    nlp: Any
    version: str  # the first 12 hex of ``sha256``
    sha256: str = ""  # of the ``model.json`` whose file list was checked and loaded

    def tag(self, docs: Sequence[Any]) -> None:
        """Set ``doc.spans["deid_tagger"]`` on each of ``docs`` (the English model's
        Docs): the tagger reads each text and its spans are mapped back by character."""
        # a memory zone: the tagger's own vocabulary does not grow with every new word of
        # a long-lived process (only character offsets leave the zone)
        with self.nlp.memory_zone():
            tagged = self.nlp.pipe((doc.text for doc in docs), batch_size=64)
            spans = [name_spans(out) for out in tagged]
        for doc, chars in zip(docs, spans, strict=True):
            set_spans(doc, chars)


def name_spans(doc: Any) -> list[tuple[int, int]]:
    """The ``NAME`` entities of a Doc the tagger made, as character offsets."""
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ == LABEL]


def set_spans(doc: Any, chars: Iterable[tuple[int, int]]) -> None:
    """Put name spans given as character offsets on ``doc`` (widened to whole tokens)."""
    spans = []
    for start, end in chars:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    doc.spans[SPANS_KEY] = spans


def positions(doc: Any) -> dict[int, str] | None:
    """Token index -> its place in a tagged span: ``U`` alone, ``B``/``I``/``L``
    first, inside, last. None when the Doc was not tagged."""
    if SPANS_KEY not in doc.spans:
        return None
    out: dict[int, str] = {}
    for span in doc.spans[SPANS_KEY]:
        if len(span) == 1:
            out[span.start] = "U"
            continue
        for i in range(span.start, span.end):
            out[i] = "B" if i == span.start else "L" if i == span.end - 1 else "I"
    return out


def load(folder: Path = DEFAULT_DIR, expected: str | None = None) -> NameTagger:
    """Verify and load a tagger folder; ``expected``: the ``model.json`` SHA-256 the name
    decision was trained with (raises :class:`~nlp.prediction.store.UnsafeModel` on any
    mismatch)."""
    from nlp.analysis.english import load_checked_pipeline
    from nlp.prediction.store import MetaMismatch, UnsafeModel

    try:  # bound to ``expected``: the files are checked against the model.json checked
        nlp = load_checked_pipeline(folder, KIND, meta_sha256=expected)
    except MetaMismatch as exc:
        raise UnsafeModel(
            f"{folder}/model.json: SHA-256 {exc.found[:12]} is not the tagger the "
            f"name decision was trained with ({exc.expected[:12]}); retrain with "
            "scripts/train_deid.py"
        ) from None
    digest = nlp.meta["model_json_sha256"]  # of the model.json checked, not a re-read
    if "ner" not in nlp.pipe_names or LABEL not in nlp.get_pipe("ner").labels:
        raise UnsafeModel(f"{folder}: not a {LABEL} tagger (no ner component with {LABEL})")
    return NameTagger(nlp, digest[:12], digest)
