"""The learned name tagger: loaded checked, its spans put on every parsed note and read
as features of the name decision, never as a decision of its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import spacy

from nlp.deid import DeidAnalyzer, name_model, name_tagger
from nlp.deid.features import NoteView, features, is_candidate
from nlp.deid.names import Known
from nlp.prediction.store import UnsafeModel
from tests.deid.cli_runs import deidentify, one_note
from tests.tampering import agree, flip_a_byte


def _chars(doc: spacy.tokens.Doc) -> list[tuple[int, int]]:
    return [(s.start_char, s.end_char) for s in doc.spans[name_tagger.SPANS_KEY]]


def test_positions_mark_each_word_of_a_span() -> None:
    doc = spacy.blank("en")("seen by Ann Marie Cole and jb today")
    assert name_tagger.positions(doc) is None  # never tagged: no vote at all
    name_tagger.set_spans(doc, [(8, 22), (27, 29)])
    assert name_tagger.positions(doc) == {2: "B", 3: "I", 4: "L", 6: "U"}
    assert _chars(doc) == [(8, 22), (27, 29)]


def test_a_span_inside_a_word_is_widened_to_the_word() -> None:
    doc = spacy.blank("en")("visit from Okonkwo-Bell")
    name_tagger.set_spans(doc, [(12, 15)])
    assert _chars(doc) == [(11, 18)]


def test_a_tagged_word_is_a_candidate_with_the_votes_as_features(
    deid_analyzer: DeidAnalyzer,
) -> None:
    """A lower-case common word the rules pass over is judged once the tagger tags it."""
    finder = deid_analyzer.names
    doc = deid_analyzer.nlp("went for a walk with dawn after tea")
    i = 5  # "dawn"
    view = NoteView([False] * len(doc), [0] * len(doc), [0] * len(doc), Known(), set())
    untagged = features(finder, doc, i, view)
    assert not [f for f in untagged if f.startswith("nt")]
    view.tagged = {i: "U"}
    assert is_candidate(finder, doc, i, view)
    feats = features(finder, doc, i, view)
    assert "nt=U" in feats and "nt*st=U*none" in feats
    assert "n1.nt" not in feats and "p1.nt" not in feats
    view.tagged = {}  # tagged, but not this word: an explicit "no"
    assert "nt=O" in features(finder, doc, i, view)


def test_the_shipped_name_decision_is_bound_to_the_shipped_tagger() -> None:
    model = name_model.load(name_model.DEFAULT_DIR)
    assert model.tagger == name_tagger.load(name_tagger.DEFAULT_DIR).sha256
    assert any(f.startswith("nt=") for f in model.index)


def test_every_parsed_note_carries_the_taggers_spans(deid_analyzer: DeidAnalyzer) -> None:
    assert deid_analyzer.tagger is not None
    (doc,) = deid_analyzer.parse(["Spoke to daughter Hansaben Jayantilal about the visit."])
    spans = [s.text for s in doc.spans[name_tagger.SPANS_KEY]]
    assert spans and all("Jayantilal" in s or "Hansaben" in s for s in spans), spans


def test_a_changed_tagger_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "tagger"
    shutil.copytree(name_tagger.DEFAULT_DIR, folder)
    flip_a_byte(folder / "ner" / "model")
    with pytest.raises(UnsafeModel, match="SHA-256"):
        name_tagger.load(folder)


def test_a_tagger_the_decision_was_not_trained_with_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeModel, match="not the tagger"):
        name_tagger.load(name_tagger.DEFAULT_DIR, expected="0" * 64)
    folder = tmp_path / "other"
    shutil.copytree(name_tagger.DEFAULT_DIR, folder)
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    meta["kind"] = "spacy_parser"
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UnsafeModel, match="spacy_name_tagger"):
        name_tagger.load(folder)


def test_the_binding_holds_when_model_json_is_swapped_mid_load(tmp_path: Path, monkeypatch) -> None:
    """The decision's tagger digest is checked on the same model.json bytes whose file
    list is then checked: a model.json swapped after the digest check (a race, or a file
    that reads differently the second time) cannot bring in another tagger."""
    import hashlib

    import nlp.prediction.store as store

    folder = tmp_path / "tagger"
    shutil.copytree(name_tagger.DEFAULT_DIR, folder)
    bound = (folder / "model.json").read_bytes()
    expected = hashlib.sha256(bound).hexdigest()
    flip_a_byte(folder / "ner" / "model")  # another tagger, with a model.json of its own
    other = json.loads(bound)
    changed = (folder / "ner" / "model").read_bytes()
    other["files"]["ner/model"] = hashlib.sha256(changed).hexdigest()
    swapped = json.dumps(other).encode("utf-8")
    (folder / "model.json").write_bytes(swapped)  # what any later read sees
    reads = []
    real_read, real_read_bytes = store.read_model_file, Path.read_bytes

    def first_read_is_bound(path: Path) -> bytes | None:
        if Path(path) == folder / "model.json":
            reads.append(path)
            return bound if len(reads) == 1 else swapped
        return None

    def read(path: Path, limit: int | None = None) -> bytes:
        return first_read_is_bound(path) or real_read(path, limit)

    def read_bytes(path: Path) -> bytes:
        return first_read_is_bound(path) or real_read_bytes(path)

    monkeypatch.setattr(store, "read_model_file", read)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(UnsafeModel, match="SHA-256 differs"):
        name_tagger.load(folder, expected=expected)
    assert len(reads) == 1


def test_the_tagger_ships_no_word_of_the_training_notes() -> None:
    strings = json.loads(
        (name_tagger.DEFAULT_DIR / "vocab" / "strings.json").read_text(encoding="utf-8")
    )
    blank = set(spacy.blank("en").vocab.strings)
    assert set(strings) <= blank | {name_tagger.LABEL}


def test_a_note_the_tagger_did_not_read_is_refused(deid_analyzer: DeidAnalyzer) -> None:
    """The shipped decision weighs the tagger's votes: a Doc made outside
    ``DeidAnalyzer.parse`` would silently drop them, so it is refused instead."""
    text = "Spoke to daughter Hansaben about the visit."
    with pytest.raises(name_tagger.TaggerMissing):
        deid_analyzer.analyze(text, doc=deid_analyzer.nlp(text))
    with pytest.raises(name_tagger.TaggerMissing):
        DeidAnalyzer(deid_analyzer.nlp, deid_analyzer.lexicons, deid_analyzer.names.model)
    found = deid_analyzer.analyze(text).entities  # no Doc given: parsed with the tagger
    assert "Hansaben" in [text[e.start : e.end] for e in found if e.kind == "name"]


def test_pseudonymising_without_a_doc_reads_the_taggers_spans(deid_analyzer: DeidAnalyzer) -> None:
    """The teaching export's path (no Doc passed) gives what `careaudit deidentify` gives."""
    from nlp.deid import Pseudonymiser

    texts = ["wb with SM-K. pt anxious re REFERRAL. Fortimel x1 given. prudence rang, ok."]
    plain = Pseudonymiser(deid_analyzer, seed=3)
    plain.learn(texts)
    parsed = Pseudonymiser(deid_analyzer, seed=3)
    docs = deid_analyzer.parse(texts)
    parsed.learn(texts, docs=docs)
    assert plain.pseudonymise(texts[0]).text == parsed.pseudonymise(texts[0], doc=docs[0]).text


