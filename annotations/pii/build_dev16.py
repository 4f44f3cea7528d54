#!/usr/bin/env python3
"""Build the sixteenth development set ``pii_dev16.jsonl`` from ``dev16_src/*.txt``.

Thirteen source files, one per invented service; note ids PII-Y-0001..., person ids from the
block P-23001...P-23499; fixed shuffle seed 161616. Emphasis: names in hard forms, rooms, traps.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev16_src", "pii_dev16.jsonl", "PII-Y", 161616)
