"""Paired CPU time of an audit: this tree against an earlier commit, on the same notes.

    .venv/bin/python scripts/bench_cpu.py --ref fd59509                 # dense and low-density
    .venv/bin/python scripts/bench_cpu.py --ref fd59509 --notes 3000 --repeat 3 --json F

Wall-clock benchmarks move by a third on two shared cores when anything else runs; the
CPU time a process spends on the same work moves far less. Each round audits the same
generated export (``scripts/bench.py``'s dense and low-density mixes) with ``--workers
1`` in a fresh process, once with this tree and once with ``--ref`` checked out in a
temporary ``git worktree`` (removed at the end), alternating; the best of ``--repeat``
rounds is reported. CPU seconds are the process's user + system time of ``run_audit``
(reading, start-up, audit, writing), from ``resource.getrusage``. Both trees run with
this interpreter, so only the repository's code differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from bench import ENV, REGISTER, generate  # noqa: E402

CHILD = r"""
import json, resource, sys, time
root, export, out, register = sys.argv[1:5]
sys.path.insert(0, root)
from nlp.audit.run import AuditRequest, run_audit
from pathlib import Path
usage = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
summary = run_audit(AuditRequest(records=Path(export), out_dir=Path(out),
                                 register=Path(register), workers=1))
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
print(json.dumps({"cpu": cpu, "wall": time.perf_counter() - started, "notes": summary["notes"]}))
"""


def audit_cpu(root: Path, export: Path, out: Path) -> dict[str, float]:
    """CPU and wall seconds of one audit of ``export`` with the code under ``root``."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(export), str(out), str(REGISTER)],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"audit with {root} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", required=True, help="the commit to compare with")
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="careaudit-cpu-") as tmp:
        work = Path(tmp)
        ref_root = work / "ref"
        subprocess.run(
            ["git", "worktree", "add", "-f", "--detach", str(ref_root), args.ref],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        try:
            results: dict[str, dict[str, dict[str, float]]] = {}
            for mix, low in (("dense", False), ("low_density", True)):
                export = work / f"{mix}.csv"
                generate(export, args.notes, low)
                best: dict[str, dict[str, float]] = {}
                for round_no in range(args.repeat):
                    for name, root in (("this tree", ROOT), (args.ref, ref_root)):
                        got = audit_cpu(root, export, work / f"out-{mix}-{round_no}-{name[:4]}")
                        if name not in best or got["cpu"] < best[name]["cpu"]:
                            best[name] = got
                results[mix] = best
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(ref_root)],
                cwd=ROOT, check=False, capture_output=True,
            )  # fmt: skip
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)

    print(f"CPU seconds of one --workers 1 audit of {args.notes:,} notes, best of {args.repeat}:")
    print("| mix | tree | CPU s | notes per CPU-second | wall s |")
    print("|---|---|---|---|---|")
    for mix, best in results.items():
        for name, got in best.items():
            rate = got["notes"] / got["cpu"]
            print(f"| {mix} | {name} | {got['cpu']:.2f} | {rate:.0f} | {got['wall']:.2f} |")
        this, ref = best["this tree"]["cpu"], best[args.ref]["cpu"]
        print(f"| {mix} | ratio | {this / ref:.3f} of {args.ref}'s CPU | | |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
