"""Load audit run directories (``out/``) into the review store.

Idempotent: flags are keyed on their stable ``flag_id`` and upserted, notes on
(note id, text), runs on ``run_id``. Decisions are never touched, so re-importing
a run or a re-audit of the same notes neither duplicates flags nor loses a
decision. Bad rows are reported with file, line and field and skipped; good
rows are still imported.

Each flag also gets the decision threshold of the model head whose probability is its
score (:func:`flag_threshold`), so "most informative first" ranks by the distance from
that category's own threshold, not from 0.5.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nlp.prediction.version import clean_thresholds
from nlp.schema import CATEGORIES, FLAG_COLUMNS, NOTE_TYPES, RESTRICTION_TYPES, make_flag_id
from review_app.store import FlagRow, NoteRow, Run, RunFlag, note_key, now_utc, write_session

_INT_FIELDS = ("start", "end", "sentence_start", "sentence_end")
_UPDATABLE = (
    "score",
    "source",
    "explanation",
    "suggestion",
    "register_status",
    "element",
    "restriction_type",
    "model_version",
    "threshold",
    "last_run_id",
)
_ISO_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_NOTE_KEYS = [c.key for c in NoteRow.__table__.columns]
_FLAG_KEYS = [c.key for c in FlagRow.__table__.columns]


# The model head whose probability becomes each category's score (nlp/audit/flags.py: an
# unrecorded restriction scores p(unauthorised); nlp/audit/plan_gaps.py: a plan gap scores
# its restriction's max(p(restriction), p(unauthorised)), raised by the restriction head).
SCORE_HEADS: dict[str, str] = {
    "doing_for": "doing_for",
    "unrecorded_restriction": "unauthorised",
    "missing_rationale": "missing_rationale",
    "plan_gap": "restriction",
}
DEFAULT_THRESHOLD = 0.5  # what a model without tuned thresholds decides at (nlp.prediction.base)


def model_thresholds(version: str, models_dir: Path | None = None) -> dict[str, float]:
    """Per-head thresholds of the model ``version`` (``kind@hash``) from its ``model.json``.

    Looks in the project's model folders (``models/<kind>/``) for the one whose version
    (kind and weights' SHA-256, :func:`nlp.prediction.version.model_version`) is
    ``version``; ``{}`` if none is, or the version has no weights hash (rules, keyword:
    they decide at 0.5).
    """
    from types import SimpleNamespace

    from nlp.prediction.registry import MODELS_DIR
    from nlp.prediction.store import UnsafeModel, read_model_meta
    from nlp.prediction.version import model_version

    if "@" not in version:
        return {}
    folder_root = models_dir or MODELS_DIR
    if not folder_root.is_dir():
        return {}
    for folder in sorted(folder_root.iterdir()):
        if not (folder / "model.json").is_file():
            continue
        try:
            meta = read_model_meta(folder)
        except (UnsafeModel, OSError):
            continue
        if model_version(SimpleNamespace(name=meta["kind"], meta=meta)) == version:
            return clean_thresholds(meta.get("thresholds"))
    return {}


def flag_threshold(category: str, thresholds: dict[str, float]) -> float:
    """The decision threshold behind a flag of ``category``'s score (0.5 when unknown)."""
    return thresholds.get(SCORE_HEADS.get(category, ""), DEFAULT_THRESHOLD)


class RunImportError(Exception):
    """The directory is not an audit run (nothing could be imported)."""


@dataclass
class ImportReport:
    run_id: str
    path: str
    notes_seen: int = 0
    notes_new: int = 0
    flags_seen: int = 0
    flags_new: int = 0
    flags_updated: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"run {self.run_id}: {self.flags_seen} flags ({self.flags_new} new, "
            f"{self.flags_updated} already in the store), {self.notes_seen} notes "
            f"({self.notes_new} new); {len(self.errors)} rows skipped"
        )


def _run_meta(run_dir: Path, report_warnings: list[str]) -> dict[str, Any]:
    path = run_dir / "summary.json"
    if path.exists():
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("run") or {}
        except (json.JSONDecodeError, AttributeError) as exc:
            raise RunImportError(f"{path}: not valid JSON ({exc})") from exc
        if meta.get("run_id"):
            return meta
        report_warnings.append(f"{path}: no run.run_id; using a hash of the flags file")
    else:
        report_warnings.append(f"{path} missing; using a hash of the flags file as run id")
    flags_file = _flags_file(run_dir)
    digest = hashlib.sha256(flags_file.read_bytes()).hexdigest()[:12]
    return {"run_id": f"{run_dir.name}-{digest}"}


def _flags_file(run_dir: Path) -> Path:
    for name in ("flags.jsonl", "flags.csv"):
        if (run_dir / name).exists():
            return run_dir / name
    raise RunImportError(
        f"{run_dir}: no flags.jsonl or flags.csv (is this an audit run directory?)"
    )


