"""One audit, start to finish: an export, a register, a model → a run folder.

:func:`run_audit` is the entry point the CLI, the benchmarks and the tests
call; it wires the stages (records → analysis → prediction → flags → run
folder) so no caller has to. Errors a user can fix (unreadable export, missing
model, tampered model file, no English parser) come out as :class:`AuditError`
with one actionable message.

The audit streams: the export is read in chunks (:func:`nlp.records.exports.iter_notes`),
cut into batches of ``batch_size`` notes, each batch audited
(:meth:`nlp.audit.auditor.Auditor.audit_batch`) and its rows appended to the run
folder (:class:`nlp.records.run_writer.RunWriter`), so memory does not grow with
the export. With ``workers > 1`` the batches go to that many processes, each
loading the pipelines and the model once; at most two batches per process are in
flight and results are written in input order, so the files are the same as with
one process.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.records.exports import Problem, ReadResult

if TYPE_CHECKING:
    from nlp.audit.batch import AuditSettings, BatchResult
    from nlp.audit.register_match import Register
    from nlp.schema import Note

CHUNK_ROWS = 2000  # rows read from the export at a time
IN_FLIGHT_PER_WORKER = 2


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
    workers: int = 1
    chunk_rows: int = CHUNK_ROWS


@dataclass(slots=True)
class AuditProgress:
    """Callbacks for a front end: problems found while reading, notes done.

    ``on_start`` gets the number of notes when the whole export fits in the first
    chunk read, else None (the total is known only at the end).
    """

    on_problem: Callable[[Problem], None] = lambda _p: None
    on_start: Callable[[int | None], None] = lambda _total: None
    on_advance: Callable[[int], None] = lambda _n: None
    on_batch: Callable[[BatchResult], None] = lambda _r: None  # timings per batch (benchmarks)


def run_audit(request: AuditRequest, progress: AuditProgress | None = None) -> dict[str, Any]:
    """Audit ``request.records`` into ``request.out_dir``; return the run summary."""
    from nlp.analysis.english import ParserMissing, available_model, checked_parser
    from nlp.audit.batch import AuditSettings
    from nlp.audit.register_match import load_register
    from nlp.prediction.registry import ModelNotFound, load_sentence_model
    from nlp.prediction.store import UnsafeModel
    from nlp.records.exports import RecordsError, iter_notes

    progress = progress or AuditProgress()
    if request.workers < 1 or request.batch_size < 1 or request.chunk_rows < 1:
        raise AuditError("--workers and --batch-size must be at least 1")
    check_out_dir(request.out_dir)
    try:
        reg, reg_problems = load_register(request.register) if request.register else (None, [])
        # with worker processes, this one only reads and writes: check the model, don't load it
        model = (
            load_sentence_model(request.model)
            if request.workers == 1
            else checked_model(request.model)
        )
        available_model()  # no English parser: say so before reading anything
        parser = checked_parser()  # a distilled parser ($CAREAUDIT_PARSER): files checked here
        chunks = iter_notes(request.records, request.columns, request.chunk_rows)
        first = next(chunks)
    except (RecordsError, ParserMissing, ModelNotFound, UnsafeModel) as exc:
        raise AuditError(str(exc)) from exc
    settings = AuditSettings(
        model=request.model,
        register=str(request.register) if request.register else None,
        batch_size=request.batch_size,
    )
    meta = run_metadata(
        run_id([request.records, request.register], model, parser),
        str(request.records),
        request.register,
        model,
        parser=parser,
    )
    from nlp.records.run_writer import RunWriter

    tally = _Tally()
    created = not request.out_dir.exists()
    request.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with RunWriter(request.out_dir) as writer:

            def problems(found: list[Problem]) -> None:
                for p in found:
                    progress.on_problem(p)
                writer.add_problems(found)

            progress.on_start(len(first.notes) if first.rows < request.chunk_rows else None)
            batches = _batches(first, chunks, request.batch_size, problems, tally)
            for result in _audited(batches, settings, model, reg, request.workers):
                writer.add_outcomes(result.outcomes)
                tally.notes += len(result.outcomes)
                progress.on_batch(result)
                progress.on_advance(len(result.outcomes))
            problems(reg_problems)
            if not tally.notes:
                raise AuditError(
                    f"{request.records}: no usable notes ({tally.rejected} rows rejected; "
                    "see the messages above)"
                )
            meta["rows_read"] = tally.rows
            return writer.finish(meta)
    except BaseException:
        if created and request.out_dir.is_dir() and not any(request.out_dir.iterdir()):
            request.out_dir.rmdir()
        raise


@dataclass(slots=True)
class _Tally:
    rows: int = 0
    rejected: int = 0
    notes: int = 0


def _batches(
    first: ReadResult,
    chunks: Iterator[ReadResult],
    size: int,
    on_problems: Callable[[list[Problem]], None],
    tally: _Tally,
) -> Iterator[list[Note]]:
    """Notes in batches of ``size`` whatever the chunking; each chunk's problems reported."""
    from nlp.records.exports import RecordsError

    pending: list[Note] = []
    chunk: ReadResult | None = first
    try:
        while chunk is not None:
            tally.rows += chunk.rows
            tally.rejected += chunk.rejected
            on_problems(chunk.problems)
            pending.extend(chunk.notes)
            while len(pending) >= size:
                yield pending[:size]
                pending = pending[size:]
            chunk = next(chunks, None)
    except RecordsError as exc:
        raise AuditError(str(exc)) from exc
    if pending:
        yield pending


