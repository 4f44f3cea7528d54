#!/usr/bin/env python3
"""Build pii_holdout2.jsonl (the second held-out set) from holdout2_src/*.txt.

Usage: python annotations/pii/build_holdout2.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("holdout2_src", "pii_holdout2.jsonl", "PII-H2", 60417)
