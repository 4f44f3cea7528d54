"""Explanations and suggestions a care worker can act on, specific to the flagged sentence.

In: the flagged sentence, its span, what the pipeline found (rule id, restriction type,
register status) and the note. Out: one short explanation and one suggestion per flag,
in plain words, carried by :class:`~nlp.schema.Flag` into ``flags.csv`` and the review app.

- ``doing_for``: an enabling rewording of *that* sentence with the person as the one
  acting. Where the rule fired, the parse already said who did what to whom (span of a
  passive rule = patient … verb; active rule = verb … object); the rewording moves the
  person into the subject, drops the staff agent into "with support from …", and turns
  staff-side verbs into what the person did ("fed" → "ate", "hoisted" → "moved with the
  hoist"). "Staff washed and dressed Mary" → "Mary washed and dressed with support from
  staff".
- ``unrecorded_restriction``: what to cite for this type of restriction, and what the
  register says (missing, out of date since a date, not checked).
- ``missing_rationale``: what the reason should say: the trigger, the person's view, the
  less restrictive option tried first (PRN: the signs, what was tried, whether it helped).
- ``plan_gap``: what to add to the plan for this restriction, per missing element.

Pure text processing: no model is loaded here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from nlp.analysis import lexicon

TYPE_WORDS: dict[str, str] = {
    "environmental": "a restriction of the environment (something locked, switched off or removed)",
    "physical": "physical restraint or holding",
    "mechanical": "a mechanical restraint",
    "chemical": "medicine used to manage behaviour",
    "seclusion": "keeping the person apart from others",
    "supervision_surveillance": "supervision or monitoring",
    "routine_rule": "a rule or a refusal",
    "possessions_finance": "control of the person's belongings or money",
    "contact_communication": "a limit on contact with other people",
    "coercion_threat": "a threat or sanction",
}
AUTHORITY: dict[str, str] = {
    "environmental": "the best-interests decision or care-plan section that allows it",
    "physical": "the behaviour support plan that allows this hold, and the incident record "
    "(what happened just before, how long the hold lasted, who was involved)",
    "mechanical": "the best-interests decision and risk assessment for the equipment",
    "chemical": "the PRN protocol or the prescriber's instruction",
    "seclusion": "the behaviour support plan or authorisation for keeping {name} apart, "
    "with start and end times",
    "supervision_surveillance": "the care-plan section or DoLS/LPS authorisation for the "
    "monitoring",
    "routine_rule": "the individual decision it rests on (a house rule is not an authority); "
    "if it was {name}'s own choice, say so",
    "possessions_finance": "the capacity assessment and agreed money or belongings plan "
    "(appointee, deputy or best-interests decision)",
    "contact_communication": "the care-plan section, best-interests decision or court order "
    "that limits contact",
    "coercion_threat": "no authority (threats and sanctions are never authorised)",
}
PLAN_ADVICE: dict[str, str] = {
    "rationale": "why {span} is needed: the assessed risk to {name} it addresses (link the "
    "risk assessment)",
    "alternative": "the less restrictive options tried or considered before {span}, and what "
    "staff do first",
    "review_date": "a review date for {span}, and who reviews it",
    "involvement": "how {name} (and family or an advocate) took part in deciding {span}: "
    "what {subj} said and whether {subj} agreed",
}

_DF = lexicon.load("doing_for")
CARE_WORDS = (
    frozenset(_DF["care_objects"])
    | frozenset(_DF["care_verbs"])
    | {
        "pc",
        "pad",
        "wash",
        "full",
        "mouth",
        "personal",
        "all",
    }
)
STAFF_WORDS = frozenset(_DF["staff_agents"]) | {"staff", "carer", "carers", "nurse", "team"}
_COMMON_CAPITALISED = (
    "The This That Then After Before Later Today Tonight Morning Afternoon Evening Night "
    "Staff Breakfast Lunch Dinner Tea Supper Bed Room Kitchen Wifi Mum Dad Nan Sister "
    "Brother Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February "
    "March April May June July August September October November December Full Pad Put "
    "Told Took Gave Given Made Went Back Bath Chair Hoisted Fed Lunch PRN Meds Mood "
    "Care Plan Nurse Manager Team Shift Call Tesco Spar Asda Boots Keys Door Sensor Rails "
    "She Her Hers Herself His Him Himself They Them Their You Your There Here These Those "
    "What When Where Who Why How And But Also Was Were Has Had Did Does Not Yes Nothing "
    "All Some Any Each Every One Two Three Both Still Now Just Very Once Again Later Soon"
)
NOT_NAMES = frozenset(w.lower() for w in _COMMON_CAPITALISED.split()) | STAFF_WORDS
SUBJECT_VERBS = (
    "was|is|has|had|got|went|said|says|asked|wanted|chose|refused|ate|made|came|did|seemed|"
    "appeared|became|enjoyed|told|took|slept|woke|stayed|spent|watched|looked|walked|"
    "declined|agreed|likes|liked|needs|needed|arr|arrived|returned|left|attended|visited"
)
PERSON_FORMS: dict[str, str] = {
    "fed": "ate",
    "spoon-fed": "ate",
    "hoisted": "moved with the hoist",
    "toileted": "used the toilet",
    "repositioned": "changed position",
    "transferred": "moved",
    "taken": "went",
    "wheeled": "went",
    "pushed": "went",
    "given": "had",
    "assisted": "managed",
}
_OBJECT_FIRST = re.compile(
    r"^(?P<obj>(?:full\s+|am\s+|pm\s+)?(?:pc|p/c|personal care|pad|breakfast|lunch|dinner|"
    r"tea|supper|meal|(?:bed\s+|strip\s+)?wash|shave|bath|shower|mouth care|oral care|"
    r"washing|laundry|cream|creams|meds|medication))\s+(?:was\s+|were\s+)?"
    r"(?P<verb>given|done|made|changed|completed|attended(?:\s+to)?|provided|applied|"
    r"put on|fed|run|carried out)\b",
    re.I,
)
_AGENT = re.compile(
    r"\s*,?\s*\b(?:by|with)\s+(?:the\s+)?(?:(?:two|2|x\s?2)\s+)?"
    r"(?P<who>me|us|staff|carers?|nurses?|the team|night staff|day staff)\b",
    re.I,
)
_LEAD_AGENT = re.compile(
    r"^(?P<who>(?:the\s+)?(?:night\s+|day\s+)?(?:staff|carers?|nurse|team)|i|we)\s+", re.I
)
_TIMES_TWO = re.compile(r"\s*\bx\s?2(?:\s+staff)?\b", re.I)
_PARTICIPLE = r"(?:[a-z-]+ed|given|taken|got|put|fed|done|made|cut|held|kept|brought|hung|shaven)\b"
_WAS = re.compile(rf"\b(?:was|were|has been|had been|is being|was being)\s+(?={_PARTICIPLE})", re.I)
_PUT_TO_BED = re.compile(r"\b[Pp]ut\s+(?=to\b|into\b|in\s+bed\b|back\s+to\b)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_VERB = r"\b([a-z-]+(?:ed|ut|de|ve|id|ot))"


@lru_cache(maxsize=1024)
def _person_object_patterns(names: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The person as object ("for Mary", "washed Mary"), compiled once per set of names
    (re's own cache holds 512 patterns, fewer than a service's residents' names)."""
    return (
        re.compile(rf"\s+for\s+(?:{names}|her)\b", re.I),
        re.compile(rf"{_VERB}\s+(?:{names})\b(?!['’])", re.I),
    )


