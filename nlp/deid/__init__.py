"""De-identification: find PII in care notes and replace it with consistent pseudonyms.

Pure package (no Streamlit, no CLI), shared by ``careaudit deidentify``, the teaching
export and the review app. See ``docs/deid.md``.
"""

from nlp.deid.analyzer import (
    MODEL_NAME,
    DeidAnalyzer,
    ModelMissing,
    build_analyzer,
    shared_analyzer,
)
from nlp.deid.dates import shift_date_text
from nlp.deid.pseudonymiser import Pseudonymiser
from nlp.deid.recognisers import nhs_checksum_ok
from nlp.deid.replacements import Pseudonymised, Replacement, strip_span

__all__ = [
    "MODEL_NAME",
    "DeidAnalyzer",
    "ModelMissing",
    "Pseudonymised",
    "Pseudonymiser",
    "Replacement",
    "build_analyzer",
    "nhs_checksum_ok",
    "shared_analyzer",
    "shift_date_text",
    "strip_span",
]
