#!/usr/bin/env python3
"""Build the fifteenth development set ``pii_dev15.jsonl`` from ``dev15_src/*.txt``.

Fourteen source files, one per invented service; note ids PII-X-0001..., person ids from the
block P-21001...P-21499; fixed shuffle seed 151515. Emphasis: room, bed and flat identifiers.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev15_src", "pii_dev15.jsonl", "PII-X", 151515)
