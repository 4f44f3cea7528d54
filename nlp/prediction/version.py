"""The version of a sentence model that every flag and decision records.

``kind@<12 hex>``: the model's kind and the start of its weights' SHA-256 (the
checksums ``model.json`` keeps under ``files``; several files are hashed
together). Models without weights (``rules``, ``keyword``) are their kind alone.
"""

from __future__ import annotations

import hashlib
from typing import Any

SHORT = 12


def model_version(model: Any) -> str:
    """``kind@hash`` of a loaded model (see the module docstring)."""
    name = str(getattr(model, "name", "") or type(model).__name__)
    files = (getattr(model, "meta", None) or {}).get("files") or {}
    if not isinstance(files, dict) or not files:
        return name
    if len(files) == 1:
        digest = str(next(iter(files.values())))
    else:
        joined = "\n".join(f"{k}:{v}" for k, v in sorted(files.items()))
        digest = hashlib.sha256(joined.encode()).hexdigest()
    return f"{name}@{digest[:SHORT]}"


def clean_thresholds(value: Any) -> dict[str, float]:
    """Per-head thresholds from stored metadata: numbers in [0, 1] only, others dropped."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, float] = {}
    for head, t in value.items():
        try:
            t = float(t)
        except (TypeError, ValueError):
            continue
        if 0.0 <= t <= 1.0:
            out[str(head)] = t
    return out


def model_thresholds(model: Any) -> dict[str, float]:
    """The per-head decision thresholds a loaded model flags at (empty for rule models).

    Written into a run's ``summary.json`` so the review app's "most informative first"
    queue can rank each flag by its distance from its own head's threshold.
    """
    meta = getattr(model, "meta", None) or {}
    return clean_thresholds(getattr(model, "thresholds", None) or meta.get("thresholds"))
