"""Export values are text, never Markdown or HTML: no request ever leaves 127.0.0.1.

A real ``streamlit run`` over a run whose every free-text field (person, service,
author, note text, span, explanation, suggestion, source, run id, a bad row's value)
holds Markdown and HTML payloads pointing at outside hosts: image references, raw
``<img>``, ``<script>``, ``<iframe>``, CSS ``@import``, SVG ``<image>``, links.
Chromium (Playwright, ``/usr/bin/chromium``) signs in as admin, opens every page,
opens the filters, decides flags (the messages quote them), imports a run with bad
rows (the errors quote them), and records every network request the page makes: all
must go to 127.0.0.1. A positive control proves the recorder sees outside requests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, Route, expect, sync_playwright

from review_app.importer import import_run
from review_app.launch import free_port, streamlit_argv, streamlit_env, wait_healthy
from review_app.store import list_flags, make_engine, record_decision

from .conftest import PASSWORD, add_users

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # never `playwright install`
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def settle(page: Page) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)
    page.wait_for_timeout(500)


def payload(tag: str) -> str:
    """Markdown and HTML that would fetch from an outside host if rendered (``tag`` names it)."""
    host = f"http://203.0.113.9/{tag}"
    return (
        f"{tag} ![img]({host}/md.png) <img src={host}/img.png> "
        f'<script src="{host}/s.js"></script> [link]({host}/a) <{host}/auto> '
        f"<iframe src={host}/frame></iframe> <style>@import url({host}/c.css)</style> "
        f'<svg><image href="{host}/svg.png"/></svg> ![ref][r] :red[{tag}] $x$\n\n'
        f"[r]: {host}/ref.png"
    )


def _payload_run(folder: Path) -> Path:
    folder.mkdir()
    text = "Staff washed and dressed Tomasz. Kitchen locked after 9pm. " + payload("text")
    note = {
        "note_id": "N-X1",
        "person_id": payload("person"),
        "date": "2026-03-02",
        "service": payload("service"),
        "author": payload("author"),
        "note_type": "daily_note",
        "text": text,
    }
    common = {
        "note_id": "N-X1",
        "score": 0.9,
        "source": payload("source"),
        "explanation": payload("explanation"),
        "suggestion": payload("suggestion"),
        "register_status": "not_in_register",
        "element": "",
    }
    flags = [
        {
            **common,
            "category": "doing_for",
            "start": 0,
            "end": 31,
            "sentence_start": 0,
            "sentence_end": 32,
            "span_text": payload("span"),
        },
        {
            **common,
            "category": "unrecorded_restriction",
            "restriction_type": "environmental",
            "start": 33,
            "end": 47,
            "sentence_start": 33,
            "sentence_end": 59,
        },
        {**common, "category": "missing_rationale", "start": payload("start"), "end": 61},
        {**common, "category": payload("category"), "start": 0, "end": 1},
    ]  # the last two are bad rows: the import errors quote their values
    for f in flags[2:]:
        f.update(sentence_start=0, sentence_end=5)
    (folder / "notes.jsonl").write_text(json.dumps(note) + "\n")
    (folder / "flags.jsonl").write_text("".join(json.dumps(f) + "\n" for f in flags) + "{bad\n")
    (folder / "summary.json").write_text(json.dumps({"run": {"run_id": payload("run")}}))
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[dict]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (see scripts/test_system_deps.sh)")
    workdir = tmp_path_factory.mktemp("payloads")
    run = _payload_run(workdir / "run")
    url = f"sqlite:///{workdir / 'review.db'}"
    engine = make_engine(url)
    report = import_run(engine, run)
    assert report.flags_new == 2 and len(report.errors) == 3, report.errors
    add_users(engine, password_hash)
    restriction = next(f for f in list_flags(engine) if f.category == "unrecorded_restriction")
    record_decision(engine, restriction.flag_id, "confirmed", "al", 0, comment=payload("comment"))
    port = free_port()
    log = (workdir / "streamlit.log").open("w")
    proc = subprocess.Popen(
        streamlit_argv(port), env=streamlit_env(url), cwd=workdir, stdout=log, stderr=log
    )
    try:
        if not wait_healthy(port, timeout=60):
            raise AssertionError((workdir / "streamlit.log").read_text())
        yield {"url": f"http://127.0.0.1:{port}", "engine": engine, "run": run}
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        engine.dispose()


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


def test_no_request_leaves_loopback(server: dict) -> None:
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 2400})

        def block(route: Route) -> None:  # nothing may leave; record it and refuse it
            if _local(route.request.url):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", block)
        context.on("request", lambda r: requests.append(r.url))
        context.on("websocket", lambda ws: requests.append(ws.url))
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("requestfailed", lambda r: _note_failed(requests, r))
        try:
            _visit_everything(page, server)
            outside = sorted({u for u in requests if not _local(u)})
            assert outside == [], outside
            assert len(requests) > 20  # the recorder saw the app's own traffic
            # positive control: an outside fetch from the page is seen (and blocked)
            page.evaluate("fetch('http://198.51.100.7/probe').catch(() => 0)")
            page.wait_for_timeout(500)
            assert "http://198.51.100.7/probe" in requests
        finally:
            context.close()
            browser.close()


def _note_failed(requests: list[str], request: Request) -> None:
    if request.url not in requests:
        requests.append(request.url)


def _open(page: Page, view: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(view, exact=True).click()
    settle(page)
    assert page.get_by_test_id("stException").count() == 0, view


def _visit_everything(page: Page, server: dict) -> None:
    page.goto(server["url"])
    page.get_by_role("textbox", name="User name").fill("ada")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as ada")).to_be_visible()
    settle(page)
    body = page.locator("body")
    # the queue: the note, its flags and the model output are on screen, as text
    expect(body).to_contain_text("text ![img](http://203.0.113.9/text/md.png)")
    for summary in page.locator("summary").all():  # expanders: details, filters
        summary.click()
    settle(page)
    for box in page.get_by_role("combobox").all()[:4]:  # filter lists show every service …
        box.click()
        page.wait_for_timeout(300)
        page.keyboard.press("Escape")
    for key in ("a", "r"):  # decide: the messages quote the flag
        page.keyboard.press(key)
        settle(page)
    nav = page.get_by_test_id("stSidebarNav")
    # link text is "<icon name>\n\n<title>"
    views = [v.strip().splitlines()[-1].strip() for v in nav.locator("a").all_inner_texts()]
    assert {"Supervision", "Dashboard", "Import"} <= set(views), views
    for view in views:
        _open(page, view)
        if view == "Supervision":
            page.get_by_role("combobox", name="Author").click()
            page.get_by_role("option").first.click()
            settle(page)
            expect(body).to_contain_text("author ![img](http://203.0.113.9/author/md.png)")
        if view == "Import":
            page.get_by_role("textbox", name="Run directory").fill(str(server["run"]))
            page.get_by_role("button", name="Import").click()
            settle(page)
            expect(body).to_contain_text("3 rows skipped")
            expect(body).to_contain_text("category ![img](http://203.0.113.9/category/md.png)")
        if view == "Dashboard":
            for tab in page.get_by_role("tab").all():
                tab.click()
                page.wait_for_timeout(300)
        page.mouse.wheel(0, 5000)  # lazy images would load once scrolled into view
        page.wait_for_timeout(500)
