#!/usr/bin/env python3
"""Build pii_holdout7.jsonl (the seventh held-out set) from holdout7_src/*.txt.

Usage: python annotations/pii/build_holdout7.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("holdout7_src", "pii_holdout7.jsonl", "PII-H7", 70711)
