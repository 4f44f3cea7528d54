"""Word lists for de-identification, read from the data files in ``resources/``.

- ``first_names.tsv``: first names with gender (f, m, u) and origin;
- ``first_names_census.tsv``: more first names, from the US Census 1990 frequency files;
- ``surnames.tsv``: surnames with origin;
- ``common_words.txt``: common English words (lower case; see resources/README.md);
- ``not_names.tsv``: products, shops, programme titles, medication, activities, care
  terms and groups that look like names;
- ``places.txt``: towns, districts, counties and countries;
- ``gazetteer_places.txt``: GeoNames towns of the UK and Ireland (generated);
- ``regions.txt``: countries, states, provinces and counties, kept as they are;
- ``pseudonym_*``: what replacements are drawn from.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

RESOURCES = "nlp.deid.resources"


def _lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a resource file (``.gz``: compressed)."""
    path = resources.files(RESOURCES).joinpath(name)
    if name.endswith(".gz"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _columns(name: str) -> list[list[str]]:
    return [ln.split("\t") for ln in _lines(name)]


@dataclass(frozen=True)
class Lexicons:
    """Every list the recognisers and the pseudonymiser use (lower-case keys)."""

    first_names: dict[str, str]  # name -> gender f/m/u
    surnames: frozenset[str]
    common_words: frozenset[str]
    rare_words: frozenset[str]  # rarer English, medical and Welsh words: no name on shape alone
    not_names: frozenset[str]  # single words
    not_name_phrases: frozenset[tuple[str, ...]]  # multi-word terms, lower case
    places: frozenset[str]
    place_phrases: frozenset[tuple[str, ...]]
    # one-word towns of GeoNames (gazetteer_places.txt): no listed name or English word, so
    # a name only beside a name; not replaced as a place (that list is ``places``)
    gazetteer: frozenset[str]
    regions: frozenset[str]  # countries, states, counties: kept, never names or places
    region_phrases: frozenset[tuple[str, ...]]
    pseudo_first: tuple[tuple[str, str], ...]  # (name, gender)
    pseudo_surnames: tuple[str, ...]
    pseudo_places: tuple[str, ...]
    pseudo_streets: tuple[str, ...]

    def is_common(self, word: str) -> bool:
        """A common English word (``calm``, ``spar``), inflected forms included, or one made
        from one with a prefix (``unwitnessed``, ``non-verbal``: see :func:`derived`); or a
        rarer English, medical or Welsh word that is no listed name (``dysphagia``,
        ``doxazosin``, ``annwyl``)."""
        w = word.lower().strip("'’")
        return w in self.common_words or w in self.rare_words or derived(w, self.common_words)

    def is_name_word(self, word: str) -> bool:
        """In the first-name or surname list."""
        w = word.lower()
        return w in self.first_names or w in self.surnames


def fold(word: str) -> str:
    """Lower case without accents: ``Kamińska`` -> ``kaminska`` (as :mod:`context` folds)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("’", "'")


# prefixes that make new words of common words, and the endings such words take; a name
# seldom looks like one (Underwood, Outram do not end so)
_PREFIXES = ("un", "non", "pre", "re", "mis", "dis", "over", "under", "self", "co", "anti")
_ENDINGS = ("ed", "ing", "able", "ible", "ful", "ly", "ness", "ment", "ive", "ised", "ized")


def derived(word: str, common: frozenset[str]) -> bool:
    """``unwitnessed``, ``re-referred``, ``overfilled``: a prefix and a common word that ends
    like a verb or an adjective."""
    w = word.replace("-", "")
    for prefix in _PREFIXES:
        rest = w[len(prefix) :]
        if w.startswith(prefix) and len(rest) >= 5 and rest in common and rest.endswith(_ENDINGS):
            return True
    return False


def _split_terms(terms: list[str]) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Single words, and phrases as word tuples (``Alzheimer's`` -> ``alzheimer``, ``'s``,
    as the tokenizer splits it)."""
    single: set[str] = set()
    multi: set[tuple[str, ...]] = set()
    for term in terms:
        words = fold(term).split()
        words = [p for w in words for p in ([w[:-2], "'s"] if w.endswith("'s") else [w]) if p]
        if len(words) == 1:
            single.add(words[0])
        else:
            multi.add(tuple(words))
            if words[-1].isalpha() and not words[-1].endswith("s"):
                multi.add((*words[:-1], words[-1] + "s"))  # "Bakewell tarts"
        if any("-" in w for w in words):  # "Steri-Strips" as the tokenizer splits it
            split = tuple(p for w in words for p in re.split(r"(-)", w) if p)
            multi.add(split)
    return frozenset(single), frozenset(multi)


def address_words() -> dict[str, frozenset[str]]:
    """``address_words.tsv`` by class (street_type, welsh_prefix, direction, ...)."""
    out: dict[str, set[str]] = {}
    for word, cls in _columns("address_words.tsv"):
        out.setdefault(cls, set()).add(word)
    return {cls: frozenset(words) for cls, words in out.items()}


@functools.lru_cache(maxsize=1)
def load() -> Lexicons:
    """All lists, read once per process."""
    first: dict[str, str] = {}
    for row in _columns("first_names_census.tsv"):  # the hand-written list has the last word
        first[row[0].lower()] = row[1] if len(row) > 1 else "u"
    for row in _columns("first_names.tsv"):
        first[row[0].lower()] = row[1] if len(row) > 1 else "u"
    not_single, not_multi = _split_terms([row[0] for row in _columns("not_names.tsv")])
    place_single, place_multi = _split_terms(_lines("places.txt"))
    region_single, region_multi = _split_terms(_lines("regions.txt"))
    return Lexicons(
        first_names=first,
        surnames=frozenset(row[0].lower() for row in _columns("surnames.tsv")),
        common_words=frozenset(_lines("common_words.txt")),
        rare_words=frozenset(_lines("rare_words.txt.gz")),
        not_names=not_single,
        not_name_phrases=not_multi,
        places=place_single,
        place_phrases=place_multi,
        gazetteer=frozenset(
            fold(p) for p in _lines("gazetteer_places.txt") if " " not in p and "-" not in p
        ),
        regions=region_single,
        region_phrases=region_multi,
        pseudo_first=tuple((row[0], row[1]) for row in _columns("pseudonym_first_names.tsv")),
        pseudo_surnames=tuple(_lines("pseudonym_surnames.txt")),
        pseudo_places=tuple(_lines("pseudonym_places.txt")),
        pseudo_streets=tuple(_lines("pseudonym_streets.txt")),
    )
