"""Benchmark the Dask audit: notes/s on 1 and 2 workers, memory per worker, 10M-note estimate.

    .venv/bin/python scripts/bench_dask.py --notes 20000 --out bench/dask

Generates an N-note CSV export (3-9 training-corpus sentences per note, as
``scripts/bench.py`` does), then for each worker count starts a ``LocalCluster`` of that many
single-threaded worker processes on 127.0.0.1 and runs
:func:`nlp.audit.distributed.run_distributed` twice: a small warm-up (the workers
load the pipelines and the model; timed as start-up), then the whole export into
a fresh folder. Reports, per worker count: the audit rate (notes from the first
partition submitted to the last one finished), the whole run (planning, audit,
merge), the merge alone, task seconds and the per-partition overhead, and each
worker's peak RSS. Checks that 1 and 2 workers write identical files.

Rates are also given per CPU-second of the worker process (``cpu_notes_per_s``):
what one dedicated core does, even when other work shares this machine. From that
rate, the per-partition overhead and the client's planning and merging rates (per
CPU-second) it estimates the wall time of 10 million notes on 10, 50 and 100
four-core machines (4 worker processes each). Writes ``OUT/results.json`` and
``OUT/results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MACHINES = (10, 50, 100)
CORES_PER_MACHINE = 4
TARGET_NOTES = 10_000_000
FILES = ("flags.csv", "flags.jsonl", "restrictions.csv", "rejected.csv", "notes.jsonl")


def generate(path: Path, n: int, seed: int = 11) -> None:
    """A CSV export of ``n`` notes of 3-9 sentences drawn from the training corpus."""
    import csv
    import random

    from nlp.records.corpus import read_gold

    gold = read_gold(ROOT / "annotations/train.jsonl")
    sentences = [g.note.text[s.start : s.end].strip() for g in gold for s in g.sentences]
    meta = [(g.note.person_id, g.note.service, g.note.author, g.note.note_type) for g in gold]
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["note_id", "person_id", "date", "service", "author", "note_type", "text"])
        for i in range(n):
            text = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 9)))
            person, service, author, note_type = rng.choice(meta)
            date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            w.writerow([f"B-{i:07d}", person, date, service, author, note_type, text])


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_with(workers: int, export: Path, warm: Path, out: Path, args: Any) -> dict[str, Any]:
    """One LocalCluster of ``workers`` processes: start-up, then the timed audit."""
    from distributed import Client, LocalCluster

    from nlp.audit.distributed import DistributedProgress, DistributedRequest, run_distributed

    def request(inputs: Path, folder: Path) -> DistributedRequest:
        return DistributedRequest(
            inputs=[inputs],
            out_dir=folder,
            model=args.model,
            batch_size=args.batch_size,
            partition_rows=args.partition_rows,
        )

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = Client(cluster)
    try:
        run_distributed(request(warm, out.with_name(out.name + "-warm")), client=client)
        startup = time.perf_counter() - t0
        marks: dict[str, float] = {}
        progress = DistributedProgress(
            on_start=lambda _t, _d: marks.setdefault("submit", time.perf_counter()),
            on_advance=lambda _n: marks.update(last=time.perf_counter(), cpu=time.process_time()),
        )
        t1 = time.perf_counter()
        summary = run_distributed(request(export, out), progress, client=client)
        total = time.perf_counter() - t1
        merge_cpu = time.process_time() - marks["cpu"]
        rss = client.run(peak_rss_mib)
    finally:
        client.close()
        cluster.close()
    manifest = [json.loads(line) for line in (out / "parts" / "manifest.jsonl").open()]
    task_seconds = sum(r["seconds"] for r in manifest)
    cpu_seconds = sum(r["cpu_seconds"] for r in manifest)
    audit = marks["last"] - marks["submit"]
    notes = summary["notes"]
    return {
        "workers": workers,
        "notes": notes,
        "partitions": len(manifest),
        "startup_s": round(startup, 1),
        "audit_s": round(audit, 1),
        "notes_per_s": round(notes / audit, 1),
        "notes_per_s_per_worker": round(notes / audit / workers, 1),
        "task_notes_per_s": round(notes / task_seconds, 1),  # inside the tasks alone
        # per second of a worker's CPU: what one dedicated core does, whatever else runs here
        "cpu_notes_per_s": round(notes / cpu_seconds, 1),
        # the share of a core each worker got (below 1: other work shared the machine)
        "cpu_share": round(cpu_seconds / (audit * workers), 2),
        "run_s": round(total, 1),
        "plan_s": round(marks["submit"] - t1, 1),
        "merge_s": round(t1 + total - marks["last"], 1),
        "merge_cpu_s": round(merge_cpu, 2),
        # scheduling, transfer and idle time per partition, per worker
        "overhead_per_partition_s": round((audit * workers - task_seconds) / len(manifest), 3),
        "peak_rss_mib_per_worker": sorted(round(v) for v in rss.values()),
    }


def scan_rate(export: Path, partition_rows: int) -> float:
    """Notes per CPU-second the client plans (SHA-256 and record boundaries of the export)."""
    from nlp.audit.partitions import plan_file

    t = time.process_time()
    plan = plan_file(export, partition_rows, {})
    return sum(p.records for p in plan.partitions) / (time.process_time() - t)


def estimate(one: dict[str, Any], partition_rows: int, plan_rate: float) -> list[dict[str, Any]]:
    """10M notes on N four-core machines from the 1-worker (one core) measurements."""
    rate = one["cpu_notes_per_s"]  # one worker process on one dedicated core
    partitions = TARGET_NOTES / partition_rows
    overhead = max(one["overhead_per_partition_s"], 0.0)
    merge_rate = one["notes"] / max(one["merge_cpu_s"], 1e-9)  # the client merges alone
    rows = []
    for machines in MACHINES:
        procs = machines * CORES_PER_MACHINE
        audit = (TARGET_NOTES / rate + partitions * overhead) / procs
        plan = TARGET_NOTES / plan_rate
        merge = TARGET_NOTES / merge_rate
        total = one["startup_s"] + plan + audit + merge
        rows.append(
            {
                "machines": machines,
                "worker_processes": procs,
                "audit_h": round(audit / 3600, 2),
                "plan_and_merge_h": round((plan + merge) / 3600, 2),
                "total_h": round(total / 3600, 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--partition-rows", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--model", default="hybrid")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=Path("bench/dask"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    export = args.out / f"notes_{args.notes}.csv"
    if not export.exists():
        generate(export, args.notes)
    warm = args.out / "warm.csv"
    generate(warm, 40)
    runs = []
    for workers in args.workers:
        out = args.out / f"run_{workers}w"
        for folder in (out, out.with_name(out.name + "-warm")):
            shutil.rmtree(folder, ignore_errors=True)
        runs.append(run_with(workers, export, warm, out, args))
        print(json.dumps(runs[-1]), flush=True)
    first = args.out / f"run_{args.workers[0]}w"
    identical = all(
        (first / f).read_bytes() == (args.out / f"run_{w}w" / f).read_bytes()
        for w in args.workers[1:]
        for f in FILES
    )
    one = runs[0]
    plan_rate = scan_rate(export, args.partition_rows)
    results = {
        "command": "python scripts/bench_dask.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "model": args.model,
        "partition_rows": args.partition_rows,
        "runs": runs,
        "speedup": round(runs[-1]["notes_per_s"] / one["notes_per_s"], 2) if len(runs) > 1 else 1,
        # what dedicated cores would give: each worker's rate per CPU-second, summed
        "speedup_dedicated_cores": round(
            runs[-1]["workers"] * runs[-1]["cpu_notes_per_s"] / one["cpu_notes_per_s"], 2
        ),
        "identical_files": identical,
        "plan_notes_per_s": round(plan_rate),
        "merge_notes_per_s": round(one["notes"] / max(one["merge_cpu_s"], 1e-9)),
        "estimate_10M": estimate(one, args.partition_rows, plan_rate),
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


def markdown(r: dict[str, Any]) -> str:
    lines = [
        f"`{r['command']}` — {r['machine']}, model {r['model']}, "
        f"{r['partition_rows']} rows per partition, load average at the end "
        f"{r['load_average_at_end']}",
        "",
        "| workers | notes/s | per worker | in tasks | per CPU-second | CPU share | start-up s "
        "| audit s | plan s | merge s | overhead s/partition | peak RSS MiB/worker |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in r["runs"]:
        lines.append(
            f"| {x['workers']} | {x['notes_per_s']} | {x['notes_per_s_per_worker']} | "
            f"{x['task_notes_per_s']} | {x['cpu_notes_per_s']} | {x['cpu_share']} | "
            f"{x['startup_s']} | "
            f"{x['audit_s']} | {x['plan_s']} | "
            f"{x['merge_s']} | {x['overhead_per_partition_s']} | "
            f"{', '.join(map(str, x['peak_rss_mib_per_worker']))} |"
        )
    lines += [
        "",
        f"Speed-up, {r['runs'][-1]['workers']} workers over {r['runs'][0]['workers']}: "
        f"**{r['speedup']}×** (on dedicated cores, from CPU time: "
        f"{r['speedup_dedicated_cores']}×); identical files: {r['identical_files']}. "
        "The client plans "
        f"{r['plan_notes_per_s']:,} and merges {r['merge_notes_per_s']:,} notes per CPU-second.",
        "",
        "| 10M notes on | worker processes | audit h | plan + merge h (client) | total h |",
        "|---|---|---|---|---|",
    ]
    for e in r["estimate_10M"]:
        lines.append(
            f"| {e['machines']} × 4 cores | {e['worker_processes']} | {e['audit_h']} | "
            f"{e['plan_and_merge_h']} | {e['total_h']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
