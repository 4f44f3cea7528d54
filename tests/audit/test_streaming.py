"""Streaming audits: same files whatever the batch size, chunk size or number of workers;
a killed run leaves complete rows only and a re-run gives the same files; chunked reading
gives exactly what reading the whole export gives."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp.audit.batch import BLAS_THREADS
from nlp.audit.run import AuditError, AuditRequest, run_audit
from nlp.records.exports import iter_notes, read_notes, read_table
from nlp.records.run_writer import PARTIAL, RunWriter

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample_notes.csv"
REGISTER = ROOT / "examples" / "register.csv"
FILES = ("flags.csv", "flags.jsonl", "restrictions.csv", "notes.jsonl", "rejected.csv")


def _files(out: Path) -> dict[str, bytes]:
    """Every output file's bytes; summary.json without its timestamp."""
    found = {name: (out / name).read_bytes() for name in FILES}
    summary = json.loads((out / "summary.json").read_text())
    summary["run"].pop("created_at")
    found["summary.json"] = json.dumps(summary, sort_keys=True).encode()
    return found


def _audit(out: Path, **options) -> dict[str, bytes]:
    request = AuditRequest(records=SAMPLE, out_dir=out, register=REGISTER, **options)
    run_audit(request)
    assert not (out / PARTIAL).exists()
    return _files(out)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    return _audit(tmp_path_factory.mktemp("ref"))


@pytest.mark.parametrize(("batch_size", "chunk_rows"), [(1, 7), (17, 50), (1000, 1000)])
def test_batch_and_chunk_sizes_give_identical_files(reference, tmp_path, batch_size, chunk_rows):
    assert _audit(tmp_path, batch_size=batch_size, chunk_rows=chunk_rows) == reference


def test_two_workers_give_identical_files(reference, tmp_path):
    assert _audit(tmp_path, workers=2, batch_size=16, chunk_rows=40) == reference


WORKER_START = """
import pickle, sys
from nlp.audit.batch import AuditSettings, audit_in_worker, start_worker
settings = AuditSettings(model="hybrid")
start_worker(settings)
register, notes = pickle.loads(sys.stdin.buffer.read())
part = register.for_people(n.person_id for n in notes)
result = audit_in_worker(notes, settings, part)
print(sorted(m for m in ("pandas", "pyarrow", "sklearn", "torch") if m in sys.modules))
print(sorted({r.register_status for o in result.outcomes for r in o.restrictions}))
from threadpoolctl import threadpool_info
print(sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}))
"""


def test_a_worker_matches_the_register_entries_each_batch_brings(tmp_path):
    """A worker reads no register: each batch brings its people's entries (the parent's
    register), so it never imports pandas (about 70 MB in each worker); its BLAS runs
    one thread (two workers on two cores: an idle BLAS thread per core cost 5 % CPU)."""
    import pickle

    from nlp.audit.register_match import load_register

    register = load_register(REGISTER)[0]
    run = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        input=pickle.dumps((register, read_notes(SAMPLE).notes)),
        capture_output=True,
        cwd=ROOT,
        check=True,
        env={k: v for k, v in os.environ.items() if k not in (*BLAS_THREADS, "OMP_NUM_THREADS")},
    )
    imported, statuses, blas_threads = run.stdout.decode().splitlines()
    assert imported == "[]"
    assert blas_threads == "[1]"
    assert "'in_register'" in statuses and "'no_register'" not in statuses, statuses


def test_a_batchs_part_of_the_register_matches_as_the_whole(tmp_path):
    """``Register.for_people``: the same match for every person in the batch, still a
    supplied register for people with no entry (not in register, not no register)."""
    from nlp.audit.register_match import Register, load_register

    register = load_register(REGISTER)[0]
    people = sorted(register.by_person)
    part = register.for_people([people[0], people[0], "P-NOBODY"])
    assert set(part.by_person) == {people[0]}
    entry = register.by_person[people[0]][0]
    for r in (register, part):
        found = r.match(people[0], entry.restriction_type, entry.restriction, entry.start_date)
        assert found.entry == entry
    assert part.match("P-NOBODY", "locked_door", "door locked", "2026-01-01").status == (
        register.match("P-NOBODY", "locked_door", "door locked", "2026-01-01").status
    )
    assert register.match(people[1], "x", "y", "2026-01-01").status != "no_register"
    assert part.match(people[1], "x", "y", "2026-01-01").status != "no_register"
    assert Register.empty().for_people(people).supplied is False


