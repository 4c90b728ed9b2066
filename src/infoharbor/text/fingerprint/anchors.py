"""Language-independent anchors of a text, to propose links between clusters across languages.

MinHash compares characters, so a story and its translation share nothing it can see. What
a translation keeps are its *anchors*: numbers (in any script's digits, with the thousands
separators of either convention removed), URLs, e-mail addresses, hashtags and handles, and
names written in Latin script (capitalized words and acronyms of three letters or more: names
that Chinese, Thai or Burmese text leaves in Latin letters, and that English, Indonesian or
Vietnamese text capitalizes). Two items in different languages, published within a short
window, that share enough anchors are proposed as one story by :func:`cross_language_link`.

The proposal is deliberately strict (several shared anchors, most of the smaller item's
anchors, at least one of them a number or an address) because a false link shows a reader two
stories as one; ``bench/cross_language.py`` measures its precision and recall on the UD PUD
treebanks (the same news and Wikipedia documents in English, Chinese, Thai and Indonesian).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

__all__ = ["Anchors", "anchors", "cross_language_link"]

# Every part is bounded and starts where a token starts, so a hostile run of a million letters
# is read in linear time (an unbounded "[\w.]+@" retries from every position of the run).
_ADDRESS = regex.compile(
    r"(?:https?://|www\.)[^\s<>\"'）)】」]{1,2000}"
    r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|(?<![\w#@])[#@][\p{L}\p{N}_]{2,100}",
)
# Digits of any script, with "," "." or a thin/no-break space between groups.
_NUMBER = regex.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*")
# A Latin-script word that starts with a capital, or an acronym with digits (COVID-19, G20).
# An acronym with its number (COVID-19, ASEAN) or a capitalized word of three letters or more,
# Latin letters only, and bounded by anything else: Chinese and Thai write Latin names with no
# space around them ("Mailis在周四", "ซีบีซีCBC"), where \b would see no word boundary.
_NAME = regex.compile(
    r"(?<![\p{Latin}\p{M}\d])(?:\p{Lu}{2,}-?\d+|\p{Lu}[\p{Latin}\p{M}]{2,})(?![\p{Latin}\p{M}\d])"
)


@dataclass(frozen=True, slots=True)
class Anchors:
    numbers: frozenset[str]
    addresses: frozenset[str]
    names: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.numbers | self.addresses | self.names

    def __len__(self) -> int:
        return len(self.numbers) + len(self.addresses) + len(self.names)


def _number(raw: str) -> str | None:
    digits = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in raw)
    groups = regex.split(r"[.,\u00a0\u202f]", digits)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        value = "".join(groups)  # 1,000,000 and 1.000.000 are one million
    elif len(groups) == 2:
        value = f"{groups[0]}.{groups[1]}"  # 3.5 and 3,5 are three and a half
    else:
        value = ".".join(groups)
    # One-digit numbers are everywhere (lists, days, counts): no anchor.
    return value if len(value.replace(".", "")) >= 2 else None


def _fold(word: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return bare.casefold()


def anchors(text: str) -> Anchors:
    """The anchors of ``text`` (any language, any script)."""
    text = unicodedata.normalize("NFKC", text[:100_000])  # full-width digits and letters
    addresses = {m.group().rstrip(".,;:").casefold() for m in _ADDRESS.finditer(text)}
    rest = _ADDRESS.sub(" ", text)
    numbers = {n for m in _NUMBER.finditer(rest) if (n := _number(m.group())) is not None}
    names = {_fold(m.group()) for m in _NAME.finditer(rest)}
    return Anchors(frozenset(numbers), frozenset(addresses), frozenset(names))


def cross_language_link(
    first: Anchors, second: Anchors, *, min_shared: int = 3, min_overlap: float = 0.5
) -> frozenset[str] | None:
    """The anchors that make ``first`` and ``second`` one story, or None.

    A link needs at least ``min_shared`` shared anchors, making up at least ``min_overlap``
    of the anchors of the item that has fewer, and at least one shared number or address
    (names alone are the people and places of many stories). The caller compares only
    items in different languages published within a short window (a day or two).
    """
    shared = first.all & second.all
    if len(shared) < min_shared:
        return None
    if len(shared) < min_overlap * min(len(first), len(second)):
        return None
    if not shared & (first.numbers | first.addresses):
        return None
    return shared
