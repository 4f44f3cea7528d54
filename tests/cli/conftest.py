"""CLI test helpers: ``careaudit audit`` in-process on the rules model, pipelines loaded once."""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cli.main import app
from nlp.analysis.analyzer import Analyzer

# notes every audit of these tests must flag (rules model), one category each
GOOD_NOTES: dict[str, tuple[str, str]] = {
    "G-1": ("Staff washed and dressed Mary this morning.", "doing_for"),
    "G-2": ("The kitchen was locked at night.", "unrecorded_restriction"),
    "G-3": ("Staff fed him his breakfast.", "doing_for"),
}


@dataclass(slots=True)
class Audit:
    """One ``careaudit audit`` run: the click result, seconds taken and the run folder."""

    result: Result
    seconds: float
    out: Path

    @property
    def output(self) -> str:
        return self.result.output

    def flags(self) -> list[dict[str, str]]:
        with (self.out / "flags.csv").open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    def rejected(self) -> list[dict[str, str]]:
        with (self.out / "rejected.csv").open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    def note_ids(self) -> set[str]:
        lines = (self.out / "notes.jsonl").read_text(encoding="utf-8").splitlines()
        return {json.loads(line)["note_id"] for line in lines}

    def assert_good_rows_flagged(self, ids: Sequence[str] = tuple(GOOD_NOTES)) -> None:
        """Every good row audited and given its expected flag."""
        assert self.result.exit_code == 0, self.output
        assert set(ids) <= self.note_ids()
        found = {(f["note_id"], f["category"]) for f in self.flags()}
        for note_id in ids:
            assert (note_id, GOOD_NOTES[note_id][1]) in found, (note_id, found)
        assert (self.out / "summary.json").is_file()


@pytest.fixture(scope="session")
def shared_pipelines(analyzer: Analyzer) -> Iterator[None]:
    """Audits in these tests reuse the session's spaCy pipelines (built once)."""
    patch = pytest.MonkeyPatch()
    patch.setattr("nlp.analysis.analyzer.build_cheap", lambda english=None: analyzer.cheap)
    patch.setattr("nlp.analysis.analyzer.build_full", lambda english=None: analyzer.full)
    yield
    patch.undo()


@pytest.fixture
def audit(
    shared_pipelines: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Audit]:
    """``audit(path, *extra_args, out=None)``: run the CLI on the rules model, timed."""
    from cli import audit_cmd

    for console in (audit_cmd.err, audit_cmd.out):  # one message per line, unwrapped
        monkeypatch.setattr(console, "width", 10_000)

    def run(records: Path | str, *args: str, out: Path | None = None) -> Audit:
        out = out or tmp_path / f"out-{time.monotonic_ns()}"
        argv = ["audit", str(records), "--model", "rules", "--out", str(out), "--no-progress"]
        started = time.perf_counter()
        result = CliRunner().invoke(app, [*argv, *args])
        seconds = time.perf_counter() - started
        assert "Traceback" not in result.output, result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"unhandled {result.exception!r}\n{result.output}")
        return Audit(result, seconds, out)

    return run


def run_with_timeout(action: Callable[[], object], seconds: float) -> object:
    """``action()`` in a daemon thread; fail if it has not returned after ``seconds``."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = action()
        except BaseException as exc:  # reported below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (blocked?)"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def good_csv_rows() -> list[list[str]]:
    return [[nid, "P-1", "2026-03-0" + nid[-1], text] for nid, (text, _) in GOOD_NOTES.items()]


def good_jsonl_lines() -> list[str]:
    return [
        json.dumps({"note_id": nid, "person_id": "P-1", "date": f"2026-03-0{nid[-1]}", "text": t})
        for nid, (t, _) in GOOD_NOTES.items()
    ]
