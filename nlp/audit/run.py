"""One audit, start to finish: an export, a register, a model → a run folder.

:func:`run_audit` is the entry point the CLI, the benchmarks and the tests
call; it wires the stages (records → analysis → prediction → flags → run
folder) so no caller has to. Errors a user can fix (unreadable export, missing
model, tampered model file, no English parser) come out as :class:`AuditError`
with one actionable message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nlp.records.exports import Problem


class AuditError(RuntimeError):
    """The audit cannot start or finish; the message says what to do."""


@dataclass(slots=True)
class AuditRequest:
    """What to audit and how."""

    records: Path
    out_dir: Path
    register: Path | None = None
    model: str = "hybrid"
    columns: dict[str, str] = field(default_factory=dict)
    batch_size: int = 256


@dataclass(slots=True)
class AuditProgress:
    """Callbacks for a front end: problems found while reading, notes done."""

    on_problem: Callable[[Problem], None] = lambda _p: None
    on_start: Callable[[int], None] = lambda _total: None
    on_advance: Callable[[int], None] = lambda _n: None


def run_audit(request: AuditRequest, progress: AuditProgress | None = None) -> dict[str, Any]:
    """Audit ``request.records`` into ``request.out_dir``; return the run summary."""
    from nlp.analysis.english import ParserMissing
    from nlp.audit.auditor import Auditor
    from nlp.audit.register_match import Register, load_register
    from nlp.prediction.registry import ModelNotFound, load_sentence_model
    from nlp.prediction.store import UnsafeModel
    from nlp.records.exports import RecordsError, read_notes
    from nlp.records.run_writer import write_run

    progress = progress or AuditProgress()
    check_out_dir(request.out_dir)
    try:
        read = read_notes(request.records, request.columns)
        reg, reg_problems = (
            load_register(request.register) if request.register else (Register.empty(), [])
        )
        model = load_sentence_model(request.model)
        auditor = Auditor(model, register=reg, batch_size=request.batch_size)
    except (RecordsError, ParserMissing, ModelNotFound, UnsafeModel) as exc:
        raise AuditError(str(exc)) from exc
    problems = read.problems + reg_problems
    for p in problems:
        progress.on_problem(p)
    if not read.notes:
        raise AuditError(
            f"{request.records}: no usable notes ({read.rejected} rows rejected; "
            "see the messages above)"
        )
    progress.on_start(len(read.notes))
    result = auditor.run(read.notes, progress=progress.on_advance)
    meta = {
        "run_id": run_id([request.records, request.register], model),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "input": str(request.records),
        "register": str(request.register) if request.register else "",
        "model": model.name,
        "rows_read": read.rows,
    }
    return write_run(request.out_dir, result, problems, meta)


RUN_MARKERS = ("summary.json", "flags.csv")


def check_out_dir(out_dir: Path) -> None:
    """Refuse, before any work, an output folder the run could not or should not write.

    It must be a folder that does not exist yet (its parent writable), an empty
    folder, or an earlier careaudit run folder (which the new run replaces).
    """
    target = out_dir.expanduser()
    resolved = target.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise AuditError(f"--out {out_dir}: refusing to write a run into {resolved}; name a folder")
    if target.exists() and not target.is_dir():
        raise AuditError(f"--out {out_dir}: exists and is not a folder; choose another --out")
    if target.is_dir():
        entries = {p.name for p in target.iterdir()}
        if entries and not entries & set(RUN_MARKERS):
            raise AuditError(
                f"--out {out_dir}: folder is not empty and holds no earlier careaudit run; "
                "choose a new or empty folder"
            )
        probe = target
    else:
        probe = next((p for p in target.parents if p.exists()), Path("."))
        if not probe.is_dir():
            raise AuditError(f"--out {out_dir}: {probe} is not a folder")
    import os

    if not os.access(probe, os.W_OK | os.X_OK):
        raise AuditError(f"--out {out_dir}: {probe} is not writable; choose another --out")


def run_id(inputs: list[Path | None], model: Any) -> str:
    """Same export, register and model (weights included) → same run id."""
    from nlp.prediction.store import sha256_file

    parts = [sha256_file(p) if p else "-" for p in inputs]
    parts += [model.name, json.dumps(getattr(model, "meta", {}).get("files", {}), sort_keys=True)]
    return "R-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
