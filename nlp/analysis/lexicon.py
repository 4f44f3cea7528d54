"""Load the pattern and lexicon data files in ``nlp/resources/`` (data, not code)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

RESOURCE_DIR = Path(__file__).parent / "resources"


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed ``resources/<name>.json`` (cached; treat as read-only)."""
    path = RESOURCE_DIR / f"{name}.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)
