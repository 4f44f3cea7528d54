#!/usr/bin/env python3
"""Build the fourteenth development set ``pii_dev14.jsonl`` from ``dev14_src/*.txt``.

Fourteen source files, one per invented service; note ids PII-W-0001..., person ids from the
block P-20001...P-20499; fixed shuffle seed 141414.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev14_src", "pii_dev14.jsonl", "PII-W", 141414)
