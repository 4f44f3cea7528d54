"""Import spaCy and build pipelines without optional packages' start-up side effects.

Two measured costs on this 2-core machine, neither needed by careaudit's pipelines,
both present once the ``transformer`` extra is installed:

- ``import thinc`` (spaCy's ML library) imports ``torch`` when it can, only to offer
  PyTorch layers careaudit never uses: about 1.2 s. :func:`keep_torch_out_of_thinc`
  installs an import hook that loads ``thinc.compat`` with ``torch`` hidden (nothing
  is imported until spaCy is); ``import torch`` works normally (the transformer
  models import it themselves).
- every ``spacy.Language()`` loads all installed packages' ``spacy_factories``
  entry points. presidio-analyzer registers one (``presidio_hf_token_pipe``) whose
  module imports ``transformers``: 3-5 s. :func:`no_entry_point_factories` turns
  that scan off while careaudit builds its pipelines; every factory they use is
  registered by importing careaudit's own component modules.

This module imports nothing heavy itself, so it can run before anything else.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any


class _HideTorch(importlib.abc.Loader):
    """Runs a module (``thinc.compat``) with ``import torch`` failing, then restores it."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        hide = "torch" not in sys.modules
        if hide:
            sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` fails
        try:
            self.loader.exec_module(module)
        finally:
            if hide and "torch" in sys.modules and sys.modules["torch"] is None:
                del sys.modules["torch"]


class _ThincWithoutTorch(importlib.abc.MetaPathFinder):
    """Finds ``thinc.compat`` as usual, but loads it with torch hidden."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "thinc.compat" or "torch" in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _HideTorch(spec.loader)
        return spec


def keep_torch_out_of_thinc() -> None:
    """From now on, importing spaCy (thinc) in this process does not import torch.

    Installs an import hook, imports nothing: call it before spaCy is imported
    (``nlp.analysis`` does). ``import torch`` itself keeps working.
    """
    if not any(isinstance(f, _ThincWithoutTorch) for f in sys.meta_path):
        sys.meta_path.insert(0, _ThincWithoutTorch())


def import_spacy() -> ModuleType:
    """Import spaCy (once per process) without letting thinc import torch."""
    keep_torch_out_of_thinc()
    import spacy

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
