"""How ``careaudit review`` starts Streamlit (shared with the browser tests)."""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.request
from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")
HOST = "127.0.0.1"


def streamlit_argv(port: int, app_path: Path = APP_PATH) -> list[str]:
    """``streamlit run`` on loopback, headless, no file watcher, usage statistics off,
    no forced garbage collection after each run.

    The flags are passed explicitly because the working directory (and so any
    ``.streamlit/config.toml``) may not be the project's.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--browser.serverAddress",
        HOST,
        "--client.toolbarMode",
        "minimal",
        # no full garbage collection after every run: it walks the whole heap (pandas,
        # SQLAlchemy, Streamlit) and held the GIL for ~0.1 s per key press; Python's own
        # generational collector still runs
        "--runner.postScriptGC",
        "false",
    ]


def streamlit_env(db_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the app process: the store URL, statistics off, offline models."""
    env = dict(os.environ if base is None else base)
    env.update(
        CAREAUDIT_DB=db_url,
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, timeout: float = 30.0) -> bool:
    """Poll ``/_stcore/health`` until it answers ``ok``."""
    deadline = time.monotonic() + timeout
    url = f"http://{HOST}:{port}/_stcore/health"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.read().strip() == b"ok":
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False
