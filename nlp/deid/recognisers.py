"""Pattern recognisers: identifiers, contact details, addresses, rooms, GP surgeries, dates.

Each returns :class:`Entity` spans of the raw text; names and places come from
:mod:`nlp.deid.names`, which sees these spans and leaves them alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from nlp.deid.dates import MONTHS, find_dates, real_day
from nlp.deid.entities import Entity
from nlp.deid.lexicons import address_words
from nlp.deid.pseudonyms import DIGIT_VALUES, spoken_digits

EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
NHS = re.compile(r"(?<![\d/-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d/-])")
# ten digits in other groups of two or more: "9212 997 228", "9893 2880 45" (checksum needed)
NHS_REGROUPED = re.compile(r"(?<![\d/.:-])\d{2,6}(?:[ -]\d{2,6}){1,3}(?![\d/:-]|\.\d)")
NI = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"(?P<sep>\s?)\d{2}(?P=sep)\d{2}(?P=sep)\d{2}(?P=sep)[A-D]\b",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+44\s?(?:\(0\)\s?)?|0044\s?|0)\d[\d\s-]{7,13}\d"
    r"|\(0\d{2,4}\)\s?\d[\d\s-]{4,10}\d)(?![\d])"
)
POSTCODE = re.compile(
    r"\b(?P<out>[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPSTUW\d]?)(?P<sep>\s?)(?P<in>\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
ID_CODE = re.compile(
    r"(?<![\w@.])(?=[A-Za-z0-9/-]*[A-Za-z])(?:[A-Za-z]{1,6}\d*(?:[-/][A-Za-z0-9]{1,12})+"
    r"|[A-Za-z]{1,4}\d{5,12})(?![\w@])"
)
SHORT_ID = re.compile(r"(?<![\w@.-])[A-Z]{1,3}-\d{3,}(?:-\d+)*(?![\w@-])")
ID_LABELLED = re.compile(
    r"\b(?:ref(?:erence)?|no|number|id|mrn|urn|crn|nhi|case|hosp(?:ital)?|account|acct|claim|chi"
    r"|datix|dols|h&c|h\s?&\s?c|referral|incident|complaint|invoice|file|client|patient|ppn"
    r"|la\s+ref|swift|mosaic|liquidlogic|lcs|frameworki|rio|systmone|emis"
    r"|passport|(?:driving\s+)?licen[cs]e|blue\s+badge|badge|tenancy|policy|pension|payroll"
    r"|staff|employee|utr|pas|membership|home\s+office|ho|uci|nass|council\s+tax|housing"
    r"|carefirst|paris|eclipse|azeus|wcchc|ccis|pid|unit\s+no)\.?"
    r"\s*(?:ref(?:erence)?\.?|no\.?|number|id)?\s*(?:[:#]|\bis\b|\bwas\b)?\s*"
    r"(?P<id>\d{5,12}|\d{2,6}(?:[/-]\d{1,8})+"
    r"|(?=[A-Za-z0-9/-]*\d)(?=[A-Za-z0-9/-]{5})[A-Za-z0-9]+(?:[/-][A-Za-z0-9]+)*)(?![\w@])",
    re.IGNORECASE,
)
# an unlabelled code: letters and digits mixed, 6 characters or more, 2 digits or more, any
# case (``RX55A21``, ``ab12cd34``); ``LETTERS 1234567`` (``COP 14470921``)
MIXED_ID = re.compile(
    r"(?<![\w@./-])(?=[A-Za-z]*\d[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}(?![\w@/-])"
)
# a labelled reference written in groups: "HOSP NO: G22 018 4471", "ref PIP 0073 4419 2",
# "HOSPITAL NO: AUH 0771 3392" (6 digits or more)
SPACED_LABELLED = re.compile(
    r"\b(?i:ref(?:erence)?|no|number|hosp(?:ital)?\s+no|chi|h\s?&\s?c)\.?\s*[:#]?\s*"
    r"(?P<id>(?:[A-Z]{1,4}\d{0,3}\s)?\d{2,6}(?:\s\d{1,6}){1,3})(?![\w@/-])"
)
# a short reference after a label that only an identifier follows: "Datix 4471", "ref #0872",
# "incident no. 3315", "MRN: 4471" (not a year: "case 2019")
SHORT_LABELLED = re.compile(
    r"\b(?i:ref(?:erence)?|datix|incident|complaint|invoice|claim|referral|mrn|urn|crn"
    r"|client|patient|hosp(?:ital)?\s+no|safeguarding|s42|dols"
    r"|(?<!in\s)case(?=\s*(?i:no\b|number|ref|id\b|[:#])))\.?"
    r"\s*(?i:ref(?:erence)?\.?|no\.?|number|id)?\s*[:#]?\s*"
    r"(?P<id>(?!(?:19|20)\d\d\b)\d{3,4})(?![\w@/.:-])"
)
# bank sort code: "sort code 20-45-67"
SORT_CODE = re.compile(r"\b(?i:sort\s*code)\s*[:#]?\s*(?P<id>\d{2}([- ])\d{2}\2\d{2})\b")
_DATE_SHAPED = re.compile(r"(?:0?[1-9]|[12]\d|3[01])([/-])(?:0?[1-9]|1[0-2])(?:\1(?:19|20)?\d\d)?")
SPACED_ID = re.compile(r"(?<![\w@./-])(?P<pre>[A-Z]{2,5})\s(?P<num>\d{6,10})(?![\w@/-])")
_ID_LABELS = frozenset(
    [
        "nhs",
        "chi",
        "ni",
        "no",
        "ref",
        "tel",
        "mob",
        "dob",
        "id",
        "mrn",
        "urn",
        "crn",
        "fax",
        "ph",
        "tel",
        "ext",
        "room",
        "rm",
        "bed",
        "flat",
        "sats",
        "bp",
        "bm",
        "hr",
        "rr",
    ]
)
# letter parts that make a measure, a time or an ordinal, not a code: 500mg, 0930hrs, 21st
_UNITS = frozenset(
    [
        "mg",
        "ml",
        "mls",
        "mcg",
        "ug",
        "g",
        "kg",
        "l",
        "mmol",
        "mins",
        "min",
        "hrs",
        "hr",
        "h",
        "am",
        "pm",
        "st",
        "nd",
        "rd",
        "th",
        "x",
        "cm",
        "mm",
        "m",
        "km",
        "days",
        "wks",
        "weeks",
        "yrs",
        "units",
        "iu",
        "kcal",
        "cals",
        "s",
        "secs",
        "am",
        "bpm",
        "mmhg",
        "lbs",
        "kgs",
        "oz",
        "ft",
        "in",
        "covid",
        "news",
        "spo",
        "o",
    ]
)
# not "ward": a hospital ward ("Ward 6") holds many people and locates none of them (the
# PII README's `room`: a number that locates the person); the bed in it does ("Bed 9")
ROOM = re.compile(
    r"\b(?!fl\.?(?:\s?[:-])?\s?\d{3})"  # "fl 250 taken": a fluid amount, not flat 250
    r"(?:room|rm|bedroom|bed|flat|apartment|apt|bay|bungalow|cottage|suite|unit|chalet"
    r"|ystafell|stafell|yst|fflat|fl|seòmar|seomar|bedspace|bed\s+space|pod|cubicle|studio"
    r"|gwely|llofft|tŷ"  # Welsh bed, bedroom, house ("Gwely 4", "llofft 4", "Tŷ 1")
    r"|cell|dorm|dormitory|pokój|pokoju|pokoj|berth|mooring|pitch|plot|bdrm|b/r|side\s+room"
    r"|(?<!\w[ \t])rhif"  # "Rhif 4 – Emlyn" opening an entry; not "Bws rhif 42", a bus
    # "BR 7", "SR 6" spaced (not "SR1", the benefits form, nor "SR 1 form" or "BR 18, HR 88")
    r"|(?:br|sr)(?=\s\d{1,2}\b(?![,;]?\s*(?:form|hr|bp|rr|p|spo2|sats|temp|t)\b)))"
    r"\.?(?:\s?[:-])?\s?(?:no\.?\s?|number\s|#\s?)?"
    r"(?P<num>\d{1,2}[.-]\d{2,3}|\d{1,4}[a-z]?|(?!x\d)[a-z]{1,2}[.-]?\d{1,3})"
    # a flat's floor and door ("Flat 2/1", "Bed B1/1", "Flat 14/3A"); not a date, nor a
    # fraction before a measure ("back to bed 1/2 an hour later", "in bed 3/4 of the day")
    r"(?:/\d{1,3}[a-z]?(?![/\d])(?!\s?(?:an?\s+(?:hour|hr)|day|way|past|asleep|of|nights?)\b))?"
    r"\b(?![:.]\d)(?!/\d)"
    r"(?!\s?(?:am|pm|hrs?|hours?|hourly|mins?|times|x|mls?|mg|oz|cc|litres?|units?"
    # Welsh measures after a Welsh room word ("yn y gwely 2 awr", "gwely 8 o'r gloch")
    r"|awr|oriau|munud|funud|gwaith|waith|diwrnod|niwrnod|wythnos|milltir|filltir"
    r"|o['’]r\s+gloch|gloch)\b)",
    re.IGNORECASE,
)
# a room number in words: "room eight", "Bedroom Two", "RM TWELVE" (not "the room two doors
# down"; not after "bed" or "flat": "back to bed one", "a flat one")
NUMBER_WORDS = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
_TENS = r"(?:twenty|thirty|forty|fifty)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine)\b)?"
# Welsh numbers up to twenty, for "Ystafell Deuddeg"
_WELSH_NUMBERS = (
    r"(?:un|dau|tri|pedwar|pump|chwech|saith|wyth|naw|deg|un ar ddeg|deuddeg|tri ar ddeg"
    r"|pedwar ar ddeg|pymtheg|un ar bymtheg|dau ar bymtheg|deunaw|pedwar ar bymtheg|ugain)"
)
ROOM_NUMBER_WORDS = re.compile(
    rf"\b(?i:{_TENS}|{'|'.join(NUMBER_WORDS)}|(?<=ystafell\s){_WELSH_NUMBERS})\b"
)
ROOM_IN_WORDS = re.compile(
    r"\b(?:room|rm|bedroom|ystafell|seòmar|seomar|(?<!\ba\s)(?<!\bthe\s)(?i:flat))\.?\s"
    r"(?:no\.?\s|number\s)?"
    rf"(?P<num>{_TENS}|{'|'.join(NUMBER_WORDS)}|(?<=ystafell\s){_WELSH_NUMBERS})\b"
    r"(?!\s(?:of|or|more|doors?|floors?|nights?|days?|weeks?|hours?|minutes?|mins?|times|people"
    r"|visits?|calls?|sessions?|shifts?"
    r"|carers?|staff|residents?|members?|visitors?|hundred|thousand|o'clock|and\s+a)\b)"
    r"(?![-'’]\w)",
    re.IGNORECASE,
)
# a named wing or unit and a number after a room word, a move or as a ward's acronym: "Bed Rowan
# 3", "ROOM: Lomond 9", "moved into Rivelin 4", "IPU 6", "HDU 2" (the number is the room's)
ROOM_IN_WING = re.compile(
    r"\b(?:(?i:room|rm|bed|bedroom)\.?(?:\s?[:-])?|(?i:moved|moving|transferred)\s+(?i:in)?to)"
    r"\s+(?P<wing>[A-Z][a-z]+|[A-Z]{3,})\s+(?P<num>\d{1,3})\b(?![:./]\d)"
    r"|\b(?P<unit>[A-Z]{2,3}U)\s?(?P<unum>\d{1,2})\b(?![:./]\d)"
)
# several rooms after one plural word: "Rooms 4 and 6", "rms 12, 14 & 16", "beds 3/4"
ROOM_LIST = re.compile(
    r"\b(?P<word>rooms|rms|bedrooms|beds|flats|bays)\.?\s(?P<first>\d{1,4}[a-z]?)"
    r"(?P<rest>(?:\s?(?:,|&|/|\+|and|-|–|to)\s?\d{1,4}[a-z]?\b)+)(?![:.]\d)"
    r"(?!\s?(?:hourly|hrly|hrs?|hours?|times|x|days?|weeks?|mins?))",  # "Beds 2-3 hourly turns"
    re.IGNORECASE,
)
# round 16: a room named by a letter: a bay with a bed ("Bay B Bed 3", "bay a, bed 2", "Bed 2
# bay A"), a studio, flat or apartment ("Studio B", "Flat C"; not "the flat I share", "mood flat
# A bit teary": an A only before punctuation or a line's end); the room word and its letter
# are the entity, the pseudonym another letter
LETTER_ROOM_WORDS = "studio|flat|apartment|apt"  # and "bay", with a bed: the room's letter after
ROOM_LETTER = re.compile(
    r"\b(?i:bay)\s(?P<bay>[A-Za-z])\b(?=,?\s(?i:bed)\b)"
    r"|\b(?i:bed)\s\d{1,2}\s(?P<after>(?i:bay)\s[A-Za-z])\b(?![.'’&-]?\w)"
    rf"|\b(?P<unit>(?i:{LETTER_ROOM_WORDS})\s(?!I\b|A\b(?![ \t]*(?:[,.;:)–—\n-]|$)))[A-Z])"
    r"\b(?![.'’&/-]?\w)"
    r"|(?<=[–—-]\s)(?P<dashed>(?i:studio|flat)\s[b-hj-z])(?=\s[–—-]\s)"
)
_ADDRESS_WORDS = address_words()
STREET_TYPES = _ADDRESS_WORDS["street_type"]
LOWER_STREET_TYPES = _ADDRESS_WORDS["street_type_plain"]
WELSH_STREET_PREFIXES = _ADDRESS_WORDS["welsh_prefix"]
DIRECTIONS = _ADDRESS_WORDS["direction"]
CONNECTORS = _ADDRESS_WORDS["connector"]
GP_LEADING = _ADDRESS_WORDS["gp_leading"]
POSTCODE_AREAS = _ADDRESS_WORDS["postcode_area"]
GP_TYPE_WORDS = sorted(_ADDRESS_WORDS["gp_type"], key=len, reverse=True)
_GP_TYPES = "|".join(w.replace(" ", r"\s+") for w in GP_TYPE_WORDS)
_GP_TYPES_UPPER = "|".join(w.upper().replace(" ", r"\s+") for w in GP_TYPE_WORDS)
GP = re.compile(
    rf"(?:\b[A-Z][\w'’&.-]*\s+){{1,4}}(?:{_GP_TYPES})\b"
    rf"|(?:\b[A-Z][A-Z'’&.-]*\s+){{1,4}}(?:{_GP_TYPES_UPPER})\b"
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+[A-Za-z]?")
_DM = re.compile(r"(?<![\d/.:-])(?P<d>\d{2})/(?P<m>\d{2})(?![\d/]|\.\d)")
_SCORE_WORDS = re.compile(r"(?:pain|score|scored|rated|rating|sats|bp|out of)\s*:?\s*$", re.I)


def nhs_checksum_ok(number: str) -> bool:
    """True if ``number`` has 10 digits and a valid NHS modulus-11 check digit."""
    digits = re.sub(r"\D", "", number)
    if len(digits) != 10:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _national(raw: str) -> str:
    """The digits of a phone number as dialled in the UK (``+44 (0)7700 ...`` -> ``07700...``)."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("440"):  # "+44 (0)7700 900 286"
        return digits[2:]
    if digits.startswith("44"):
        return "0" + digits[2:]
    if digits.startswith("0044"):
        return "0" + digits[4:]
    return digits