def _read_jsonl(path: Path, errors: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """The run's JSON lines via the one JSONL reader; problems prefixed with the file name."""
    from nlp.records.exports import iter_jsonl

    rows: list[tuple[int, dict[str, Any]]] = []
    for lineno, obj, problem in iter_jsonl(path):
        if obj is None:
            errors.append(f"{path.name} {problem}")
        else:
            rows.append((lineno, obj))
    return rows


def _read_flags(path: Path, errors: list[str]) -> list[tuple[int, dict[str, Any]]]:
    if path.suffix == ".jsonl":
        return _read_jsonl(path, errors)
    with path.open(encoding="utf-8", newline="") as fh:
        return [(lineno, dict(row)) for lineno, row in enumerate(csv.DictReader(fh), 2)]


def _clean_note(where: str, obj: dict[str, Any], errors: list[str]) -> dict[str, Any] | None:
    missing = [k for k in ("note_id", "text") if not isinstance(obj.get(k), str) or not obj[k]]
    if missing:
        errors.append(f"{where}: missing or empty field {missing[0]!r}")
        return None
    note = {
        k: str(obj.get(k) or "")
        for k in ("note_id", "person_id", "date", "service", "author", "note_type")
    }
    note["text"] = obj["text"]
    note["superseded_by"] = ""
    if note["date"] and not _ISO_DATE.fullmatch(note["date"]):
        errors.append(f"{where}: field 'date' is {note['date']!r}, not a date like 2026-03-14")
        return None
    note["note_type"] = note["note_type"] or "daily_note"
    if note["note_type"] not in NOTE_TYPES:
        errors.append(
            f"{where}: field 'note_type' is {note['note_type']!r}, not one of {NOTE_TYPES}"
        )
        return None
    return note


def _clean_flag(
    where: str, obj: dict[str, Any], notes: dict[str, dict[str, Any]], errors: list[str]
) -> dict[str, Any] | None:
    note = notes.get(str(obj.get("note_id") or ""))
    if note is None:
        errors.append(f"{where}: field 'note_id' {obj.get('note_id')!r} is not in notes.jsonl")
        return None
    flag: dict[str, Any] = {k: obj.get(k) for k in FLAG_COLUMNS}
    for key in _INT_FIELDS:
        try:
            flag[key] = int(flag[key])
        except (TypeError, ValueError):
            errors.append(f"{where}: field {key!r} is {obj.get(key)!r}, not an integer")
            return None
    try:
        flag["score"] = float(flag["score"] or 0.0)
    except (TypeError, ValueError):
        errors.append(f"{where}: field 'score' is {obj.get('score')!r}, not a number")
        return None
    if flag["category"] not in CATEGORIES:
        errors.append(f"{where}: field 'category' is {flag['category']!r}, not one of {CATEGORIES}")
        return None
    rtype = flag.get("restriction_type") or ""
    if rtype and rtype not in RESTRICTION_TYPES:
        errors.append(f"{where}: field 'restriction_type' {rtype!r} is not a known type")
        return None
    text = note["text"]
    for lo, hi in (("start", "end"), ("sentence_start", "sentence_end")):
        if not 0 <= flag[lo] <= flag[hi] <= len(text):
            errors.append(
                f"{where}: fields {lo!r}/{hi!r} ({flag[lo]}, {flag[hi]}) lie outside "
                f"the note text (length {len(text)})"
            )
            return None
    for key in FLAG_COLUMNS:
        if key not in _INT_FIELDS and key != "score":
            flag[key] = "" if flag[key] is None else str(flag[key])
    for key in ("person_id", "service", "author", "date", "note_type"):
        flag[key] = flag[key] or note[key]
    flag["span_text"] = flag["span_text"] or text[flag["start"] : flag["end"]]
    if not flag["flag_id"]:
        flag["flag_id"] = make_flag_id(
            note["note_id"], text, flag["category"], flag["sentence_start"], flag["sentence_end"]
        )
    flag["note_key"] = note["note_key"]
    return flag


def _insert(engine: Engine, table):  # type: ignore[no-untyped-def]
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def import_run(engine: Engine, run_dir: str | Path) -> ImportReport:
    """Import one audit run directory; see the module docstring."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunImportError(f"{run_dir}: not a directory")
    warnings: list[str] = []
    meta = _run_meta(run_dir, warnings)
    report = ImportReport(
        run_id=str(meta["run_id"]), path=str(run_dir.resolve()), warnings=warnings
    )
    notes_path = run_dir / "notes.jsonl"
    if not notes_path.exists():
        raise RunImportError(f"{notes_path} missing: the review app needs the note texts")

    notes: dict[str, dict[str, Any]] = {}
    for lineno, obj in _read_jsonl(notes_path, report.errors):
        note = _clean_note(f"notes.jsonl line {lineno}", obj, report.errors)
        if note is None:
            continue
        if note["note_id"] in notes and notes[note["note_id"]]["text"] != note["text"]:
            report.errors.append(
                f"notes.jsonl line {lineno}: note_id {note['note_id']!r} repeated with other text"
            )
            continue
        note["note_key"] = note_key(note["note_id"], note["text"])
        notes[note["note_id"]] = note
    flags_path = _flags_file(run_dir)
    flags: dict[str, dict[str, Any]] = {}
    run_thresholds = clean_thresholds(meta.get("thresholds"))
    by_version: dict[str, dict[str, float]] = {}
    for lineno, obj in _read_flags(flags_path, report.errors):
        flag = _clean_flag(f"{flags_path.name} line {lineno}", obj, notes, report.errors)
        if flag is not None:
            flag["first_run_id"] = flag["last_run_id"] = report.run_id
            # runs written before flags carried it: the run's model stands in
            flag["model_version"] = flag["model_version"] or str(meta.get("model_version") or "")
            version = flag["model_version"]
            if version not in by_version:  # summary.json's thresholds, else the model's
                same = version == str(meta.get("model_version") or "")
                found = run_thresholds if same and run_thresholds else {}
                by_version[version] = found or model_thresholds(version)
                if not by_version[version] and "@" in version:
                    report.warnings.append(
                        f"no decision thresholds for model {version} (not in summary.json, "
                        "no matching model folder): its flags are ranked by their distance "
                        f"from {DEFAULT_THRESHOLD} under 'Most informative'"
                    )
            given = clean_thresholds({"t": obj.get("threshold")}).get("t")
            flag["threshold"] = (
                given
                if given is not None
                else flag_threshold(flag["category"], by_version[version])
            )
            flag["review_status"] = "open"  # new flags only: an upsert never sets it
            flags[flag["flag_id"]] = flag
    report.notes_seen, report.flags_seen = len(notes), len(flags)

    with write_session(engine) as s, s.begin():
        known_notes = _existing(s, NoteRow.note_key, [n["note_key"] for n in notes.values()])
        known_flags = _existing(s, FlagRow.flag_id, list(flags))
        report.notes_new = len({n["note_key"] for n in notes.values()} - known_notes)
        report.flags_new = len(set(flags) - known_flags)
        report.flags_updated = len(flags) - report.flags_new

        run_values = {
            "run_id": report.run_id,
            "created_at": str(meta.get("created_at") or ""),
            "input": str(meta.get("input") or ""),
            "model": str(meta.get("model") or ""),
            "path": report.path,
            "n_notes": len(notes),
            "n_flags": len(flags),
            "imported_at": now_utc(),
        }
        stmt = _insert(engine, Run.__table__).values(run_values)
        s.execute(stmt.on_conflict_do_update(index_elements=["run_id"], set_=run_values))
        note_rows = [{k: n[k] for k in _NOTE_KEYS} for n in notes.values()]
        for chunk in _chunks(note_rows):
            s.execute(_insert(engine, NoteRow.__table__).values(chunk).on_conflict_do_nothing())
        flag_rows = [{k: f[k] for k in _FLAG_KEYS} for f in flags.values()]
        for chunk in _chunks(flag_rows):
            stmt = _insert(engine, FlagRow.__table__).values(chunk)
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=["flag_id"], set_={k: stmt.excluded[k] for k in _UPDATABLE}
                )
            )
        _mark_superseded(s, notes)
        links = [{"run_id": report.run_id, "flag_id": fid} for fid in flags]
        for chunk in _chunks(links):
            s.execute(_insert(engine, RunFlag.__table__).values(chunk).on_conflict_do_nothing())
    return report


def _chunks(rows: list[Any]) -> list[list[Any]]:
    """Slices small enough for SQLite's limit on bound parameters per statement."""
    width = len(rows[0]) if rows and isinstance(rows[0], dict) else 1
    size = max(1, 900 // width)
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _mark_superseded(session: Session, notes: dict[str, dict[str, Any]]) -> None:
    """The imported version of each note is current; other versions point to it."""
    versions: dict[str, set[str]] = {}
    for chunk in _chunks(list(notes)):
        rows = session.execute(
            select(NoteRow.note_id, NoteRow.note_key).where(NoteRow.note_id.in_(chunk))
        )
        for note_id, key in rows:
            versions.setdefault(note_id, set()).add(key)
    for note_id, keys in versions.items():
        if len(keys) < 2:
            continue
        current = notes[note_id]["note_key"]
        session.execute(
            update(NoteRow)
            .where(NoteRow.note_id == note_id)
            .values(superseded_by=case((NoteRow.note_key == current, ""), else_=current))
        )


def _existing(session: Session, column: Any, values: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(values):
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found
