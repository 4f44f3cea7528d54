"""Single-key shortcuts: a small local script that clicks the card's buttons.

Streamlit reserves ``r`` and ``c`` for its own shortcuts and binds keys to buttons only
with its own rules, so the app installs one ``keydown`` listener on the page (capture
phase, before Streamlit's) that clicks the button whose widget key it maps to: a
Streamlit widget with ``key="card_accept"`` sits in an element with the class
``st-key-card_accept``. The script is inline (nothing is fetched), ignores keys typed
into a text box or with Ctrl/Alt/Cmd held, and ignores keys while a rerun is drawing
the next card, so a key press always applies to the card the reviewer is looking at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

# action -> widget key of the button it clicks
BUTTON_KEYS: dict[str, str] = {
    "accept": "card_accept",
    "reject": "card_reject",
    "skip": "card_skip",
    "undo": "card_undo",
}
REASON_KEY = "card_reason"  # number keys 1–9 click the n-th reason pill

_HANDLER = """
(function () {
  if (window.__careauditKeysBound) return;
  window.__careauditKeysBound = true;
  window.addEventListener("keydown", function (e) {
    var cfg = window.__careauditKeys;
    if (!cfg || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    var t = e.target, tag = (t && t.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (t && t.isContentEditable) return;
    var k = (e.key || "").toLowerCase(), el = null;
    if (cfg.keys[k]) {
      el = document.querySelector(".st-key-" + cfg.keys[k] + " button");
    } else if (/^[1-9]$/.test(k)) {
      var pills = document.querySelectorAll(".st-key-" + cfg.reason + " button");
      el = pills[parseInt(k, 10) - 1] || null;
    }
    if (!el) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    var app = document.querySelector('[data-testid="stApp"]');
    if (app && app.getAttribute("data-test-script-state") === "running") return;
    if (el.disabled) return;
    el.click();
  }, true);
})();
"""

_SCROLL = """
(function () {
  if (window.__careauditScrolledTo === window.__careauditCard) return;  /* once per card */
  window.__careauditScrolledTo = window.__careauditCard;
  var mark = document.querySelector(".ca-note mark.ca-current");
  if (!mark) return;
  var box = mark.parentElement;
  while (box && box !== document.body) {
    var style = getComputedStyle(box);
    if (/(auto|scroll)/.test(style.overflowY) && box.scrollHeight > box.clientHeight) break;
    box = box.parentElement;
  }
  if (!box || box === document.body) return;
  var top = mark.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
  box.scrollTop = Math.max(0, top - box.clientHeight / 3);
})();
"""


def key_script(keys: Mapping[str, str], card: str = "", run: int | None = None) -> str:
    """The ``<script>`` for ``st.html(..., unsafe_allow_javascript=True)``.

    ``keys`` maps actions (accept, reject, skip, undo) to single letters; ``card``
    changes the markup per card so that the current flag is scrolled into view. ``run``
    (the queue's run count) is set as ``window.__careauditRun`` once the run has drawn
    the card: a browser script can wait for it (the page's running state can go from
    running to finished within one frame, so watching it can miss a fast run).
    """
    config = {
        "keys": {k.lower(): BUTTON_KEYS[a] for a, k in keys.items() if a in BUTTON_KEYS},
        "reason": REASON_KEY,
    }
    payload = json.dumps(config).replace("<", "\\u003c")
    card_id = json.dumps(card).replace("<", "\\u003c")
    count = f"window.__careauditRun = {int(run)};" if run is not None else ""
    return (
        f"<script>window.__careauditKeys = {payload}; window.__careauditCard = {card_id};"
        f"{count}{_HANDLER}setTimeout(function () {{{_SCROLL}}}, 60);</script>"
    )
