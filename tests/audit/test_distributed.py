"""Distributed audit on a real 2-worker Dask LocalCluster (processes) in CI.

One cluster serves the module. The distributed run of a multi-file input (CSV
with duplicates across partitions, JSONL with blank and broken lines, Parquet)
must write the same files as the single-process audit of those files, also when
a worker dies mid-run and when a re-run skips finished partitions; an unreadable
partition is reported while the rest completes.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from nlp.audit.auditor import Auditor
from nlp.audit.distributed import (
    MANIFEST,
    DistributedProgress,
    DistributedRequest,
    run_distributed,
)
from nlp.audit.register_match import load_register
from nlp.audit.run import AuditRequest, run_audit, run_id
from nlp.prediction.registry import load_sentence_model
from nlp.prediction.version import model_thresholds, model_version
from nlp.records.exports import read_notes
from nlp.records.run_writer import write_run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample_notes.csv"
REGISTER = ROOT / "examples" / "register.csv"
MODEL = "hybrid"
ROWS = 4  # rows per partition: several partitions per file
FILES = ("flags.csv", "flags.jsonl", "restrictions.csv", "rejected.csv", "notes.jsonl")


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """Three small exports cut from the bundled sample (every note type, messy rows)."""
    d = tmp_path_factory.mktemp("inputs")
    frame = pd.read_csv(SAMPLE, dtype=str, encoding="cp1252", keep_default_na=False)
    frame = frame[frame.text != ""]
    plans = frame[frame.note_type == "Care Plan"].head(3)
    rest = frame[frame.note_type != "Care Plan"]
    a = pd.concat([plans.head(2), rest.iloc[0:9]])
    rows = a.to_dict("records")
    rows.insert(4, dict.fromkeys(a.columns, ""))  # blank row
    rows.append({**rows[1]})  # same id, same text: skipped (another partition)
    rows.append({**rows[2], "text": "Staff locked the kitchen."})  # same id, other text
    rows.append({**rows[5], "date": "31/02/2026"})  # bad date
    with (d / "a.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(a.columns))
        w.writeheader()
        w.writerows(rows)
    b = pd.concat([plans.tail(1), rest.iloc[9:15]])
    lines = [json.dumps(r) for r in b.to_dict("records")]
    lines.insert(2, "")
    lines.insert(5, "{not json")
    (d / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rest.iloc[15:21].to_parquet(d / "c.parquet", index=False)
    return [d / "a.csv", d / "b.jsonl", d / "c.parquet"]


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> Path:
    """The single-process audit of the same files: read each, audit all, write once."""
    out = tmp_path_factory.mktemp("single")
    reads = [read_notes(f) for f in inputs]
    register, reg_problems = load_register(REGISTER)
    model = load_sentence_model(MODEL)
    result = Auditor(model, register=register).run([n for r in reads for n in r.notes])
    meta = {
        "run_id": run_id([*inputs, REGISTER], model),
        "created_at": "",
        "input": ", ".join(str(f) for f in inputs),
        "register": str(REGISTER),
        "model": model.name,
        "model_version": model_version(model),
        "thresholds": model_thresholds(model),
        "parser": "sm",
        "rows_read": sum(r.rows for r in reads),
    }
    problems = [p for r in reads for p in r.problems] + reg_problems
    write_run(out, result, problems, meta)
    return out


def _request(inputs: list[Path], out: Path) -> DistributedRequest:
    return DistributedRequest(
        inputs=inputs, out_dir=out, register=REGISTER, model=MODEL, partition_rows=ROWS
    )


class _Track(DistributedProgress):
    def __init__(self) -> None:
        super().__init__()
        self.started: tuple[int, int] | None = None
        self.finished = 0
        self.on_start = lambda total, done: setattr(self, "started", (total, done))
        self.on_advance = self._advance

    def _advance(self, _notes: int) -> None:
        self.finished += 1


def assert_same_run(got: Path, want: Path) -> None:
    for name in FILES:
        assert (got / name).read_bytes() == (want / name).read_bytes(), name
    a, b = (json.loads((p / "summary.json").read_text()) for p in (got, want))
    a["run"]["created_at"] = b["run"]["created_at"] = ""
    assert a == b


@pytest.fixture(scope="module")
def first_run(client, inputs, reference, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    track = _Track()
    summary = run_distributed(_request(inputs, out), track, client=client)
    assert track.started == (track.finished, 0) and track.finished >= 7
    assert summary["notes"] > 20 and summary["flags"] > 0
    return out


def test_cluster_run_matches_single_process(first_run, reference):
    assert_same_run(first_run, reference)
    summary = json.loads((first_run / "summary.json").read_text())
    assert summary["duplicates_skipped"] == 1 and summary["rejected"] >= 3
    assert summary["flags_by_category"]["plan_gap"] > 0
    parts = sorted((first_run / "parts" / "flags").glob("*.parquet"))
    assert len(parts) >= 7
    flags = pd.concat(pd.read_parquet(p) for p in parts)
    assert len(flags) == summary["flags"]


def test_single_input_matches_run_audit(client, inputs, tmp_path):
    single = tmp_path / "single"
    run_audit(AuditRequest(records=inputs[0], out_dir=single, register=REGISTER, model=MODEL))
    out = tmp_path / "dist"
    run_distributed(_request(inputs[:1], out), client=client)
    assert_same_run(out, single)


def test_rerun_skips_finished_partitions(client, inputs, first_run, reference, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(first_run, out)
    manifest = out / "parts" / MANIFEST
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join(lines[:-2]) + "\n")  # as if interrupted: 2 left to do
    for name in ("flags.csv", "summary.json"):
        (out / name).unlink()
    track = _Track()
    run_distributed(_request(inputs, out), track, client=client)
    assert track.started == (len(lines), len(lines) - 2) and track.finished == 2
    assert_same_run(out, reference)
    track = _Track()
    run_distributed(_request(inputs, out), track, client=client)  # all finished: no tasks
    assert track.started == (len(lines), len(lines)) and track.finished == 0
    assert_same_run(out, reference)


def test_unreadable_partition_is_reported_and_the_rest_completes(client, inputs, tmp_path):
    import pyarrow.parquet as pq

    bad = tmp_path / "bad.parquet"
    frame = pd.read_parquet(inputs[2])
    frame.to_parquet(bad, index=False, row_group_size=ROWS)
    meta = pq.ParquetFile(bad).metadata.row_group(1)  # the 2nd partition: break a page header
    start = min(
        o
        for i in range(meta.num_columns)
        for o in (meta.column(i).dictionary_page_offset, meta.column(i).data_page_offset)
        if o
    )
    data = bytearray(bad.read_bytes())
    data[start : start + 16] = b"\xff" * 16
    bad.write_bytes(bytes(data))
    odd = tmp_path / "notes.docx"
    odd.write_text("not an export")
    out = tmp_path / "out"
    summary = run_distributed(_request([inputs[0], bad, odd], out), client=client)
    unreadable = {(u["file"], u["rows"]) for u in summary["unreadable"]}
    lost = f"{ROWS + 2}-{len(frame) + 1}"  # its rows (row 1 is the header)
    assert unreadable == {(str(bad), lost), (str(odd), "all")}
    with (out / "rejected.csv").open(encoding="utf-8-sig") as fh:
        rejected = list(csv.DictReader(fh))
    assert any(
        r["file"] == str(bad) and f"rows {lost} not audited" in r["reason"] for r in rejected
    )
    assert any(r["file"] == str(odd) and "unknown format" in r["reason"] for r in rejected)
    notes = {json.loads(line)["note_id"] for line in (out / "notes.jsonl").open()}
    first = frame.note_id[:ROWS]
    assert notes == {n.note_id for n in read_notes(inputs[0]).notes} | set(first)


class KillOnce(WorkerPlugin):
    """Ends its worker process abruptly on the worker's second audit task, once per flag file."""

    def __init__(self, flag: str) -> None:
        self.flag = flag
        self.started = 0

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or not str(key).startswith("audit-partition"):
            return
        self.started += 1
        if self.started >= 2:
            try:
                os.rename(self.flag, self.flag + ".claimed")  # one worker wins
            except OSError:
                return
            os._exit(1)


def test_worker_killed_mid_run_gives_identical_files(client, inputs, reference, tmp_path):
    flag = tmp_path / "kill-a-worker"
    flag.touch()
    client.register_plugin(KillOnce(str(flag)), name="kill-once")
    try:
        out = tmp_path / "out"
        run_distributed(_request(inputs, out), client=client)
    finally:
        client.unregister_worker_plugin("kill-once")
    assert not flag.exists() and Path(str(flag) + ".claimed").exists()  # a worker died
    assert_same_run(out, reference)


def test_worker_reloads_its_auditor_after_recycle_notes(monkeypatch):
    """Per-word caches grow with new names: a worker rebuilds its auditor now and then."""
    import nlp.audit.auditor as auditor_module
    from nlp.audit.distributed import AuditorPlugin, ModelBundle

    monkeypatch.setattr(auditor_module, "Auditor", lambda model, **kw: object())
    plugin = AuditorPlugin("t", ModelBundle("keyword"), None, {}, 256, "", recycle_notes=10)
    first = plugin.auditor()
    plugin.audited(6)
    assert plugin.auditor() is first
    plugin.audited(6)
    assert plugin.auditor() is not first