# after "her": what shows it is an object, not a possessive ("washed her and", "changed her pad")
_NOT_A_NOUN = (
    r"\s*(?:$|[,.;]|(?:and|then|before|after|at|in|on|to|into|from|with|for|as|while|"
    r"up|down|back|out|the|a|an|some)\b|\d)"
)


@dataclass(frozen=True, slots=True)
class Person:
    """How to name the person a note is about."""

    name: str  # first name, or "" when none was found
    subj: str  # he / she / they
    pos: str  # his / her / their
    refl: str  # himself / herself / themselves

    @property
    def call(self) -> str:
        """The name, or 'the person'."""
        return self.name or "the person"

    @property
    def Subject(self) -> str:
        return self.name or self.subj.capitalize()


@lru_cache(maxsize=64)
def person_in(note_text: str, sentence: str = "") -> Person:
    """The person a note is about: a first name used as a subject, and their pronouns.

    Cached (called once per flag on the same note) and linear in the note's length.
    """
    lower = set(re.findall(r"\b[a-z]+\b", note_text))
    scores: Counter[str] = Counter()
    pattern = r"\b([A-Z][a-z]{2,})(?:['’]s)?\b(\s+(?:" + SUBJECT_VERBS + r")\b)?"
    for m in re.finditer(pattern, note_text):
        word = m.group(1)
        if word.lower() in NOT_NAMES or word.lower() in lower:
            continue
        i = m.start()  # step back over spaces and quotes (slicing the text was quadratic)
        while i > 0 and note_text[i - 1] in " \t\"'‘“(":
            i -= 1
        starts_sentence = i == 0 or note_text[i - 1] in ".!?\n:;"
        score = (3 if m.group(2) else 0) + (0 if starts_sentence else 1)
        if score:
            scores[word] += score + (1 if word in sentence else 0)
    name = scores.most_common(1)[0][0] if scores else ""
    words = Counter(w.lower() for w in re.findall(r"\b[A-Za-z]+\b", note_text))
    he = words["he"] + words["him"] + words["his"] + words["himself"]
    she = words["she"] + words["her"] + words["hers"] + words["herself"]
    if he > she:
        return Person(name, "he", "his", "himself")
    if she > he:
        return Person(name, "she", "her", "herself")
    return Person(name, "they", "their", "themselves")


