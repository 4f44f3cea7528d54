#!/usr/bin/env python3
"""Build the thirteenth development set ``pii_dev13.jsonl`` from ``dev13_src/*.txt``.

Fifteen source files, one per invented service; note ids PII-V-0001..., person ids from the
block P-19001...P-19499; fixed shuffle seed 131313.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev13_src", "pii_dev13.jsonl", "PII-V", 131313)