# a number read out digit by digit, as dictation writes it: "mobile is 0 7 7 0 0 9 0 0 7 5 7"
# (after a word for a phone; not a scale or a row of scores, "0 1 2 3 ... 10")
SPOKEN_PHONE = re.compile(r"(?<![\w.,])0(?:\s{1,2}\d){9,10}(?!\d)(?!\s{1,2}\d)")
# round 17: a number from abroad ("+1 617 555 0142", "+48 600 123 456"; 9-15 digits) and a
# number read out in words ("seven seven double oh, nine double oh, six seven two")
FOREIGN_PHONE = re.compile(
    r"(?<![\w+])\(?\+(?!44)[1-9]\d{0,2}\)?[\s.-](?:\(0\)\s?)?(?:\(\d{2,4}\)[\s.-]?)?"
    r"(?:\d{1,4}[\s.-]){1,4}\d{3,4}(?![\d])"
)
_DIGIT_WORD = "(?:" + "|".join(sorted(DIGIT_VALUES, key=len, reverse=True)) + ")"
_SPOKEN_DIGITS = rf"(?:(?:double|triple|treble)\s+)?{_DIGIT_WORD}"
# a number read out follows one of these right away ("call me back on", "my number is")
_WORDED_CUE = re.compile(
    r"\b(?i:number|mobile|mob|tel|phone|landline|on|is|at|call|ring|text|contact)\W{0,3}$"
)
WORDED_PHONE = re.compile(rf"(?i:\b{_SPOKEN_DIGITS}(?:[\s,-]+{_SPOKEN_DIGITS}){{5,}}\b)")
_PHONE_CUE = re.compile(
    r"\b(?i:mobile|mob|tel|telephone|phone|number|no|ring|call|contact|landline|on)\b\W{0,3}"
    r"(?:\w+\W{1,3}){0,2}$"
)


def _phones(text: str) -> Iterator[Entity]:
    for m in FOREIGN_PHONE.finditer(text):
        if 9 <= sum(c.isdigit() for c in m.group(0)) <= 15:  # not "Ref +1 234 567"
            yield Entity(m.start(), m.end(), "phone")
    for m in WORDED_PHONE.finditer(text):
        cued = _WORDED_CUE.search(text, max(0, m.start() - 16), m.start())
        if cued and 10 <= len(spoken_digits(m.group(0))) <= 11:
            yield Entity(m.start(), m.end(), "phone")
    for m in SPOKEN_PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        rising = all(int(b) == int(a) + 1 for a, b in itertools.pairwise(digits[:4]))
        cued = _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()])
        if digits[1] in "1235789" and not rising and cued:
            yield Entity(m.start(), m.end(), "phone")
    for m in PHONE.finditer(text):
        raw = m.group(0).rstrip(" -")
        while len(_national(raw)) > 11 and re.search(r"\s\S+$", raw):
            raw = re.sub(r"\s+\S+$", "", raw)  # "07700900518 02:30": the time is no part of it
        digits = _national(raw)
        if 10 <= len(digits) <= 11 and digits[1] in "1235789":
            yield Entity(m.start(), m.start() + len(raw), "phone")


def _nhs(text: str) -> Iterator[Entity]:
    for m in NHS_REGROUPED.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) == 10 and digits[0] != "0" and nhs_checksum_ok(digits):
            yield Entity(m.start(), m.end(), "nhs_number")
    for m in NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if digits.startswith("0"):
            continue  # a phone number; NHS numbers never start with 0
        if nhs_checksum_ok(digits):
            yield Entity(m.start(), m.end(), "nhs_number")
        elif re.search(r"\b(?:nhs|chi|h\s?&\s?c)\b[^\n]{0,25}$", text[: m.start()], re.IGNORECASE):
            yield Entity(m.start(), m.end(), "id")  # labelled but fails the checksum


def _postcodes(text: str) -> Iterator[Entity]:
    for m in POSTCODE.finditer(text):
        s = m.group(0)
        area = re.match(r"[a-z]+", s.lower())
        if not m.group("sep") and not s.isupper() and area.group(0) not in POSTCODE_AREAS:
            continue  # "ab12cd" could be anything; "S93FT", "s9 3ft", "hx61ab" are postcodes
        if not (s.isupper() or s.islower()):
            continue
        yield Entity(m.start(), m.end(), "postcode")


# a road number after "the" or "via" ("via the A390/B3269", "off the M62"): no identifier
_ROAD = re.compile(r"(?:[AB]\d{1,4}|M\d{1,3})(?:\(M\))?(?:/(?:[AB]\d{1,4}|M\d{1,3})(?:\(M\))?)*")
_ROAD_BEFORE = re.compile(r"\b(?:the|via)\s+$", re.IGNORECASE)


def _road(text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 8) : m.start()]
    return bool(_ROAD.fullmatch(m.group(0)) and _ROAD_BEFORE.search(before))


def _ids(text: str) -> Iterator[Entity]:
    for m in ID_CODE.finditer(text):
        s = m.group(0)
        if _road(text, m):
            continue
        digits = sum(c.isdigit() for c in s)
        parts = len(re.findall(r"[-/]", s))
        if digits >= 4 or (digits >= 3 and parts >= 2):  # "BNH-COMP-026"
            yield Entity(m.start(), m.end(), "id")
    for m in MIXED_ID.finditer(text):
        s = m.group(0)
        if _road(text, m):
            continue
        letters = re.findall(r"[A-Za-z]+", s)
        if all(p.lower() in _UNITS for p in letters):
            continue  # "1000ml", "0930hrs", "2x500mg"
        if POSTCODE.fullmatch(s) or NI.fullmatch(s):
            continue  # their own kinds
        yield Entity(m.start(), m.end(), "id")
    for m in SPACED_ID.finditer(text):
        if m.group("pre").lower() not in _ID_LABELS:
            yield Entity(m.start(), m.end(), "id")  # "COP 14470921"
    for m in SHORT_ID.finditer(text):
        yield Entity(m.start(), m.end(), "id")
    for m in ID_LABELLED.finditer(text):
        if _DATE_SHAPED.fullmatch(m.group("id")):
            continue  # "Date of incident: 02/02/2026": a date, for the date recognisers
        yield Entity(m.start("id"), m.end("id"), "id")
    for rx in (SHORT_LABELLED, SORT_CODE):
        for m in rx.finditer(text):
            yield Entity(m.start("id"), m.end("id"), "id")
    for m in SPACED_LABELLED.finditer(text):
        if sum(c.isdigit() for c in m.group("id")) >= 6:
            yield Entity(m.start("id"), m.end("id"), "id")


# a handover by room code: "Handover: F2 BENNY - ok. F4 OLLY - timer" (a code opening an entry,
# a person's name after it, two codes at least of one series in the note)
# (round 13: also after a log's clock time, "09:35 F7 – Thelma says", and with a dash between;
# round 16: dotted, "R.3 Nonie – SW visit", "R.14 Ferdie – temp")
ROOM_CODE = re.compile(
    r"(?:^|(?<=\n)|(?<=[:.;•*-]\s)|(?<=[:.;]\s\s)|(?<=\d[:.]\d\d\s))"
    r"(?P<code>(?P<series>[A-Z]{1,2})\.?\d{1,3})\s+(?:[-–]\s+)?(?P<next>[A-ZÀ-Ý][\w'’-]*)"
)


