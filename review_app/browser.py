"""Drive the review app in Chromium (Playwright): shared by the benchmark, screenshots and tests.

Chromium is the system one (``/usr/bin/chromium``, ``executable_path``); nothing is
downloaded. The app is started with :mod:`review_app.launch` on a free loopback port.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from review_app.launch import free_port, streamlit_argv, streamlit_env, wait_healthy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
# true once the script run finished and the page is not waiting for the server
IDLE_JS = (
    "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
    " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; }"
)


@contextmanager
def app_server(db_url: str, workdir: Path) -> Iterator[str]:
    """``streamlit run`` the review app on the store; yields its base URL."""
    port = free_port()
    log_path = workdir / "streamlit.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            streamlit_argv(port),
            env=streamlit_env(db_url),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if not wait_healthy(port, timeout=60):
                raise RuntimeError(f"streamlit did not start: {log_path.read_text()[-2000:]}")
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page: Any, timeout: float = 60_000) -> None:
    """Wait until the app has finished its script run."""
    page.wait_for_function(IDLE_JS, timeout=timeout)


def sign_in(page: Any, base: str, user: str, password: str) -> None:
    page.goto(base)
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {user}").wait_for(timeout=60_000)
    wait_idle(page)


def wait_card(page: Any, timeout: float = 60_000) -> str:
    """Wait until the queue's card and its buttons are drawn; returns the card key.

    The first card of a session can be on screen a moment before its buttons are
    (Streamlit loads the button code on first use): a key pressed then finds nothing
    to click and is dropped, as the app intends, so a script must wait for them.
    """
    page.wait_for_selector(".st-key-card_accept button", timeout=timeout)
    wait_idle(page, timeout)
    return current_card(page)


def current_card(page: Any) -> str:
    return str(page.evaluate("() => window.__careauditCard || ''"))


def wait_card_change(page: Any, old: str, timeout: float = 30_000) -> str:
    """Wait until a different card is drawn and the run is over; returns the new card key."""
    page.wait_for_function(
        "(old) => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return window.__careauditCard && window.__careauditCard !== old"
        " && a && a.getAttribute('data-test-script-state') === 'notRunning'; }",
        arg=old,
        timeout=timeout,
    )
    return current_card(page)


def press(page: Any, key: str) -> None:
    """A key press with no text box focused, as a reviewer would type it."""
    page.evaluate(
        "() => { const e = document.activeElement;"
        " if (e && ['INPUT', 'TEXTAREA'].includes(e.tagName)) e.blur(); }"
    )
    page.keyboard.press(key)


def press_and_settle(page: Any, key: str, timeout: float = 30_000) -> None:
    """Press a key that reruns the queue without changing the card (a reason pill); wait
    until that run has drawn the card again (the key script counts the queue's runs)."""
    runs = page.evaluate("() => window.__careauditRun || 0")
    press(page, key)
    page.wait_for_function(
        "(n) => (window.__careauditRun || 0) > n && document.querySelector("
        "'[data-testid=\"stApp\"]').getAttribute('data-test-script-state') === 'notRunning'",
        arg=runs,
        timeout=timeout,
    )


def reason_number(page: Any, preferred: str = "wrong person") -> str:
    """The number key of the ``preferred`` reason pill on the card (else 1)."""
    labels = page.locator(".st-key-card_reason button").all_inner_texts()
    for label in labels:
        if preferred in label:
            return label.strip().split()[0]
    return "1"


def reject(page: Any, card: str) -> str:
    """Pick a reason with its number key, press r; returns the next card.

    On a card whose flags need different reasons the flags the reason fits are
    dismissed and the rest stay: those are then accepted with a.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    press_and_settle(page, reason_number(page))
    press(page, "r")
    try:
        return wait_card_change(page, card, timeout=15_000)
    except PlaywrightTimeout:  # the card stayed: some flags need another reason
        press(page, "a")
        return wait_card_change(page, card)


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


# view -> (role that opens it, text that shows it is drawn, screenshot name)
SCREENS: dict[str, tuple[str, str, str]] = {
    "Queue": ("ann", "flags reviewed", "auditor"),
    "Second opinions": ("al", "blind second", "second_opinions"),
    "Adjudication": ("sue", "disagreement", "adjudication"),
    "Dashboard": ("sue", "Confirmed rate", "dashboard"),
    "Supervision": ("sue", "confirmed flag", "supervisor"),
    "Teaching examples": ("ada", "reviewed flags match", "trainer"),
    "Import": ("ada", "Review settings", "admin"),
}


def capture_views(browser_: Any, base: str, password: str, out: Path) -> list[Path]:
    """One 1366×768 screenshot per view, each opened by a user of a role that has it."""
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    by_user: dict[str, list[str]] = {}
    for view, (user, _, _) in SCREENS.items():
        by_user.setdefault(user, []).append(view)
    for user, views in by_user.items():
        context = browser_.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(60_000)
        sign_in(page, base, user, password)
        for view in views:
            _, ready, name = SCREENS[view]
            page.get_by_role("link", name=view).click()
            page.get_by_text(ready).first.wait_for()
            wait_idle(page)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=stSkeleton]')"
                " && [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
                ".every(c => !c.offsetParent || c.querySelector('canvas, svg'))"
            )
            page.wait_for_timeout(600)  # fonts
            if page.locator('[data-testid="stException"]').count():
                raise AssertionError(f"{view}: the page shows an exception")
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            shots.append(path)
        context.close()
    return shots
