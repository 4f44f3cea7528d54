#!/usr/bin/env python3
"""Build pii_holdout3.jsonl (the third held-out set) from holdout3_src/*.txt.

Usage: python annotations/pii/build_holdout3.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("holdout3_src", "pii_holdout3.jsonl", "PII-H3", 51877)
