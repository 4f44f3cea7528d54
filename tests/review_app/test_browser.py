"""End to end: a real ``streamlit run`` on 127.0.0.1 driven by Chromium through Playwright.

Set ``CAREAUDIT_SCREENSHOTS=docs/screenshots`` to keep the screenshots of each view
(otherwise they go to a temporary folder and are only checked).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from review_app.importer import import_run
from review_app.launch import free_port, streamlit_argv, streamlit_env, wait_healthy
from review_app.store import FlagFilter, decision_history, list_flags, make_engine, record_decision

from .conftest import PASSWORD, RUN_A, add_users

pytestmark = pytest.mark.slow
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[dict]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "chromium not installed (apt-get install chromium; see scripts/test_system_deps.sh)"
        )
    workdir = tmp_path_factory.mktemp(
        "e2e"
    )  # not the project dir: flags must not rely on its config
    url = f"sqlite:///{workdir / 'review.db'}"
    engine = make_engine(url)
    import_run(engine, RUN_A)
    add_users(engine, password_hash)
    port = free_port()
    log = (workdir / "streamlit.log").open("w")
    proc = subprocess.Popen(
        streamlit_argv(port),
        env=streamlit_env(url),
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        if not wait_healthy(port, timeout=60):
            raise AssertionError(
                f"streamlit did not start: {(workdir / 'streamlit.log').read_text()}"
            )
        yield {
            "url": f"http://127.0.0.1:{port}",
            "engine": engine,
            "log": workdir / "streamlit.log",
        }
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server) -> Iterator[Page]:  # server: the app must be up
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def settle(page: Page) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)
    page.wait_for_timeout(500)  # charts and fonts


def sign_in(page: Page, base: str, user: str) -> None:
    page.goto(base)
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()


def test_confirm_dismiss_reload_persists(page: Page, server: dict) -> None:
    engine = server["engine"]
    sign_in(page, server["url"], "ann")
    expect(page.get_by_text("0 of 13 reviewed")).to_be_visible()
    first = list_flags(engine)[0]
    expect(page.locator("mark.ca-current")).to_have_text(first.span_text)

    page.keyboard.press("Alt+y")  # the Confirm button's shortcut
    expect(page.get_by_text("1 of 13 reviewed")).to_be_visible()
    expect(page.get_by_text(f"Confirmed: flag {first.flag_id}")).to_be_visible()

    second = list_flags(engine, FlagFilter(statuses=("open",)))[0]
    expect(page.locator("mark.ca-current")).to_have_text(second.span_text)
    page.get_by_role("combobox", name="Dismiss reason").click()
    page.get_by_role("option", name="not a restriction").click()
    page.get_by_role("textbox", name="Comment").fill("Kitchen shut for deep clean only")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("2 of 13 reviewed")).to_be_visible()

    page.reload()
    sign_in(page, server["url"], "ann")
    expect(page.get_by_text("2 of 13 reviewed")).to_be_visible()
    page.get_by_text("Dismissed", exact=True).click()  # the queue's "Show" filter
    expect(page.get_by_text("Flag (1 in this queue)")).to_be_visible()
    expect(page.locator("mark.ca-current")).to_have_text(second.span_text)

    [confirmed] = decision_history(engine, first.flag_id)
    assert (confirmed.decision, confirmed.reviewer) == ("confirmed", "ann")
    [dismissed] = decision_history(engine, second.flag_id)
    assert (dismissed.decision, dismissed.reason, dismissed.comment, dismissed.reviewer) == (
        "dismissed",
        "not a restriction",
        "Kitchen shut for deep clean only",
        "ann",
    )


def test_every_view_renders_in_a_browser(page: Page, server: dict, tmp_path: Path) -> None:
    """Screenshots of each view (kept in $CAREAUDIT_SCREENSHOTS when set)."""
    engine = server["engine"]
    out = Path(os.environ.get("CAREAUDIT_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    sign_in(page, server["url"], "ada")

    def show(view: str, ready: str, name: str) -> None:
        page.get_by_role("radiogroup", name="View").get_by_text(view, exact=True).click()
        expect(page.get_by_text(ready).first).to_be_visible(timeout=60_000)
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, view
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)

    show("Queue", "reviewed", "auditor")
    for f in list_flags(engine, FlagFilter(authors=["Dana Kerr"], statuses=("open",))):
        if f.note_id == "N-0002":
            record_decision(
                engine,
                f.flag_id,
                "dismissed",
                "al",
                f.sequence,
                reason="other",
                comment="PRN protocol in the MAR",
            )
        else:
            record_decision(engine, f.flag_id, "confirmed", "al", f.sequence)
    show("Supervision", "confirmed flags for", "supervisor")
    page.get_by_role("combobox", name="Author").click()
    page.get_by_role("option", name="Dana Kerr").click()
    expect(page.get_by_text("Unrecorded restriction (2)")).to_be_visible()
    settle(page)
    page.screenshot(path=str(out / "supervisor.png"), full_page=True)
    show("Teaching examples", "reviewed flags match", "trainer")
    page.get_by_role("button", name="Build teaching examples").click()
    expect(page.get_by_text("notes ready")).to_be_visible(timeout=90_000)
    page.get_by_test_id("stExpander").first.locator("summary").click()  # show one example
    settle(page)
    page.screenshot(path=str(out / "trainer.png"), full_page=True)
    show("Dashboard", "Confirmed rate", "dashboard")
    for name in ("auditor", "supervisor", "trainer", "dashboard"):
        assert (out / f"{name}.png").stat().st_size > 10_000
