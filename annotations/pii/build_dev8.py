#!/usr/bin/env python3
"""Build pii_dev8.jsonl (the eighth development set) from dev8_src/*.txt.

Usage: python annotations/pii/build_dev8.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev8_src", "pii_dev8.jsonl", "PII-N", 80813)
