"""Sector keyword rules: which sectors an item's text speaks of (plain Python, no Django).

An ingested entry gets its source's sectors, and the sectors of every rule one of whose
keywords its text holds. Keywords and text go through the same analysis as search
(:func:`infoharbor.text.analyze.analyze`), in the entry's language, so a keyword matches
whole words, never the inside of another word, and does so in every script:

- a one-word keyword matches a word of the text or a known part of one (农业 in
  农业农村部, as the segmenter splits it);
- a phrase matches the same words in the same order (``border trade``, ``nông nghiệp``);
- case, Unicode forms, Traditional and Simplified Chinese, Zawgyi and Unicode Burmese
  meet, as in search; a Vietnamese keyword typed without diacritics matches the text
  with or without them, one typed with them matches only those;
- a keyword of at least three grapheme clusters in a script written without spaces (Thai,
  Lao, Khmer, Burmese, Chinese) also matches where the segmenter cut the text
  differently: as a run of whole clusters of the text's search form (never starting or
  ending inside a cluster); shorter ones must be words, since two clusters occur inside
  too many unrelated words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from infoharbor.text.analyze import analyze, is_unspaced
from infoharbor.text.normalize import fold_diacritics

# Text beyond this is not read for keywords: the title, summary and start of the body say
# what an item is about, and analysis costs time in proportion to the text.
MAX_TEXT = 10_000
MIN_CLUSTERS = 3
_CLUSTER = regex.compile(r"\X")
_JOINER = "_"  # how the analysis joins the words of one compound term


def _pieces(words: list[str]) -> list[str]:
    # A compound the segmenter found ("thương_mại") and the same words it did not join
    # ("thuong mai" typed without diacritics) compare piece by piece.
    return [piece for word in words for piece in word.split(_JOINER) if piece]


@dataclass(frozen=True)
class KeywordRule:
    sector_id: int
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class _Keyword:
    words: tuple[str, ...]
    folded: bool  # typed without diacritics: compared with the text's folded words
    # The keyword's search form, when it may match inside the text's words: a run of at
    # least MIN_CLUSTERS clusters of a script without spaces; else "".
    run: str


class _Text:
    def __init__(self, text: str, lang: str | None) -> None:
        analysed = analyze(text[:MAX_TEXT], lang)
        self.words = _pieces(analysed.words)
        self.tokens = set(analysed.tokens) | set(self.words)
        self._positions: dict[str, list[int]] | None = None
        self._folded: list[str] | None = None
        self._folded_positions: dict[str, list[int]] | None = None
        self.text = analysed.text
        self._boundaries: frozenset[int] | None = None

    @staticmethod
    def _index(words: list[str]) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = defaultdict(list)
        for at, word in enumerate(words):
            positions[word].append(at)
        return positions

    def folded(self) -> tuple[list[str], dict[str, list[int]]]:
        if self._folded is None or self._folded_positions is None:
            self._folded = [fold_diacritics(word) for word in self.words]
            self._folded_positions = self._index(self._folded)
        return self._folded, self._folded_positions

    def _on_boundaries(self, start: int, end: int) -> bool:
        if self._boundaries is None:
            # Computed only for a text where a keyword's run was found as a substring.
            self._boundaries = frozenset(m.end() for m in _CLUSTER.finditer(self.text)) | {0}
        return start in self._boundaries and end in self._boundaries

    def has_run(self, run: str) -> bool:
        """``run`` in the text's search form, starting and ending on cluster boundaries."""
        start = self.text.find(run)
        while start != -1:
            if self._on_boundaries(start, start + len(run)):
                return True
            start = self.text.find(run, start + 1)
        return False

    def positions(self) -> dict[str, list[int]]:
        if self._positions is None:
            self._positions = self._index(self.words)
        return self._positions

    def has(self, keyword: _Keyword) -> bool:
        words = keyword.words
        if len(words) == 1 and words[0] in self.tokens:
            return True
        if keyword.folded:
            sequence, positions = self.folded()
        else:
            sequence, positions = self.words, self.positions()
        if words and words[0] in positions:
            size = len(words)
            for at in positions[words[0]]:
                if tuple(sequence[at : at + size]) == words:
                    return True
        return bool(keyword.run) and self.has_run(keyword.run)


class SectorMatcher:
    """The enabled rules, compiled once per harvest; keywords analysed once per language."""

    def __init__(self, rules: Iterable[KeywordRule]) -> None:
        self.rules = tuple(rule for rule in rules if rule.keywords)
        self._compiled: dict[tuple[str, str | None], _Keyword | None] = {}

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _keyword(self, keyword: str, lang: str | None) -> _Keyword | None:
        key = (keyword, lang)
        if key not in self._compiled:
            analysed = analyze(keyword, lang)
            words = tuple(_pieces(analysed.words))
            run = analysed.text
            if not is_unspaced(run) or len(_CLUSTER.findall(run)) < MIN_CLUSTERS:
                run = ""
            folded = all(fold_diacritics(word) == word for word in words)
            self._compiled[key] = _Keyword(words, folded, run) if words else None
        return self._compiled[key]

    def sectors(self, text: str, lang: str | None) -> set[int]:
        """The sectors (ids) of the rules with a keyword in ``text``, written in ``lang``."""
        if not self.rules or not text.strip():
            return set()
        analysed = _Text(text, lang)
        found = set()
        for rule in self.rules:
            if rule.sector_id in found:
                continue
            for raw in rule.keywords:
                keyword = self._keyword(raw, lang)
                if keyword is not None and analysed.has(keyword):
                    found.add(rule.sector_id)
                    break
        return found
