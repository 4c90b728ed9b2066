"""Which posting lists a query reads, and whether reading their best entries finds every match.

A query's candidates are the union of the first ``limit`` postings (by impact) of each list
below. They hold every match when the lists that must be read are complete (have no more
postings than the limit): a word's forms all, a phrase's rarest token, any required child of
``All``, every child of ``Any_``, every expansion of a prefix.
"""

from __future__ import annotations

from infoharbor.search.backends.postgres.scoring import Statistics
from infoharbor.search.backends.postgres.terms import (
    CONCEPT_MARKER,
    FOLDED_MARKER,
    PARTS_MARKER,
    lexeme,
)
from infoharbor.search.query import All, Any_, Concept, Node, Not, Phrase, Prefix, Word

# A prefix's expansions share this part of the postings a list reads.
PREFIX_SHARE = 8
# prefix -> the lexemes it expands to (the most frequent first) and whether that is all of them
Expansions = dict[str, tuple[list[str], bool]]


def _rarest(tokens: tuple[str, ...], statistics: Statistics) -> str:
    return min((lexeme(t) for t in tokens), key=statistics.postings)


def posting_lists(node: Node, statistics: Statistics, expansions: Expansions) -> list[str]:
    """The lexemes whose posting lists give the candidates of ``node``."""
    if isinstance(node, Word):
        found = [lexeme(node.text), lexeme(PARTS_MARKER + node.text)]
        if node.parts:
            found.append(_rarest(node.parts, statistics))
        if node.folded:
            found.append(lexeme(FOLDED_MARKER + node.folded))
        return found
    if isinstance(node, Phrase):
        return [_rarest(node.tokens, statistics)]
    if isinstance(node, Prefix):
        return list(expansions.get(lexeme(node.text), ([], True))[0])
    if isinstance(node, Concept):
        found = [lexeme(CONCEPT_MARKER + key) for key in node.keys]
        for word in node.words:
            found += posting_lists(word, statistics, expansions)
        return found
    if isinstance(node, All | Any_):
        return [
            text
            for child in node.children
            if not isinstance(child, Not)
            for text in posting_lists(child, statistics, expansions)
        ]
    return []  # exclusions give no candidates


def limits(
    node: Node, statistics: Statistics, expansions: Expansions, limit: int
) -> dict[str, int]:
    """How many postings to read of each list: ``limit``, and a share of it for each of a
    prefix's expansions (a prefix scores a constant: its candidates are interchangeable, the
    impacts only put the titles first)."""
    found: dict[str, int] = {}
    share = max(1, limit // PREFIX_SHARE)

    def visit(n: Node) -> None:
        if isinstance(n, Prefix):
            for text in expansions.get(lexeme(n.text), ([], True))[0]:
                found.setdefault(text, share)
        elif not isinstance(n, All | Any_ | Not):
            for text in posting_lists(n, statistics, expansions):
                found[text] = limit

    def walk_positive(n: Node) -> None:
        visit(n)
        if isinstance(n, All | Any_):
            for child in n.children:
                if not isinstance(child, Not):
                    walk_positive(child)

    walk_positive(node)
    return {text: n for text, n in found.items() if statistics.postings(text)}


def complete(
    node: Node, statistics: Statistics, expansions: Expansions, limits: dict[str, int]
) -> bool:
    """Whether the first postings of the lists of ``node`` (``limits``) hold all its matches."""

    def read(text: str) -> bool:
        return statistics.postings(text) <= limits.get(text, 0)

    def check(n: Node) -> bool:
        if isinstance(n, Word | Concept):
            return all(read(text) for text in posting_lists(n, statistics, expansions))
        if isinstance(n, Phrase):
            return read(_rarest(n.tokens, statistics))
        if isinstance(n, Prefix):
            texts, whole = expansions.get(lexeme(n.text), ([], True))
            return whole and all(read(text) for text in texts)
        if isinstance(n, All):
            positive = [c for c in n.children if not isinstance(c, Not)]
            return bool(positive) and any(check(c) for c in positive)
        if isinstance(n, Any_):
            return all(check(c) for c in n.children)
        return False  # only exclusions: every document is a candidate

    return check(node)
