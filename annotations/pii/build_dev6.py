#!/usr/bin/env python3
"""Build pii_dev6.jsonl (the sixth development set) from dev6_src/*.txt.

Usage: python annotations/pii/build_dev6.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev6_src", "pii_dev6.jsonl", "PII-K", 83311)
