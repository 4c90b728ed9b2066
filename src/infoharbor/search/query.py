"""What people type into the search box, parsed and analysed for every backend.

Syntax (forgiving: anything that does not parse is searched as plain words, never an error)::

    typhoon Luzon          both words (when nothing has both: some of them, said so)
    "rice export"          a phrase
    rice OR maize          either
    -draft  NOT draft      without
    (rice OR maize) tariff grouping
    minis*                 words beginning with "minis" (search as you type)

Words are analysed with :func:`infoharbor.text.analyze.analyze`, the same function that built
the index, so the query meets the documents in the same normalized, segmented form. The
language of a query is not known: a Latin word that has a stem in a stemmed language
(:mod:`infoharbor.text.stem`) is searched as typed or by that stem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from infoharbor.text.analyze import analyze
from infoharbor.text.normalize import fold_diacritics, normalize
from infoharbor.text.stem import query_stems

# Longer queries are cut: nobody types more, and every word costs a clause.
MAX_QUERY_CHARS = 500
MAX_WORDS = 48
# Up to this many words must all match; a longer query (a question, a pasted paragraph) ranks
# documents by how much of it they contain instead.
MAX_REQUIRED_WORDS = 4

# Question words rarely appear in the passage that answers the question, and in a small
# collection BM25 weighs them high; a query drops them when it has other words. Measured on the
# QA tuning sets (docs/benchmarks.md). As analysed: case-folded, Simplified.
_QUESTION_WORDS = {
    "zh": "什么 哪 哪个 哪些 哪里 哪儿 谁 多少 几 为什么 怎么 怎样 如何 吗 呢",
    "th": "อะไร อย่างไร ใด ใคร ไหน เท่าไร เท่าไหร่ กี่ เมื่อไร เมื่อไหร่ ทำไม บ้าง",
    "id ms": "apa apakah siapa siapakah berapa berapakah kapan kapankah mana manakah dimana "
    "mengapa bagaimana",
    "en": "what which who whom whose where when why how",
    "vi": "gì nào đâu sao",
    "fil": "ano sino saan kailan bakit paano",
}
QUESTION_WORDS = frozenset(word for words in _QUESTION_WORDS.values() for word in words.split())

_CONTROLS_TO_SPACES = dict.fromkeys((*range(32), *range(0x7F, 0xA0)), " ")
_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“", "「": "」", "『": "』", "«": "»"}
_OPERATORS = {"OR", "AND", "NOT"}


@dataclass(frozen=True)
class Word:
    """One word of the query: the word itself, or its parts in a row."""

    text: str
    parts: tuple[str, ...] = ()
    folded: str | None = None  # typed without accents: also match the accent-free field


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    text: str


@dataclass(frozen=True)
class Concept:
    """Words that name a country or sector: match the words, or the concept in any language."""

    keys: tuple[str, ...]
    words: tuple[Word, ...]


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Word | Phrase | Prefix | Concept | All | Any_ | Not

# Finds concept names in a word sequence: list of words -> [(start, end, keys)].
ConceptFinder = Callable[[list[str]], list[tuple[int, int, tuple[str, ...]]]]


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # as searched (cut to the maximum length)
    root: Node | None  # None: no query, list everything that matches the filters
    truncated: bool = False

    @property
    def relaxed(self) -> ParsedQuery:
        """The same words, any of them rather than all (the fallback when nothing has all)."""
        if isinstance(self.root, All):
            positive = tuple(c for c in self.root.children if not isinstance(c, Not))
            negative = tuple(c for c in self.root.children if isinstance(c, Not))
            if len(positive) > 1:
                return ParsedQuery(self.text, All((Any_(positive), *negative)), self.truncated)
        return self


# What makes a token other than a word: quotes, parentheses, a leading minus.
_SYNTAX = frozenset(_QUOTES) | frozenset("()（）-")


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens: ("word", w), ("phrase", p), ("(", ""), (")", ""), ("-", "")."""
    if _SYNTAX.isdisjoint(text):  # the common case: words between spaces
        return [("word", word) for word in text.split()]
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in _QUOTES:
            close = text.find(_QUOTES[char], i + 1)
            if close == -1:
                close = n  # an unbalanced quote runs to the end
            tokens.append(("phrase", text[i + 1 : close]))
            i = close + 1
        elif char in "()（）":
            tokens.append(("(" if char in "(（" else ")", ""))
            i += 1
        elif (
            char == "-"
            and (i == 0 or text[i - 1].isspace() or text[i - 1] in "(（")
            and i + 1 < n
            and not text[i + 1].isspace()
            and text[i + 1] != "-"
        ):
            tokens.append(("-", ""))
            i += 1
        else:
            j = i
            while (
                j < n
                and not text[j].isspace()
                and text[j] not in _QUOTES
                and text[j] not in "()（）"
            ):
                j += 1
            tokens.append(("word", text[i:j]))
            i = j
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], build_words: Callable[[str], Node | None]):
        self.tokens = tokens
        self.at = 0
        self.build_words = build_words

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def parse(self) -> Node | None:
        node = self.or_expr()
        while self.peek() is not None:  # stray ")" or leftovers: keep going, never fail
            self.at += 1
            more = self.or_expr()
            node = _join(All, [node, more])
        return node

    def or_expr(self) -> Node | None:
        nodes = [self.and_expr()]
        while self.peek() == ("word", "OR"):
            self.at += 1
            nodes.append(self.and_expr())
        return _join(Any_, nodes)

    def and_expr(self) -> Node | None:
        nodes: list[Node | None] = []
        while (token := self.peek()) is not None and token != (")", "") and token != ("word", "OR"):
            if token == ("word", "AND"):
                self.at += 1
                continue
            nodes.append(self.unary())
        return _join(All, nodes)

    def unary(self) -> Node | None:
        token = self.peek()
        if token in {("-", ""), ("word", "NOT")}:
            self.at += 1
            child = self.unary()
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        if self.peek() is None:
            return None
        kind, value = self.tokens[self.at]
        self.at += 1
        if kind == "(":
            node = self.or_expr()
            if self.peek() == (")", ""):
                self.at += 1
            return node
        if kind == "phrase":
            return _phrase(value)
        if kind == "word" and value not in _OPERATORS:
            if value.endswith("*") and len(value.rstrip("*")) >= 1:
                prefix = normalize(value.rstrip("*")).text.strip()
                return Prefix(prefix) if prefix else None
            return self.build_words(value)
        return None


