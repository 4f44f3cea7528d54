"""``--workers N``: processes started once the inputs are read, fed batches in order.

A spawned worker needs about a second to import spaCy and load the pipelines and
model. :class:`WorkerPool` starts every process at once, right after the parent has
read the register and the export's first chunk (so a bad input fails before any
worker loads). The register stays here; each batch travels with its people's entries
(:meth:`nlp.audit.register_match.Register.for_people`), so no worker reads it or
imports pandas. Results come back in the order the batches went out, at most
``IN_FLIGHT_PER_WORKER`` per worker in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future

    from nlp.audit.batch import AuditSettings, BatchResult
    from nlp.audit.register_match import Register
    from nlp.schema import Note

IN_FLIGHT_PER_WORKER = 2


class WorkerPool:
    """``workers`` spawned processes, each loading the pipelines and model once."""

    def __init__(self, settings: AuditSettings, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from nlp.audit.batch import start_worker, worker_ready

        self.settings = replace(settings, register=None)  # workers read no register
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(self.settings,),
        )
        for _ in range(workers):  # the executor starts a process per task waiting: all now
            self._pool.submit(worker_ready)

    def audited(
        self, batches: Iterator[list[Note]], register: Register | None = None
    ) -> Iterator[BatchResult]:
        """Each batch audited by a worker, results in input order.

        Raises ``concurrent.futures.process.BrokenProcessPool`` if a worker dies.
        """
        from nlp.audit.batch import audit_in_worker

        pending: deque[Future[BatchResult]] = deque()
        limit = IN_FLIGHT_PER_WORKER * self.workers
        try:
            for batch in batches:
                part = None if register is None else register.for_people(n.person_id for n in batch)
                pending.append(self._pool.submit(audit_in_worker, batch, self.settings, part))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Stop the workers (tasks not started are cancelled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
