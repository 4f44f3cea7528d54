#!/usr/bin/env python3
"""Build the tenth held-out set ``pii_holdout10.jsonl`` from ``holdout10_src/*.txt``.

Fifteen files, one per invented service (255 notes); note ids PII-H10-0001...,
person ids P-18501...P-18999, seed 101010.
Held out: never read or tuned on.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("holdout10_src", "pii_holdout10.jsonl", "PII-H10", 101010)
