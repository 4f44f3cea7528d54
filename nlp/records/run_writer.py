"""Write an audit run directory, batch by batch; every CSV is safe to open in Excel.

:class:`RunWriter` appends each audited batch's rows to files in a hidden
``.careaudit-partial/`` folder inside the run folder, counts as it goes (memory
stays flat however long the export), and only at :meth:`RunWriter.finish` moves
the finished files into place: the data files first, ``summary.json`` last, after
removing the previous run's summary. So a run folder holds complete rows only; a
``summary.json`` means every file beside it is from the same, finished run; a
killed run leaves the previous run's files (or none) plus the partial folder,
which the next run into the same folder clears. The same input, settings and
model give the same files (``summary.json`` differs only in ``created_at``).

Rows can come from any runner — the ``--workers`` processes, the Dask path — as
long as they arrive in input order; :meth:`RunWriter.add_outcomes` takes audited
notes (anything with ``note``, ``flags``, ``restrictions``, ``sentences`` and
``parsed``). :func:`write_run` writes a whole in-memory result in one go.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any, Protocol

from nlp.records.exports import Problem
from nlp.records.spreadsheet import CsvAppender
from nlp.schema import CATEGORIES, FLAG_COLUMNS, NOTE_COLUMNS, RESTRICTION_COLUMNS, Flag, Note

REJECTED_COLUMNS = ["file", "row", "column", "reason", "action"]
PARTIAL = ".careaudit-partial"
SUMMARY = "summary.json"
DATA_FILES: tuple[str, ...] = (
    "notes.jsonl",
    "flags.csv",
    "flags.jsonl",
    "restrictions.csv",
    "rejected.csv",
)


class Audited(Protocol):
    """One audited note as a runner hands it over."""

    note: Note
    flags: Sequence[Flag]
    restrictions: Sequence[Any]
    sentences: int
    parsed: int


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


_CsvAppender = CsvAppender  # the one spreadsheet-safe writer (nlp.records.spreadsheet)


class RunCounts:
    """The counts of ``summary.json``, kept as rows go by."""

    def __init__(self) -> None:
        self.notes = 0
        self.sentences = 0
        self.parsed = 0
        self.flags = 0
        self.restrictions = 0
        self.by_category: Counter[str] = Counter()
        self.notes_per_service: Counter[str] = Counter()
        self.by_service: dict[str, Counter[str]] = {}

    def add(
        self, note: Note, flags: Sequence[Flag], restrictions: int, sentences: int, parsed: int
    ) -> None:
        self.notes += 1
        self.sentences += sentences
        self.parsed += parsed
        self.restrictions += restrictions
        self.notes_per_service[note.service or "(none)"] += 1
        for f in flags:
            self.flags += 1
            self.by_category[f.category] += 1
            self.by_service.setdefault(f.service or "(none)", Counter())[f.category] += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "notes": self.notes,
            "sentences": self.sentences,
            "parsed_sentences": self.parsed,
            "flags": self.flags,
            "flags_by_category": {c: self.by_category.get(c, 0) for c in CATEGORIES},
            "restriction_mentions": self.restrictions,
            "by_service": {
                s: {
                    "notes": self.notes_per_service[s],
                    **dict(sorted(self.by_service.get(s, {}).items())),
                }
                for s in sorted(self.notes_per_service)
            },
        }


class RunWriter:
    """Stream a run's rows into ``out_dir``; files appear there only when the run finishes."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.partial = out_dir / PARTIAL
        if self.partial.exists():
            shutil.rmtree(self.partial)  # left by a run that was killed
        self.partial.mkdir(parents=True)
        self.counts = RunCounts()
        self.problems: Counter[str] = Counter()
        self._notes = (self.partial / "notes.jsonl").open("w", encoding="utf-8")
        self._flags_jsonl = (self.partial / "flags.jsonl").open("w", encoding="utf-8")
        self._flags = _CsvAppender(self.partial / "flags.csv", FLAG_COLUMNS)
        self._restrictions = _CsvAppender(self.partial / "restrictions.csv", RESTRICTION_COLUMNS)
        self._rejected = _CsvAppender(self.partial / "rejected.csv", REJECTED_COLUMNS)
        self._files: list[IO[str]] = [
            self._notes,
            self._flags_jsonl,
            self._flags.fh,
            self._restrictions.fh,
            self._rejected.fh,
        ]
        self.closed = False

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.closed:
            self.abort()

    # -- rows -------------------------------------------------------------------------
    def add_outcomes(self, outcomes: Iterable[Audited]) -> None:
        """Append audited notes (in input order) with their flags and restriction mentions."""
        for o in outcomes:
            self.add(o.note, o.flags, o.restrictions, o.sentences, o.parsed)

    def add(
        self,
        note: Note,
        flags: Sequence[Flag],
        restrictions: Sequence[Any],
        sentences: int = 0,
        parsed: int = 0,
    ) -> None:
        """Append one audited note's rows."""
        self.add_note(note)
        self.add_flags(flags)
        self.add_restrictions(restrictions)
        self.counts.add(note, flags, len(restrictions), sentences, parsed)

    def add_note(self, note: Note) -> None:
        self._notes.write(json.dumps(note.to_dict(), ensure_ascii=False) + "\n")

    def add_flags(self, flags: Iterable[Flag]) -> None:
        for f in flags:
            row = f.to_dict()
            self._flags.write(row)
            self._flags_jsonl.write(json.dumps(row, ensure_ascii=False) + "\n")

    def add_restrictions(self, restrictions: Iterable[Any]) -> None:
        for r in restrictions:
            self._restrictions.write(r.to_dict())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        """Append rows of ``rejected.csv`` (rejected, skipped and warned rows)."""
        for p in problems:
            self._rejected.write(asdict(p))
            self.problems[p.action] += 1

    # -- the end ------------------------------------------------------------------------
    def finish(
        self, run_meta: dict[str, Any], counts: dict[str, object] | None = None
    ) -> dict[str, Any]:
        """Close the files, move them into the run folder (summary last); return the summary.

        ``counts`` replaces the counts kept while writing (a caller that wrote
        notes, flags and mentions separately knows them itself).
        """
        summary = {
            "run": run_meta,
            **(counts if counts is not None else self.counts.as_dict()),
            "rows_read": run_meta.get("rows_read", 0),
            "rejected": self.problems["rejected"],
            "warnings": self.problems["warning"],
            "duplicates_skipped": self.problems["skipped"],
        }
        for fh in self._files:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self.closed = True
        (self.partial / SUMMARY).write_text(json.dumps(summary, indent=2), encoding="utf-8")
        old_summary = self.out_dir / SUMMARY
        if old_summary.exists():
            old_summary.unlink()  # from here until the new one lands, the folder is unfinished
        for name in DATA_FILES:
            os.replace(self.partial / name, self.out_dir / name)
        os.replace(self.partial / SUMMARY, old_summary)
        shutil.rmtree(self.partial, ignore_errors=True)
        return summary

    def abort(self) -> None:
        """Close and drop the partial files; the run folder keeps what it had."""
        for fh in self._files:
            fh.close()
        self.closed = True
        shutil.rmtree(self.partial, ignore_errors=True)


def write_run(
    out_dir: Path, result: Any, problems: list[Problem], run_meta: dict[str, Any]
) -> dict:
    """Write a whole result (``notes``, ``flags``, ``restrictions``, ``counts()``) at once."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with RunWriter(out_dir) as writer:
        for note in result.notes:
            writer.add_note(note)
        writer.add_flags(result.flags)
        writer.add_restrictions(result.restrictions)
        writer.add_problems(problems)
        return writer.finish(run_meta, counts=result.counts())


__all__ = [
    "NOTE_COLUMNS",
    "PARTIAL",
    "REJECTED_COLUMNS",
    "RunCounts",
    "RunWriter",
    "write_jsonl",
    "write_run",
]
