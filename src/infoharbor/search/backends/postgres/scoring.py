"""BM25F as the embedded backend scores, over candidates' terms read from PostgreSQL.

The embedded index compiles a query into tantivy term, phrase and boolean queries (see
:meth:`~infoharbor.search.backends.embedded.EmbeddedBackend._compile`); this module scores a
document the same way from its stored lexemes, the lexicon's document frequencies and the
average field lengths:

- a term in a field: ``idf x (k1 + 1) x tf / (tf + k1 x (1 - b + b x length / average))``,
  ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, times the field's boost; parts and concepts
  count once (the embedded index records neither frequency nor position for them);
- a phrase: the same with the phrase's frequency and the sum of its terms' IDFs;
- a prefix: the field's boost for each of title, body and organization that has a word
  beginning with it (tantivy's regex queries score a constant);
- a word, any of its forms: the sum of the forms that match; all of them (``All``): the sum;
- anything that only excludes: 1 (tantivy's all-query).

Which documents match is the tsquery's business (:mod:`.tsquery`); a candidate is scored only
after it matched, so no boolean logic is repeated here beyond what the sums need. Tantivy
quantizes field lengths to a byte; these are exact, so scores differ in the last digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from infoharbor.search.backends.base import (
    BOOST_BODY,
    BOOST_CONCEPT,
    BOOST_FOLDED,
    BOOST_ORGANIZATION,
    BOOST_PARTS,
    BOOST_TITLE,
)
from infoharbor.search.backends.postgres.terms import (
    ANY_FIELD,
    BASIC,
    BODY,
    CONCEPT_MARKER,
    CONCEPTS,
    FIELD_OF_WEIGHT,
    FOLDED,
    FOLDED_MARKER,
    K1,
    ORGANIZATION,
    PARTS,
    PARTS_MARKER,
    TITLE,
    B,
    lexeme,
)
from infoharbor.search.query import All, Any_, Concept, Node, Not, Phrase, Prefix, Word

_MARKED_FIELD = {PARTS_MARKER: PARTS, FOLDED_MARKER: FOLDED, CONCEPT_MARKER: CONCEPTS}


@dataclass
class Statistics:
    """What IDF and length normalization need: documents, average lengths, frequencies."""

    documents: int
    averages: list[float]
    df: dict[tuple[str, int], int] = field(default_factory=dict)

    def idf(self, text: str, field_number: int) -> float:
        n = self.df.get((text, field_number), 0)
        return math.log(1.0 + (self.documents - n + 0.5) / (n + 0.5))

    def list_weight(self, text: str) -> float:
        """The IDF a posting list's impacts are multiplied by to order candidates: that of
        the field where the lexeme is most frequent (the lowest)."""
        n = max(
            (self.df.get((text, f), 0) for f in (TITLE, ORGANIZATION, BODY, PARTS, FOLDED)),
            default=0,
        )
        n = max(n, self.df.get((text, CONCEPTS), 0))
        return math.log(1.0 + (self.documents - n + 0.5) / (n + 0.5))

    def postings(self, text: str) -> int:
        return self.df.get((text, ANY_FIELD), 0)


class Candidate:
    """A document's lengths and the positions (with weights) of the query's lexemes in it."""

    __slots__ = ("lengths", "positions")

    def __init__(
        self,
        lengths: list[int],
        lexemes: list[str] | None,
        positions: list[str | None] | None,
        weights: list[str | None] | None,
    ) -> None:
        self.lengths = lengths
        # lexeme -> [(position, field)] (empty for a lexeme stored without positions)
        self.positions: dict[str, list[tuple[int, int]]] = {}
        for text, at, letters in zip(lexemes or (), positions or (), weights or (), strict=True):
            marked = _MARKED_FIELD.get(text[:2])
            places = []
            if at:
                for number, letter in zip(at.split(","), letters or "", strict=False):
                    place_field = marked if marked is not None else FIELD_OF_WEIGHT.get(letter)
                    if place_field is not None:
                        places.append((int(number), place_field))
            self.positions[text] = places

    def tf(self, text: str, field_number: int) -> int:
        places = self.positions.get(text)
        if places is None:
            return 0
        if field_number in BASIC:
            return 1
        return sum(1 for _at, f in places if f == field_number)

    def phrase_tf(self, tokens: tuple[str, ...], field_number: int) -> int:
        first = self.positions.get(tokens[0])
        if not first:
            return 0
        rest = []
        for token in tokens[1:]:
            places = self.positions.get(token)
            if not places:
                return 0
            rest.append({at for at, f in places if f == field_number})
        return sum(
            1
            for at, f in first
            if f == field_number and all(at + i + 1 in s for i, s in enumerate(rest))
        )

    def has_prefix(self, prefix: str, field_number: int) -> bool:
        return any(
            text.startswith(prefix) and any(f == field_number for _at, f in places)
            for text, places in self.positions.items()
        )


class Scorer:
    def __init__(self, statistics: Statistics) -> None:
        self.statistics = statistics

    def _bm25(self, idf: float, tf: int, field_number: int, length: int) -> float:
        if not tf:
            return 0.0
        average = self.statistics.averages[field_number] or 1.0
        norm = K1 * (1.0 - B + B * length / average)
        return idf * (K1 + 1.0) * tf / (tf + norm)

    def _term(self, doc: Candidate, text: str, field_number: int, boost: float) -> float:
        tf = doc.tf(text, field_number)
        if not tf:
            return 0.0
        idf = self.statistics.idf(text, field_number)
        return boost * self._bm25(idf, tf, field_number, doc.lengths[field_number])

    def _phrase(
        self, doc: Candidate, tokens: tuple[str, ...], field_number: int, boost: float
    ) -> float:
        tokens = tuple(lexeme(t) for t in tokens)
        if len(tokens) == 1:
            return self._term(doc, tokens[0], field_number, boost)
        tf = doc.phrase_tf(tokens, field_number)
        if not tf:
            return 0.0
        idf = sum(self.statistics.idf(t, field_number) for t in tokens)
        return boost * self._bm25(idf, tf, field_number, doc.lengths[field_number])

    def _word(self, doc: Candidate, word: Word) -> float:
        text = lexeme(word.text)
        score = (
            self._term(doc, text, TITLE, BOOST_TITLE)
            + self._term(doc, text, BODY, BOOST_BODY)
            + self._term(doc, text, ORGANIZATION, BOOST_ORGANIZATION)
            + self._term(doc, lexeme(PARTS_MARKER + word.text), PARTS, BOOST_PARTS)
        )
        if word.parts:
            score += self._phrase(doc, word.parts, TITLE, BOOST_TITLE)
            score += self._phrase(doc, word.parts, BODY, BOOST_BODY)
        if word.folded:
            score += self._term(doc, lexeme(FOLDED_MARKER + word.folded), FOLDED, BOOST_FOLDED)
        return score

    def score(self, doc: Candidate, node: Node) -> float:
        if isinstance(node, Word):
            return self._word(doc, node)
        if isinstance(node, Phrase):
            return self._phrase(doc, node.tokens, TITLE, BOOST_TITLE) + self._phrase(
                doc, node.tokens, BODY, BOOST_BODY
            )
        if isinstance(node, Prefix):
            text = lexeme(node.text)
            return (
                BOOST_TITLE * doc.has_prefix(text, TITLE)
                + BOOST_BODY * doc.has_prefix(text, BODY)
                + BOOST_ORGANIZATION * doc.has_prefix(text, ORGANIZATION)
            )
        if isinstance(node, Concept):
            words = [self._word(doc, w) for w in node.words]
            score = sum(words) if all(words) else 0.0
            for key in node.keys:
                score += self._term(doc, lexeme(CONCEPT_MARKER + key), CONCEPTS, BOOST_CONCEPT)
            return score
        if isinstance(node, All):
            positive = [c for c in node.children if not isinstance(c, Not)]
            if not positive:
                return 1.0
            return sum(self.score(doc, c) for c in positive)
        if isinstance(node, Any_):
            return sum(self.score(doc, c) for c in node.children)
        if isinstance(node, Not):
            return 1.0
        raise TypeError(f"unknown query node {node!r}")


def lexemes(node: Node) -> set[str]:
    """The lexemes the score of ``node`` reads (not those it only excludes)."""
    if isinstance(node, Word):
        found = {lexeme(node.text), lexeme(PARTS_MARKER + node.text)}
        found.update(lexeme(p) for p in node.parts)
        if node.folded:
            found.add(lexeme(FOLDED_MARKER + node.folded))
        return found
    if isinstance(node, Phrase):
        return {lexeme(t) for t in node.tokens}
    if isinstance(node, Concept):
        found = {lexeme(CONCEPT_MARKER + key) for key in node.keys}
        for word in node.words:
            found |= lexemes(word)
        return found
    if isinstance(node, All | Any_):
        return set().union(*(lexemes(c) for c in node.children if not isinstance(c, Not)))
    return set()


def prefixes(node: Node) -> list[str]:
    """The prefixes among the scored parts of ``node``."""
    if isinstance(node, Prefix):
        return [lexeme(node.text)]
    if isinstance(node, All | Any_):
        return [p for c in node.children if not isinstance(c, Not) for p in prefixes(c)]
    return []