# the same code in brackets after a person: "Present: Jackie (F2), Gunner (F9), Joe V (F11)"
ROOM_CODE_AFTER = re.compile(
    r"(?P<prev>[A-ZÀ-Ý][\w'’-]*)\s\((?P<code>(?P<series>[A-Z]{1,2})\d{1,3})\)"
)


# a doctor's or nurse's grade in brackets after their name, not a room: "Dr Amir Khan (FY2)",
# "Nurse Lisa Oldroyd (B6)" (a title up to three words back); codes that are grades or B12
_GRADE_BEFORE = re.compile(r"\b(?i:dr|doctor|nurse|rgn|rmn)\.?(?:\s+\S+){0,2}\s*$")
_GRADE_CODE = re.compile(r"(?i:FY|ST|CT|SHO|SPR)\d|B12")


# a code standing as a whole field of a dashed header or log line: "Muriel – b2 – pressure
# areas", "Physio – SR2 – Norrie", "Wellbeing check – Thirza GEDNEY – A/17", "G7 – Della –",
# with a name or title in a field beside it (not "O2 – 2L via cannula", "Falls – x2 –", "Q1 – How
# is your mood?", "Road – A30 –"); not a pathway ("P1", "D2A"), a grade, oxygen or a count
ROOM_CODE_FIELD = re.compile(
    r"(?:^|(?<=\n)|(?<=\s[–—-]\s))"
    r"(?P<code>(?![PpXxQq]\d|[Oo]2\b)[A-Za-z]{1,2}[./]?\d{1,2})"
    r"(?=\s[–—-]\s|[ \t]*(?:\n|$))",
    re.MULTILINE,
)
_FIELD_SPLIT = re.compile(r"\s[–—-]\s")


def _named_field_beside(text: str, start: int, end: int) -> bool:
    """Whether the dashed field before or after ``text[start:end]`` on its line holds a
    name: a listed name word or a title among its first two words, or, after the code, a
    first word shaped like a surname, before it two or three such words (``Muriel – b2``,
    ``b2 – Mrs Ali``, ``SR2 – Norrie``, ``Thirza GEDNEY – A/17``; not ``Vit – D3 – given``)."""
    from nlp.deid import context as cx
    from nlp.deid.lexicons import load

    lex = load()
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = _FIELD_SPLIT.split(text[line_start:start])
    after = _FIELD_SPLIT.split(text[end : len(text) if line_end < 0 else line_end])
    fields = [before[-2] if len(before) > 1 else "", after[1] if len(after) > 1 else ""]
    for n, field in enumerate(fields):
        words = re.findall(r"[^\W\d_][\w'’-]*", field)
        if n == 1 and words and _surname_shaped(words[0], lex):  # "SR2 – Norrie –"
            return True
        proper = [w for w in words if _surname_shaped(w, lex) or (w.isupper() and len(w) > 2)]
        if n == 0 and 2 <= len(words) <= 3 and len(proper) == len(words):
            return True  # "Wellbeing check – Thirza GEDNEY – A/17"
        for word in words[:2]:
            key = word.lower().rstrip(".")
            listed = lex.is_name_word(key) and (word[:1].isupper() or not lex.is_common(key))
            if key in cx.TITLES or listed:
                return True
    return False


def _room_codes(text: str) -> Iterator[Entity]:
    from nlp.deid.lexicons import load

    lex = load()
    series: dict[str, list[re.Match[str]]] = {}
    from nlp.deid import context as cx

    for m in ROOM_CODE.finditer(text):
        nxt = m.group("next").lower()
        titled = nxt in cx.TITLES or nxt == "sister"  # "SC1 Sister Bonaventure", "F4 Mrs Ali"
        named = lex.is_name_word(nxt) or (not lex.is_common(nxt) and nxt not in lex.not_names)
        if titled or named:
            series.setdefault(m.group("series"), []).append(m)
    bracketed: dict[str, list[re.Match[str]]] = {}
    for m in ROOM_CODE_AFTER.finditer(text):  # any word before, one at least a listed name
        if _GRADE_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            continue  # "Dr Patel (F1)", "Nurse Lisa Oldroyd (B6)": a grade or a band
        if _GRADE_CODE.fullmatch(m.group("code")):
            continue  # "(FY2)", "(ST3)", "Lucy (B12) injection due"
        bracketed.setdefault(m.group("series"), []).append(m)
    for key, found in bracketed.items():
        if key == "S":
            continue  # "Anand Rao (S12) and Bronwen Sowerby (S12)": sections, not rooms
        if any(lex.is_name_word(m.group("prev").lower()) for m in found):
            series.setdefault(key, []).extend(found)
            if len(found) == 1:  # "Kayleigh (F5)"
                yield Entity(found[0].start("code"), found[0].end("code"), "room")
        elif len(found) == 1 and _surname_shaped(found[0].group("prev"), lex):
            yield Entity(found[0].start("code"), found[0].end("code"), "room")  # "Mrs Haxby (F15)"
    for found in series.values():
        if len(found) >= 2:
            for m in found:
                yield Entity(m.start("code"), m.end("code"), "room")


def _surname_shaped(word: str, lex: object) -> bool:
    """A capitalised :func:`_proper_word` (no common word, thing or place): an unlisted
    surname before a room code (``Mrs Haxby (F15)``, ``Keith Storr (B2)``)."""
    return word[:1].isupper() and not word.isupper() and _proper_word(word, lex)


_NOT_WINGS = frozenset(
    [
        "no",
        "number",
        "at",
        "for",
        "from",
        "on",
        "in",
        "by",
        "with",
        "and",
        "about",
        "approx",
        "around",
        "after",
        "before",
        "until",
        "till",
        "since",
        "x",
    ]
)


# words before "cell" that make it a blood or body cell, not a prison cell
_CELL_SENSES = frozenset(
    ["sickle", "white", "red", "blood", "stem", "t", "b", "plasma", "nerve", "fat", "cancer"]
)


def _clock(pair: re.Match[str]) -> bool:
    """``10.30``, ``1.45``, ``12.00``: a time on the hour or five minutes past it."""
    hours, sep, minutes = pair.groups()
    return sep == "." and int(hours) <= 24 and len(minutes) == 2 and int(minutes) % 5 == 0


# a bedroom's code written as one word: "MEADOW (BR7) asleep", "arjun br1 - typed"
BEDROOM_CODE = re.compile(r"\b(?i:br|bdrm|bedrm)\d{1,2}\b(?![:.]\d)")


def _rooms(text: str, units: frozenset[str] = frozenset()) -> Iterator[Entity]:
    yield from _room_mentions(text)
    yield from _unit_rooms(text, units)


# the words of a movement before "to"/"from" and a room: "walked back to 22", "moved from R4"
_MOVES = "moved|went|walked|back|taken|returned|wheeled|transferred|move|moving|came|gone"
# round 16: a room's code where a person moves or is placed, learned or not: "DM went to F7",
# "Back in R6", "knocked on doors of R8 and R10", "moved from R4 into"; only R, SR, BR and F
# (not F1, F2: racing, doctors), in capitals: G, S and W codes are postcodes and school years
# ("moved to W4", "Taken to G1", "went back to S4"), and not a postcode ("moved to R4 5AB")
MOVED_CODE = re.compile(
    rf"\b(?i:(?:{_MOVES})"
    r"\s(?:in(?:to)?|to|from|back\sto)|doors?\sof|patient\sin)\s"
    r"(?P<code>(?:SR|BR|R|F(?![12]\b))\d{1,2})(?P<more>\s(?:and|&)\s(?:SR|BR|R|F)\d{1,2})?\b"
    r"(?![:.,/]\d|\w|\s\d[A-Z]{2}\b)"
)


def _room_mentions(text: str) -> Iterator[Entity]:
    yield from _room_codes(text)
    for m in MOVED_CODE.finditer(text):
        yield Entity(m.start("code"), m.end("code"), "room", tentative=True)
        if m.group("more"):  # "R8 and R10"
            more = m.end() - len(m.group("more").split()[-1])
            yield Entity(more, m.end(), "room", tentative=True)
    for m in ROOM_CODE_FIELD.finditer(text):  # found here, but taught to no other note
        if not _GRADE_CODE.fullmatch(m.group("code")) and _named_field_beside(
            text, m.start("code"), m.end("code")
        ):
            yield Entity(m.start("code"), m.end("code"), "room", tentative=True)
    for m in BEDROOM_CODE.finditer(text):
        yield Entity(m.start(), m.end(), "room")
    for m in ROOM.finditer(text):
        num = m.group("num")
        clock = re.fullmatch(r"(?:[01]\d|2[0-3])[0-5]\d", num)
        if clock and (num[0] == "0" or m.group(0)[:3].lower() == "bed"):
            continue  # "back to bed 0230": a time
        if re.fullmatch(r"(?:19|20)\d\d", num):
            continue  # "moved into a bungalow 2019": a year
        word = re.match(r"[^\W\d_]+", m.group(0))
        key = word.group(0).lower() if word else ""
        before = re.search(r"([^\W\d_]+)\s+$", text[max(0, m.start() - 20) : m.start()])
        prev = before.group(1).lower() if before else ""
        if (key == "cell" and prev in _CELL_SENSES) or (key in ("plot", "pitch") and prev == "the"):
            continue  # "sickle cell 2 crisis", "white cell 12", "the plot 2 of the story"
        pair = re.fullmatch(r"(\d+)([.-])(\d+)", num)
        if pair and _clock(pair):
            continue  # "back to bed 12.30", "room 10.30 meeting": a time
        if pair and (key.startswith("b") or key == "fl"):
            # "Bed 2-14", "bay 2-3 times": a bed and a range; "rm 1.07", "cell 2-14": a floor
            # and a room, a landing and a cell
            yield Entity(m.start(), m.start("num") + len(pair.group(1)), "room")
            continue
        yield Entity(m.start(), m.end(), "room")
    for m in ROOM_IN_WORDS.finditer(text):
        yield Entity(m.start(), m.end(), "room")
    for m in ROOM_IN_WING.finditer(text):
        if m.group("unit"):
            yield Entity(m.start("unum"), m.end("unum"), "room")
        elif m.group("wing").lower() in _NOT_WINGS or m.group("wing").lower() in NOT_UNIT_NAMES:
            continue  # "moved to Band 6", "transferred to Section 3": no wing
        else:
            yield Entity(m.start("num"), m.end("num"), "room")
    for m in ROOM_LETTER.finditer(text):
        if m.group("bay"):
            yield Entity(m.start(), m.end(), "room")
        else:
            group = next(g for g in ("after", "unit", "dashed") if m.group(g))
            yield Entity(m.start(group), m.end(group), "room")
    for m in ROOM_LIST.finditer(text):
        yield Entity(m.start(), m.end("first"), "room")
        for n in re.finditer(r"\d{1,4}[a-z]?", m.group("rest"), re.IGNORECASE):
            yield Entity(m.start("rest") + n.start(), m.start("rest") + n.end(), "room")


UNIT_TYPES = _ADDRESS_WORDS["unit_type"]
NOT_UNIT_NAMES = _ADDRESS_WORDS["not_unit_name"]
_UNIT_TYPE = "|".join(sorted(UNIT_TYPES))
# a home's named wing or unit: "Ness Wing", "RIVELIN UNIT", "Shimna Suite"
UNIT_NAME = re.compile(rf"\b(?P<name>[A-Z][a-zà-ÿ'’-]+|[A-Z]{{3,}})\s(?i:{_UNIT_TYPE})\b")
_UNIT_NUMBER = (
    r"\s?(?P<num>\d{1,3}[a-zA-Z]?)\b(?![:./,]\d)"
    r"(?!\s?(?:am|pm|hrs?|mins?|mg|ml|x|bpm|kg|lbs?|%|points?|degrees?|out\s+of|times|days?"
    r"|weeks?|months?|years?|units?|beds?|people|residents?|staff)\b)"
)


