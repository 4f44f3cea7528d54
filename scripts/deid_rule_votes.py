"""Record what the name rules said about each development set *before* they were tuned on it.

    .venv/bin/python scripts/deid_rule_votes.py            # writes annotations/pii/rule_votes/
    .venv/bin/python scripts/deid_rule_votes.py dev11      # one set

The learned name decision (``scripts/train_deid.py``) takes the rules' votes as
features. Today's rules were tuned on every development set, so on those sets their
votes are nearly always right, and a model trained on them would learn to trust the
rules blindly; on a new writer's text the rules are wrong far more often. So for each
set the votes come from the last commit whose rules had not yet seen it (the commit
before the round that read it), run on the set as ``careaudit deidentify`` runs:

- ``pii_test.jsonl``: before ad1e3ff (issue 13's first round read it);
- ``pii_dev2.jsonl``: before 9ff39ba (round 2); ``pii_dev3.jsonl``: before bb30f33 (round 3);
- ``pii_dev7.jsonl``: the round-5 rules of fd59509 (round 6 read it), rules alone (a
  commit with a learned decision is run without it, as ``train_deid.py`` records rows).
- ``pii_dev8.jsonl`` and ``pii_dev9.jsonl``: the round-7 rules of dce4f9b (round 8 read
  them: capitals closing a note as initials, ``... delivering. OT``).
- ``pii_dev11.jsonl``: the round-9 rules of dda7576 (round 10 read it: initials where a
  person stands, ``care lead LP``, ``DS and RC``).
- ``pii_dev12.jsonl``: the round-10 rules of a7bdc63 (round 11 read it: staff initials,
  rooms, dashed sign-offs).
- ``pii_dev13.jsonl``: the rules of a4e5ab7 (round 11's, with round 12's author-column
  reading, which came before dev13 was scored), the last commit before round 12 read
  its misses (f920522: bare possessives, tables' sign columns, spoken dates).
- ``pii_dev14.jsonl``: the rules of 27e58d0 (the commit that added it: round 12's, with
  round 13's first rooms and addresses), before round 13 read its misses (5efe28e).

``pii_dev.jsonl`` has no such commit (the rules were written from it) and a set newer
than the rules needs none: both use today's votes (``pii_dev4.jsonl``, and since round 5
``pii_dev5.jsonl`` and ``pii_dev6.jsonl``: round 5 changed no name rule, only the address,
room, GP and id recognisers). Output per set: ``{note_id: [first,
final]}``, the status of every token before and after the name runs grow (see
:mod:`nlp.deid.names`), from the note's last reading.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "annotations" / "pii" / "rule_votes"
BEFORE = {
    "test": "ad1e3ff^",
    "dev2": "9ff39ba^",
    "dev3": "bb30f33^",
    "dev7": "fd59509",
    "dev8": "dce4f9b",
    "dev9": "dce4f9b",
    "dev11": "dda7576",
    "dev12": "a7bdc63",
    "dev13": "a4e5ab7",
    "dev14": "27e58d0",
}

# run inside the old tree: record the status list around NameFinder._grow per note text
_CHILD = """
import json, sys
old, pii, out = sys.argv[1:4]
sys.path.insert(0, old)
sys.path.insert(1, old + "/scripts")
import inspect
import nlp.deid as D
import nlp.deid.analyzer as A
import nlp.deid.names as N
assert N.__file__.startswith(old), N.__file__
if "with_model" in inspect.signature(A.build_analyzer).parameters:
    # the rules alone, as train_deid.py records every set (models/deid is not archived)
    D.shared_analyzer = lambda: A.build_analyzer(with_model=False)
seen = {}
grow = N.NameFinder._grow
def recording(self, doc, status, *a, **k):
    first = list(status)
    grow(self, doc, status, *a, **k)
    seen[doc.text] = (first, list(status))
N.NameFinder._grow = recording
import eval_deid
records = [json.loads(x) for x in open(pii, encoding="utf-8") if x.strip()]
eval_deid.careaudit_outputs(records)
votes = {r["note_id"]: seen[r["text"]] for r in records if r["text"] in seen}
json.dump(votes, open(out, "w"), separators=(",", ":"))
"""


def votes_for(name: str, commit: str) -> Path:
    """Run the rules of ``commit`` on ``pii_<name>.jsonl``; the votes file written."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{name}.json"
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "nlp", "scripts/eval_deid.py"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        pii = ROOT / "annotations" / "pii" / f"pii_{name}.jsonl"
        subprocess.run(
            [sys.executable, "-c", _CHILD, tmp, str(pii), str(out)], check=True, cwd=tmp
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Every set of :data:`BEFORE`, or only those named on the command line."""
    names = (sys.argv[1:] if argv is None else argv) or list(BEFORE)
    unknown = [n for n in names if n not in BEFORE]
    if unknown:
        raise SystemExit(f"no commit recorded for {unknown}: one of {', '.join(BEFORE)}")
    for name, commit in ((n, BEFORE[n]) for n in names):
        print(f"{name}: rules of {commit} -> {votes_for(name, commit).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