def quote(text: str, limit: int = 70) -> str:
    """Text in curly quotes, shortened at a word boundary."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"“{text}”"


# --- doing for ---------------------------------------------------------------------------


def _agent_phrase(who: str) -> str:
    who = who.lower().strip()
    if who in ("i", "me"):
        return "with my support"
    if who in ("we", "us"):
        return "with our support"
    return "with support from staff"


def _person_words(person: Person) -> set[str]:
    words = {"him", "her", "them", "he", "she", "they"}
    if person.name:
        words.add(person.name.lower())
    return words


def reword(sentence: str, person: Person, span: str = "", rule: str = "") -> str | None:
    """``sentence`` rewritten with the person as the one acting, or None if no rewrite.

    ``rule`` and ``span`` are the doing-for rule that fired and its span (from the
    dependency parse: ``passive`` = patient … verb, ``active`` = verb … object).
    """
    text = " ".join(sentence.split()).rstrip(" .;")
    if not text:
        return None
    agent = "staff"
    span = " ".join(span.split())
    if rule.endswith(("active", "passive")) and span and span in text:
        # the parse found the task: rewrite from it on; who did it is in what came before
        prefix, text = text[: text.index(span)], text[text.index(span) :]
        staff = re.findall(r"\b(I|we|staff|carers?|nurse)\b", prefix, flags=re.I)
        agent = staff[-1] if staff else agent
    if m := _AGENT.search(text):
        agent = m.group("who")
        text = (text[: m.start()] + text[m.end() :]).strip()
    text = _TIMES_TWO.sub("", text)
    if m := _LEAD_AGENT.match(text):
        agent = m.group("who")
        text = text[m.end() :]
    subject = person.Subject
    own = _person_words(person)
    first = _WORD.match(text)
    starts_with_person = bool(first) and (
        first.group(0).lower() in own or _looks_like_name(first.group(0))
    )
    if rule.endswith("passive") and span:
        head = _WORD.match(span)
        if head and head.group(0)[0].isupper() and head.group(0).lower() not in own | {"the"}:
            subject = head.group(0)
    if starts_with_person and first:
        word = first.group(0)
        if word.lower() not in ("he", "she", "they", "him", "her", "them") or not person.name:
            subject = {"him": "He", "her": "She", "them": "They"}.get(word.lower(), word)
            subject = subject[0].upper() + subject[1:]
        text = text[first.end() :].lstrip()
    text = _PUT_TO_BED.sub("went ", _WAS.sub("", text))
    if m := _OBJECT_FIRST.match(text):
        text = _object_first(m.group("obj"), m.group("verb"), person) + text[m.end() :]
    # drop the person as object ("washed and dressed her", "for him")
    names = "|".join(re.escape(w) for w in sorted(own - {"he", "she", "they", "her"}))
    for_person, verb_person = _person_object_patterns(names)
    text = for_person.sub("", text)
    text = verb_person.sub(r"\1", text)
    text = re.sub(rf"{_VERB}\s+her\b(?={_NOT_A_NOUN})", r"\1", text, flags=re.I)
    text = re.sub(r",\s*(?:given|done|fed|completed)\s*$", "", text, flags=re.I)
    changed = False
    words = []
    for token in re.split(r"(\s+)", text):
        low = token.lower().strip(",")
        if low in PERSON_FORMS:
            words.append(token.lower().replace(low, PERSON_FORMS[low]))
            changed = True
        else:
            words.append(token)
    text = "".join(words).strip(" ,")
    if not text:
        return None
    if not changed and not re.search(
        r"\b(?:[a-z]+ed|made|did|done|had|got|put|cut|went|took|ate|ran)\b", text, re.I
    ):
        return None
    if text[:1].isupper() and not text.startswith("I "):
        word = _WORD.match(text)
        if word and word.group(0).lower() not in own:
            text = text[0].lower() + text[1:]
    support = _agent_phrase(agent)
    parts = re.split(r"(?=,|\bwhile\b|\bas\b|\bbecause\b|\bso\b)", text, maxsplit=1)
    clause = parts[0].rstrip()
    if not _VERB_FIRST.match(clause):  # "He his dinner served ...": no sentence, no rewrite
        return None
    rest = parts[1] if len(parts) > 1 else ""
    rest = re.sub(r"^,\s*(?:given|done)\s*$", "", rest)
    rest = rest.strip()
    gap = "" if rest.startswith(",") or not rest else " "
    return f"{subject} {clause} {support}{gap}{rest}."


# A rewording must read "<person> <past-tense verb> ...": anything else is word salad.
_VERB_FIRST = re.compile(
    r"(?:[a-z-]+ed|made|did|had|got|put|cut|went|took|ate|ran|sat|came|gave|chose|brushed"
    r"|drank|wore|held|kept|left|set|shut|sang|swam|rode|drove|spent|bought|paid|fed"
    r"|was|were)\b",
    re.I,
)


def _looks_like_name(word: str) -> bool:
    """A capitalised word that is no common word, care task or staff-side verb."""
    low = word.lower()
    return (
        word[:1].isupper()
        and len(word) > 2
        and low not in NOT_NAMES
        and low not in PERSON_FORMS
        and not low.endswith(("ed", "ing"))
        and low not in CARE_WORDS
    )


def _object_first(obj: str, verb: str, person: Person) -> str:
    o, v = obj.lower(), verb.lower()
    if o in ("pc", "p/c", "personal care", "full pc", "am pc", "pm pc"):
        return "had personal care"
    if o == "pad":
        return f"changed {person.pos} pad"
    if o in ("mouth care", "oral care"):
        return f"cleaned {person.pos} teeth"
    if o in ("washing", "laundry"):
        return f"did {person.pos} washing"
    if o in ("cream", "creams"):
        return f"put {person.pos} cream on"
    if o in ("meds", "medication"):
        return f"took {person.pos} medicines"
    if v == "made":
        return f"made {person.pos} {o}"
    if any(w in o for w in ("wash", "shave", "bath", "shower")):
        return f"had a {o}"
    if v == "fed":
        return f"ate {person.pos} {o}"
    return f"had {person.pos} {o}"


def doing_for(sentence: str, span: str, rule: str, person: Person) -> tuple[str, str]:
    """(explanation, suggestion) for a doing_for flag on ``sentence``."""
    who = person.call
    if rule.endswith("shorthand"):
        why = f"{quote(span)} is task shorthand: it does not say what {who} did, chose or said."
    elif rule.endswith("passive"):
        why = f"{quote(span)} says what was done to {who}, not what {who} did, chose or said."
    elif rule.endswith("active"):
        why = (
            f"{quote(span)} records staff doing the task for {who}, with no sign of "
            f"{person.pos} part in it or {person.pos} choice."
        )
    else:
        why = (
            f"{quote(sentence)} describes a daily task done for {who} rather than with "
            f"{'them' if person.subj == 'they' else ('him' if person.subj == 'he' else 'her')}."
        )
    rewritten = reword(sentence, person, span, rule)
    then = (
        f"record what {who} did {person.refl}, what {person.subj} chose and any help "
        f"{person.subj} asked for"
    )
    if rewritten:
        return why, f"Instead of {quote(span, 50)}, try: “{rewritten}” Then {then}."
    return why, (
        f"Rewrite {quote(sentence)} with {who} as the one acting: {then}, and the support "
        "staff gave."
    )


# --- restrictions and rationale ---------------------------------------------------------


_FUNCTION_WORDS = frozenset(
    {
        *("the", "and", "was", "were", "for", "with", "his", "her", "their", "him"),
        *("she", "they", "had", "has", "not", "but", "from", "this", "that", "staff"),
        *("then", "when", "what", "who", "said", "told", "no", "yes", "he", "it"),
    }
)


def has_content(span: str) -> bool:
    """A span such as 'told him no' says nothing on its own: quote the sentence instead."""
    return any(w.lower() not in _FUNCTION_WORDS for w in span.split() if len(w) >= 3)


def restriction(
    span: str,
    sentence: str,
    restriction_type: str,
    register_status: str,
    person: Person,
    review_date: str = "",
) -> tuple[str, str]:
    """(explanation, suggestion) for an unrecorded_restriction flag."""
    span = span.strip() or sentence.strip()  # a model-only flag: quote the sentence
    what = TYPE_WORDS.get(restriction_type, "a restriction")
    who = person.call
    register = {
        "out_of_date": f"; register entry out of date (review date {review_date})"
        if review_date
        else "; register entry out of date",
        "no_register": "; no restriction register was checked",
    }.get(register_status, f"; it is not in {who}'s restriction register")
    why = f"{quote(span)} looks like {what}, and the note cites no authority{register}."
    cite = AUTHORITY.get(restriction_type, "the decision that allows it").format(name=who)
    basis = span if has_content(span) else sentence.strip() or span
    short = quote(basis.rstrip(".;,"), 45)[1:-1]
    example = f"“{short}, as agreed in {who}’s best-interests decision of [date]”"
    if restriction_type == "coercion_threat":
        tip = (
            f"Nothing authorises {quote(span, 50)}: threats and sanctions are not an "
            f"authorised practice. Record what happened and what {who} was told, tell the "
            f"manager, and follow {person.pos} positive behaviour support plan instead."
        )
    elif register_status == "out_of_date":
        tip = (
            f"Ask for the register entry to be reviewed with {who} before it is used again, "
            f"then cite it and {cite} in the note, e.g. {example}."
        )
    elif register_status == "no_register":
        tip = f"Cite {cite} in the note, e.g. {example}, and check the register."
    else:
        tip = (
            f"If it is authorised, cite {cite} in the note, e.g. {example}; if not, tell the "
            "manager so it can be assessed and added to the register."
        )
    return why, tip


def missing_rationale(span: str, sentence: str, person: Person) -> tuple[str, str]:
    """(explanation, suggestion) for a missing_rationale flag."""
    who = person.call
    why = (
        f"{quote(span)} records a decision about {who} without saying why: no reason, no view "
        f"of {who} and no link to a plan or decision nearby."
    )
    low = sentence.lower()
    if "prn" in low or "as required" in low:
        tip = (
            f"Say why the PRN was given: what {who} was doing or saying (the signs), what was "
            f"tried first, what {person.subj} said about it, and whether it helped."
        )
    else:
        tip = (
            f"Say why {quote(span, 50)}: what happened just before (the trigger), what {who} "
            f"said or wanted, and the less restrictive option tried first — or name the plan "
            f"or decision it follows."
        )
    return why, tip


def plan_gap(element: str, span: str, person: Person) -> str:
    """What to add to a care plan that names a restriction without ``element``."""
    advice = PLAN_ADVICE.get(element, "the missing element for {span}")
    text = advice.format(span=quote(span, 50), name=person.call, subj=person.subj)
    return f"Add to the plan {text}."
