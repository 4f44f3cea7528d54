"""Learning from decisions: decisions and marks become training labels (null where nobody
decided), missed flags and reviewed notes, the model version on flags and decisions, the
flags table built from nlp.schema, and ``careaudit train --review-db``."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import fields
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app
from nlp.deid import Pseudonymiser, shared_analyzer
from nlp.prediction.datasets import UNKNOWN, build_dataset
from nlp.records.corpus import read_gold
from nlp.schema import FLAG_COLUMNS, Flag
from review_app.exports import decision_rows
from review_app.importer import import_run
from review_app.learning import review_gold, reviewed_notes
from review_app.store import (
    FlagRow,
    FlagView,
    ReviewMark,
    decision_history,
    list_flags,
    list_marks,
    make_engine,
    record_decision,
    record_mark,
)
from review_app.teaching import build_examples, completeness, to_jsonl

from .conftest import RUN_A

ROOT = Path(__file__).resolve().parents[2]
KITCHEN = "Kitchen locked after 9pm."
WASHED = "Staff washed and dressed Tomasz Wren before breakfast."
PORRIDGE = "Tomasz chose porridge and ate it himself."


def _flags(engine) -> dict[tuple[str, str], FlagView]:
    return {(f.note_id, f.category): f for f in list_flags(engine, None)}


def _decide(engine, key: tuple[str, str], decision: str, reason: str = "") -> None:
    flag = _flags(engine)[key]
    record_decision(engine, flag.flag_id, decision, "ann", flag.sequence, reason=reason)


def _labels(engine) -> dict[str, dict]:
    """Sentence text -> its gold record, from every labelled note."""
    notes, _ = reviewed_notes(engine)
    return {
        n.record["text"][s["start"] : s["end"]]: s for n in notes for s in n.record["sentences"]
    }


@pytest.fixture
def store(loaded_sqlite):
    return loaded_sqlite[1]


def test_decisions_round_trip_into_training_labels(store, analyzer):
    _decide(store, ("N-0001", "doing_for"), "confirmed")
    _decide(store, ("N-0001", "unrecorded_restriction"), "dismissed", "authorised elsewhere")
    _decide(store, ("N-0005", "unrecorded_restriction"), "confirmed")
    _decide(store, ("N-0003", "unrecorded_restriction"), "dismissed", "not a restriction")
    _decide(store, ("N-0004", "missing_rationale"), "dismissed", "rationale given elsewhere")
    gold, summary = review_gold(store)
    assert (summary.notes, summary.decisions, summary.confirmed) == (4, 5, 2)
    data = build_dataset(gold, analyzer)
    y = {r.text.strip(): row.tolist() for r, row in zip(data.records, data.y, strict=True)}
    U = UNKNOWN
    # heads: doing_for, restriction, unauthorised, missing_rationale
    assert y[WASHED] == [1, U, U, U]
    assert y[PORRIDGE] == [U, U, U, U]  # nobody looked at it: unknown, not 0
    # authorised elsewhere: a restriction, not unrecorded; in-text authority unknown
    assert y[KITCHEN] == [U, 1, U, U]  # its missing_rationale flag is still open
    assert y["Freddie was sent to his room after shouting."] == [U, 1, 1, U]
    assert y["Staff took his phone off him."] == [U, 0, 0, U]
    assert y["Outing to Harrogate cancelled."] == [U, U, U, 0]
    by_note = {g.note.note_id: g for g in gold}
    kitchen = by_note["N-0001"].sentences[2]
    assert (kitchen.restriction_type, kitchen.in_register, kitchen.unrecorded_restriction) == (
        "environmental",
        1,
        0,
    )
    assert by_note["N-0005"].sentences[0].unrecorded_restriction == 1
    # a later decision replaces the earlier one (reopen, then dismiss)
    _decide(store, ("N-0001", "doing_for"), "reopened")
    assert _labels(store)[WASHED]["doing_for"] is None
    _decide(store, ("N-0001", "doing_for"), "dismissed", "not doing-for in context")
    assert _labels(store)[WASHED]["doing_for"] == 0


def test_missed_flags_and_reviewed_notes(store):
    flags = _flags(store)
    note_key = flags["N-0001", "doing_for"].note_key
    with pytest.raises(ValueError, match="3 open flag"):
        record_mark(store, "note_reviewed", note_key, "ann")
    with pytest.raises(ValueError, match="restriction type"):
        record_mark(store, "missed", note_key, "ann", category="unrecorded_restriction",
                    start=55, end=96)  # fmt: skip
    with pytest.raises(ValueError, match="not text of the note"):
        record_mark(store, "missed", note_key, "ann", category="doing_for", start=90, end=400)
    missed = record_mark(
        store, "missed", note_key, "ann", category="missing_rationale", start=62, end=70
    )
    assert _labels(store)[PORRIDGE]["missing_rationale"] == 1  # the sentence the span is in
    _decide(store, ("N-0001", "doing_for"), "confirmed")
    _decide(store, ("N-0001", "unrecorded_restriction"), "confirmed")
    _decide(store, ("N-0001", "missing_rationale"), "dismissed", "rationale given elsewhere")
    (before,) = [n for n in reviewed_notes(store)[0] if n.note_key == note_key]
    assert not before.complete and before.record["review_status"] == "partial"
    assert before.record["sentences"][1]["doing_for"] is None
    record_mark(store, "note_reviewed", note_key, "ann")
    (after,) = [n for n in reviewed_notes(store)[0] if n.note_key == note_key]
    assert after.complete and after.record["review_status"] == "complete"
    washed, porridge, kitchen = after.record["sentences"]
    assert (washed["doing_for"], washed["missing_rationale"]) == (1, 0)
    assert washed["unrecorded_restriction"] == 0 and washed["restriction"] is None
    assert (porridge["doing_for"], porridge["missing_rationale"]) == (0, 1)
    assert (kitchen["restriction"], kitchen["authorised_in_text"], kitchen["in_register"]) == (
        1,
        0,
        0,
    )
    assert "unrecorded_restriction" not in kitchen  # the fields say it (1)
    # withdrawing the missed mark: a new row, and the sentence is a reviewed 0 again
    record_mark(store, "retracted", note_key, "al", target_id=missed.id)
    assert _labels(store)[PORRIDGE]["missing_rationale"] == 0
    assert [m.kind for m in list_marks(store, active_only=False)] == [
        "missed",
        "note_reviewed",
        "retracted",
    ]
    with pytest.raises(ValueError, match="already retracted"):
        record_mark(store, "retracted", note_key, "al", target_id=missed.id)


def test_marks_are_append_only(engine):
    import_run(engine, RUN_A)
    note_key = _flags(engine)["N-0006", "unrecorded_restriction"].note_key
    mark = record_mark(engine, "missed", note_key, "ann", category="doing_for", start=0, end=11)
    with Session(engine) as s:
        row = s.get(ReviewMark, mark.id)
        row.category = "missing_rationale"
        with pytest.raises(PermissionError):
            s.flush()
    with engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE review_marks SET category = 'x'"))
    assert list_marks(engine)[0].category == "doing_for"


def test_unreviewed_sentences_never_become_zero_through_the_teaching_export(
    store, analyzer, tmp_path
):
    _decide(store, ("N-0001", "doing_for"), "confirmed")
    _decide(store, ("N-0007", "doing_for"), "dismissed", "not doing-for in context")
    pseudonymiser = Pseudonymiser(shared_analyzer(), seed=3)
    assert completeness(store) == (0, 2)
    assert build_examples(store, None, pseudonymiser) == []  # complete notes only by default
    records = build_examples(store, None, pseudonymiser, include_partial=True)
    path = tmp_path / "teaching.jsonl"
    path.write_text(to_jsonl(records), encoding="utf-8")
    assert {r["review_status"] for r in records} == {"partial"}
    data = build_dataset(read_gold(path), analyzer)
    doing_for = sorted(data.y[:, 0].tolist())
    # confirmed, dismissed, and every other sentence unknown: no 0 from nowhere
    assert doing_for.count(1) == 1 and doing_for.count(0) == 1
    assert doing_for.count(UNKNOWN) == len(doing_for) - 2
    assert (data.y[:, 1:] == UNKNOWN).all()


def test_model_version_is_stored_on_flags_and_decisions(sqlite_url, tmp_path):
    run = Path(shutil.copytree(RUN_A, tmp_path / "run"))
    summary = json.loads((run / "summary.json").read_text())
    summary["run"]["model_version"] = "hybrid@0123456789ab"
    (run / "summary.json").write_text(json.dumps(summary))
    lines = (run / "flags.jsonl").read_text().splitlines()
    first = {**json.loads(lines[0]), "model_version": "hybrid@ffffffffffff"}
    (run / "flags.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    engine = make_engine(sqlite_url)
    import_run(engine, run)
    flags = {f.flag_id: f for f in list_flags(engine)}
    assert flags[first["flag_id"]].model_version == "hybrid@ffffffffffff"
    others = {f.model_version for fid, f in flags.items() if fid != first["flag_id"]}
    assert others == {"hybrid@0123456789ab"}  # flags without their own: the run's model
    rec = record_decision(engine, first["flag_id"], "confirmed", "ann", 0)
    assert rec.model_version == "hybrid@ffffffffffff"
    assert decision_history(engine, first["flag_id"])[0].model_version == "hybrid@ffffffffffff"
    # a re-audit by another model: the flag shows the new one, the decision keeps its own
    summary["run"].update(run_id="run-b2", model_version="hybrid@222222222222")
    (run / "summary.json").write_text(json.dumps(summary))
    (run / "flags.jsonl").write_text("\n".join(lines) + "\n")
    import_run(engine, run)
    assert {f.model_version for f in list_flags(engine)} == {"hybrid@222222222222"}
    (row,) = decision_rows(engine, history=True)
    assert row["model_version"] == "hybrid@ffffffffffff"
    mark = record_mark(
        engine, "missed", flags[first["flag_id"]].note_key, "ann", category="doing_for",
        start=55, end=96,
    )  # fmt: skip
    assert mark.model_version == "hybrid@222222222222"  # the model that missed it


def test_flags_table_is_built_from_the_schema():
    columns = [c.key for c in FlagRow.__table__.columns]
    assert columns[: len(FLAG_COLUMNS)] == FLAG_COLUMNS
    assert columns[len(FLAG_COLUMNS) :] == [
        "note_key",
        "first_run_id",
        "last_run_id",
        "threshold",
        "review_status",
    ]
    assert [f.name for f in fields(FlagView)][: len(FLAG_COLUMNS)] == FLAG_COLUMNS
    assert issubclass(FlagView, Flag)
    assert FlagRow.__table__.c.flag_id.primary_key
    assert {c.name for c in FlagRow.__table__.columns if c.index} >= {"note_id", "category"}


def test_a_store_made_before_model_versions_gets_the_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    import_run(engine, RUN_A)
    with engine.begin() as conn:
        for table in ("flags", "decisions"):
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN model_version")
    engine.dispose()
    engine = make_engine(url)  # what `careaudit review` does on start
    flag = list_flags(engine)[0]
    assert flag.model_version == ""
    assert record_decision(engine, flag.flag_id, "confirmed", "ann", 0).model_version == ""
    engine.dispose()


def test_train_learns_from_a_review_store(store, sqlite_url, tmp_path):
    _decide(store, ("N-0001", "doing_for"), "confirmed")
    _decide(store, ("N-0007", "doing_for"), "dismissed", "not doing-for in context")
    _decide(store, ("N-0005", "unrecorded_restriction"), "confirmed")
    _decide(store, ("N-0004", "missing_rationale"), "dismissed", "rationale given elsewhere")
    corpus, dev = tmp_path / "train.jsonl", tmp_path / "dev.jsonl"
    train_lines = (ROOT / "annotations/train.jsonl").read_text(encoding="utf-8").splitlines()
    dev_lines = (ROOT / "annotations/dev.jsonl").read_text(encoding="utf-8").splitlines()
    corpus.write_text("\n".join(train_lines[:40]) + "\n", encoding="utf-8")
    dev.write_text("\n".join(dev_lines[:15]) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    result = CliRunner().invoke(
        app,
        [
            "train", "--model", "sklearn", "--corpus", str(corpus), "--dev", str(dev),
            "--out", str(out), "--review-db", sqlite_url, "--review-weight", "3",
            "--review-dev-fraction", "0.5",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "model.json").read_text())
    corpus_src, review_src = meta["learned_from"]
    assert corpus_src["source"] == str(corpus) and corpus_src["notes"] == 40
    assert review_src["review_db"] == sqlite_url and review_src["weight"] == 3.0
    assert review_src["decisions"] == 4 and review_src["confirmed"] == 2
    # the two services split: one trains, one is only measured
    assert len(review_src["services"]) == 1 and len(review_src["held_out_services"]) == 1
    assert meta["review_dev_metrics"]
    assert review_src["sentences"] > 0
    card = (out / "README.md").read_text()
    assert "What it learned from" in card and sqlite_url in card
    # known labels per head: the reviewed sentences add only what was decided
    corpus_sentences = corpus_src["sentences"]
    assert meta["train_known"]["doing_for"] < meta["train_sentences"]
    assert meta["train_sentences"] == corpus_sentences + review_src["sentences"]


def test_decisions_export_has_the_model_version(store, tmp_path):
    from review_app.exports import export_decisions

    _decide(store, ("N-0001", "doing_for"), "confirmed")
    out = tmp_path / "d.csv"
    export_decisions(store, out, history=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert "model_version" in rows[0]


def _note_tools(url: str, note_key: str, text: str) -> None:
    from review_app.auth import SignedInUser
    from review_app.store import make_engine
    from review_app.views import note_review

    note_review.render(make_engine(url), SignedInUser("ann", "auditor"), note_key, text)


def test_note_view_marks_a_missed_flag_and_the_note_reviewed(loaded_sqlite):
    from streamlit.testing.v1 import AppTest

    url, engine = loaded_sqlite
    flag = _flags(engine)["N-0006", "unrecorded_restriction"]
    key = flag.note_key[:12]
    at = AppTest.from_function(
        _note_tools, args=(url, flag.note_key, flag.text), default_timeout=30
    )
    at.run()
    at.selectbox(key=f"nr-sentence-{key}").select(0)
    at.text_input(key=f"nr-words-{key}").input("must not go out on her own")
    at.radio(key=f"nr-category-{key}").set_value("unrecorded_restriction")
    at.button(key=f"nr-missed-{key}").click().run()
    assert list_marks(engine) == []  # a restriction needs its type
    assert "restriction type" in at.session_state["_flash"][1]
    at.selectbox(key=f"nr-rtype-{key}").select("routine_rule")
    at.button(key=f"nr-missed-{key}").click().run()
    (mark,) = list_marks(engine)
    assert (mark.category, mark.restriction_type) == ("unrecorded_restriction", "routine_rule")
    assert flag.text[mark.start : mark.end] == "must not go out on her own"
    at.button(key=f"nr-reviewed-{key}").click().run()
    assert "open flag" in at.session_state["_flash"][1]  # the bed-rails flag is undecided
    _decide(engine, ("N-0006", "unrecorded_restriction"), "confirmed")
    at.button(key=f"nr-reviewed-{key}").click().run()
    assert [m.kind for m in list_marks(engine)] == ["missed", "note_reviewed"]
    (note,) = [n for n in reviewed_notes(engine)[0] if n.note_key == flag.note_key]
    assert note.complete
    gwen, rails = note.record["sentences"]
    assert (rails["restriction"], rails["restriction_type"]) == (1, "mechanical")
    assert (gwen["restriction"], gwen["restriction_type"], gwen["in_register"]) == (
        1,
        "routine_rule",
        0,
    )
    at.button(key=f"nr-withdraw-{mark.id}-{key}").click().run()
    assert [m.kind for m in list_marks(engine)] == ["note_reviewed"]