# a room's code, letters then a number: "G4", "sr6", "G.07", "A/17", "F12b" (the end of a room
# entity, "Room G4", or a mention elsewhere); not a time or decimal after it, nor a longer token
_CODE = r"(?P<letters>[A-Za-z]{1,3})[./-]?(?P<digits>\d{1,3})(?P<suffix>[A-Za-z]?)"
_CODE_AT_END = re.compile(rf"(?:^|(?<=[\s:#(-])){_CODE}\)?$")
_CODE_MENTION = re.compile(rf"(?<![\w/.£$-]){_CODE}(?![\w/]|[:.,]\d|-\w)")
# where a room code stands: opening a line or a field ("| B1 |", "– a3 –", "(S4)"), or after
# a word of place or a list ("moved to A2", "from a3", "door of F5", "S4 and S5"); not "the
# A30", "Vitamin D3", "(band B6)", "E45 cream", "T2 diabetes", "A4 paper", "C1 bus"
_CODE_PLACE_BEFORE = re.compile(
    r"(?:^|[|–—(:,;/\n.-]|\b(?i:in|into|to|from|outside|opposite|by|near|at|of|between"
    r"|room|rm|moved|back|walked|wheeled)|(?P<joined>\b(?i:and|or)|&))\s*$"
)
_CODE_NOT_BEFORE = re.compile(
    r"\s*(?i:paper|cream|ointment|diabetes|diabetic|vertebrae?|fracture|bus|form|forms|road"
    r"|motorway|visa|envelope|sheet|tablets?|tabs|mg|mcg|vitamin|deficiency|level|sounds?)\b"
)


def _code_key(m: re.Match[str]) -> str:
    return (m.group("letters") + m.group("digits").lstrip("0") + m.group("suffix")).lower()


def room_codes(text: str, found: Iterable[Entity], own_note: bool = False) -> set[str]:
    """The codes of the rooms found in ``text`` (``g4`` of ``Room G4``, ``sr1`` of ``SR1 –
    Mrs Ali``): every other mention of the code, in this note or another note of the same
    service, names the same room (:func:`coded_rooms`). Not grades and vitamins (``FY2``,
    ``B12``). A room found only as a dashed field or as a mention teaches its ``own_note``
    alone, never the service's other notes."""
    codes = set()
    for e in found:
        if e.kind != "room" or (e.tentative and not own_note):
            continue  # a dashed field or a mention teaches its own note, not the service
        m = _CODE_AT_END.search(text[e.start : e.end])
        if m and not _GRADE_CODE.fullmatch(m.group(0).rstrip(")")):
            codes.add(_code_key(m))
    return codes


def coded_rooms(text: str, codes: Iterable[str]) -> Iterator[Entity]:
    """Every mention of a learned room code (:func:`room_codes`), in any case and with or
    without its dot (``G.07`` and ``g07``): ``moved from a3 to A2``, ``Time | B1 | B2 |``;
    and, where two codes of one series are learned (``a2``, ``a4``), every code of that
    series with a number of one or two digits (``A1``, ``a3``; not ``D2A``)."""
    codes = frozenset(codes)
    if not codes:
        return
    per_series: dict[str, int] = {}
    for code in codes:
        series = re.match(r"[a-z]+", code)
        if series is not None:
            per_series[series.group(0)] = per_series.get(series.group(0), 0) + 1
    established = {series for series, n in per_series.items() if n >= 2}
    last_end = -1  # "into F5 and F7": a code after "and" only where a room code went before it
    for m in _CODE_MENTION.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        placed = _CODE_PLACE_BEFORE.search(before)
        if placed is None or _CODE_NOT_BEFORE.match(text, m.end()):
            continue
        if placed.group("joined") and text[last_end : m.start()].strip() not in ("and", "or", "&"):
            continue
        if m.group("letters").lower() == "x":
            continue  # "x2": twice
        if _code_key(m) in codes or (
            m.group("letters").lower() in established
            and not m.group("suffix")
            and len(m.group("digits")) <= 2
            and not _GRADE_CODE.fullmatch(m.group(0))
        ):
            last_end = m.end()
            yield Entity(m.start(), m.end(), "room", tentative=True)


# a room entity's own number at its end ("Room: 22", "RM 22", "bed 5"), and a bare mention of it
# elsewhere in the note where a place goes: "sensor mat in 22", "walked back to 22", "checked on
# 22", "04:00 22 calling out"; not a time, decimal or amount ("in 22 minutes", "on 2 litres")
# not the 2 of "A2"; a floor and room "Apt 3.02" (round 16)
# (and a bare number found alone: a table's cell, a dashed field "Tom – 1a –")
_NUMBER_AT_END = re.compile(r"(?:^|(?<=[\s:#]))(?P<num>\d{1,3}[A-Za-z]?|\d\.\d\d)$")
_NUMBER_AFTER_PLACE = re.compile(
    r"(?:(?<=\d\d:\d\d\s)|\b(?:in|into|outside|opposite|(?P<weak>on|at))\s"  # "04:00 14 calling"
    rf"|\b(?:{_MOVES})"
    r"\s(?:in)?to\s|\b(?:moved|move|moving|transferred)\sfrom\s)"
    r"(?P<num>\d\.\d\d|\d{1,3}[A-Za-z]?)\b"
    r"(?![:.,/]\d|\s?(?:am|pm|hrs?|hours?|mins?|minutes|mg|mls?|kg|units?|times|x|%|days?"
    r"|weeks?|months?|years?|people|residents?|staff|degrees?|points?|occasions?|hourly|hrly"
    r"|litres?|l|tablets?|tabs|sachets?|puffs?|drops?|supervision|carers?|to|of|out)\b)",
    re.IGNORECASE,
)


def numbered_rooms(text: str, found: Iterable[Entity]) -> Iterator[Entity]:
    """Bare mentions of the numbers of the note's rooms where a place goes: a number named
    as ``Room: 22`` is the same room in ``sensor mat in 22``. A number found alone (a
    table's cell, a dashed field) is a room again only after ``in``, ``into``, ``outside``,
    ``opposite`` or a movement, never after ``at``, ``on`` or a clock time (``Ada woke at
    3``, ``paracetamol at 6``)."""
    numbers, alone = set(), set()
    for e in found:
        if e.kind == "room":
            m = _NUMBER_AT_END.search(text[e.start : e.end])
            if m is not None:
                (alone if m.start() == 0 else numbers).add(m.group("num").lower())
    alone -= numbers
    if not numbers and not alone:
        return
    for m in _NUMBER_AFTER_PLACE.finditer(text):
        num = m.group("num").lower()
        placed = m.group("weak") is None and m.start() < m.start("num")  # no at/on/clock
        if num in numbers or (num in alone and placed):
            yield Entity(m.start("num"), m.end("num"), "room")


# round 16: a room's code or bare number as a whole dashed field of a line's first two fields
# ("6 – Sabina – trip", "Thia – W3 – up at 7", "Tom – 1a –"; a bare number only opening the
# line, not "Linnea – 4 – falls", "Ivy – 96 – sats"; only the letters rooms go by, not "Marnie
# D3 –", "T2 –", "C2 – call missed", nor "2L", litres), or a code between a
# line's opening word and a dash ("FELICITY G11 – happy", "courtney r11 – hard day")
# the letters a room's code goes by here ("b1", "R14", "SR2"; not "O2", "P1", "x2")
_ROOM_SERIES = r"(?:[ABEFGKRUWabefgkruw]|[SsBb][Rr])"
_FIELD_ROOM = re.compile(
    r"(?:^|(?<=\n))(?:(?P<lead>[^\W\d_][\w'’-]*)\s(?=[A-Za-z]{1,2}\d)"
    r"|[^\n–—]*?\s[–—-]\s)?"
    rf"(?P<code>{_ROOM_SERIES}?\d{{1,3}}[A-Ha-h]?)(?=\s[–—-]\s)"
)
# the field after a bare number that makes it a reading, a count or a dose, not a room
# ("Ivy – 96 – sats", "Joan – 10 – mins walk", "Mavis – 2 – staff needed", "– 200 – ml")
_READING_AFTER = re.compile(
    r"\s[–—-]\s+(?i:sats|spo2|o2|pulse|hr|bp|rr|resps?|temp|bm|bg|glucose|weight|kg|lbs?|st"
    r"|mls?|mg|mcg|g|l|litres?|units?|mins?|minutes|hrs?|hours?|days?|weeks?|times|x|staff"
    r"|carers?|pain|score|points?|out|%|tabs?|tablets?|sachets?|puffs?|cups?|glasses|steps"
    r"|metres|m|beats|breaths|degrees|people|visits?|calls?|£)\b"
)


def rooms_beside_names(text: str, names: Iterable[Entity]) -> Iterator[Entity]:
    """Rooms known by the person beside them, once names are found: a code or a number
    with a letter that is a whole dashed field next to a field holding a name (``Thia – W3
    –``, ``Tom – 1a –``), a bare number opening the line (``6 – Sabina –``), or a code right
    after a line's opening name (``FELICITY G11 –``). Tentative: they teach their own note
    only."""
    spans = [(e.start, e.end) for e in names if e.kind == "name"]
    if not spans:
        return
    for m in _FIELD_ROOM.finditer(text):
        code = m.group("code")
        if _GRADE_CODE.fullmatch(code) or (m.group("lead") and not code[0].isalpha()):
            continue
        if code[0].isdigit() and _READING_AFTER.match(text, m.end("code")):
            continue  # "6 – sats", "8 – hours sleep"
        if code.isdigit() and m.start("code") != m.start():
            continue  # a bare number after a field: a count or score ("Linnea – 4 – falls")
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if m.group("lead"):  # the opening word must be a name the finder found
            beside = [(m.start("lead"), m.end("lead"))]
        else:
            after = _FIELD_SPLIT.search(text, m.end("code"), line_end)
            nxt = _FIELD_SPLIT.search(text, after.end(), line_end) if after else None
            beside = [(m.start(), m.start("code"))]  # the field before (none at a line's start)
            if after is not None:
                beside.append((after.end(), nxt.start() if nxt else line_end))
        if any(a < hi and lo < b for a, b in spans for lo, hi in beside if lo < hi):
            yield Entity(m.start("code"), m.end("code"), "room", tentative=True)
    yield from _codes_touching_names(text, spans)
    yield from _numbers_opening_names(text, spans)


# a room's code by the letters rooms go by, standing alone
_TOUCHING_CODE = re.compile(rf"(?<![\w./-])(?P<code>{_ROOM_SERIES}\d{{1,3}}[A-Ha-h]?)(?![\w./%-])")
# after a name, codes that are creams and vitamins as often as rooms ("Doris Penrose E45",
# "Doris B6 -"), and a pressure ulcer's grade before wound words ("G3 - pressure ulcer")
_NOT_A_ROOM_AFTER_A_NAME = re.compile(r"[Ee]\d{1,3}|[Bb][16]")
_GRADED = re.compile(r"[Gg][1-4]\b")
_WOUND_AFTER = re.compile(r"(?i:ulcer|sore|grade|pressure|damage|wound|sacr|heel|skin)")
_FIELD_OPENS = re.compile(r"(?:^|\n|\s[–—-]\s|:\s*)$")
_BLANKS = re.compile(r"[ \t]+")
_FIELD_CLOSES = re.compile(r"\s[–—-]\s|[ \t]*(?:\n|$)")


