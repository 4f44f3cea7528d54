"""One de-identification analyser for the whole session (the model loads once)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nlp.deid import DeidAnalyzer, Pseudonymiser, shared_analyzer


@pytest.fixture(scope="session")
def deid_analyzer() -> DeidAnalyzer:
    return shared_analyzer()


@pytest.fixture
def pseudonymise(deid_analyzer: DeidAnalyzer) -> Callable[..., list[str]]:
    """De-identify texts as one batch (learn first, then replace), seed 7."""

    def run(*texts: str, seed: int = 7) -> list[str]:
        p = Pseudonymiser(deid_analyzer, seed=seed)
        p.learn(texts)
        return [p.pseudonymise(t).text for t in texts]

    return run
