#!/usr/bin/env python3
"""Build the ninth held-out set ``pii_holdout9.jsonl`` from ``holdout9_src/*.txt``.

Fifteen files, one per invented service (255 notes); note ids PII-H9-0001...,
person ids P-17501...P-17999, seed 90909.
Held out: never read or tuned on.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("holdout9_src", "pii_holdout9.jsonl", "PII-H9", 90909)