def _codes_touching_names(text: str, spans: list[tuple[int, int]]) -> Iterator[Entity]:
    """Round 17: a room code written against a found name in a handover or chart line: the
    code opening a field with the name right after it (``b1 Veronica -``, ``MAR note - R14
    OFOSU-AMPONSAH -``, ``- SR2 FUNG H S``), the code right after the names opening a field
    and closing it (``BALOGH, Krisztina B2 -``), or after a name and ``from`` (``Fung from
    SR2 -``); after a name, not a cream or vitamin (``E45``, ``B6``) nor a grade before
    wound words (``G3 - pressure ulcer``). Tentative, as :func:`rooms_beside_names`' are."""
    starts = {a for a, _ in spans}
    by_end = {b: a for a, b in spans}
    for m in _TOUCHING_CODE.finditer(text):
        code, lo, hi = m.group("code"), m.start(), m.end()
        if _GRADE_CODE.fullmatch(code):
            continue
        opens = _FIELD_OPENS.search(text, max(0, lo - 4), lo) is not None
        after = _BLANKS.match(text, hi)
        if opens and after and after.end() in starts:
            yield Entity(lo, hi, "room", tentative=True)
            continue
        if not _FIELD_CLOSES.match(text, hi) or _NOT_A_ROOM_AFTER_A_NAME.fullmatch(code):
            continue
        if _GRADED.match(code) and _WOUND_AFTER.search(text, hi, hi + 40):
            continue  # "Ellis Tonkin G3 - pressure ulcer": a grade
        before = re.search(r"(?:\s+from)?[ \t]+$", text[max(0, lo - 12) : lo])
        if before is None or lo - len(before.group(0)) not in by_end:
            continue
        if "from" in before.group(0) or _names_open_field(text, lo - len(before.group(0)), by_end):
            yield Entity(lo, hi, "room", tentative=True)


# a number opening a line or a bullet, a name right after it ("7 Eurfyl | cysgu", "15
# WIESŁAWA - refused", "12A SINA T -")
_NUMBER_OPENING = re.compile(r"(?m)^(?:[-•*][ \t]+)?(?P<num>\d{1,3}[A-Ha-h]?)[ \t]+(?=\S)")
_INITIAL_AFTER = re.compile(r"[ \t]+[A-Z]\.?(?![\w.])")
_NAMES_CLOSE = re.compile(r"[ \t]*(?:[–—|:-]|\n|$)")


def _numbers_opening_names(text: str, spans: list[tuple[int, int]]) -> Iterator[Entity]:
    """Round 18: a bare number opening a handover or grid line whose next field is a found
    name (``7 Eurfyl | cysgu``, ``3  OBIE - see own note``, ``12A SINA T -``): the names, and
    an initial, run from the number to the field's end (a dash, bar, colon or the line's
    end), so ``7 Combe Raleigh Lane`` (an address) and ``2 Marys came`` are not rooms.
    Tentative, as :func:`rooms_beside_names`' are."""
    ends = dict(spans)
    openings = list(_NUMBER_OPENING.finditer(text))
    listed = _numbered_list(text, openings)
    for k, m in enumerate(openings):
        if k in listed:
            continue
        pos = ends.get(m.end())
        if pos is None:
            continue
        while True:
            blank = _BLANKS.match(text, pos)
            if blank is not None and blank.end() in ends:
                pos = ends[blank.end()]
            elif (initial := _INITIAL_AFTER.match(text, pos)) is not None:
                pos = initial.end()
            else:
                break
        if _NAMES_CLOSE.match(text, pos):
            yield Entity(m.start("num"), m.end("num"), "room", tentative=True)


_STAFF_HEADING = re.compile(r"(?i:staff|carers|on\s+shift|on\s+duty|team|rota)")


def _numbered_list(text: str, openings: list[re.Match[str]]) -> set[int]:
    """Openings that number a list, not rooms: a run 1, 2, 3 ... on the lines one after
    another (``1 Margaret - ate well`` / ``2 Harold - ...``), or any line under a heading
    that names staff (``Staff on shift:`` / ``1 Anna``)."""
    out: set[int] = set()
    k = 0
    while k < len(openings):
        run = [k]
        while run[-1] + 1 < len(openings):
            a, b = openings[run[-1]], openings[run[-1] + 1]
            following = a.group("num").isdigit() and b.group("num") == str(int(a.group("num")) + 1)
            between = text[a.end() : b.start()]
            if not following or between.count("\n") != 1:
                break  # not the next number, or not on the next line
            run.append(run[-1] + 1)
        if openings[k].group("num") == "1" and len(run) > 1:
            out.update(run)
        k = run[-1] + 1
    for k, m in enumerate(openings):
        line_start = text.rfind("\n", 0, m.start()) + 1
        heading = text[max(0, text.rfind("\n", 0, max(0, line_start - 1)) + 1) : line_start]
        if _STAFF_HEADING.search(heading):
            out.add(k)
    return out


def _names_open_field(text: str, end: int, by_end: dict[int, int]) -> bool:
    """Whether found names (``by_end``: each name's start by its end), joined by spaces or a
    comma, run back from ``end`` to the start of a line or field (``BALOGH, Krisztina``)."""
    while end in by_end:
        start = by_end[end]
        gap = re.search(r"(?:,\s*|[ \t]+)$", text[max(0, start - 3) : start])
        if _FIELD_OPENS.search(text, max(0, start - 4), start):
            return True
        if gap is None:
            return False
        end = start - len(gap.group(0))
    return False


def unit_names(text: str) -> set[str]:
    """Lower-cased names of a home's wings and units in ``text`` (``Ness Wing``, the wing of
    ``ROOM: Lomond 9``), less English words (``Pain Unit``, ``Rose Wing``: ``pain 7``,
    ``rose 20 bpm``) and words that name a kind of unit or take a number of their own
    (``Day Unit``: ``day 5``)."""
    from nlp.deid.lexicons import load

    lex = load()
    found = {m.group("name").lower() for m in UNIT_NAME.finditer(text)}
    found |= {  # "bed Rowan 3", "ROOM: Lomond 9"; not "moved to Band 6"
        m.group("wing").lower()
        for m in ROOM_IN_WING.finditer(text)
        if m.group("wing") and not re.match(r"(?i:mov|trans)", m.group(0))
    }
    return {
        u
        for u in found
        if len(u) > 2
        and u not in NOT_UNIT_NAMES
        and u not in _NOT_WINGS
        and not lex.is_common(u)
        and u not in lex.not_names
    }


def _unit_rooms(text: str, units: frozenset[str]) -> Iterator[Entity]:
    """The number after a unit the batch named, written as a name is (``Shimna 5``, ``NESS
    11``; not ``ness 11``), not a measure (``Shimna 5 days``). The unit's name stays, as
    ``Rowan Wing`` does (a wing holds many people and locates none of them;
    annotations/pii/README.md lists it among the non-PII)."""
    if not units:
        return
    forms = sorted({f for u in units for f in (u.title(), u.upper())}, key=len, reverse=True)
    names = "|".join(re.escape(f) for f in forms)
    for m in re.finditer(rf"(?<![\w-])(?:{names}){_UNIT_NUMBER}", text):
        yield Entity(m.start("num"), m.end("num"), "room")


def _street_end(text: str, words: list[re.Match[str]], i: int, comma: bool = False) -> int | None:
    """End of the street words after house number ``words[i]``, or None if no street.

    The street is the run of capitalised words (and connectors: ``Heol y Felin``) up to
    its last street type, directions after it included: ``2 Mount Pleasant Road``,
    ``112 Abbeydale Road South``; a Welsh prefix opens one: ``7 Heol y Felin``."""
    run: list[re.Match[str]] = []
    lower = i + 1 < len(words) and words[i + 1].group(0).islower()
    for j in range(i + 1, min(len(words), i + 8)):
        gap = text[words[j - 1].end() : words[j].start()]
        if (gap.strip() and not (comma and j == i + 1 and gap == ", ")) or "\n" in gap:
            break  # "14, Oak Road" only where an address cue stands before the number
        token = words[j].group(0)
        if lower and token.islower() and token.isalpha():
            run.append(words[j])
            continue
        if not lower and run and token in LOWER_STREET_TYPES:
            run.append(words[j])  # "14 Mill lane": a capitalised street, its type in lower case
            break
        if lower or (not _capital(token) and token.lower() not in CONNECTORS):
            break
        run.append(words[j])
    if lower:  # "14 harehills lane": only a plain street type ends it
        ends = [n for n, w in enumerate(run) if w.group(0) in LOWER_STREET_TYPES]
        if not ends or not 0 < ends[0] <= 2 or run[0].group(0) in STREET_TYPES:
            return None
        if any(w.group(0) in _SMALL_WORDS for w in run[: ends[0]]):
            return None  # "2 sugars in tea road"
        return run[ends[0]].end()
    end, welsh, last_type = None, False, False
    for n, w in enumerate(run):
        token = w.group(0)
        low = token.lower().rstrip(".")
        capital = _capital(token)
        if n == 0 and capital and re.sub(r"['’]r$", "", low) in WELSH_STREET_PREFIXES:
            welsh, end, last_type = True, w.end(), True
        elif welsh:
            end = w.end() if capital else end
        elif (capital or token in LOWER_STREET_TYPES) and low in STREET_TYPES:
            end, last_type = w.end(), True
        elif capital and last_type and low in DIRECTIONS:
            end = w.end()
        else:
            last_type = False
    return end


def _capital(token: str) -> bool:
    """Capitalised, Gaelic mutated forms included: ``h-Eaglais``, ``t-Sràid``, ``n-Eilean``."""
    return token[0].isupper() or bool(re.match(r"[htn]-[A-ZÀ-Ý]", token))


_SMALL_WORDS = frozenset(
    ["a", "an", "and", "at", "down", "for", "in", "of", "on", "per", "the", "to", "up", "with", "x"]
)
# a flat: "Flat 2B", "Fflat 3" (Welsh), "Flat 0/1"; Scottish positions "3F2", "GF1" (ground
# floor), "PF1", "2/1" (second floor, first door)
_FLAT = (
    r"(?i:f?flat|apartment|apt|unit)\s+(?:\d{1,4}[a-zA-Z]?(?:/\d{1,2})?|[A-Z]\b)"
    r"|(?:\d{1,2}|[GPBM])F\d{1,2}|\d{1,2}/\d{1,2}|\d{1,2}/[LRM]\b"
)
_BUILDING_HEADS = (
    r"(?:Court|House|Lodge|Mansions|Heights|Tower|Buildings|Gardens|Place|Villas|Cottages|Close)"
)
_BUILDING = rf"(?:[A-Z][\w'’]+\s+){{1,3}}{_BUILDING_HEADS}"
# a Welsh house name opens with its house word: "Tŷ Capel", "Fferm Pen y Bryn", "Bwthyn Glas"
_WELSH_HOUSE = (
    r"(?:Tŷ|Ty|TŶ|Ty['’]r|Tŷ['’]r|Fferm|FFERM|Bwthyn|BWTHYN|Plas|PLAS)"
    r"(?:\s+(?:y|yr|ar|o|Y|YR)|\s+[A-ZÂÊÎÔÛŴŶ][\w'’-]+){1,4}"
)
# what stands before the house number: "Flat 9, ", "3F2, ", "Flat 0/1, ", "Riverside
# Court, ", "Flat 2, Riverside Court, ", "Tŷ Capel, ", the first number of "14-16", and
# the stair number of an Edinburgh flat "14/3"
_ADDRESS_BEFORE = re.compile(
    rf"(?:(?:{_FLAT}),?\s+)?(?:{_BUILDING},\s+|{_WELSH_HOUSE},\s+)?"
    rf"(?:\d{{1,4}}[a-zA-Z]?(?:\s?[-–]\s?|/))?$"
)
_WELSH_PREFIX_RX = "|".join(
    sorted({w.title() for w in WELSH_STREET_PREFIXES} | {w.upper() for w in WELSH_STREET_PREFIXES})
)
# a Welsh house name and its lane, no number: "Fferm Pen y Bryn, Lôn Groes"
WELSH_HOUSE_ADDRESS = re.compile(
    rf"\b{_WELSH_HOUSE},\s+(?:{_WELSH_PREFIX_RX})(?:\s+(?:y|yr|ar)\b)?\s+[A-ZÂÊÎÔÛŴŶ][\w'’-]+"
)


