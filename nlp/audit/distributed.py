"""Group-wide audits on a Dask cluster: many exports, many workers, one run folder.

:func:`run_distributed` plans every input into partitions of a bounded number of
rows (:mod:`nlp.audit.partitions`), sends each partition that is not already
finished to a Dask worker, and merges the results in input order into the same
run folder a single-machine :func:`nlp.audit.run.run_audit` writes (same rows,
same flag ids, same order, written by :class:`~nlp.records.run_writer.RunWriter`),
plus ``parts/``:

- ``parts/{notes,flags,restrictions,rejected}/*.parquet`` — each partition's rows,
  the same rows as the merged files (``source_file`` and ``source_row`` added);
  ``parts/repeats/`` — rows whose note id repeats an earlier row of the same file
  (the merge applies the reader's duplicate rule over the whole file);
- ``parts/manifest.jsonl`` — one line per finished partition, keyed by the input
  file (path and SHA-256), its byte or row range, the model's file hashes, the
  register's hash, the column map and the careaudit version; a re-run into the
  same ``OUT`` skips those partitions;
- ``parts/plans/`` — cached partition plans of the inputs.

Workers load the spaCy pipelines and the model once, in :class:`AuditorPlugin`
(a Dask ``WorkerPlugin``); the model travels as bytes and is checked against its
SHA-256 on the worker. Workers read inputs by absolute path (shared storage) and
return Parquet bytes; only the client writes ``OUT``.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import io
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from nlp.audit.partitions import (
    DEFAULT_PARTITION_ROWS,
    FilePlan,
    Partition,
    PartitionRows,
    check_jsonl_columns,
    duplicate_problems,
    expand_inputs,
    load_or_plan,
    read_partition,
)
from nlp.audit.run import AuditError, check_out_dir, run_id, run_metadata
from nlp.records.exports import Problem, RecordsError
from nlp.records.run_writer import REJECTED_COLUMNS
from nlp.schema import Flag, Note, RestrictionMention

if TYPE_CHECKING:
    from distributed import Client

    from nlp.audit.auditor import Auditor
    from nlp.audit.register_match import Register
    from nlp.prediction.base import SentenceModel
    from nlp.records.run_writer import Audited

MANIFEST = "manifest.jsonl"
TABLES = ("notes", "flags", "restrictions", "rejected", "repeats")
SOURCE = {"source_file": "str", "source_row": "int"}
BUNDLE_LIMIT = 256 << 20  # models up to this size travel as bytes; larger ones by path
RECYCLE_NOTES = 50_000  # a worker reloads its pipelines and model after this many notes
ROOT = Path(__file__).resolve().parents[1]


@dataclass(slots=True)
class DistributedRequest:
    """What to audit, where, and on which cluster."""

    inputs: list[Path]
    out_dir: Path
    register: Path | None = None
    model: str = "hybrid"
    columns: dict[str, str] = field(default_factory=dict)
    batch_size: int = 256
    partition_rows: int = DEFAULT_PARTITION_ROWS
    scheduler: str | None = None  # tcp://HOST:8786 of a running `dask scheduler`
    cluster: str | None = None  # "local:N": a LocalCluster of N worker processes
    retries: int = 2


@dataclass(slots=True)
class DistributedProgress:
    """Callbacks for a front end."""

    on_problem: Callable[[Problem], None] = lambda _p: None
    on_connect: Callable[[str | None, int], None] = lambda _link, _workers: None
    on_start: Callable[[int, int], None] = lambda _total, _done: None  # partitions
    on_advance: Callable[[int], None] = lambda _notes: None  # one partition finished


# -- the worker side -----------------------------------------------------------------


# the code whose changes change audit results (reading, analysis, models, flags)
CODE = (
    "schema.py",
    "records/exports.py",
    "records/text_clean.py",
    "analysis",
    "prediction",
    "audit",
)
SUFFIXES = {".py", ".json", ".jsonl", ".txt"}


def code_fingerprint() -> str:
    """SHA-256 of the code and resources that decide audit results (workers must match)."""
    digest = hashlib.sha256()
    for item in CODE:
        base = ROOT / item
        for path in sorted(base.rglob("*")) if base.is_dir() else [base]:
            if path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(slots=True)
class ModelBundle:
    """A model as it travels to workers: its files' bytes (or folder) and their SHA-256."""

    name: str
    sha256: dict[str, str] = field(default_factory=dict)  # relative file name -> SHA-256
    files: dict[str, bytes] = field(default_factory=dict)  # empty when sent by path
    folder: str = ""  # set when too large to send as bytes (shared storage)

    @classmethod
    def of(cls, name: str) -> ModelBundle:
        """The model ``--model NAME`` names: built-in kinds by name, trained ones by files."""
        from nlp.prediction.store import model_files, read_model_file

        folder = _model_folder(name)
        if folder is None:
            return cls(name=name)
        paths = {p.relative_to(folder).as_posix(): p for p in model_files(folder)}
        if sum(p.stat().st_size for p in paths.values()) > BUNDLE_LIMIT:
            sha = {n: _sha256_file(p) for n, p in paths.items()}
            return cls(name=name, sha256=sha, folder=str(folder.resolve()))
        files = {n: read_model_file(p) for n, p in paths.items()}
        sha = {n: hashlib.sha256(data).hexdigest() for n, data in files.items()}
        return cls(name=name, sha256=sha, files=files)

    def key(self) -> str:
        """What identifies the model in the manifest: its name, or its files' SHA-256."""
        return json.dumps(self.sha256 or self.name, sort_keys=True)

    def load(self) -> SentenceModel:
        """Check every file against its SHA-256 on this machine, then load the model."""
        from nlp.prediction.registry import load_model_dir, load_sentence_model
        from nlp.prediction.store import UnsafeModel

        if not self.sha256:
            return load_sentence_model(self.name)
        folder = Path(self.folder or tempfile.mkdtemp(prefix="careaudit-model-"))
        try:
            for n, data in self.files.items():
                (folder / n).parent.mkdir(parents=True, exist_ok=True)
                (folder / n).write_bytes(data)
            for n, expected in self.sha256.items():
                if _sha256_file(folder / n) != expected:
                    raise UnsafeModel(
                        f"{n}: SHA-256 on this worker does not match the client's model; not loaded"
                    )
            return load_model_dir(folder)
        finally:
            if self.files:
                shutil.rmtree(folder, ignore_errors=True)


