#!/usr/bin/env python3
"""Build the twelfth held-out set ``pii_holdout12.jsonl`` from ``holdout12_src/*.txt``.

Sixteen files, one per invented service (256 notes); note ids PII-H12-0001...,
person ids P-20511...P-20664 (block P-20501...P-20999), seed 121212.
Held out: never read or tuned on.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("holdout12_src", "pii_holdout12.jsonl", "PII-H12", 121212)
