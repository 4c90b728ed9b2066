"""Documents as the PostgreSQL backend stores them: a tsvector, field lengths, postings.

Every field of :class:`~infoharbor.search.documents.IndexDocument` that the embedded index
searches is kept, in one tsvector (never built by PostgreSQL's parser: ``to_tsvector`` would
split our tokens again on hyphens, apostrophes and punctuation):

====================  ======  ==========================================================
field                 weight  lexemes
====================  ======  ==========================================================
title                 A       the terms as analysed, with positions
organization          B       the terms as analysed, with positions
body                  C       the terms as analysed, with positions
parts                 D       ``P:`` + the part (no positions: matched as terms only)
folded                D       ``F:`` + the accent-free form, with positions (frequency)
concepts              D       ``C:`` + the concept key (no positions)
====================  ======  ==========================================================

Terms are case-folded by the analysis, so the upper-case markers never meet a term: a word
queried without a weight meets exactly the title, organization and body. Grams are not
stored (the embedded index dropped them too). PostgreSQL keeps positions up to 16383 and
256 positions per lexeme (a term's frequency is counted from its positions, so a very long
body undercounts its most repeated words), and a lexeme is at most 2047 bytes: longer terms
are cut at a character boundary, in documents and queries alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from infoharbor.search.backends.base import (
    BOOST_BODY,
    BOOST_CONCEPT,
    BOOST_FOLDED,
    BOOST_ORGANIZATION,
    BOOST_PARTS,
    BOOST_TITLE,
)
from infoharbor.search.documents import IndexDocument

# PostgreSQL's limits on a tsvector.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_BYTES = 2047
# A tsvector holds at most 1 MiB of lexemes; stay clear of it (the rest of a huge document is
# dropped, last fields first).
MAX_LEXEME_BYTES_PER_DOCUMENT = 1_000_000

# Fields, as numbered in the lexicon, the lengths column and the statistics.
TITLE, ORGANIZATION, BODY, PARTS, FOLDED, CONCEPTS = range(6)
FIELD_NAMES = ("title", "organization", "body", "parts", "folded", "concepts")
ANY_FIELD = -1  # the lexicon's count of documents with the lexeme anywhere (its postings)
BOOSTS = (BOOST_TITLE, BOOST_ORGANIZATION, BOOST_BODY, BOOST_PARTS, BOOST_FOLDED, BOOST_CONCEPT)
# Markers of the fields stored apart (never in a case-folded term).
PARTS_MARKER = "P:"
FOLDED_MARKER = "F:"
CONCEPT_MARKER = "C:"
MARKERS = {PARTS_MARKER: PARTS, FOLDED_MARKER: FOLDED, CONCEPT_MARKER: CONCEPTS}
# A lexeme no document has: what an empty term compiles to.
NOTHING = "N:"
# Which fields keep positions (phrases, frequencies); the others are matched as terms, like
# the embedded index's "basic" fields, whose frequency is 1.
POSITIONED = (True, True, True, False, True, False)
BASIC = frozenset((PARTS, CONCEPTS))
# The weight letter of each field's positions, and back.
WEIGHT_OF = ("A", "B", "C", "D", "D", "D")
FIELD_OF_WEIGHT = {"A": TITLE, "B": ORGANIZATION, "C": BODY}

# BM25, as tantivy computes it.
K1 = 1.2
B = 0.75


def lexeme(text: str) -> str:
    """``text`` as PostgreSQL can hold it in a lexeme: no NUL, at most 2047 bytes of UTF-8."""
    data = text.replace("\x00", "").encode("utf-8", "replace")
    if len(data) <= MAX_LEXEME_BYTES:
        return data.decode("utf-8")
    return data[:MAX_LEXEME_BYTES].decode("utf-8", "ignore")


def quote(text: str) -> str:
    """A lexeme quoted for tsvector and tsquery input: quotes and backslashes doubled."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def field_terms(document: IndexDocument) -> tuple[list[str], ...]:
    """The document's terms per field (in field order), markers added."""
    return (
        document.title,
        document.organization,
        document.body,
        [PARTS_MARKER + t for t in document.parts],
        [FOLDED_MARKER + t for t in document.folded],
        [CONCEPT_MARKER + t for t in document.concepts],
    )