def test_summary_carries_the_models_thresholds(reference):
    """The review app ranks "most informative first" by each head's own threshold."""
    run = json.loads(reference["summary.json"])["run"]
    shipped = json.loads((Path(__file__).parents[2] / "models/hybrid/model.json").read_text())
    assert run["thresholds"] == shipped["thresholds"]
    assert run["thresholds"]["restriction"] != 0.5  # a tuned threshold, not the default


def test_sample_has_flags_of_every_category(reference):
    rows = list(csv.DictReader(reference["flags.csv"].decode("utf-8-sig").splitlines()))
    assert {r["category"] for r in rows} == {
        "doing_for",
        "unrecorded_restriction",
        "missing_rationale",
        "plan_gap",
    }


def _export(path: Path, copies: int) -> None:
    """The sample's good rows, repeated with fresh ids (a longer export to kill mid-way)."""
    frame = read_table(SAMPLE)
    rows = [r for r in frame.drop(columns="__error__").to_dict("records") if r["text"]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for k in range(copies):
            for r in rows:
                writer.writerow({**r, "note_id": f"{r['note_id']}-{k}"})


def _cli(export: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cli.main",
        "audit",
        str(export),
        "--register",
        str(REGISTER),
        "--out",
        str(out),
        "--batch-size",
        "8",
        "--no-progress",
    ]


def test_killed_run_leaves_complete_rows_and_rerun_gives_same_files(tmp_path):
    export = tmp_path / "long.csv"
    _export(export, copies=2)
    reference = tmp_path / "reference"
    run_audit(AuditRequest(records=export, out_dir=reference, register=REGISTER, batch_size=8))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _cli(export, out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    partial_flags = out / PARTIAL / "flags.csv"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if partial_flags.exists() and partial_flags.stat().st_size > 2000:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the audit finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # complete rows only: nothing in the run folder itself until a run finishes
    assert {p.name for p in out.iterdir()} == {PARTIAL}
    again = subprocess.run(_cli(export, out), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert {p.name for p in out.iterdir()} == {*FILES, "summary.json"}
    assert _files(out) == _files(reference)


def test_writer_replaces_an_earlier_run_only_when_finished(tmp_path):
    (tmp_path / "flags.csv").write_text("old")
    (tmp_path / "summary.json").write_text("{}")
    writer = RunWriter(tmp_path)
    writer.abort()
    assert (tmp_path / "flags.csv").read_text() == "old"
    assert not (tmp_path / PARTIAL).exists()
    with RunWriter(tmp_path) as writer:
        summary = writer.finish({"run_id": "x"})
    assert summary["notes"] == 0
    assert (tmp_path / "flags.csv").read_text(encoding="utf-8-sig").startswith("flag_id,")
    assert json.loads((tmp_path / "summary.json").read_text())["run"] == {"run_id": "x"}


def test_out_dir_left_by_a_killed_run_is_accepted(tmp_path):
    out = tmp_path / "out"
    (out / PARTIAL).mkdir(parents=True)
    (out / PARTIAL / "flags.csv").write_text("half a row")
    summary = run_audit(AuditRequest(records=SAMPLE, out_dir=out, register=REGISTER))
    assert summary["notes"] == 240 and not (out / PARTIAL).exists()


def test_an_export_with_no_usable_notes_leaves_nothing(tmp_path):
    export = tmp_path / "bad.csv"
    export.write_text("note_id,person_id,date,text\n1,P1,not a date,Hello.\n")
    out = tmp_path / "out"
    with pytest.raises(AuditError, match="no usable notes"):
        run_audit(AuditRequest(records=export, out_dir=out))
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_chunked_reading_gives_what_whole_reading_gives(tmp_path, suffix):
    frame = read_table(SAMPLE).drop(columns="__error__")
    path = tmp_path / f"notes{suffix}"
    if suffix == ".csv":
        path.write_bytes(SAMPLE.read_bytes())
    elif suffix == ".jsonl":
        with path.open("w") as fh:
            for k, row in enumerate(frame.to_dict("records")):
                fh.write("\n" if k == 3 else "")  # a blank line keeps the numbering
                fh.write(("{broken\n" if k == 5 else "") + json.dumps(row) + "\n")
    else:
        frame.to_parquet(path)
    whole = read_notes(path)
    for chunk_rows in (1, 7, 10_000):
        notes, problems, rows = [], [], 0
        for chunk in iter_notes(path, None, chunk_rows):
            notes += chunk.notes
            problems += chunk.problems
            rows += chunk.rows
        assert (notes, problems, rows) == (whole.notes, whole.problems, whole.rows)


PARENT_RUN = """
import sys
from pathlib import Path
from nlp.audit.run import AuditRequest, run_audit

if __name__ == "__main__":
    run_audit(AuditRequest(records=Path(sys.argv[1]), out_dir=Path(sys.argv[2]),
                           register=Path(sys.argv[3]), workers=2))
    print(sorted(m for m in ("spacy", "thinc", "torch", "sklearn") if m in sys.modules))
"""


def test_with_workers_the_parent_never_imports_spacy(tmp_path):
    """With --workers N the parent only reads and writes: spaCy is loaded by the workers."""
    script = tmp_path / "parent.py"
    script.write_text(PARENT_RUN)
    run = subprocess.run(
        [sys.executable, str(script), str(SAMPLE), str(tmp_path / "out"), str(REGISTER)],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert run.stdout.decode().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "flags.csv").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_tampered_parser_is_refused_before_any_work(tmp_path, monkeypatch, workers):
    """$CAREAUDIT_PARSER naming a changed model folder: one error, from the parent,
    whatever the number of workers (not a traceback from each worker)."""
    import shutil

    from nlp.analysis import english

    bundled = sorted(english.PARSER_MODELS_DIR.glob("*/model.json"))
    if not bundled:
        pytest.skip("no parser model under models/parser/")
    folder = tmp_path / "parser"
    shutil.copytree(bundled[0].parent, folder)
    (folder / "tagger" / "model").write_bytes(b"\0" + (folder / "tagger" / "model").read_bytes())
    monkeypatch.setenv(english.PARSER_ENV, str(folder))
    out = tmp_path / "out"
    with pytest.raises(AuditError, match="SHA-256 differs"):
        run_audit(AuditRequest(records=SAMPLE, out_dir=out, workers=workers))
    assert not out.exists()


def test_the_summary_names_the_parser(reference):
    assert json.loads(reference["summary.json"])["run"]["parser"] == "sm"


def test_the_pool_hands_its_workers_the_parents_register(tmp_path):
    """Two workers whose settings name a register file that does not exist still match
    against the register: they use the one the parent read (never re-read it)."""
    from nlp.audit.batch import AuditSettings
    from nlp.audit.register_match import load_register
    from nlp.audit.run import _audited_in_processes

    notes = read_notes(SAMPLE).notes
    register = load_register(REGISTER)[0]
    settings = AuditSettings(register=str(tmp_path / "absent.csv"), batch_size=8)
    batches = [notes[i : i + 8] for i in range(0, len(notes), 8)]
    results = list(_audited_in_processes(iter(batches), settings, 2, register))
    statuses = {r.register_status for b in results for o in b.outcomes for r in o.restrictions}
    assert sum(len(b.outcomes) for b in results) == len(notes)
    assert "in_register" in statuses, statuses
