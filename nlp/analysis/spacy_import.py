"""Import spaCy and build pipelines without optional packages' start-up side effects.

Two measured costs on this 2-core machine, neither needed by careaudit's pipelines,
both present once the ``transformer`` extra is installed:

- ``import thinc`` (spaCy's ML library) imports ``torch`` when it can, only to offer
  PyTorch layers careaudit never uses: about 1.2 s. :func:`import_spacy` imports
  spaCy with ``torch`` hidden for that one import; ``import torch`` works normally
  afterwards (the transformer models import it themselves).
- every ``spacy.Language()`` loads all installed packages' ``spacy_factories``
  entry points. presidio-analyzer registers one (``presidio_hf_token_pipe``) whose
  module imports ``transformers``: 3-5 s. :func:`no_entry_point_factories` turns
  that scan off while careaudit builds its pipelines; every factory they use is
  registered by importing careaudit's own component modules.

This module imports nothing heavy itself, so it can run before anything else.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


def import_spacy() -> ModuleType:
    """Import spaCy (once per process) without letting thinc import torch."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    hide = "torch" not in sys.modules and "thinc" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` -> ImportError
    try:
        import spacy
    finally:
        if hide and "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


@contextmanager
def no_entry_point_factories() -> Iterator[None]:
    """Within the block, ``Language()`` does not import other packages' spaCy factories."""
    from spacy import util

    entry_points = util.registry._entry_point_factories
    before = entry_points.entry_points
    entry_points.entry_points = False
    try:
        yield
    finally:
        entry_points.entry_points = before
