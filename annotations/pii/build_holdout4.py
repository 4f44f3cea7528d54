#!/usr/bin/env python3
"""Build pii_holdout4.jsonl (the fourth held-out set) from holdout4_src/*.txt.

Usage: python annotations/pii/build_holdout4.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("holdout4_src", "pii_holdout4.jsonl", "PII-H4", 70529)
