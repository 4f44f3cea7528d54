"""End to end: a real ``streamlit run`` on 127.0.0.1 driven by Chromium through Playwright.

- 20 flags reviewed with single keys (and one undo) on a store of 100,000 flags, at
  1366×768, with the card, its buttons and the key list on screen and not moving;
- every view opens and is photographed at 1366×768 (``scripts/screenshots.py`` writes
  the same pictures into ``docs/screenshots``; ``CAREAUDIT_SCREENSHOTS=DIR`` keeps them).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from review_app import browser, demo_store
from review_app.importer import import_run
from review_app.store import make_engine

from .conftest import PASSWORD, RUN_A, add_users

pytestmark = pytest.mark.slow
CHROMIUM = browser.CHROMIUM  # shared with the other browser tests
CHROME_ARGS = browser.CHROME_ARGS


def settle(page) -> None:
    """Wait until the script run has finished and the page has drawn (charts, fonts)."""
    page.wait_for_timeout(300)
    browser.wait_idle(page, timeout=90_000)
    page.wait_for_timeout(500)


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not Path(browser.CHROMIUM).exists():
        pytest.skip(
            "chromium not installed (apt-get install chromium; see scripts/test_system_deps.sh)"
        )


def _box(page, key: str) -> dict:
    selector = key if key.startswith(".") else f".st-key-{key}"
    box = page.locator(selector).first.bounding_box()
    assert box is not None, key
    return box


def test_review_20_flags_with_single_keys_on_100k_flags(tmp_path: Path, password_hash: str) -> None:
    started = time.perf_counter()
    url = f"sqlite:///{tmp_path / 'review.db'}"
    engine = demo_store.build(url, 100_000, password_hash)
    assert demo_store.store_size(engine)["flags"] >= 100_000
    with browser.app_server(url, tmp_path) as base, browser.chromium() as chrome:
        page = chrome.new_context(viewport=browser.VIEWPORT).new_page()
        page.set_default_timeout(30_000)
        browser.sign_in(page, base, "ann", PASSWORD)
        browser.wait_card(page)  # the buttons too: a key pressed before them is dropped
        # the whole card, its buttons and the key list fit 1366×768
        for key in (".ca-note", ".ca-flags", ".ca-legend", "card_accept", "card_undo"):
            box = _box(page, key)
            assert box["y"] >= 0 and box["y"] + box["height"] <= 768, key
        keys_line = _box(page, ".ca-keys")
        assert keys_line["y"] + keys_line["height"] <= 768
        assert "a accept" in page.locator(".ca-keys").first.inner_text()
        anchor = _box(page, "card_accept")

        card = browser.current_card(page)
        seen = [card]
        decided = 0
        while decided < 20:
            if decided == 7:  # a reject: a reason by its number key, then r
                card = browser.reject(page, card)
            else:
                browser.press(page, "a")
                card = browser.wait_card_change(page, card)
            decided += 1
            seen.append(card)
            if decided == 10:  # undo: the previous card comes back, then decide it again
                browser.press(page, "u")
                card = browser.wait_card_change(page, card)
                assert card == seen[-2]
            assert _box(page, "card_accept")["y"] == pytest.approx(anchor["y"], abs=1)
        browser.press(page, "i")  # skip: no decision, the next card
        card = browser.wait_card_change(page, card)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT decision, count(*) FROM decisions GROUP BY decision ORDER BY decision"
        ).all()
        states = conn.exec_driver_sql(
            "SELECT count(*) FROM flag_state WHERE status != 'open'"
        ).scalar()
    counts = dict(rows)
    assert counts.get("reopened", 0) >= 1 and counts.get("dismissed", 0) >= 1
    assert states >= 20  # 20 cards decided (some hold several flags), one undone and redone
    engine.dispose()
    assert time.perf_counter() - started < 120


def test_every_view_renders_in_a_browser(tmp_path: Path, password_hash: str) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    engine = make_engine(url)
    import_run(engine, RUN_A)
    add_users(engine, password_hash)
    demo_store.seed_reviews(engine, cards=5)
    engine.dispose()
    out = Path(os.environ.get("CAREAUDIT_SCREENSHOTS") or tmp_path / "shots")
    with browser.app_server(url, tmp_path) as base, browser.chromium() as chrome:
        shots = browser.capture_views(chrome, base, PASSWORD, out)
    assert len(shots) == len(browser.SCREENS)
    assert all(p.stat().st_size > 10_000 for p in shots)