def lengths(document: IndexDocument) -> list[int]:
    return [len(terms) for terms in field_terms(document)]


class Analysed:
    """A document's lexemes: positions (with weights) and frequency per field."""

    __slots__ = ("frequencies", "lengths", "lexemes")

    def __init__(self, document: IndexDocument) -> None:
        # lexeme -> {position: weight letter}; lexeme -> {field: frequency}
        self.lexemes: dict[str, dict[int, str]] = {}
        self.frequencies: dict[str, dict[int, int]] = {}
        self.lengths = lengths(document)
        budget = MAX_LEXEME_BYTES_PER_DOCUMENT
        position = 0
        for field, terms in enumerate(field_terms(document)):
            positioned = POSITIONED[field]
            letter = WEIGHT_OF[field]
            for term in terms:
                position += 1
                text = term
                positions = self.lexemes.get(text)
                if positions is None and (len(text) * 4 > MAX_LEXEME_BYTES or "\x00" in text):
                    text = lexeme(text)
                    if not text:
                        continue
                    positions = self.lexemes.get(text)
                if positions is None:
                    size = len(text) if text.isascii() else len(text.encode("utf-8"))
                    if size > budget:
                        continue
                    budget -= size
                    positions = self.lexemes[text] = {}
                    self.frequencies[text] = {}
                counts = self.frequencies[text]
                counts[field] = counts.get(field, 0) + 1
                if not positioned:
                    continue
                at = position if position < MAX_POSITION else MAX_POSITION
                if at in positions:
                    if letter < positions[at]:  # A above B above C above D
                        positions[at] = letter
                elif len(positions) < MAX_POSITIONS_PER_LEXEME:
                    positions[at] = letter
            position += 1  # a gap: no phrase runs from one field into the next

    def tsvector(self) -> str:
        """The tsvector input text."""
        out = []
        for text, positions in self.lexemes.items():
            quoted = quote(text) if "'" in text or "\\" in text else "'" + text + "'"
            if positions:
                quoted += ":" + ",".join(
                    [str(at) if w == "D" else str(at) + w for at, w in positions.items()]
                )
            out.append(quoted)
        return " ".join(out)

    def impacts(self, averages: list[float]) -> Iterable[tuple[str, float]]:
        """Each lexeme's BM25 impact in this document without the IDF: the sum over fields
        of boost x tf x (k1 + 1) / (tf + k1 x (1 - b + b x length / average length)), with
        the averages of the moment it was indexed (candidates are re-scored exactly)."""
        norms = [
            K1 * (1 - B + B * length / (averages[field] or 1.0))
            for field, length in enumerate(self.lengths)
        ]
        for text, counts in self.frequencies.items():
            impact = 0.0
            for field, tf in counts.items():
                if field in BASIC:
                    tf = 1  # a "basic" field of the embedded index: frequency 1
                impact += BOOSTS[field] * tf * (K1 + 1) / (tf + norms[field])
            yield text, impact

    def fields(self) -> Iterable[tuple[str, int]]:
        """(lexeme, field) for every field that has the lexeme, as the stored tsvector says
        (what :func:`fields_of` reads back when the document is replaced)."""
        for text, positions in self.lexemes.items():
            for field in fields_of(text, positions.values()):
                yield text, field


def tsvector_literal(document: IndexDocument) -> str:
    """The document's terms as tsvector input text, with positions and weights."""
    return Analysed(document).tsvector()


def fields_of(text: str, weights: Iterable[str]) -> set[int]:
    """The fields a stored lexeme is in, from its marker or the weights of its positions."""
    marked = MARKERS.get(text[:2])
    if marked is not None:
        return {marked}
    return {FIELD_OF_WEIGHT[w] for w in weights if w in FIELD_OF_WEIGHT}