# a house name before the number, where a preposition or a label opens the address: "house at
# Hafod Wen, 11 Ffordd Llanbadarn", "Address: Glenview, 4 Braeside Road"
_HOUSE_NAME_BEFORE = re.compile(
    r"(?:^|\n|[:(]\s*|\b(?i:at|to|from|of|address|in)\s+)"
    r"(?P<house>(?:[A-ZÀ-Ý][\w'’-]+\s+(?:(?:an|na|nan|y|yr|ar|a'|a’)\s+)?){0,2}[A-ZÀ-Ý][\w'’-]+)"
    r",\s+$"
)
# what opens an address: a label, a line start, "lives at", "moved to", "letter to"
_ADDRESS_CUE = re.compile(
    r"(?:^|\n|(?i:address|addr)\.?\s*[:\-–]?\s*|\b(?i:at|to|from)\s+)"
    r"(?:(?:Flat|FLAT|flat|Apartment|Apt|Unit)\s+\w{1,4},?\s+)?$"
)
_TITLES = frozenset(["mr", "mrs", "ms", "miss", "mx", "dr", "rev", "fr", "sr", "st", "sir", "dame"])


def _house_name(text: str, start: int) -> int:
    """Start of a house name standing just before the address at ``start`` (else ``start``).

    Not when a word of it is a listed first name or surname or a title (``letter to Mary
    Jones, 14 Oak Road``: the name rules judge those), a common English word on its own
    (``at Home, 14 Oak Road``) or a place (``in Leeds, 14 Oak Road``)."""
    lo = max(0, start - 50)
    m = _HOUSE_NAME_BEFORE.search(text[lo:start])
    if m is None:
        return start
    from nlp.deid.lexicons import load

    lex = load()
    words = [w for w in m.group("house").split() if w[0].isupper()]
    low = [w.lower().rstrip(".") for w in words]
    from nlp.deid import context as cx

    if low[-1] in cx.FACILITY_AFTER or low[-1] in {
        w.lower() for p in GP_TYPE_WORDS for w in p.split()
    }:
        return start  # "Letter to Elmwood Practice, 1 Rayners Lane": the practice is its own
    if re.fullmatch(_HOUSE_WORDS + "|" + _BUILDING_HEADS, words[-1], re.IGNORECASE):
        return start  # "Millgate House, 27 Irwell Street": a named building or scheme is the
        # flat-and-building rules' (and is often the service itself)
    if any(
        w in _TITLES or lex.is_name_word(w) or w in lex.places or w in lex.not_names for w in low
    ):
        return start
    if len(words) == 1 and (lex.is_common(low[0]) or low[0] in lex.regions):
        return start
    return lo + m.start("house")


# "Flat 4, Sydenham Court, 7 Kirkdale": after a flat and its building the street needs no type
_FLAT_BUILDING_BEFORE = re.compile(rf"(?:{_FLAT}),?\s+{_BUILDING},\s+$")


def _untyped_street_end(text: str, words: list[re.Match[str]], i: int) -> int | None:
    end = None
    for j in range(i + 1, min(len(words), i + 4)):
        gap = text[words[j - 1].end() : words[j].start()]
        if gap != " " or not _capital(words[j].group(0)):
            break
        end = words[j].end()
    return end


# a pitch or plot on a site, a croft and its township: "Plot 6, Tameside Caravan Park", "Pitch
# 4, Lily Lane Site", "Croft 3, Balnain"
SITE_ADDRESS = re.compile(
    r"\b(?:Plot|PLOT|Pitch|PITCH|Caravan|CARAVAN|Static|Van|VAN)\s+(?:No\.?\s*)?\d{1,4}[A-Za-z]?,?\s+"
    r"(?:[A-Z][\w'’-]+\s+){0,3}(?i:Site|Park|Caravan\s+Park|Holiday\s+Park|Park\s+Homes|Estate)\b"
    r"|\b(?:Mooring|MOORING|Berth|BERTH)\s+\d{1,4}[A-Za-z]?,?\s+"
    r"(?:[A-Z][\w'’-]+\s+){0,3}(?i:Marina|Wharf|Basin|Moorings|Boatyard)\b"
    r"|\b(?:Croft|CROFT|Croit|CROIT)\s+\d{1,3},\s+[A-ZÀ-Ý][\w'’-]+"
)


# a town and a capitals postcode right after an untyped street: ", Morecambe LA4 4AF"
_TOWN_AND_POSTCODE = re.compile(
    r",\s?(?:[A-Z][\w'’-]+\s){0,2}[A-Z][\w'’-]+,?\s(?=" + POSTCODE.pattern + r")"
)


def _street_words(words: str) -> bool:
    """Words that can name a street with no street type: each a :func:`_proper_word` (no
    English word, thing or town), a direction aside (``Pontmorlais West``)."""
    from nlp.deid.lexicons import load

    lex = load()
    named = [w for w in words.split() if w.lower() not in DIRECTIONS]
    return bool(named) and all(_proper_word(w, lex) for w in named)


def _addresses(text: str) -> Iterator[Entity]:
    """House number + street words with a street type: ``Flat 9, 31 Nelson Street``."""
    words = list(_WORD.finditer(text))
    for i, w in enumerate(words):
        if not re.fullmatch(r"\d{1,4}[A-Za-z]?", w.group(0)):
            continue
        end = _street_end(text, words, i)
        if end is None and _ADDRESS_CUE.search(text[max(0, w.start() - 40) : w.start()]):
            end = _street_end(text, words, i, comma=True)
        if end is None and _FLAT_BUILDING_BEFORE.search(text[max(0, w.start() - 80) : w.start()]):
            end = _untyped_street_end(text, words, i)
        if end is None:
            end = _untyped_street_end(text, words, i)
            if end is None or not _TOWN_AND_POSTCODE.match(text, end):
                continue  # "19 Westgate, Morecambe LA4 4AF": a town and a postcode close it
            if not _street_words(text[w.end() : end]):
                continue  # "Gave 2 Paracetamol, Leeds LS1 3EX", "Bus 36 Harrogate, ..."
        start = w.start()
        before = _ADDRESS_BEFORE.search(text[max(0, start - 60) : start])
        if before:
            start -= len(before.group(0))
        yield Entity(_house_name(text, start), end, "address")


# a labelled address line: "HOME ADDRESS: CROIT 7, INVERROY, ROY BRIDGE PH31 4AQ". The parts
# before the postcode less the last (the town, which the set leaves unmarked): house and
# street whatever their form (a croft and its township, a house name and its lane)
ADDRESS_LABEL = re.compile(
    r"(?im)\b(?:(?:home|previous|current|postal|permanent|usual|new|old|daughter's|son's)\s+)?"
    r"address(?:\s+line\s*1)?\s*[:\-–]\s*(?P<body>(?-i:[A-Z0-9])[^\n;]*)"
)


def _labelled_addresses(text: str) -> Iterator[Entity]:
    for m in ADDRESS_LABEL.finditer(text):
        body, at = m.group("body"), m.start("body")
        code = POSTCODE.search(body)
        if code:
            body = body[: code.start()]
        cut = re.search(r"\s{3,}|\.\s|\b(?i:tel|phone|mob|email|e-mail|postcode)\b", body)
        if cut:
            body = body[: cut.start()]
        parts = [p for p in re.finditer(r"[^,]+", body) if p.group(0).strip()]
        if len(parts) < 2 and not code:
            continue  # "Address: Leeds" or free text: no town to tell apart
        last = parts[-1].group(0).strip() if parts else ""
        keep_last = bool(re.search(r"\d", last)) or last.split()[-1].lower() in STREET_TYPES
        if len(parts) >= 2 and not keep_last:
            parts = parts[:-1]
        if not parts:
            continue
        if not any(re.search(r"\d", p.group(0)) for p in parts):
            if not code:
                continue  # no house number and no postcode: left to the other recognisers
            if any(w.lower() in _ADDRESS_WORDS["not_house"] for w in parts[0].group(0).split()):
                continue  # "Address: Oakwood Nursing Home, Leeds LS12 4NF": a home, no house
            numbered = 0  # "Address: Quoyness, Sandwick, Orkney KW16 3JQ": a house name and
            parts = parts[:2]  # its lane or township before the town and the postcode
        else:
            numbered = next(n for n, p in enumerate(parts) if re.search(r"\d", p.group(0)))
            street = any(
                e.start >= at + parts[numbered].start() and e.end <= at + parts[numbered].end()
                for e in _addresses(text)
            )
            parts = parts[: numbered + 1 if street else numbered + 2]
        while numbered and re.search(
            rf"\b(?:{_HOUSE_WORDS}|{_BUILDING_HEADS})$", parts[0].group(0).strip(), re.IGNORECASE
        ):
            parts, numbered = parts[1:], numbered - 1  # "MILLGATE HOUSE, 27 IRWELL STREET":
            # a named building before the number is often the scheme itself (as above)
        words = [w for p in parts for w in p.group(0).split()]
        if len(words) > 4 * len(parts) or any(
            not (_capital(w) or w[0].isdigit() or w.lower() in CONNECTORS) for w in words
        ):
            continue  # a sentence, not an address line
        first = parts[0]
        start = at + first.start() + len(first.group(0)) - len(first.group(0).lstrip())
        end = at + parts[-1].end() - (len(parts[-1].group(0)) - len(parts[-1].group(0).rstrip()))
        if end > start:
            yield Entity(start, end, "address")


