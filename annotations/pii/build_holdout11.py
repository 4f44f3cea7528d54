#!/usr/bin/env python3
"""Build the eleventh held-out set ``pii_holdout11.jsonl`` from ``holdout11_src/*.txt``.

Sixteen files, one per invented service (258 notes); note ids PII-H11-0001...,
person ids P-19511...P-19665 (block P-19501...P-19999), seed 111111.
Held out: never read or tuned on.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("holdout11_src", "pii_holdout11.jsonl", "PII-H11", 111111)
