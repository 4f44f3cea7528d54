#!/usr/bin/env python3
"""Build the eleventh development set ``pii_dev11.jsonl`` from ``dev11_src/*.txt``.

Fifteen source files, one per invented service; note ids PII-S-0001..., person ids from the
block P-17001...P-17499; fixed shuffle seed 111111.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev11_src", "pii_dev11.jsonl", "PII-S", 111111)
