"""Crash-test helper: record decisions through the store code as fast as possible.

Prints ``ACK <flag_id> <sequence> <decision>`` after each commit; the test kills
this process with SIGKILL mid-burst. Usage: ``python burst_writer.py DB_URL REVIEWER``.
"""

from __future__ import annotations

import sys

from review_app.store import latest_decision, list_flags, make_engine, record_decision

NEXT = {
    "open": ("confirmed", ""),
    "confirmed": ("dismissed", "other"),
    "dismissed": ("reopened", ""),
}


def main(url: str, reviewer: str) -> None:
    engine = make_engine(url, create=False)
    flags = [f.flag_id for f in list_flags(engine)]
    i = 0
    while True:
        flag_id = flags[i % len(flags)]
        i += 1
        latest = latest_decision(engine, flag_id)
        decision, reason = NEXT[latest.state if latest else "open"]
        rec = record_decision(
            engine,
            flag_id,
            decision,
            reviewer,
            latest.sequence if latest else 0,
            reason=reason,
            comment=f"burst {i}",
        )
        print(f"ACK {rec.flag_id} {rec.sequence} {rec.decision}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
