"""MiniLM's name head: loaded checked, its probabilities put on every parsed note and read
as features of the name decision, never as a decision of its own."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import spacy

from nlp.deid import DeidAnalyzer, name_encoder, name_model
from nlp.deid.features import NoteView, encoder_band, features, is_candidate
from nlp.deid.names import Known
from nlp.prediction.store import UnsafeModel
from tests.deid.cli_runs import deidentify, one_note
from tests.tampering import agree, flip_a_byte


@pytest.fixture(scope="module")
def head() -> name_encoder.NameEncoder:
    return name_encoder.load(name_encoder.DEFAULT_DIR)


def test_the_shipped_name_decision_is_bound_to_the_shipped_head(
    head: name_encoder.NameEncoder,
) -> None:
    model = name_model.load(name_model.DEFAULT_DIR)
    assert model.encoder == head.sha256
    assert any(f.startswith("enc=") for f in model.index)


def test_a_name_reads_as_a_name_whatever_its_case(head: name_encoder.NameEncoder) -> None:
    """MiniLM's vocabulary is lower-case: the vote reads the words and their context, not
    capitals, so a name scores alike in title case, lower case and capitals, and the
    ordinary words round it stay low."""
    nlp = spacy.blank("en")
    text = "Spoke to Bronagh about the trip to the shop on Tuesday."
    docs = [nlp(text), nlp(text.lower()), nlp(text.upper())]
    head.tag(docs)
    found = [name_encoder.votes(doc) for doc in docs]
    for doc, votes in zip(docs, found, strict=True):
        assert votes is not None and set(votes) == {t.i for t in doc if t.is_alpha}
        assert votes[2] > 0.5, (doc.text, votes)
        assert max(p for i, p in votes.items() if i != 2) < 0.5, (doc.text, votes)
    assert found[0] == found[1] == found[2]


def test_a_long_note_is_read_in_windows_to_its_end(head: name_encoder.NameEncoder) -> None:
    """A note longer than one encoder pass (512 word pieces) is read in overlapping
    windows: every word gets a vote, and a name near the end scores as it does alone."""
    nlp = spacy.blank("en")
    filler = "Supported with breakfast and a walk to the shop, then tea in the lounge. " * 60
    sentence = "Spoke to his daughter Grainne about the visit."
    long_doc, short_doc = nlp(filler + sentence), nlp(sentence)
    head.tag([long_doc, short_doc])
    long_votes, short_votes = name_encoder.votes(long_doc), name_encoder.votes(short_doc)
    assert long_votes is not None and short_votes is not None
    assert len(long_votes) == sum(t.is_alpha for t in long_doc)
    name_at = next(t.i for t in long_doc if t.text == "Grainne")
    assert long_votes[name_at] > 0.5 and short_votes[4] > 0.5
    assert abs(long_votes[name_at] - short_votes[4]) < 0.25


def test_vectors_do_not_depend_on_the_other_notes_of_a_batch(
    head: name_encoder.NameEncoder,
) -> None:
    """Padding in a batch changes nothing: a note's votes are the same alone or batched
    with a longer one (outputs must not depend on batch composition)."""
    nlp = spacy.blank("en")
    text = "Seen by Dr Okafor; Bronwen rang at 3."
    alone, batched, other = nlp(text), nlp(text), nlp("A much longer note. " * 30)
    head.tag([alone])
    head.tag([other, batched])
    a, b = name_encoder.votes(alone), name_encoder.votes(batched)
    assert a is not None and b is not None and set(a) == set(b)
    assert max(abs(a[i] - b[i]) for i in a) <= 0.002


def test_a_likely_name_is_a_candidate_with_its_band_as_features(
    deid_analyzer: DeidAnalyzer,
) -> None:
    finder = deid_analyzer.names
    doc = deid_analyzer.nlp("went for a walk with grandad after tea")
    i = 3  # "walk": a lower-case common word, no name word of any list
    view = NoteView([False] * len(doc), [0] * len(doc), [0] * len(doc), Known(), set())
    assert not is_candidate(finder, doc, i, view)
    assert not [f for f in features(finder, doc, i, view) if f.startswith("enc")]
    view.encoded = {i: 0.1}
    assert not is_candidate(finder, doc, i, view)  # a low vote adds nothing
    view.encoded = {i: 0.7}
    assert is_candidate(finder, doc, i, view)
    feats = features(finder, doc, i, view)
    assert "enc=high" in feats and "enc*st=high*none" in feats
    view.encoded = {i - 1: 0.99}  # "a" scored: a neighbour feature of "walk"
    assert "p1.enc" in features(finder, doc, i, view)


@pytest.mark.parametrize(
    ("p", "band"), [(0.0, "lo"), (0.05, "low"), (0.3, "mid"), (0.5, "high"), (0.97, "top")]
)
def test_bands(p: float, band: str) -> None:
    assert encoder_band(p) == band


def test_every_parsed_note_carries_the_heads_votes(deid_analyzer: DeidAnalyzer) -> None:
    assert deid_analyzer.encoder is not None
    (doc,) = deid_analyzer.parse(["Spoke to daughter Hansaben Jayantilal about the visit."])
    votes = name_encoder.votes(doc)
    assert votes is not None and votes[3] > 0.5 and votes[1] < 0.5


def test_a_note_the_head_did_not_read_is_refused(deid_analyzer: DeidAnalyzer) -> None:
    from nlp.deid import name_tagger

    text = "Spoke to daughter Hansaben about the visit."
    doc = deid_analyzer.nlp(text)
    deid_analyzer.tagger.tag([doc])  # the tagger's spans, not the encoder's votes
    with pytest.raises(name_encoder.EncoderMissing):
        deid_analyzer.analyze(text, doc=doc)
    with pytest.raises(name_encoder.EncoderMissing):
        DeidAnalyzer(
            deid_analyzer.nlp,
            deid_analyzer.lexicons,
            deid_analyzer.names.model,
            tagger=deid_analyzer.tagger,
        )
    assert name_tagger.positions(doc) is not None


def test_a_changed_head_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "head"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    flip_a_byte(folder / name_encoder.WEIGHTS)
    with pytest.raises(UnsafeModel, match="SHA-256 differs"):
        name_encoder.load(folder)


def test_a_head_the_decision_was_not_trained_with_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeModel, match="not the encoder head"):
        name_encoder.load(name_encoder.DEFAULT_DIR, expected="0" * 64)
    folder = tmp_path / "other"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    meta["kind"] = "deid-names"
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UnsafeModel, match=name_encoder.KIND):
        name_encoder.load(folder)


def test_a_head_for_other_encoder_weights_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    meta["encoder_sha256"] = "0" * 64
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UnsafeModel, match="all-MiniLM-L6-v2 files"):
        name_encoder.load(folder)


def test_an_unlisted_file_or_pickled_weights_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "extra"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    (folder / "loader.py").write_text("print('hi')\n")
    with pytest.raises(UnsafeModel, match=r"files not in model\.json"):
        name_encoder.load(folder)
    folder = tmp_path / "pickled"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    marker = tmp_path / "code-ran"

    class Payload:  # unpickling it would create ``marker``
        def __reduce__(self) -> tuple:
            return (open, (str(marker), "w"))

    payload = np.empty(1, dtype=object)
    payload[0] = Payload()
    with (folder / name_encoder.WEIGHTS).open("wb") as fh:  # an object array is pickled
        np.savez(fh, coef=payload, intercept=np.zeros(1))
    agree(folder, name_encoder.WEIGHTS)
    with pytest.raises(UnsafeModel):
        name_encoder.load(folder)
    assert not marker.exists()  # refused before anything was unpickled


def test_trusted_pins_refuse_an_unpinned_head(tmp_path: Path, monkeypatch) -> None:
    import nlp.prediction.store as store

    folder = tmp_path / "head"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    pins = [hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()]
    (tmp_path / "pins.txt").write_text("\n".join(pins) + "\n")
    monkeypatch.setenv(store.TRUSTED_MODELS_ENV, str(tmp_path / "pins.txt"))
    assert name_encoder.load(folder).sha256  # every file pinned: loads
    (folder / "README.md").write_text("changed card\n")
    with pytest.raises(UnsafeModel, match="trusted-models list"):
        name_encoder.load(folder)


@pytest.mark.parametrize("damage", ["tampered", "foreign"])
def test_deidentify_refuses_a_tampered_or_foreign_head(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI: a changed weights file, or another head with a consistent
    model.json, stops the run with one line and writes nothing."""
    folder = tmp_path / "head"
    shutil.copytree(name_encoder.DEFAULT_DIR, folder)
    flip_a_byte(folder / name_encoder.WEIGHTS)
    if damage == "foreign":  # model.json made to agree with the changed file
        agree(folder, name_encoder.WEIGHTS)
    monkeypatch.setattr(name_encoder, "DEFAULT_DIR", folder)
    out = tmp_path / "o.jsonl"
    code, said = deidentify(one_note(tmp_path), out)
    assert code == 2 and "Traceback" not in said, said
    assert ("SHA-256 differs" if damage == "tampered" else "not the encoder head") in said
    assert not out.exists()


