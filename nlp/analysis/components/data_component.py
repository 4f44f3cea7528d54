"""Base for careaudit components whose rules are data, shaped like spaCy's ``SpanRuler``.

A component is built empty; :meth:`DataComponent.initialize` gives it its rule
data (by default the packaged ``resources/<resource>.json``, or any dict passed
as ``data=``), and the data travels with the pipeline: ``nlp.to_disk()`` writes
it beside the component and ``spacy.load()`` reads it back without touching the
package's resource files. Subclasses compile their matchers in :meth:`_build`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language

from nlp.analysis import lexicon

DATA_FILE = "data.json"


class ComponentNotInitialized(RuntimeError):
    """A careaudit component was called before it was given its rule data."""


class DataComponent:
    """Owns a JSON-able rule dict; subclasses turn it into matchers in :meth:`_build`."""

    def __init__(self, nlp: Language, name: str, resource: str) -> None:
        self.nlp = nlp
        self.name = name
        self.resource = resource
        self.data: dict[str, Any] = {}

    def default_data(self) -> dict[str, Any]:
        """The packaged rule data (``resources/<resource>.json``)."""
        return dict(lexicon.load(self.resource))

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, data: dict | None = None
    ) -> None:
        """Load rule data: ``data`` if given, else the packaged resource."""
        self.set_data(data if data is not None else self.default_data())

    def set_data(self, data: dict[str, Any]) -> None:
        self.data = data
        self._build(data)

    def _build(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def require_data(self) -> None:
        if not self.data:
            raise ComponentNotInitialized(
                f"{self.name}: no rule data; call nlp.get_pipe({self.name!r}).initialize() "
                "(nlp.analysis.pipelines does this) or load a saved pipeline"
            )

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.data, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> DataComponent:
        self.set_data(json.loads(data.decode("utf-8")))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / DATA_FILE).write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> DataComponent:
        self.set_data(json.loads((Path(path) / DATA_FILE).read_text(encoding="utf-8")))
        return self
