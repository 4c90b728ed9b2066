"""Parsed queries as tsqueries: which documents match, exactly as in the embedded index.

Every lexeme is quoted here (user text never reaches ``to_tsquery`` nor the SQL). A word is
its lexeme without a weight (title, organization or body: only those hold unmarked lexemes,
so GIN never rechecks a row), or its parts in a row in the title or the body, or the word as
a part of the body's compounds (``P:``), or its accent-free form (``F:``), as
:meth:`~infoharbor.search.backends.embedded.EmbeddedBackend._word` compiles it.
"""

from __future__ import annotations

from collections.abc import Sequence

from infoharbor.search.backends.postgres.terms import (
    CONCEPT_MARKER,
    FOLDED_MARKER,
    NOTHING,
    PARTS_MARKER,
    lexeme,
    quote,
)
from infoharbor.search.query import All, Any_, Concept, Node, Not, Phrase, Prefix, Word


def _operand(term: str, weights: str = "", prefix: bool = False) -> str:
    text = lexeme(term) or NOTHING
    suffix = ("*" if prefix else "") + weights
    return quote(text) + (":" + suffix if suffix else "")


def _any(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _phrase(tokens: Sequence[str], weights: str) -> str:
    operands = [_operand(token, weights) for token in tokens]
    return operands[0] if len(operands) == 1 else "(" + " <-> ".join(operands) + ")"


def _word(word: Word) -> str:
    alternatives = [_operand(word.text)]
    if word.parts:
        alternatives.append(_phrase(word.parts, "AC"))
    alternatives.append(_operand(PARTS_MARKER + word.text))
    if word.folded:
        alternatives.append(_operand(FOLDED_MARKER + word.folded))
    return _any(alternatives)


def compile_query(node: Node) -> str:
    """The tsquery text of a parsed query (every lexeme quoted; never fails)."""
    if isinstance(node, Word):
        return _word(node)
    if isinstance(node, Phrase):
        return _phrase(node.tokens, "AC")
    if isinstance(node, Prefix):
        # Only title, organization and body hold unmarked lexemes: no weight needed.
        return _operand(node.text, prefix=True)
    if isinstance(node, Concept):
        words = "(" + " & ".join(_word(w) for w in node.words) + ")"
        return _any([words, *(_operand(CONCEPT_MARKER + key) for key in node.keys)])
    if isinstance(node, All):
        return "(" + " & ".join(compile_query(child) for child in node.children) + ")"
    if isinstance(node, Any_):
        return _any([compile_query(child) for child in node.children])
    if isinstance(node, Not):
        return "!" + compile_query(node.child)
    raise TypeError(f"unknown query node {node!r}")