def _sha256_file(path: Path) -> str:
    from nlp.prediction.store import sha256_file

    return sha256_file(path)


def _model_folder(name: str) -> Path | None:
    from nlp.prediction.registry import KIND_MODULES, MODELS_DIR, TRAINED_KINDS

    path = Path(name)
    if name not in KIND_MODULES and path.is_dir():
        return path
    return MODELS_DIR / name if name in TRAINED_KINDS else None


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - dask is a dependency; keep the module importable
    WorkerPlugin = object  # type: ignore[assignment,misc]


class AuditorPlugin(WorkerPlugin):
    """Loads the pipelines and the model once per worker process (per thread when nthreads > 1)."""

    idempotent = True  # registering the same settings again keeps the loaded workers

    def __init__(
        self,
        name: str,
        bundle: ModelBundle,
        register: Register | None,
        columns: dict[str, str],
        batch_size: int,
        code: str,
        recycle_notes: int = RECYCLE_NOTES,
    ) -> None:
        self.name = name
        self.bundle = bundle
        self.register = register
        self.columns = columns
        self.batch_size = batch_size
        self.code = code
        self.recycle_notes = recycle_notes
        self._local = threading.local()
        self._model: SentenceModel | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_local"], state["_lock"]
        state["_model"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()
        self._lock = threading.Lock()

    def setup(self, worker: Any = None) -> None:
        if self.code and code_fingerprint() != self.code:
            raise RuntimeError(
                "this worker runs different careaudit code from the client; install the same "
                "version on every worker"
            )
        self.auditor()  # load now, not in the first task

    def auditor(self) -> Auditor:
        """This thread's Auditor (pipelines per thread; the model is shared)."""
        from nlp.audit.auditor import Auditor
        from nlp.audit.register_match import Register

        cached = getattr(self._local, "auditor", None)
        if cached is None:
            with self._lock:
                if self._model is None:
                    self._model = self.bundle.load()
            cached = Auditor(
                self._model,
                register=self.register or Register.empty(),
                batch_size=self.batch_size,
            )
            self._local.auditor = cached
            self._local.notes = 0
        return cached

    def audited(self, notes: int) -> None:
        """Count this thread's notes; past ``recycle_notes``, load afresh for the next task.

        The pipelines and the model keep per-word caches that grow with every new
        name, id and typo; rebuilding them now and then (seconds, every ~10 minutes
        of work) keeps a worker's memory bounded whatever the input's size.
        """
        self._local.notes = getattr(self._local, "notes", 0) + notes
        if self._local.notes >= self.recycle_notes:
            self._local.auditor = None
            with self._lock:
                self._model = None
            gc.collect()


def audit_partition(part: Partition, plugin_name: str) -> dict[str, Any]:
    """Dask task: read, validate and audit one partition; return its tables as Parquet bytes.

    A partition that cannot be read returns ``{"error": reason}`` (reported, not retried).
    """
    from distributed import get_worker

    worker = get_worker()
    plugin = cast(AuditorPlugin, worker.plugins[plugin_name])
    started, cpu = time.perf_counter(), time.process_time()
    try:
        rows = read_partition(part, plugin.columns)
    except (RecordsError, OSError) as exc:
        return {"error": str(exc) or type(exc).__name__}
    auditor = plugin.auditor()
    notes = [note for _, note, _ in rows.notes]
    outcomes = []
    for k in range(0, len(notes), auditor.batch_size):
        with auditor.memory_zones():  # per batch, as on one machine: outcomes are plain rows
            outcomes.extend(auditor.audit_batch(notes[k : k + auditor.batch_size]).outcomes)
    tables = partition_tables(part, rows, outcomes)
    plugin.audited(len(notes))
    return {
        "tables": {name: to_parquet(name, records) for name, records in tables.items()},
        "meta": {
            "notes": len(rows.notes),
            "flags": len(tables["flags"]),
            "restrictions": len(tables["restrictions"]),
            "rows_to": rows.rows_to,
            "columns": rows.columns if part.kind == "jsonl" else [],
            "seconds": round(time.perf_counter() - started, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3),  # the worker process's CPU
            "worker": worker.address,
        },
    }


def partition_tables(
    part: Partition, rows: PartitionRows, outcomes: Sequence[Audited]
) -> dict[str, list[dict[str, Any]]]:
    """Rows of each part table (source file and row on every note, flag and mention)."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for (row, note, sha), outcome in zip(rows.notes, outcomes, strict=True):
        src = {"source_file": part.name, "source_row": row}
        tables["notes"].append(
            {
                **note.to_dict(),
                **src,
                "text_sha": sha,
                "sentences": outcome.sentences,
                "parsed": outcome.parsed,
            }
        )
        tables["flags"] += [{**f.to_dict(), **src} for f in outcome.flags]
        tables["restrictions"] += [{**r.to_dict(), **src} for r in outcome.restrictions]
    tables["rejected"] = [{**asdict(p), "stage": "read"} for p in rows.problems]
    return tables  # "repeats" fills at the merge (ids repeated across partitions)


def table_schema(name: str) -> Any:
    """The Arrow schema of one part table."""
    import pyarrow as pa

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    columns: dict[str, str]
    if name == "notes":
        columns = {f.name: str(f.type) for f in fields(Note)}
        columns |= {**SOURCE, "text_sha": "str", "sentences": "int", "parsed": "int"}
    elif name == "flags":
        columns = {f.name: str(f.type) for f in fields(Flag)} | SOURCE
    elif name == "restrictions":
        columns = {f.name: str(f.type) for f in fields(RestrictionMention)} | SOURCE
    elif name == "rejected":  # stage: "read" (the worker) or "duplicate" (the merge)
        columns = {f.name: str(f.type) for f in fields(Problem)} | {"stage": "str"}
    else:
        columns = {**SOURCE, "note_id": "str", "text_sha": "str"}
    return pa.schema([(c, kinds[t]) for c, t in columns.items()])


def to_parquet(name: str, records: list[dict[str, Any]]) -> bytes:
    """One part table as Parquet bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = table_schema(name)
    table = pa.Table.from_pylist(records, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


# -- the client side -----------------------------------------------------------------


@dataclass(slots=True)
class _Job:
    part: Partition
    key: str
    name: str  # part file name
    record: dict[str, Any] | None = None
    error: str = ""


class Manifest:
    """``parts/manifest.jsonl``: one JSON line per finished partition (last line wins)."""

    def __init__(self, parts: Path) -> None:
        self.parts = parts
        self.path = parts / MANIFEST
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash
                self.records[record["key"]] = record

    def finished(self, job: _Job) -> dict[str, Any] | None:
        record = self.records.get(job.key)
        if record and all((self.parts / t / job.name).is_file() for t in TABLES):
            return record
        return None

    def add(self, record: dict[str, Any]) -> None:
        self.records[record["key"]] = record
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")

    def compact(self, keep: Iterable[str]) -> None:
        lines = [json.dumps(self.records[k]) + "\n" for k in keep if k in self.records]
        _write_atomic(self.path, "".join(lines).encode())


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run_distributed(
    request: DistributedRequest,
    progress: DistributedProgress | None = None,
    client: Client | None = None,
) -> dict[str, Any]:
    """Audit ``request.inputs`` on a Dask cluster into ``request.out_dir``; return the summary.

    ``client`` reuses a connected Dask client; otherwise one is made from
    ``request.scheduler`` or ``request.cluster`` (and closed at the end).
    """
    from nlp.analysis.english import ParserMissing, available_model, checked_parser
    from nlp.audit.register_match import load_register
    from nlp.prediction.registry import ModelNotFound, load_sentence_model
    from nlp.prediction.store import UnsafeModel

    progress = progress or DistributedProgress()
    out = request.out_dir
    parts = out / "parts"
    if not (parts / MANIFEST).is_file():
        check_out_dir(out)
    if request.partition_rows < 1:
        raise AuditError("--partition-rows must be at least 1")
    try:
        files = expand_inputs(request.inputs, exclude=out)
        register, reg_problems = load_register(request.register) if request.register else (None, [])
        model = load_sentence_model(request.model)
        bundle = ModelBundle.of(request.model)
        available_model()  # no English parser: say so before planning anything
        # a distilled parser ($CAREAUDIT_PARSER), as this client's environment names it
        # (a LocalCluster's workers inherit it; remote workers must be started with it)
        parser = checked_parser()
    except (RecordsError, ParserMissing, ModelNotFound, UnsafeModel, OSError) as exc:
        raise AuditError(str(exc)) from exc
    code = code_fingerprint()
    settings = json.dumps(  # what a finished partition's rows depend on, besides its input
        {
            "model": bundle.key(),
            "register": _sha256_file(request.register) if request.register else "-",
            "columns": request.columns,
            "careaudit": _version(),
        },
        sort_keys=True,
    )
    for table in TABLES:
        (parts / table).mkdir(parents=True, exist_ok=True)
    (parts / MANIFEST).touch()
    try:
        plans = [
            load_or_plan(f, request.partition_rows, request.columns, parts / "plans") for f in files
        ]
    except OSError as exc:
        raise AuditError(f"cannot read an input: {exc}") from exc
    jobs = [
        _Job(p, key := p.key(settings), p.part_name(key)) for plan in plans for p in plan.partitions
    ]
    manifest = Manifest(parts)
    todo = []
    for job in jobs:
        job.record = manifest.finished(job)
        if job.record is None:
            todo.append(job)
    progress.on_start(len(jobs), len(jobs) - len(todo))
    if todo:
        plugin = AuditorPlugin(
            "careaudit-" + hashlib.sha256((settings + code).encode()).hexdigest()[:16],
            bundle,
            register,
            request.columns,
            request.batch_size,
            code,
        )
        _run_jobs(todo, plugin, request, manifest, progress, client)
    return _merge(request, plans, jobs, reg_problems, model, manifest, progress, parser)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("careaudit")
    except PackageNotFoundError:
        return "dev"


def _connect(request: DistributedRequest) -> tuple[Client, Any]:
    from distributed import Client, LocalCluster

    if request.scheduler:
        try:
            return Client(request.scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as exc:
            raise AuditError(
                f"--scheduler {request.scheduler}: cannot connect ({exc}); start one with "
                "`dask scheduler` and workers with `dask worker`"
            ) from exc
    if not request.cluster:
        raise AuditError("name a cluster: --scheduler tcp://HOST:8786 or --cluster local:N")
    spec = request.cluster
    kind, _, count = spec.partition(":")
    if kind != "local" or not count.isdigit() or int(count) < 1:
        raise AuditError(f"--cluster {spec}: expected local:N, e.g. local:4")
    cluster = LocalCluster(
        n_workers=int(count),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
    )
    return Client(cluster), cluster


def dashboard_link(client: Client) -> str | None:
    """The scheduler's dashboard URL, or None when it serves none (bokeh not installed)."""
    try:
        info = client.scheduler_info(n_workers=0)
    except TypeError:  # older distributed: no n_workers argument
        info = client.scheduler_info()
    if "dashboard" not in info.get("services", {}):
        return None
    try:
        return client.dashboard_link
    except (KeyError, AttributeError):
        return None


def _run_jobs(
    todo: list[_Job],
    plugin: AuditorPlugin,
    request: DistributedRequest,
    manifest: Manifest,
    progress: DistributedProgress,
    client: Client | None,
) -> None:
    from distributed import as_completed

    own, cluster = (None, None) if client else _connect(request)
    client = client or own
    assert client is not None
    try:
        progress.on_connect(dashboard_link(client), len(client.nthreads()))
        try:
            client.register_plugin(plugin, name=plugin.name)
        except Exception as exc:  # a worker could not load the model or pipelines
            raise AuditError(f"workers could not load the audit: {exc}") from exc
        run = uuid.uuid4().hex[:8]
        futures = {
            client.submit(
                audit_partition,
                job.part,
                plugin.name,
                key=f"audit-partition-{job.key[:16]}-{run}",
                retries=request.retries,
                pure=False,
            ): job
            for job in todo
        }
        try:
            for future in as_completed(futures):
                job = futures.pop(future)
                _collect(job, future, manifest)
                future.release()
                progress.on_advance(job.record["notes"] if job.record else 0)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own is not None:
            own.close()
        if cluster is not None:
            cluster.close()


def _collect(job: _Job, future: Any, manifest: Manifest) -> None:
    """Write a finished partition's parts and its manifest line, or note why it failed."""
    if future.status != "finished":
        try:
            exc: BaseException | None = future.exception()
        except BaseException as cancelled:  # cancelled or lost
            exc = cancelled
        job.error = f"audit failed on the cluster: {type(exc).__name__}: {exc}"
        return
    result = future.result()
    if "error" in result:
        job.error = result["error"]
        return
    for table, data in result["tables"].items():
        _write_atomic(manifest.parts / table / job.name, data)
    p = job.part
    job.record = {
        "key": job.key,
        "part": job.name,
        "file": p.path,
        "sha256": p.sha256,
        "kind": p.kind,
        "range": [p.start, p.stop],
        "rows": [p.first_row, p.last_row],
        **result["meta"],
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest.add(job.record)


# -- the merge -------------------------------------------------------------------------


def _read(
    parts: Path, table: str, job: _Job, columns: list[str] | None = None
) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(parts / table / job.name, columns=columns).to_pylist()


def _write_part(parts: Path, table: str, job: _Job, rows: list[dict[str, Any]]) -> None:
    _write_atomic(parts / table / job.name, to_parquet(table, rows))


def _settle_duplicates(parts: Path, name: str, done: list[_Job], columns: dict[str, str]) -> None:
    """Apply read_notes' duplicate rule over a whole file and make its parts agree.

    A note whose id repeats an earlier partition's note moves from the notes part
    (with its flags and mentions) to the repeats part; every repeated id gets its
    row in the rejected part (stage "duplicate"). Re-merging changes nothing.
    """
    ids: dict[int, tuple[str, str, bool]] = {}
    for job in done:
        for r in _read(parts, "repeats", job, ["source_row", "note_id", "text_sha"]):
            ids[r["source_row"]] = (r["note_id"], r["text_sha"], False)
        for r in _read(parts, "notes", job, ["source_row", "note_id", "text_sha"]):
            ids[r["source_row"]] = (r["note_id"], r["text_sha"], True)
    problems, dropped = duplicate_problems(name, ((row, *ids[row]) for row in sorted(ids)), columns)
    firsts = [job.part.first_row for job in done]
    mine: dict[int, list[Problem]] = {}
    for p in problems:
        mine.setdefault(bisect.bisect_right(firsts, p.row) - 1, []).append(p)
    gone: dict[int, set[int]] = {}
    for row in dropped:
        gone.setdefault(bisect.bisect_right(firsts, row) - 1, set()).add(row)
    for k, job in enumerate(done):
        if gone.get(k):
            _drop_notes(parts, job, gone[k])
        current = _read(parts, "rejected", job)
        wanted = [r for r in current if r["stage"] == "read"]
        wanted += [{**asdict(p), "stage": "duplicate"} for p in mine.get(k, [])]
        wanted.sort(key=lambda r: (r["row"], r["stage"] != "read"))
        if wanted != current:
            _write_part(parts, "rejected", job, wanted)


def _drop_notes(parts: Path, job: _Job, rows: set[int]) -> None:
    """Move notes (by source row) from a partition's notes part to its repeats part."""
    notes = _read(parts, "notes", job)
    repeats = {r["source_row"]: r for r in _read(parts, "repeats", job)}
    keep = ("source_file", "source_row", "note_id", "text_sha")
    for n in notes:
        if n["source_row"] in rows:
            repeats[n["source_row"]] = {k: n[k] for k in keep}
    _write_part(parts, "repeats", job, [repeats[r] for r in sorted(repeats)])
    for table in ("flags", "restrictions"):
        kept = [r for r in _read(parts, table, job) if r["source_row"] not in rows]
        _write_part(parts, table, job, kept)
    _write_part(parts, "notes", job, [n for n in notes if n["source_row"] not in rows])


class _Row:
    """A part row as RunWriter reads a Note, Flag or RestrictionMention.

    ``to_dict()`` gives the dataclass's fields in order and attributes read them, so
    the writer writes the same bytes without rebuilding (and deep-copying) dataclasses.
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None


def _rows(rows: list[dict[str, Any]], cls: type) -> list[_Row]:
    """Part rows as ``cls`` rows (its fields only, in its order)."""
    names = [f.name for f in fields(cls)]
    return [_Row({k: r[k] for k in names}) for r in rows]


def _by_note(rows: list[dict[str, Any]], cls: type) -> dict[int, list[_Row]]:
    """Part rows as ``cls`` rows, by the source row of their note."""
    out: dict[int, list[_Row]] = {}
    for r, row in zip(rows, _rows(rows, cls), strict=True):
        out.setdefault(r["source_row"], []).append(row)
    return out


def _merge(
    request: DistributedRequest,
    plans: list[FilePlan],
    jobs: list[_Job],
    reg_problems: list[Problem],
    model: SentenceModel,
    manifest: Manifest,
    progress: DistributedProgress,
    parser: str = "sm",
) -> dict[str, Any]:
    """Write the run folder from the finished partitions, in input order, with RunWriter."""
    from nlp.records.run_writer import RunWriter

    parts = manifest.parts
    by_part = {id(j.part): j for j in jobs}
    unreadable: list[dict[str, Any]] = []
    rows_read = 0
    request.out_dir.mkdir(parents=True, exist_ok=True)
    with RunWriter(request.out_dir) as writer:

        def problems(found: list[Problem]) -> None:
            for p in found:
                progress.on_problem(p)
            writer.add_problems(found)

        def not_audited(name: str, row: int, rows: str, reason: str) -> None:
            what = "file not audited" if rows == "all" else f"rows {rows} not audited"
            problems([Problem(name, row, "", f"{what}: {reason}")])
            unreadable.append({"file": name, "rows": rows, "reason": reason})

        for plan in plans:
            if plan.error:
                not_audited(plan.display, 0, "all", plan.error)
                continue
            file_jobs = [by_part[id(p)] for p in plan.partitions]
            done = [j for j in file_jobs if j.record is not None]
            if plan.kind == "jsonl" and done:
                seen = {c for j in done for c in (j.record or {}).get("columns", [])}
                error = check_jsonl_columns(plan.name, seen, request.columns)
                if error:
                    not_audited(plan.display, 0, "all", error)
                    continue
            _settle_duplicates(parts, plan.display, done, request.columns)
            file_rows = 0
            for job in file_jobs:
                p = job.part
                if job.record is None:
                    rows = f"{p.first_row}-{p.last_row}"
                    not_audited(plan.display, p.first_row, rows, job.error or "not audited")
                    file_rows = max(file_rows, p.offset + p.records)
                    continue
                file_rows = max(file_rows, job.record["rows_to"])
                rejected = _read(parts, "rejected", job)
                problems([Problem(**{k: r[k] for k in REJECTED_COLUMNS}) for r in rejected])
                flags = _by_note(_read(parts, "flags", job), Flag)
                mentions = _by_note(_read(parts, "restrictions", job), RestrictionMention)
                notes = _read(parts, "notes", job)
                for n, note in zip(notes, _rows(notes, Note), strict=True):
                    row = n["source_row"]
                    writer.add(
                        cast(Note, note),
                        cast(list[Flag], flags.get(row, [])),
                        mentions.get(row, []),
                        n["sentences"],
                        n["parsed"],
                    )
            rows_read += file_rows
        problems(reg_problems)
        if not writer.counts.notes:
            raise AuditError(
                f"{_inputs_text(request.inputs)}: no usable notes ({writer.problems['rejected']} "
                "rows rejected; see the messages above)"
            )
        meta = run_metadata(
            run_id([*(Path(p.name) for p in plans), request.register], model, parser),
            _inputs_text(request.inputs),
            request.register,
            model,
            rows_read,
            parser=parser,
        )
        counts = writer.counts.as_dict()
        summary = writer.finish(meta, {**counts, "unreadable": unreadable} if unreadable else None)
    _tidy(parts, manifest, jobs)
    return summary


def _inputs_text(inputs: Sequence[Path | str]) -> str:
    return ", ".join(str(i) for i in inputs)


def _tidy(parts: Path, manifest: Manifest, jobs: list[_Job]) -> None:
    """Drop part files and manifest lines no partition of this run refers to."""
    current = {j.name for j in jobs}
    for table in TABLES:
        for path in (parts / table).glob("*.parquet"):
            if path.name not in current:
                path.unlink()
    manifest.compact(j.key for j in jobs)
