#!/usr/bin/env python3
"""Build pii_dev7.jsonl (the seventh development set) from dev7_src/*.txt.

Usage: python annotations/pii/build_dev7.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev7_src", "pii_dev7.jsonl", "PII-M", 40213)
