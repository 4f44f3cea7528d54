#!/usr/bin/env python3
"""Build pii_dev9.jsonl (the ninth development set) from dev9_src/*.txt.

Usage: python annotations/pii/build_dev9.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev9_src", "pii_dev9.jsonl", "PII-Q", 90919)
