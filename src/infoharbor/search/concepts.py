"""Countries and sectors by name, in every language: cross-language reach without translation.

A Thai reader who searches for เวียดนาม means Vietnam, whether the entry says Vietnam, 越南 or
Việt Nam. Entries carry the concepts of their country, their sectors and the countries their
text names (``country:VN``, ``sector:trade``); a query that names a country or sector in any
of the harbor's languages also matches those concepts.

Country names come from the database and from CLDR (through ICU) for every interface
language; sector names from the reference data's translations.
"""

from __future__ import annotations

import logging
import re
import threading

import icu

from infoharbor.core.languages import CONTENT_LANGUAGES
from infoharbor.text.analyze import analyze

logger = logging.getLogger(__name__)

# Concept names are matched as word sequences of at most this many words.
MAX_NAME_WORDS = 6
# Sector names are often "A & B" / "A and B": each half names the sector too.
_CONJUNCTIONS = re.compile(
    r"\s*(?:&|,|/|\band\b|\bdan\b|\bat\b|\bvà\b|\be\b|\bat\b|和|与|與|及|และ|ແລະ|និង|နှင့်)\s*"
)

_lock = threading.Lock()
_lexicon: dict[tuple[str, ...], tuple[str, ...]] | None = None
# The first word of every name -> the most words a name starting with it has.
_starts: dict[str, int] = {}


def _icu_locale(code: str) -> icu.Locale:
    return icu.Locale(code.replace("-", "_"))


def _names() -> list[tuple[str, str, str]]:
    """(concept key, name, language) for every country and sector."""
    from infoharbor.core.models import Country, Sector

    names: list[tuple[str, str, str]] = []
    locales = [(code, _icu_locale(code)) for code in CONTENT_LANGUAGES]
    for country in Country.objects.only("iso2", "names"):
        key = f"country:{country.iso2}"
        region = icu.Locale("und", country.iso2)
        for language, name in country.names.items():
            names.append((key, name, language))
        for code, locale in locales:
            name = region.getDisplayCountry(locale)
            if name and name != country.iso2:
                names.append((key, name, code))
    for sector in Sector.objects.only("slug", "names"):
        key = f"sector:{sector.slug}"
        for language, name in sector.names.items():
            names.append((key, name, language))
            for half in _CONJUNCTIONS.split(name):
                if half and half != name:
                    names.append((key, half, language))
    return names


def lexicon() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Analysed name (as a word tuple) -> concept keys. Built once per process."""
    global _lexicon, _starts
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                built: dict[tuple[str, ...], set[str]] = {}
                for key, name, language in _names():
                    words = tuple(analyze(name, language).words)
                    if 0 < len(words) <= MAX_NAME_WORDS and _worth_matching(words):
                        built.setdefault(words, set()).add(key)
                starts: dict[str, int] = {}
                for words in built:
                    starts[words[0]] = max(starts.get(words[0], 0), len(words))
                _starts = starts
                _lexicon = {words: tuple(sorted(keys)) for words, keys in built.items()}
    return _lexicon


def _worth_matching(words: tuple[str, ...]) -> bool:
    # One- or two-letter Latin "names" ("Ai", "e") would match everywhere.
    text = "".join(words)
    return not (text.isascii() and len(text) < 3)


def reset() -> None:
    """Forget the lexicon (after reference data changes, and in tests)."""
    global _lexicon, _starts
    with _lock:
        _lexicon = None
        _starts = {}


def find(words: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Concept names in ``words``: (start, end, keys), longest match first, not overlapping."""
    names = lexicon()
    starts = _starts
    found = []
    i = 0
    while i < len(words):
        # Most words start no name: one lookup, not one per possible length.
        longest = starts.get(words[i])
        if longest is None:
            i += 1
            continue
        for length in range(min(longest, len(words) - i), 0, -1):
            keys = names.get(tuple(words[i : i + length]))
            if keys:
                found.append((i, i + length, keys))
                i += length
                break
        else:
            i += 1
    return found


def find_keys(words: list[str]) -> set[str]:
    return {key for _start, _end, keys in find(words) for key in keys}