def test_deidentify_without_the_transformer_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without torch / transformers / the encoder package the decision cannot run as
    trained: one line naming the extra to install, no traceback, nothing written."""

    def missing() -> Path:
        raise name_encoder.EncoderMissing(name_encoder.INSTALL_HINT)

    monkeypatch.setattr(name_encoder, "encoder_path", missing)
    out = tmp_path / "o.jsonl"
    code, said = deidentify(one_note(tmp_path), out)
    assert code == 2 and "Traceback" not in said, said
    assert "pip install -e '.[transformer]'" in said
    assert not out.exists()


def test_stored_votes_give_the_decision_what_reading_gives(
    head: name_encoder.NameEncoder,
) -> None:
    """The training path (votes written as [start, end, p] with p >= 0.01, then put back
    on a Doc by character) gives every word the band the runtime path gives it."""
    from nlp.deid.features import encoder_band

    nlp = spacy.blank("en")
    text = "Rang D'Souza re O'Brien's tablets; Bronagh ok, seen by SW Kaur. TOLD PENNY + OFFICE."
    read, stored = nlp(text), nlp(text)
    head.tag([read])
    votes = name_encoder.votes(read)
    assert votes is not None
    assert {read[i].text for i in votes} >= {"D'Souza", "O'Brien", "Bronagh", "PENNY"}
    written = [
        [read[i].idx, read[i].idx + len(read[i]), round(p, 3)]
        for i, p in votes.items()
        if p >= 0.01
    ]
    name_encoder.set_votes_by_char(stored, written)
    again = name_encoder.votes(stored)
    assert again is not None and set(again) == set(votes)
    assert {i: encoder_band(p) for i, p in again.items()} == {
        i: encoder_band(p) for i, p in votes.items()
    }


def test_reading_projects_each_piece_as_the_full_vectors_would(
    head: name_encoder.NameEncoder,
) -> None:
    """At run time only each piece's two numbers are kept (memory bounded by the head,
    not the encoder's width): the same probabilities as the full vectors times the head."""
    nlp = spacy.blank("en")
    doc = nlp("Spoke to his daughter Grainne and to Mr O'Hagan about the lift. " * 50)
    spans = name_encoder.word_spans(doc)
    (full,) = head.words.vectors([doc.text], [spans])
    expected = 1.0 / (1.0 + np.exp(-(full.astype(np.float64) @ head.coef + head.intercept)))
    head.tag([doc])
    votes = name_encoder.votes(doc)
    assert votes is not None
    got = np.array([votes[t.i] for t in name_encoder.read_words(doc)])
    assert np.abs(got - np.round(expected, 3)).max() <= 0.0011


