#!/usr/bin/env python3
"""Build pii_holdout5.jsonl (the fifth held-out set) from holdout5_src/*.txt.

Usage: python annotations/pii/build_holdout5.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("holdout5_src", "pii_holdout5.jsonl", "PII-H5", 51877)
