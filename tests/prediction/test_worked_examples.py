"""The guideline's worked examples, end to end through ``careaudit audit``'s path: each
flag fires where the table says 1 and stays silent where it says 0."""

import pytest

from nlp.analysis import english
from nlp.analysis.analyzer import Analyzer
from nlp.analysis.pipelines import build_full
from nlp.audit.auditor import Auditor
from nlp.prediction.registry import load_sentence_model
from nlp.schema import Note

# sentence, doing_for, unrecorded_restriction, missing_rationale (no register supplied)
WORKED = [
    ("Staff washed and dressed Mary before breakfast.", 1, 0, 0),
    ("Mary chose her blue jumper and dressed herself with prompts.", 0, 0, 0),
    ("Kitchen locked after 9pm.", 0, 1, 1),
    ("Kitchen locked after 9pm as per John's best-interests decision of 3 May.", 0, 0, 0),
    ("John was told he could not go to the shop until he tidied his room.", 0, 1, 0),
    ("PRN lorazepam given.", 0, 0, 1),
    ("PRN lorazepam given as John was banging his head; distraction and a walk had not "
     "helped (PBS plan step 3).", 0, 0, 0),
    ("Staff took his phone off him.", 0, 1, 1),
    ("Outing cancelled due to staff shortage.", 0, 1, 0),
    ("Personal care given.", 1, 0, 0),
    ("John declined his shower and said he would have one tonight.", 0, 0, 0),
]
CATEGORIES = ("doing_for", "unrecorded_restriction", "missing_rationale")


# the distilled tagger/parsers under models/parser/ (docs/speed.md) must not change a
# worked example's flags either, whichever parser is the default
PARSERS = ["default",
           *sorted(p.parent.name for p in english.PARSER_MODELS_DIR.glob("*/model.json"))]


@pytest.fixture(scope="module")
def analyzers():
    return {}


@pytest.fixture(scope="module",
                params=[(m, p) for p in PARSERS for m in ("hybrid", "rules")],
                ids=lambda mp: "-".join(mp))
def flags_by_note(request, analyzers):
    kind, parser = request.param
    notes = [Note(note_id=f"W{i}", person_id="P-1", date="2026-03-01", text=row[0])
             for i, row in enumerate(WORKED)]
    analyzer = None
    if parser != "default":
        if parser not in analyzers:
            analyzers[parser] = Analyzer(full=build_full(parser=parser))
        analyzer = analyzers[parser]
    result = Auditor(load_sentence_model(kind), analyzer=analyzer).run(notes)
    found: dict[str, set[str]] = {}
    for f in result.flags:
        found.setdefault(f.note_id, set()).add(f.category)
    return found


@pytest.mark.parametrize(("i", "row"), list(enumerate(WORKED)))
def test_worked_example(flags_by_note, i, row):
    expected = {c for c, v in zip(CATEGORIES, row[1:], strict=True) if v}
    assert flags_by_note.get(f"W{i}", set()) - {"plan_gap"} == expected, row[0]