_HOUSE_WORDS = (
    r"(?:Farm|Farmhouse|Cottage|Cottages|House|Lodge|Barn|Barns|Grange|Manor|Mill|Flats|"
    r"Court|Hall|Bungalow|Villa|Croft|Steading|Rectory|Vicarage|Mews|Chambers)"
)
_STREET_RX = "|".join(
    sorted((w.title() for w in STREET_TYPES if w.isalpha()), key=len, reverse=True)
)
# a house name (and number) before a street: "Brook Farm, The Street", "Lower Moss Farm
# Cottage, 4 Saxlingham Road", "14 Stonehall Flats, Keyham Road"; a flat in a named
# building: "Flat 17, Tiverton Court"
_WELSH_STREET = rf"(?:{_WELSH_PREFIX_RX})(?:\s+(?:y|yr|ar))?\s+[A-ZÂÊÎÔÛŴŶ][\w'’-]+"
HOUSE_ADDRESS = re.compile(
    rf"(?:\b\d{{1,4}}[a-zA-Z]?\s+)?\b(?:[A-Z][\w'’-]+\s+){{0,3}}{_HOUSE_WORDS}"
    rf"(?:\s+{_HOUSE_WORDS})?,\s+(?:\d{{1,4}}[a-zA-Z]?(?:\s?[-–]\s?\d{{1,4}}[a-zA-Z]?)?\s+)?"
    rf"(?:(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_STREET_RX})\b|{_WELSH_STREET})"
)
# a Welsh compound house name before its lane: "Pen-y-Bryn, Heol Tylacoch"
WELSH_COMPOUND_HOUSE = re.compile(
    rf"\b[A-ZÂÊÎÔÛŴŶ][\w'’]*(?:-(?:y|yr|ar|[a-zâêîôûŵŷ]+|[A-ZÂÊÎÔÛŴŶ][\w'’]*))+,\s+{_WELSH_STREET}"
)
FLAT_BUILDING = re.compile(rf"\b(?:{_FLAT}),?\s+{_BUILDING}\b")
# a plot or pitch on a street, as a flat on one: "Plot 2, Oare Marsh Lane", "PITCH 4, MILL ROAD"
_STREET_UPPER = _STREET_RX.upper()
PLOT_STREET = re.compile(
    r"\b(?:Plot|Pitch)\s+(?:No\.?\s*)?\d{1,4}[A-Za-z]?,?\s+"
    rf"(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_STREET_RX})\b"
    r"|\b(?:PLOT|PITCH)\s+(?:NO\.?\s*)?\d{1,4}[A-Z]?,?\s+"
    rf"(?:[A-Z][A-Z'’-]+\s+){{1,3}}(?:{_STREET_UPPER})\b"
)


def _house_addresses(text: str) -> Iterator[Entity]:
    for rx in (
        HOUSE_ADDRESS,
        FLAT_BUILDING,
        WELSH_HOUSE_ADDRESS,
        WELSH_COMPOUND_HOUSE,
        SITE_ADDRESS,
        PLOT_STREET,
    ):
        for m in rx.finditer(text):
            yield Entity(m.start(), m.end(), "address")


# Welsh: the practice word comes first (Meddygfa Teilo, Meddygfa'r Llan, Meddygfa Glan yr
# Afon: the article and small words inside a Welsh name)
GP_WELSH = re.compile(
    r"\b(?:Meddygfa|MEDDYGFA|Canolfan Feddygol|CANOLFAN FEDDYGOL)(?:['’]r)?"
    r"(?:\s+(?:(?:y|yr|ar|a|o|dan|uwch)\s+)?[A-Z][\w'’-]+){1,3}"
)


GP_ABBREVIATIONS = sorted(_ADDRESS_WORDS.get("gp_abbrev", ()), key=len, reverse=True)
_RUN_WORD = r"[A-ZÀ-Ý][\w'’&-]*"
# a practice after a GP label, with no surgery word or a short one: "GP: Riddrie Vale",
# "GP Calder Vale MP informed", "GP practice - Calderbrook", "GP is Moorside HC"
GP_LABELLED = re.compile(
    r"\b(?:GP|G\.P\.)(?:['’]s)?(?:\s+(?i:surgery|practice))?"
    r"(?:\s*[:\-–(]\s*|\s+(?:is|at|=)\s+|\s+)"
    rf"(?P<run>(?:{_RUN_WORD}\s+){{0,3}}{_RUN_WORD})\b(?!['’]s\b)"
)
# a practice name before its head noun in lower case: "sample to Riddrie Vale practice",
# "Calderbrook surgery", "Moorside health centre"
GP_LOWER_TYPE = re.compile(
    rf"(?P<run>(?:\b{_RUN_WORD}\s+){{1,3}})"
    r"(?P<type>surgery|practice|medical\s+(?:practice|centre|center)|health\s+(?:centre|center))\b"
)
# the same in a lower-case note: "rang moorside surgery", "calder vale medical centre"
# (every word before the head no common word: not "knee surgery", "choir practice")
GP_ALL_LOWER = re.compile(
    r"(?<![\w'’])(?P<run>(?:[a-zà-ÿ][\w'’-]+\s+){1,3})"
    r"(?P<type>surgery|practice|medical\s+(?:practice|centre|center)|health\s+(?:centre|center))\b"
)
# Welsh and Gaelic health centres: "Canolfan Iechyd Aberaeron", "Ionad Slàinte Phort Rìgh"
GP_CENTRE_FIRST = re.compile(
    r"\b(?:Canolfan Iechyd|CANOLFAN IECHYD|Ionad Sl[àa]inte|IONAD SL[ÀA]INTE)"
    rf"(?:\s+(?:(?:y|yr|ar|a|o|na|nan)\s+)?{_RUN_WORD}){{1,3}}"
)


def _proper_word(word: str, lex: object) -> bool:
    """A word that can only be part of a proper name: no common or listed-thing word, day,
    month, title or short acronym (``Riddrie``, ``Calderbrook``; not ``Review``, ``OOH``)."""
    from nlp.deid import context as cx

    low = word.lower().rstrip(".")
    if word.isupper() and len(word) <= 3:
        return False
    return not (
        lex.is_common(low)  # type: ignore[attr-defined]
        or low in lex.not_names  # type: ignore[attr-defined]
        or low in cx.MONTHS_DAYS
        or low in cx.TITLES
        or low in _TITLES
        or low in lex.places  # type: ignore[attr-defined]
        or low in lex.regions  # type: ignore[attr-defined]
    )


def _practice_run(words: list[str], lex: object) -> bool:
    """``words`` can name a practice: one proper word at least, no first name or title
    (``GP Dr Lennox``, ``Dr Shah's surgery`` are the name rules'), a surname only beside
    another word (``Calder Vale``, not ``Patel surgery``)."""
    low = [w.lower().rstrip(".") for w in words]
    if any(w in _TITLES or w in lex.first_names for w in low):  # type: ignore[attr-defined]
        return False
    phrases = lex.not_name_phrases  # type: ignore[attr-defined]
    if any(tuple(low[a:b]) in phrases for a in range(len(low)) for b in range(a + 2, len(low) + 1)):
        return False  # "Tai Chi practice"
    if len(words) == 1 and low[0] in lex.surnames:  # type: ignore[attr-defined]
        return False
    return any(_proper_word(w, lex) for w in words)


def _more_gp_surgeries(text: str) -> Iterator[Entity]:
    from nlp.deid.lexicons import load

    lex = load()
    abbrev = {a.lower() for a in GP_ABBREVIATIONS}
    gp_words = {w.lower() for phrase in GP_TYPE_WORDS for w in phrase.split()}
    for m in GP_LABELLED.finditer(text):
        words = m.group("run").split()
        keep = abbrev | gp_words | STREET_TYPES | DIRECTIONS
        while words and words[-1].lower() not in keep and not _proper_word(words[-1], lex):
            words.pop()  # "GP Riddrie Vale Review": the run stops at its last name word
        name = [w for w in words if w.lower() not in abbrev | gp_words]
        if name and _practice_run(name, lex):
            start = m.start("run")
            end = start + len(" ".join(words))
            if text[start:end] == " ".join(words):
                yield Entity(start, end, "gp_surgery")
    for m in GP_LOWER_TYPE.finditer(text):
        words = m.group("run").split()
        while words and words[0].lower() in GP_LEADING:
            words.pop(0)
        if words and not words[-1].endswith(("'s", "’s")) and _practice_run(words, lex):
            start = m.start("run") + m.group("run").find(words[0])
            yield Entity(start, m.end("type"), "gp_surgery")
    for m in GP_ALL_LOWER.finditer(text):
        words = m.group("run").split()
        while words and words[0].lower() in GP_LEADING:
            words.pop(0)
        if words and _proper_word(words[0], lex) and _practice_run(words, lex):
            start = m.start("run") + m.group("run").find(words[0])
            yield Entity(start, m.end("type"), "gp_surgery")
    for m in GP_CENTRE_FIRST.finditer(text):
        yield Entity(m.start(), m.end(), "gp_surgery")


def _gp_surgeries(text: str) -> Iterator[Entity]:
    yield from _more_gp_surgeries(text)
    for m in GP_WELSH.finditer(text):
        yield Entity(m.start(), m.end(), "gp_surgery")
    for m in GP.finditer(text):
        start = m.start()
        head = re.search(rf"(?:{_GP_TYPES})$", m.group(0), re.IGNORECASE)
        lead = m.group(0)[: head.start()] if head else m.group(0)  # "Patel and Partners"
        for w in _WORD.finditer(lead):
            if w.group(0).lower() in GP_LEADING:
                start = m.start() + w.end()
        while start < m.end() and text[start].isspace():
            start += 1
        rest = text[start : m.end()]
        if rest and not re.fullmatch(rf"(?:{_GP_TYPES})", rest, re.IGNORECASE):
            yield Entity(start, m.end(), "gp_surgery")


# words before a short date that say it is one: "on 16/2", "visit on 26/1", "by the 31st"
_DATE_CUE = (
    r"(?i:\b(?:on|by|from|until|till|since|due|before|after|w/c|dated|next|visit|visiting)\s+)"
)
_DM_CUED = re.compile(rf"{_DATE_CUE}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?![\d/]|\.\d)")
_DAY_CUED = re.compile(rf"{_DATE_CUE}(?i:the\s+)(?P<d>\d{{1,2}})(?i:st|nd|rd|th)\b")
# round 17: a short date, or a night's two days, after a record's heading word or a weekday
# ("Handover 26/4", "Handover: 26/4", "daily notes 7/2 -", "NIGHT 26-27/08", "Thu 25/9",
# "Monday 3/6"); weekdays capitalised (not "she sat 1/2 hour", "O2 sat 9/10")
_DM_HEADED = re.compile(
    r"(?:\b(?i:handover|notes?|report|log|nights?|rota|w/e|weekend)"
    r"|\b(?:Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun|MON|TUE|WED|THU|FRI|SAT|SUN)"
    r"|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\.?[:,]?\s+(?:[-–]\s+)?"
    r"(?:(?P<d1>\d{1,2})-)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d/]|\.\d)"
    r"(?:-(?P<d2>\d{1,2})/(?P<m2>\d{1,2})(?![\d/]|\.\d))?"
)
# what makes a short number pair a fraction, a count, a duration or a score, not a date:
# "Night 2/3 of the block", "1/2 hourly", "Handover 2/3 staff off", "started 2/7 ago"
_NOT_A_DATE_AFTER = re.compile(
    r"\s*(?i:of|hours?|hourly|hrly|hrs?|days?|ago|tabs?|tablets?|staff|staffed|done|completed"
    r"|readings?|portions?|full|left|mins?|minutes|weeks?|wks?|times|x)\b|\s*%"
)
_SCORED_BEFORE = re.compile(r"(?i:pain|score|scored|rated|rating|sats?|bp|out of)\b[^\n]{0,20}$")


