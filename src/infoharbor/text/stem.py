"""Stems of Indonesian and Malay words, so that a search for peningkatan finds meningkatkan.

Indonesian and Malay build words from a root with prefixes and suffixes (tingkat: meningkat,
meningkatkan, peningkatan, ditingkatkan); a word index alone treats each form as a different
word. Their words are therefore indexed by stem (Snowball's Indonesian algorithm, which
serves Malay too: the two share their affixes), measured on the FacQA tuning split
(docs/benchmarks.md). Other languages are indexed as written.

A query's language is not known, so a Latin word typed into the search box is looked up both
as typed and by its stem (:func:`query_stems`).
"""

from __future__ import annotations

import threading

import Stemmer

# Content languages whose words are indexed by stem, and their Snowball algorithm.
ALGORITHMS = {"id": "indonesian", "ms": "indonesian"}

# A Snowball stemmer object is not safe to share between threads (the web server's and the
# background indexer's): one per thread and algorithm.
_local = threading.local()


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(algorithm)
    if found is None:
        found = stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return found


def _stemmable(word: str) -> bool:
    # The algorithms know plain Latin letters; names with digits, other scripts and
    # Vietnamese (accented) words are left as they are.
    return len(word) > 3 and word.isascii() and word.isalpha()


def stem(word: str, lang: str | None) -> str | None:
    """The stem of ``word`` (analysed: case-folded) in ``lang``, or None where it has none
    other than itself (or the language is not stemmed)."""
    algorithm = ALGORITHMS.get(lang or "")
    if algorithm is None or not _stemmable(word):
        return None
    stemmed: str = _stemmer(algorithm).stemWord(word)
    return stemmed if stemmed != word else None


def stemmed_language(lang: str | None) -> bool:
    """Whether the words of ``lang`` are indexed by stem."""
    return (lang or "") in ALGORITHMS


def stem_words(words: list[str], lang: str | None) -> list[str]:
    """``words`` (analysed), each by its stem where ``lang`` is stemmed and the word has one;
    ``words`` itself for a language that is not stemmed.

    The whole list goes to Snowball in one call (its loop runs in C); the words it must not
    touch (see :func:`stem`) are put back after.
    """
    algorithm = ALGORITHMS.get(lang or "")
    if algorithm is None or not words:
        return words
    stems: list[str] = _stemmer(algorithm).stemWords(words)
    return [s if _stemmable(w) else w for w, s in zip(words, stems, strict=True)]


def query_stems(word: str) -> tuple[str, ...]:
    """The stems a typed word may have in the stemmed languages, other than the word."""
    if not _stemmable(word):
        return ()
    found: dict[str, None] = {}
    for algorithm in dict.fromkeys(ALGORITHMS.values()):
        stemmed = _stemmer(algorithm).stemWord(word)
        if stemmed != word:
            found[stemmed] = None
    return tuple(found)
