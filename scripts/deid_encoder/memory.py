"""Peak memory of MiniLM's name vote on one long invented note.

    .venv/bin/python scripts/deid_encoder/memory.py 486000   # characters

Each word piece is projected onto the head as its window is read, so a long note should
cost little more than a short one above the loaded model (docs/deid.md, round 9).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy

from nlp.deid import name_encoder

SENTENCE = "Spoke to his daughter Grainne about the visit and the lift. "


def main(chars: int) -> None:
    head = name_encoder.load(name_encoder.DEFAULT_DIR)
    doc = spacy.blank("en")((SENTENCE * (chars // len(SENTENCE) + 1))[:chars])
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    head.tag([doc])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{chars:,} characters, {len(name_encoder.votes(doc) or {}):,} words: "
        f"peak RSS {peak:,.0f} MiB (after loading {loaded:,.0f} MiB), {seconds:.1f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 486_000)