def _join(kind: type[All] | type[Any_], nodes: list[Node | None]) -> Node | None:
    kept: list[Node] = []
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, All | Any_) and isinstance(node, kind):  # flatten (a b) c
            kept.extend(node.children)
        else:
            kept.append(node)
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return kind(tuple(kept))


def _phrase(text: str) -> Node | None:
    analyzed = analyze(text, None)
    words = tuple(analyzed.words)
    if len(words) <= 1:
        return _words_of(text, None)
    return Phrase(words)


def _words_of(text: str, find_concepts: ConceptFinder | None) -> Node | None:
    """A run of text without spaces or operators: one or more words, all required."""
    analyzed = analyze(text, None)
    # Each word with the parts after it (no offsets needed: the term lists alone).
    words: list[Word] = []
    parts: list[str] = []
    for term, is_part in zip(analyzed.tokens, analyzed.part_flags, strict=True):
        if is_part:
            if words:
                parts.append(term)
            continue
        if parts:
            last = words[-1]
            words[-1] = Word(last.text, tuple(parts), last.folded)
            parts = []
        # Typed without accents: the accent-free forms of accented words match it too.
        plain = _has_latin(term) and fold_diacritics(term) == term
        words.append(Word(term, (), term if plain else None))
    if parts:
        last = words[-1]
        words[-1] = Word(last.text, tuple(parts), last.folded)
    if not words:
        return None
    nodes: list[Node] = list(words)
    if find_concepts is not None:
        nodes = _with_concepts(words, find_concepts)
    return _join(All, list(nodes))


def _has_latin(text: str) -> bool:
    return _LATIN_LETTER.search(text) is not None


_LATIN_LETTER = re.compile("[a-z]")


def _with_concepts(words: list[Word], find_concepts: ConceptFinder) -> list[Node]:
    found = find_concepts([word.text for word in words])
    nodes: list[Node] = []
    i = 0
    for start, end, keys in sorted(found):
        if start < i:
            continue
        nodes.extend(words[i:start])
        nodes.append(Concept(keys, tuple(words[start:end])))
        i = end
    nodes.extend(words[i:])
    return nodes


def parse(text: str, find_concepts: ConceptFinder | None = None) -> ParsedQuery:
    """Parse and analyse ``text``; never raises, whatever was typed."""
    cleaned = text.translate(_CONTROLS_TO_SPACES)
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8", "replace")  # lone surrogates
    truncated = len(cleaned) > MAX_QUERY_CHARS
    cleaned = cleaned[:MAX_QUERY_CHARS].strip()
    tokens = _lex(cleaned)
    word_tokens = [t for t in tokens if t[0] == "word" and t[1] not in _OPERATORS]
    if len(word_tokens) > MAX_WORDS:
        truncated = True
        keep = {id(t) for t in word_tokens[:MAX_WORDS]}
        tokens = [t for t in tokens if t[0] != "word" or t[1] in _OPERATORS or id(t) in keep]
    parser = _Parser(tokens, lambda value: _words_of(value, find_concepts))
    root = _without_question_words(parser.parse())
    root = _loosen_long(root)
    return ParsedQuery(cleaned, _with_stems(root), truncated)


def _with_stems(node: Node | None) -> Node | None:
    """Each Latin word, also by its stem where a stemmed language gives it one."""
    if isinstance(node, Word):
        stems = query_stems(node.text)
        return Any_((node, *(Word(stem) for stem in stems))) if stems else node
    if isinstance(node, Phrase):
        stemmed = tuple((query_stems(token) or (token,))[0] for token in node.tokens)
        return Any_((node, Phrase(stemmed))) if stemmed != node.tokens else node
    if isinstance(node, All | Any_):
        children = tuple(_with_stems(child) for child in node.children)
        return type(node)(tuple(c for c in children if c is not None))
    if isinstance(node, Not):
        child = _with_stems(node.child)
        return Not(child) if child is not None else None
    return node  # prefixes and concept names (their concepts match in any form)


def _without_question_words(root: Node | None) -> Node | None:
    """Top-level words once each, question words left out (unless nothing else is left)."""
    if not isinstance(root, All | Any_):
        return root
    children = tuple(dict.fromkeys(root.children))  # a repeated word counts once
    kept = tuple(c for c in children if not (isinstance(c, Word) and c.text in QUESTION_WORDS))
    if any(not isinstance(c, Not) for c in kept):
        children = kept
    return children[0] if len(children) == 1 else type(root)(children)


def _loosen_long(root: Node | None) -> Node | None:
    """A long query of plain words (a question) ranks by coverage instead of requiring all."""
    if not isinstance(root, All):
        return root
    positive = [c for c in root.children if not isinstance(c, Not)]
    if len(positive) <= MAX_REQUIRED_WORDS or not all(
        isinstance(c, Word | Concept) for c in positive
    ):
        return root
    negative = tuple(c for c in root.children if isinstance(c, Not))
    return All((Any_(tuple(positive)), *negative)) if negative else Any_(tuple(positive))
