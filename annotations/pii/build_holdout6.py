#!/usr/bin/env python3
"""Build pii_holdout6.jsonl (the sixth held-out set) from holdout6_src/*.txt.

Usage: python annotations/pii/build_holdout6.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("holdout6_src", "pii_holdout6.jsonl", "PII-H6", 60611)
