"""Build careaudit's two spaCy pipelines.

- the **cheap** pipeline: English tokenization (the English model's vocabulary and
  tokenizer when built with it, as the audit does; else ``spacy.blank("en")``) +
  ``careaudit_sentences`` + ``careaudit_evidence`` + ``careaudit_candidates``. Every
  note goes through it (tens of thousands of sentences a second).
- the **full** pipeline: the English model (tagger, parser, lemmatizer; NER
  excluded; its attribute ruler indexed, :mod:`nlp.analysis.attribute_ruler`, and its
  lemmatizer reading arrays, :mod:`nlp.analysis.lemmatizer`) +
  ``careaudit_context`` + ``careaudit_evidence`` +
  ``careaudit_doing_for`` + ``careaudit_restrictions`` + ``careaudit_decisions``.
  Only candidate sentences reach it.

Both are built without importing other packages' spaCy entry points
(:mod:`nlp.analysis.spacy_import`: presidio's would import ``transformers``).
Both are ordinary spaCy ``Language`` objects: ``nlp.to_disk()`` /
``spacy.load()`` round-trip them, since every component is a registered factory
whose rule data is given by ``initialize()`` (the packaged ``resources/``) and
saved with the pipeline by ``to_disk``.
"""

from __future__ import annotations

import spacy
from spacy.lang.en import English
from spacy.language import Language

import nlp.analysis.components  # registers the factories
import nlp.analysis.components.plan_elements  # noqa: F401  (registers careaudit_plan_elements)
from nlp.analysis.attribute_ruler import use_indexed_attribute_ruler
from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.english import load_english
from nlp.analysis.extensions import declare as declare_extensions
from nlp.analysis.lemmatizer import use_array_lemmatizer
from nlp.analysis.spacy_import import no_entry_point_factories

declare_extensions()

FULL_COMPONENTS: tuple[str, ...] = (
    "careaudit_context",
    "careaudit_evidence",
    "careaudit_doing_for",
    "careaudit_restrictions",
    "careaudit_decisions",
    "careaudit_plan_elements",
)


def build_cheap(english: Language | None = None) -> Language:
    """Blank tokenizer, sentence splitter, lexical evidence and candidate filter.

    Given the English model, the cheap pipeline shares its vocabulary and tokenizer
    (the tokenizer's rules are ``spacy.blank("en")``'s, and a third of a second of
    start-up is not spent loading 5,000 exceptions again; the vocabulary carries the
    model's ``lexeme_norm`` table, so ``norm_`` differs, which no cheap component
    reads: they match LOWER, ORTH and lexical flags); else it is built blank.
    """
    with no_entry_point_factories():
        if english is None:
            nlp = spacy.blank("en")
        else:
            nlp = English(vocab=english.vocab, create_tokenizer=lambda _nlp: english.tokenizer)
        nlp.add_pipe("careaudit_sentences")
        nlp.add_pipe("careaudit_evidence").initialize()
        nlp.add_pipe("careaudit_candidates").initialize()
    nlp.max_length = 5_000_000
    return nlp


def build_full(english: Language | None = None, parser: str | None = None) -> Language:
    """The English model plus careaudit's linguistic components.

    ``parser`` chooses the tagger/parser (:func:`nlp.analysis.english.load_english`:
    ``sm``, a model under ``models/parser/``, or ``$CAREAUDIT_PARSER``).
    """
    with no_entry_point_factories():
        nlp = english if english is not None else load_english(parser=parser)
        use_indexed_attribute_ruler(nlp)
        use_array_lemmatizer(nlp)
        for name in FULL_COMPONENTS:
            if name not in nlp.pipe_names:
                component = nlp.add_pipe(name)
                if isinstance(component, DataComponent):
                    component.initialize()
    return nlp