def _audited(
    batches: Iterator[list[Note]],
    settings: AuditSettings,
    model: Any,
    register: Register | None,
    workers: int,
) -> Iterator[BatchResult]:
    """Audit each batch, in order: here (one worker) or in ``workers`` processes."""
    if workers == 1:
        # imported here: with worker processes this one never imports spaCy (about 55 MB)
        from nlp.analysis.english import ParserMissing
        from nlp.audit.auditor import Auditor, shared_analyzer
        from nlp.prediction.store import UnsafeModel

        try:
            auditor = Auditor(
                model,
                analyzer=shared_analyzer(),
                register=register,
                batch_size=settings.batch_size,
            )
        except (ParserMissing, UnsafeModel) as exc:  # e.g. a parser changed since the check
            raise AuditError(str(exc)) from exc
        from nlp.audit.heap import freeze_loaded, release_freed_memory

        freeze_loaded()

        for batch in batches:
            with auditor.memory_zones():
                result = auditor.audit_batch(batch)
            release_freed_memory()
            yield result
        return
    yield from _audited_in_processes(batches, settings, workers, register)


def _audited_in_processes(
    batches: Iterator[list[Note]],
    settings: AuditSettings,
    workers: int,
    register: Register | None = None,
) -> Iterator[BatchResult]:
    """Batches to a pool of ``workers`` processes, results back in input order. The
    register stays here: each batch travels with its people's entries
    (:meth:`Register.for_people`), so no worker reads the file or imports pandas."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from nlp.audit.batch import audit_in_worker, start_worker

    settings = replace(settings, register=None)  # workers read no register
    pending: deque[Future[BatchResult]] = deque()
    limit = IN_FLIGHT_PER_WORKER * workers
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(settings,),
    )
    try:
        for batch in batches:
            part = None if register is None else register.for_people(n.person_id for n in batch)
            pending.append(pool.submit(audit_in_worker, batch, settings, part))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as exc:
        raise AuditError(
            f"a worker process stopped unexpectedly ({exc}); run again, or with --workers 1 "
            "to see the error"
        ) from exc
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def checked_model(name: str) -> Any:
    """A trained model's name and ``model.json``, its files checked as loading checks them.

    For a process that hands the audit to workers: the array files are read and
    verified (regular files, sizes, SHA-256, numeric arrays only) but no model is
    built, so neither spaCy nor the classifier is loaded here. Other kinds and
    older formats are simply loaded.
    """
    from types import SimpleNamespace

    from nlp.prediction.array_store import FORMAT, load_arrays
    from nlp.prediction.registry import (
        KIND_MODULES,
        MODELS_DIR,
        TRAINED_KINDS,
        load_sentence_model,
    )
    from nlp.prediction.store import check_model_folder, read_model_meta

    path = Path(name)
    folder = path if name not in KIND_MODULES and path.is_dir() else MODELS_DIR / name
    untrained = name in KIND_MODULES and name not in TRAINED_KINDS
    if untrained or not (folder / "model.json").exists():
        return load_sentence_model(name)  # rules, keyword, or a clear "not found"
    meta = read_model_meta(folder)
    if meta.get("format") != FORMAT or meta.get("kind") not in ("hybrid", "sklearn"):
        return load_sentence_model(name)
    check_model_folder(folder)
    load_arrays(folder, meta)
    return SimpleNamespace(name=meta["kind"], meta=meta)


def run_metadata(
    run: str,
    inputs: str,
    register: Path | None,
    model: Any,
    rows_read: int = 0,
    parser: str = "sm",
) -> dict[str, Any]:
    """The ``run`` block of ``summary.json``, as every audit path (one machine, Dask) writes it."""
    from nlp.prediction.version import model_thresholds, model_version

    return {
        "run_id": run,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "input": inputs,
        "register": str(register) if register else "",
        "model": model.name,
        "model_version": model_version(model),
        "thresholds": model_thresholds(model),
        "parser": parser,  # "sm", or a distilled model as name@hash (nlp.analysis.english)
        "rows_read": rows_read,
    }


RUN_MARKERS = ("summary.json", "flags.csv", ".careaudit-partial")  # a run (or a killed one)


def check_out_dir(out_dir: Path) -> None:
    """Refuse, before any work, an output folder the run could not or should not write.

    It must be a folder that does not exist yet (its parent writable), an empty
    folder, or an earlier careaudit run folder (which the new run replaces); never
    a file system root or the home folder. Writability is tested by creating and
    removing a probe file (``os.access`` says yes to root on a read-only mount).
    """
    import os
    import tempfile

    from nlp.records.exports import display_name

    shown = display_name(out_dir)
    target = out_dir.expanduser()
    resolved = target.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise AuditError(
            f"--out {shown}: refusing to write a run into {display_name(resolved)}; name a folder"
        )
    if target.exists() and not target.is_dir():
        raise AuditError(f"--out {shown}: exists and is not a folder; choose another --out")
    if target.is_dir():
        entries = {p.name for p in target.iterdir()}
        if entries and not entries & set(RUN_MARKERS):
            raise AuditError(
                f"--out {shown}: folder is not empty and holds no earlier careaudit run; "
                "choose a new or empty folder"
            )
        probe = target
    else:
        probe = next((p for p in target.parents if p.exists()), Path("."))
        if not probe.is_dir():
            raise AuditError(f"--out {shown}: {display_name(probe)} is not a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".careaudit-probe-", dir=probe)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise AuditError(
            f"--out {shown}: {display_name(probe)} is not writable ({exc.strerror}); "
            "choose another --out"
        ) from None


def run_id(inputs: list[Path | None], model: Any, parser: str = "sm") -> str:
    """Same export, register, model (weights included) and parser → same run id."""
    parts = []
    for p in inputs:
        if p is None:
            parts.append("-")
            continue
        with p.open("rb") as fh:
            parts.append(hashlib.file_digest(fh, "sha256").hexdigest())
    parts += [model.name, json.dumps(getattr(model, "meta", {}).get("files", {}), sort_keys=True)]
    if parser != "sm":  # runs with the default parser keep the ids they always had
        parts.append(parser)
    return "R-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
