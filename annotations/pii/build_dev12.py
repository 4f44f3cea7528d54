#!/usr/bin/env python3
"""Build the twelfth development set ``pii_dev12.jsonl`` from ``dev12_src/*.txt``.

Fifteen source files, one per invented service; note ids PII-U-0001..., person ids from the
block P-18001...P-18499; fixed shuffle seed 121212.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev12_src", "pii_dev12.jsonl", "PII-U", 121212)
