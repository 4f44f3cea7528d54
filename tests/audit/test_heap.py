"""release_freed_memory gives freed heap pages back (glibc's malloc_trim)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nlp.audit.heap import YOUNG_THRESHOLD, release_freed_memory

FRAGMENT = """
import sys
from nlp.audit.heap import release_freed_memory

def rss_mib():
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split()[0]) // 1024

blocks = [bytes(2048) for _ in range(60_000)]  # ~120 MB of malloc'd blocks
keep = blocks[-1]  # the last block pins the top of the heap: nothing is trimmed by itself
del blocks
before = rss_mib()
release_freed_memory()
print(before, rss_mib())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_freed_pages_go_back_to_the_os():
    if not release_freed_memory():
        pytest.skip("this C library has no malloc_trim")
    run = subprocess.run(
        [sys.executable, "-c", FRAGMENT], capture_output=True, text=True, check=True
    )
    before, after = map(int, run.stdout.split())
    assert before - after > 60, (before, after)


FREEZE = """
import gc, weakref
from nlp.audit.heap import freeze_loaded

class Node:
    pass

loaded = [[str(i)] for i in range(50_000)]  # stands for the pipelines and model
garbage = Node()
garbage.self = garbage  # a reference cycle: only the cyclic GC frees it
dead = weakref.ref(garbage)
del garbage
scanned = len(gc.get_objects())
frozen = freeze_loaded()
print(dead() is None, frozen >= 50_000, len(gc.get_objects()) < scanned - 50_000)
print(gc.get_threshold()[0])
print(freeze_loaded())  # a second run in the same process freezes nothing more
"""


def test_loaded_objects_leave_the_gc_scans_after_garbage_is_collected():
    run = subprocess.run([sys.executable, "-c", FREEZE], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["True", "True", "True", str(YOUNG_THRESHOLD), "0"]