def _headed_dates(text: str) -> Iterator[Entity]:
    """:data:`_DM_HEADED`'s dates: a real day, not a fraction of quarters or thirds (``1/2``,
    ``2/3``), not days of a week (``works nights 3/7``), not before a word that counts
    (``hourly``, ``of``, ``staff``, ``ago``), not after a score word (``Pain log 6-7/10``);
    a night's range only of two days in a row."""
    for m in _DM_HEADED.finditer(text):
        d, mo = int(m.group("d")), int(m.group("m"))
        first = int(m.group("d1")) if m.group("d1") else d
        fraction = not m.group("d1") and (d < mo <= 4 or (mo == 7 and d <= 7))
        if not (1 <= first <= d and real_day(d, mo)) or fraction:
            continue  # "2/3", "1/2": fractions; "3/7": days of a week, as clinicians write
        if m.group("d1") and d != first + 1:
            continue
        if _NOT_A_DATE_AFTER.match(text, m.end()) or _SCORED_BEFORE.search(text, 0, m.start()):
            continue
        yield Entity(m.start("d1") if m.group("d1") else m.start("d"), m.end("m"), "date")
        # "Night 26/8-27/8": the second date too
        if m.group("d2") and real_day(int(m.group("d2")), int(m.group("m2"))):
            yield Entity(m.start("d2"), m.end("m2"), "date")


# Welsh dates: "7 Chwef", "22 Mawrth 2026", "3ydd Ionawr"
_WELSH_DATE = re.compile(
    r"\b(?P<d>\d{1,2})(?:af|il|ydd|edd|fed|eg|ain)?\s+(?:Ionawr|Ion|Chwefror|Chwef|Mawrth|Maw"
    r"|Ebrill|Ebr|Mai|Mehefin|Meh|Gorffennaf|Gorff|Awst|Medi|Hydref|Hyd|Tachwedd|Tach"
    r"|Rhagfyr|Rhag)\b(?:\s+(?:19|20)\d{2}\b)?"
)


def _day_month(text: str) -> Iterator[Entity]:
    for m in _DM.finditer(text):
        d, mo = int(m.group("d")), int(m.group("m"))
        if 1 <= d <= 31 and 1 <= mo <= 12 and not _SCORE_WORDS.search(text[: m.start()]):
            yield Entity(m.start(), m.end(), "date")
    for m in _DM_CUED.finditer(text):
        if 1 <= int(m.group("d")) <= 31 and 1 <= int(m.group("m")) <= 12:
            yield Entity(m.start("d"), m.end(), "date")
    yield from _headed_dates(text)
    for m in SPOKEN_DATE.finditer(text):
        yield Entity(m.start(), m.end(), "date")
    for rx in (_DAY_CUED, _WELSH_DATE):
        for m in rx.finditer(text):
            if 1 <= int(m.group("d")) <= 31:
                yield Entity(m.start("d"), m.end(), "date")


# a pasted table (cells between "|" or tabs): the header names the columns whose cells are
# rooms ("| Rm | Resident | Night | Sign |") or staff initials
_ROOM_HEADERS = frozenset(
    [
        "rm", "room", "rm no", "room no", "room number", "bed", "bedroom",
        # round 16: a flat or apartment column ("Flat | Tenant |", "Time | Apt | Tenant |")
        "flat", "flat no", "apt", "apartment", "ystafell", "stafell",
    ]
)  # fmt: skip
_SIGN_HEADERS = frozenset(
    [
        "sign", "signed", "signature", "sig", "initials", "initial", "init", "staff initials",
        "given by", "checked by", "signed by", "staff sign", "witness", "by",
        # round 17: the column of staff who lead or cover ("| room | guest | staff lead |")
        "staff lead", "lead", "staff", "keyworker", "key worker", "cover",
    ]
)  # fmt: skip
# capitals in a sign column that are an answer or an abbreviation, not a person's initials
NOT_INITIALS = frozenset(["OK", "NA", "NR", "REF", "DNA", "PRN", "NIL", "YES", "NO", "N/A"])
# "22", "1A", "B3", and a floor and room ("2.14", "G.07", "A/17")
_ROOM_CELL = re.compile(r"[A-Za-z]{0,2}\d{1,4}[A-Za-z]?|(?:\d|[A-Za-z]{1,2})[./-]\d{2}")
# a header cell that is a clock time: a night-check grid's columns ("Rm | 22:00 | 00:00 |")
_CLOCK_CELL = re.compile(r"(?:[01]?\d|2[0-3])[:.][0-5]\d")
# a night-check grid with a room per column: "Time | B1 | B2 | B3 |"; the first cell a time
# or check word, three cells at least a room's code of one series, of the letters rooms go by
# (not calls, visits, nights, hours, meds, levels, pathways, weeks: C1, V1, N1, H1, M1, L1, P1,
# W1; nor "Round | R1 | R2", rounds)
_GRID_FIRST = frozenset(["time", "times", "check", "checks", "night"])
_GRID_CODE = re.compile(r"(?P<series>[ABEFGKRU]|SR|BR)\d{1,3}", re.IGNORECASE)
_INITIALS_CELL = re.compile(r"[A-Z]{2,3}|[A-Z][a-z]?[A-Z]{1,2}[a-z]?[A-Z]?")  # RM, JD, WMcK


# a cell of a table aligned with spaces: words parted by single spaces ("A-toilet S")
_SPACED_CELL = re.compile(r"\S+(?: \S+)*")


def _spaced(line: str) -> bool:
    """A line of a table aligned with spaces: three cells at least, parted by two spaces or
    more (``Rm    22:00  23:00  00:00``, ``4     A      S      S``); not sentences typed
    with two spaces after each stop (``Checked all rooms.  Hall door locked.  Fire ...``)."""
    cells = re.split(r" {2,}", line.strip())
    sentences = sum(c.endswith((".", "!", "?")) or len(c.split()) > 3 for c in cells)
    return len(cells) >= 3 and sentences <= 1


def table_cells(line: str, at: int) -> list[tuple[int, int, str]]:
    """(start, end, text) of each cell of a table line starting at ``at``, stripped; empty
    cells kept, outer pipes dropped (``| 2 | Gladys |``). A line with neither pipes nor
    tabs is a table aligned with spaces: two spaces or more part its cells (round 17)."""
    inner = line.strip().strip("|")
    at += len(line) - len(line.lstrip()) + (1 if line.strip().startswith("|") else 0)
    if "|" not in inner and "\t" not in inner:
        return [(at + m.start(), at + m.end(), m.group(0)) for m in _SPACED_CELL.finditer(inner)]
    sep = "|" if "|" in inner else "\t"
    out, pos = [], 0
    for part in inner.split(sep):
        lead = len(part) - len(part.lstrip())
        text = part.strip()
        out.append((at + pos + lead, at + pos + lead + len(text), text))
        pos += len(part) + 1
    return out


def _initials_cell(cell: str) -> bool:
    from nlp.deid import context as cx

    return cell.upper() not in NOT_INITIALS and cell.lower() not in cx.ABBREVIATIONS


def _table_columns(text: str) -> Iterator[Entity]:
    columns: dict[int, str] = {}
    at = 0
    for line in text.split("\n"):
        pipes = line.count("|")
        spaced = not pipes and "\t" not in line and _spaced(line)
        aligned = "\t" in line or spaced  # columns by tabs or by spaces
        if not aligned and (pipes == 0 or (pipes == 1 and not (columns or _two_columns(line)))):
            columns = {}  # no table line (a lone "|" is one only after a two-column header)
        else:
            cells = table_cells(line, at)
            heads = [c[2].lower() for c in cells]
            people = any(h in _PEOPLE_HEADERS for h in heads)
            header = {
                k: "room" if h in _ROOM_HEADERS else "sign"
                for k, h in enumerate(heads)
                if (h in _ROOM_HEADERS or h in _SIGN_HEADERS)
                and cells[k][2] != "RM"
                and (h != "apt" or people)  # "Date | Apt | Outcome": an appointment
            }
            filled = [c for c in cells if c[2]]
            if not columns:
                yield from _grid_codes(cells)
            is_header = (
                not columns
                and bool(header)
                and (len(filled) >= 3 or (len(filled) == 2 and people))
                and not any(
                    c[2].endswith(":")
                    or (any(ch.isdigit() for ch in c[2]) and not _CLOCK_CELL.fullmatch(c[2]))
                    for c in cells
                )
            )
            if is_header:
                columns = header
            for k, kind in columns.items():
                if k >= len(cells) or is_header:
                    continue
                a, b, cell = cells[k]
                letter = re.fullmatch("[A-Z]", cell) and not spaced  # "C" (Flat C); not "Y"
                if kind == "room" and (_ROOM_CELL.fullmatch(cell) or letter):
                    yield Entity(a, b, "room")  # "22", "2.14"
                elif kind == "sign" and _INITIALS_CELL.fullmatch(cell) and _initials_cell(cell):
                    yield Entity(a, b, "name", parts=((a, b, "initial"),))
        at += len(line) + 1


# a column of people beside a room column: a two-column table ("Flat No | Tenant") is read,
# and an "Apt" column is a flat, not an appointment
_PEOPLE_HEADERS = frozenset(
    [
        "tenant", "tenants", "name", "names", "resident", "residents", "patient", "client",
        "person", "guest", "child", "young person", "yp", "service user", "resident name",
    ]
)  # fmt: skip


def _two_columns(line: str) -> bool:
    """A two-column header naming a room column and a people column (``Flat No | Tenant``)."""
    heads = [cell.lower() for _, _, cell in table_cells(line, 0)]
    return (
        len(heads) == 2
        and any(h in _ROOM_HEADERS for h in heads)
        and any(h in _PEOPLE_HEADERS for h in heads)
    )


def _grid_codes(cells: list[tuple[int, int, str]]) -> Iterator[Entity]:
    """The room codes heading a night-check grid's columns (``Time | B1 | B2 | B5 |``);
    tentative: they teach their own note only (``B3 awake at 02:00`` below the grid)."""
    if len(cells) < 3 or cells[0][2].lower() not in _GRID_FIRST:
        return
    codes = [
        (c, m)
        for c in cells[1:]
        if (m := _GRID_CODE.fullmatch(c[2])) and not _GRADE_CODE.fullmatch(c[2])
    ]
    if len(codes) >= 3 and len({m.group("series").lower() for _, m in codes}) == 1:
        for (a, b, _), _m in codes:
            yield Entity(a, b, "room", tentative=True)


_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    "|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    "|twenty[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth"
    "|thirty[- ]first"
)
_MONTH_NAMES = "|".join(MONTHS)  # the months dates.py shifts
# a date as dictation writes it: "the fifth of December", "December the twenty-first"
SPOKEN_DATE = re.compile(
    rf"\b(?:(?:{_ORDINALS})\s+of\s+(?:{_MONTH_NAMES})|(?:{_MONTH_NAMES})\s+the\s+(?:{_ORDINALS}))\b",
    re.IGNORECASE,
)


def find_patterns(text: str, units: frozenset[str] = frozenset()) -> list[Entity]:
    """Every pattern entity in ``text`` (overlapping; :func:`entities.resolve` picks);
    ``units`` are the wings and units the batch named (:func:`unit_names`)."""
    found: list[Entity] = [Entity(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    found += _nhs(text)
    found += [Entity(m.start(), m.end(), "ni_number") for m in NI.finditer(text)]
    found += _phones(text)
    found += _postcodes(text)
    found += _ids(text)
    found += _rooms(text, units)
    found += _table_columns(text)
    found += _addresses(text)
    found += _house_addresses(text)
    found += _labelled_addresses(text)
    found += _gp_surgeries(text)
    found += [Entity(a, b, "date") for a, b in find_dates(text)]
    found += _day_month(text)
    return found