@pytest.mark.parametrize("damage", ["tampered", "foreign"])
def test_deidentify_refuses_a_tampered_or_foreign_tagger(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI: a tagger file changed (checksum), or a whole other tagger with a
    consistent model.json (not the one the decision was trained with), stops the run with
    one line and writes nothing."""
    folder = tmp_path / "tagger"
    shutil.copytree(name_tagger.DEFAULT_DIR, folder)
    flip_a_byte(folder / "ner" / "model")
    if damage == "foreign":  # model.json made to agree with the changed file
        agree(folder, "ner/model")
    monkeypatch.setattr(name_tagger, "DEFAULT_DIR", folder)
    out = tmp_path / "o.jsonl"
    code, said = deidentify(one_note(tmp_path), out)
    assert code == 2 and "Traceback" not in said, said
    assert ("SHA-256 differs" if damage == "tampered" else "not the tagger") in said
    assert not out.exists()


def test_trusted_pins_are_checked_on_the_bytes_loaded(tmp_path: Path, monkeypatch) -> None:
    """With $CAREAUDIT_TRUSTED_MODELS, another model whose model.json agrees with its
    files is refused when it is not pinned, and every file is read once: the pins are
    checked on the very bytes listed and loaded, so no file can read pinned for the pin
    check and differently for the load."""
    import hashlib

    import nlp.prediction.store as store
    from nlp.analysis.english import checked_parser_files

    folder = tmp_path / "tagger"
    shutil.copytree(name_tagger.DEFAULT_DIR, folder)
    pins = [hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()]
    (tmp_path / "pins.txt").write_text("\n".join(pins) + "\n")
    monkeypatch.setenv(store.TRUSTED_MODELS_ENV, str(tmp_path / "pins.txt"))
    flip_a_byte(folder / "ner" / "model")  # another tagger, with a model.json of its own
    meta = json.loads((folder / "model.json").read_bytes())
    other_model = (folder / "ner" / "model").read_bytes()
    meta["files"]["ner/model"] = hashlib.sha256(other_model).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    reads: dict[Path, int] = {}
    real_read = store.read_model_file

    def counting(path: Path, limit: int | None = None) -> bytes:
        reads[Path(path)] = reads.get(Path(path), 0) + 1
        return real_read(path, limit)

    monkeypatch.setattr(store, "read_model_file", counting)
    with pytest.raises(UnsafeModel, match="trusted-models list"):
        checked_parser_files(folder, name_tagger.KIND)
    assert reads and set(reads.values()) == {1}, reads


def test_the_taggers_digest_is_of_the_model_json_checked(monkeypatch) -> None:
    """Unbound too, ``model.json`` is read once: the digest the tagger reports (and
    train_deid.py binds a decision to) is of the bytes whose file list was checked."""
    import hashlib

    import nlp.prediction.store as store

    reads = []
    real_read, real_read_bytes = store.read_model_file, Path.read_bytes

    def read(path: Path, limit: int | None = None) -> bytes:
        data = real_read(path, limit)
        if Path(path).name == "model.json":
            reads.append(data)
        return data

    def read_bytes(path: Path) -> bytes:
        if path.name == "model.json" and path.parent == name_tagger.DEFAULT_DIR:
            reads.append(b"a second read")
        return real_read_bytes(path)

    monkeypatch.setattr(store, "read_model_file", read)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    tagger = name_tagger.load(name_tagger.DEFAULT_DIR)
    assert len(reads) == 1
    assert tagger.sha256 == hashlib.sha256(reads[0]).hexdigest()
    assert tagger.version == tagger.sha256[:12]
