"""The pipelines are ordinary spaCy pipelines: to_disk/spacy.load round-trips them with
every careaudit component (factories + config, data from nlp/resources)."""

import spacy

from nlp.analysis.pipelines import FULL_COMPONENTS, build_cheap

TEXT = "Staff washed and dressed Mary. Kitchen locked after 9pm as usual. PRN given."


def _spans(doc):
    return {k: [(s.start_char, s.end_char, s.label_, s.id_) for s in g]
            for k, g in doc.spans.items()}


def test_full_pipeline_round_trips(analyzer, tmp_path):
    analyzer.full.to_disk(tmp_path / "full")
    loaded = spacy.load(tmp_path / "full")
    assert [n for n in loaded.pipe_names if n.startswith("careaudit")] == list(FULL_COMPONENTS)
    assert _spans(loaded(TEXT)) == _spans(analyzer.full(TEXT))
    assert _spans(loaded(TEXT))["doing_for"]


def test_cheap_pipeline_round_trips(tmp_path):
    cheap = build_cheap()
    cheap.to_disk(tmp_path / "cheap")
    loaded = spacy.load(tmp_path / "cheap")
    assert _spans(loaded(TEXT)) == _spans(cheap(TEXT))
    assert len(list(loaded(TEXT).sents)) == 3
