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
