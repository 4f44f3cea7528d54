"""Pattern recognisers: identifiers, contact details, addresses, rooms, GP surgeries, dates.

Each returns :class:`Entity` spans of the raw text; names and places come from
:mod:`nlp.deid.names`, which sees these spans and leaves them alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlp.deid.dates import find_dates
from nlp.deid.entities import Entity
from nlp.deid.lexicons import address_words

EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
NHS = re.compile(r"(?<![\d/-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d/-])")
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
    r"|la\s+ref|swift|mosaic|liquidlogic|lcs|frameworki|rio|systmone|emis)\.?"
    r"\s*(?:ref(?:erence)?\.?|no\.?|number|id)?\s*[:#]?\s*"
    r"(?P<id>\d{5,12}|\d{2,6}[/-]\d{2,8}"
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
    r"\b(?i:ref(?:erence)?|no|number|hosp(?:ital)?\s+no)\.?\s*[:#]?\s*"
    r"(?P<id>(?:[A-Z]{1,4}\d{0,3}\s)?\d{2,6}(?:\s\d{1,6}){1,3})(?![\w@/-])"
)
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
ROOM = re.compile(
    r"\b(?:room|rm|bedroom|bed|flat|apartment|apt|bay|ward|bungalow|cottage|suite|unit|chalet"
    r"|ystafell|stafell|fflat|seòmar|seomar|bedspace|bed\s+space|pod|cubicle|studio)"
    r"\.?\s?(?:no\.?\s?|number\s|#\s?)?(?P<num>\d{1,4}[a-z]?|[a-z]\d{1,3})\b(?![:.]\d)"
    r"(?!\s?(?:am|pm|hrs?|hours?|mins?|times|x|ml|mg|units?)\b)",
    re.IGNORECASE,
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


def _phones(text: str) -> Iterator[Entity]:
    for m in PHONE.finditer(text):
        raw = m.group(0).rstrip(" -")
        digits = re.sub(r"\D", "", raw)
        if digits.startswith("440"):  # "+44 (0)7700 900 286"
            digits = digits[2:]
        elif digits.startswith("44"):
            digits = "0" + digits[2:]
        elif digits.startswith("0044"):
            digits = "0" + digits[4:]
        if 10 <= len(digits) <= 11 and digits[1] in "1235789":
            yield Entity(m.start(), m.start() + len(raw), "phone")


def _nhs(text: str) -> Iterator[Entity]:
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


def _ids(text: str) -> Iterator[Entity]:
    for m in ID_CODE.finditer(text):
        s = m.group(0)
        digits = sum(c.isdigit() for c in s)
        parts = len(re.findall(r"[-/]", s))
        if digits >= 4 or (digits >= 3 and parts >= 2):  # "BNH-COMP-026"
            yield Entity(m.start(), m.end(), "id")
    for m in MIXED_ID.finditer(text):
        s = m.group(0)
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
        yield Entity(m.start("id"), m.end("id"), "id")
    for m in SPACED_LABELLED.finditer(text):
        if sum(c.isdigit() for c in m.group("id")) >= 6:
            yield Entity(m.start("id"), m.end("id"), "id")


def _rooms(text: str) -> Iterator[Entity]:
    for m in ROOM.finditer(text):
        num = m.group("num")
        clock = re.fullmatch(r"(?:[01]\d|2[0-3])[0-5]\d", num)
        if clock and (num[0] == "0" or m.group(0)[:3].lower() == "bed"):
            continue  # "back to bed 0230": a time
        if re.fullmatch(r"(?:19|20)\d\d", num):
            continue  # "moved into a bungalow 2019": a year
        yield Entity(m.start(), m.end(), "room")


def _street_end(text: str, words: list[re.Match[str]], i: int) -> int | None:
    """End of the street words after house number ``words[i]``, or None if no street.

    The street is the run of capitalised words (and connectors: ``Heol y Felin``) up to
    its last street type, directions after it included: ``2 Mount Pleasant Road``,
    ``112 Abbeydale Road South``; a Welsh prefix opens one: ``7 Heol y Felin``."""
    run: list[re.Match[str]] = []
    lower = i + 1 < len(words) and words[i + 1].group(0).islower()
    for j in range(i + 1, min(len(words), i + 8)):
        gap = text[words[j - 1].end() : words[j].start()]
        if gap.strip() or "\n" in gap:
            break
        token = words[j].group(0)
        if lower and token.islower() and token.isalpha():
            run.append(words[j])
            continue
        if lower or (not token[0].isupper() and token.lower() not in CONNECTORS):
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
        capital = token[0].isupper()
        if n == 0 and capital and low in WELSH_STREET_PREFIXES:
            welsh, end, last_type = True, w.end(), True
        elif welsh:
            end = w.end() if capital else end
        elif capital and low in STREET_TYPES:
            end, last_type = w.end(), True
        elif capital and last_type and low in DIRECTIONS:
            end = w.end()
        else:
            last_type = False
    return end


_SMALL_WORDS = frozenset(
    ["a", "an", "and", "at", "down", "for", "in", "of", "on", "per", "the", "to", "up", "with", "x"]
)
# a flat: "Flat 2B", "Fflat 3" (Welsh), "Flat 0/1"; Scottish positions "3F2", "GF1" (ground
# floor), "PF1", "2/1" (second floor, first door)
_FLAT = (
    r"(?i:f?flat|apartment|apt|unit)\s+(?:\d{1,4}[a-zA-Z]?(?:/\d{1,2})?|[A-Z]\b)"
    r"|(?:\d{1,2}|[GPBM])F\d{1,2}|\d{1,2}/\d{1,2}"
)
_BUILDING = (
    r"(?:[A-Z][\w'’]+\s+){1,3}(?:Court|House|Lodge|Mansions|Heights|Tower|Buildings|"
    r"Gardens|Place|Villas|Cottages|Close)"
)
# a Welsh house name opens with its house word: "Tŷ Capel", "Fferm Pen y Bryn", "Bwthyn Glas"
_WELSH_HOUSE = (
    r"(?:Tŷ|Ty|TŶ|Fferm|FFERM|Bwthyn|BWTHYN|Plas|PLAS)"
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


def _addresses(text: str) -> Iterator[Entity]:
    """House number + street words with a street type: ``Flat 9, 31 Nelson Street``."""
    words = list(_WORD.finditer(text))
    for i, w in enumerate(words):
        if not re.fullmatch(r"\d{1,4}[A-Za-z]?", w.group(0)):
            continue
        end = _street_end(text, words, i)
        if end is None:
            continue
        start = w.start()
        before = _ADDRESS_BEFORE.search(text[max(0, start - 60) : start])
        if before:
            start -= len(before.group(0))
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
HOUSE_ADDRESS = re.compile(
    rf"(?:\b\d{{1,4}}[a-zA-Z]?\s+)?\b(?:[A-Z][\w'’-]+\s+){{0,3}}{_HOUSE_WORDS}"
    rf"(?:\s+{_HOUSE_WORDS})?,\s+(?:\d{{1,4}}[a-zA-Z]?(?:\s?[-–]\s?\d{{1,4}}[a-zA-Z]?)?\s+)?"
    rf"(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_STREET_RX})\b"
)
FLAT_BUILDING = re.compile(rf"\b(?:{_FLAT}),?\s+{_BUILDING}\b")


def _house_addresses(text: str) -> Iterator[Entity]:
    for rx in (HOUSE_ADDRESS, FLAT_BUILDING, WELSH_HOUSE_ADDRESS):
        for m in rx.finditer(text):
            yield Entity(m.start(), m.end(), "address")


# Welsh: the practice word comes first (Meddygfa Teilo, Meddygfa'r Llan, Meddygfa Glan yr
# Afon: the article and small words inside a Welsh name)
GP_WELSH = re.compile(
    r"\b(?:Meddygfa|MEDDYGFA)(?:['’]r)?(?:\s+(?:(?:y|yr|ar|a|o|dan|uwch)\s+)?[A-Z][\w'’-]+){1,3}"
)


def _gp_surgeries(text: str) -> Iterator[Entity]:
    for m in GP_WELSH.finditer(text):
        yield Entity(m.start(), m.end(), "gp_surgery")
    for m in GP.finditer(text):
        start = m.start()
        for w in _WORD.finditer(m.group(0)):
            if w.group(0).lower() in GP_LEADING:
                start = m.start() + w.end()
        while start < m.end() and text[start].isspace():
            start += 1
        rest = text[start : m.end()]
        if rest and not re.fullmatch(rf"(?:{_GP_TYPES})", rest, re.IGNORECASE):
            yield Entity(start, m.end(), "gp_surgery")


# words before a short date that say it is one: "on 16/2", "visit on 26/1", "by the 31st"
_DATE_CUE = r"(?i:\b(?:on|by|from|until|till|since|due|before|after|w/c|dated|next)\s+)"
_DM_CUED = re.compile(rf"{_DATE_CUE}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?![\d/]|\.\d)")
_DAY_CUED = re.compile(rf"{_DATE_CUE}(?i:the\s+)(?P<d>\d{{1,2}})(?i:st|nd|rd|th)\b")
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
    for rx in (_DAY_CUED, _WELSH_DATE):
        for m in rx.finditer(text):
            if 1 <= int(m.group("d")) <= 31:
                yield Entity(m.start("d"), m.end(), "date")


def find_patterns(text: str) -> list[Entity]:
    """Every pattern entity in ``text`` (overlapping; :func:`entities.resolve` picks)."""
    found: list[Entity] = [Entity(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    found += _nhs(text)
    found += [Entity(m.start(), m.end(), "ni_number") for m in NI.finditer(text)]
    found += _phones(text)
    found += _postcodes(text)
    found += _ids(text)
    found += _rooms(text)
    found += _addresses(text)
    found += _house_addresses(text)
    found += _gp_surgeries(text)
    found += [Entity(a, b, "date") for a, b in find_dates(text)]
    found += _day_month(text)
    return found