def test_the_analyser_refuses_a_head_the_decision_was_not_trained_with(
    deid_analyzer: DeidAnalyzer, head: name_encoder.NameEncoder
) -> None:
    other = name_encoder.NameEncoder(head.words, head.coef, head.intercept, "0" * 64)
    with pytest.raises(UnsafeModel, match="not the one this name decision"):
        DeidAnalyzer(
            deid_analyzer.nlp,
            deid_analyzer.lexicons,
            deid_analyzer.names.model,
            tagger=deid_analyzer.tagger,
            encoder=other,
        )


def test_a_changed_tokenizer_or_config_of_the_encoder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the weights: a tokenizer that no longer lower-cases reads every name
    differently, so each file the encoder loads is checked against the head's record."""
    installed = name_encoder.encoder_path()
    for name, change in (
        ("tokenizer.json", ('"lowercase":true', '"lowercase":false')),
        ("config.json", ('"hidden_act": "gelu"', '"hidden_act": "relu"')),
    ):
        copy = tmp_path / name.split(".")[0]
        shutil.copytree(installed, copy)
        text = (copy / name).read_text(encoding="utf-8")
        assert change[0] in text
        (copy / name).write_text(text.replace(change[0], change[1]), encoding="utf-8")
        monkeypatch.setattr(name_encoder, "encoder_path", lambda copy=copy: copy)
        with pytest.raises(UnsafeModel, match="tokenizer, config"):
            name_encoder.load(name_encoder.DEFAULT_DIR)
