"""Trainer: pick reviewed flags, export them as de-identified gold JSONL."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from nlp.deid import Pseudonymiser
from review_app import session
from review_app.auth import SignedInUser
from review_app.render import CATEGORY_LABELS, md_text
from review_app.store import FlagFilter, filter_options
from review_app.teaching import (
    TEACHABLE,
    build_examples,
    completeness,
    teachable_flags,
    to_jsonl,
)

NAME = "Teaching examples"


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    st.header("Teaching examples")
    st.caption(
        "Reviewed notes become de-identified examples in the gold JSONL format "
        "(confirmed → label 1, dismissed → 0, missed → 1; a sentence nobody decided is "
        "null, never 0), ready for `careaudit train`."
    )
    opts = filter_options(engine)
    a, b, c = st.columns(3)
    categories = a.multiselect(
        "Category",
        TEACHABLE,
        default=list(TEACHABLE),
        key="t_categories",
        format_func=lambda x: CATEGORY_LABELS.get(x, x),
    )
    decisions = b.multiselect(
        "Decision",
        ["confirmed", "dismissed"],
        default=["confirmed", "dismissed"],
        key="t_decisions",
    )
    services = c.multiselect("Service", opts["services"], key="t_services")
    flags = [
        f
        for f in teachable_flags(engine, FlagFilter(categories=categories, services=services))
        if f.status in decisions
    ]
    if not flags:
        st.info("No reviewed flags match. Confirmed and dismissed flags appear here.")
        return
    by_id = {f.flag_id: f for f in flags}
    picked = st.multiselect(
        f"Examples ({len(flags)} reviewed flags match)",
        list(by_id),
        default=list(by_id),
        key="t_pick",
        format_func=lambda i: (
            f"{by_id[i].status} · {by_id[i].category} · {by_id[i].note_id} · "
            f"“{by_id[i].span_text[:40]}”"
        ),
    )
    complete, total = completeness(engine, picked, with_marks=not services)
    st.metric(
        "Complete notes",
        f"{complete} of {total}",
        help="Complete: every sentence's label is known (all flags on the note decided and "
        "the note marked reviewed in the queue). Only complete notes are exported unless "
        "partial ones are included.",
    )
    include_partial = st.checkbox(
        f"Include the {total - complete} partial notes (undecided sentences exported as null)",
        key="t_partial",
        disabled=complete == total,
    )
    extra = st.text_input(
        "Also replace these names (comma-separated)",
        key="t_extra",
        help="Names the model missed; they are replaced like the names it finds.",
    )
    if st.button("Build teaching examples", type="primary", key="t_build", disabled=not picked):
        from nlp.deid import ModelMissing
        from nlp.prediction.store import UnsafeModel

        try:
            deid = session.analyzer()
        except (ModelMissing, UnsafeModel) as exc:  # nothing is exported without it
            st.error(f"De-identification is not available: {exc}")
            return
        with st.spinner("De-identifying…"):
            pseudonymiser = Pseudonymiser(
                deid, extra_names=[n for n in extra.split(",") if n.strip()]
            )
            records = build_examples(
                engine,
                picked,
                pseudonymiser,
                include_partial=include_partial,
                with_marks=not services,
            )
        st.session_state["t_result"] = (to_jsonl(records), records, dict(pseudonymiser.counts))
    result = st.session_state.get("t_result")
    if not result:
        return
    jsonl, records, counts = result
    replaced = ", ".join(f"{n} {k.lower().replace('_', ' ')}" for k, n in sorted(counts.items()))
    st.success(f"{len(records)} notes ready. Replaced: {replaced or 'nothing'}.")
    st.download_button(
        "Download teaching examples (JSONL)",
        jsonl,
        "teaching_examples.jsonl",
        "application/jsonl",
        key="t_download",
    )
    st.caption("Check the preview before sharing: automatic de-identification can miss things.")
    for record in records[:5]:
        label = f"{record['note_id']} · {record['service']} · {record['date']}"
        with st.expander(md_text(label)):
            st.text(record["text"])
            st.dataframe(
                [
                    {
                        "sentence": record["text"][s["start"] : s["end"]],
                        **{k: v for k, v in s.items() if k not in ("start", "end")},
                    }
                    for s in record["sentences"]
                ],
                hide_index=True,
            )
