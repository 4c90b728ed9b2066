"""Burmese: burmesenlp's syllable break and dictionary longest match, one shared lexicon.

The algorithm and its data are burmesenlp's: its normalizer, its syllable rule ("sylbreak"),
its lexicon, and its greedy longest match with the grammar lists it consults (frozen function
words, numerals and counters). What is the harbor's is the speed: syllables are offsets
instead of dataclasses, a candidate word is a slice of the text instead of a join, and the
longest match stops growing a candidate as soon as no lexicon word begins with it (instead
of trying every length from 17 syllables down). tests/text/segment/test_myanmar.py checks the
words against ``WordSegmenter.segment`` on all of myPOS otest.1k, random and hostile text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from typing import NamedTuple

import regex

from ._base import ZERO_WIDTH, Run, Span, aligner

# burmesenlp.tokenize.syllable's expressions (tests check they are still the library's).
# A text splits into Myanmar runs, whitespace and the rest; a syllable starts at a consonant
# neither after the stack virama nor before asat or the virama, at an independent vowel or
# symbol, at the first of a run of digits, and at each Myanmar punctuation mark.
_RUNS = re.compile(r"[\u1000-\u109F]+|\s+|[^\u1000-\u109F\s]+")
_BREAK = re.compile(
    "(?<!\u1039)[\u1000-\u1021](?![\u103a\u1039])"
    "|[\u1023-\u102a\u104c-\u104f]"
    "|(?<![\u1040-\u1049])[\u1040-\u1049]"
    "|[\u104a\u104b]"
)
_ASCII_PUNCT = ".,;:!?()[]{}\"'\u2026\u201c\u201d\u2018\u2019"
_OTHER_SPLIT = re.compile(f"[{re.escape(_ASCII_PUNCT)}]+|[^{re.escape(_ASCII_PUNCT)}]+")
_DIGITS = "\u1040\u1041\u1042\u1043\u1044\u1045\u1046\u1047\u1048\u1049"
_PUNCT = "\u104a\u104b"
_BREAK_START = re.compile("[\u1000-\u1021\u1023-\u102a\u104c-\u104f\u1040-\u1049\u104a\u104b]")
_GRAPHEME = regex.compile(r"\X")
_ZERO_WIDTH = dict.fromkeys(map(ord, ZERO_WIDTH))  # what burmesenlp's normalize drops

# Token kinds: a syllable, a digit run, anything else (punctuation, Latin, symbols).
_SYLLABLE, _DIGIT_RUN, _OTHER = 0, 1, 2


class _Token(NamedTuple):
    start: int
    end: int
    kind: int


class _Burmese(NamedTuple):
    normalize: Callable[..., str]
    words: frozenset[str]  # the lexicon's words
    prefixes: frozenset[str]  # every head of a lexicon word that ends where a syllable can
    max_syllables: int  # the longest match tries no more (burmesenlp's bound)
    frozen: dict[str, tuple[tuple[str, ...], ...]]  # frozen words by their first syllable
    numerals: frozenset[str]
    counters: frozenset[str]


@cache
def _burmese() -> _Burmese:
    """burmesenlp's normalizer, lexicon and grammar lists (the lexicon takes about 1 s).

    ``burmesenlp.word_tokenize`` without ``lexicon=`` would rebuild the lexicon on every
    call (0.6 s each).
    """
    from burmesenlp import Lexicon, grammar
    from burmesenlp.normalize import normalize

    lexicon = Lexicon.default()
    words = frozenset(lexicon.words())
    prefixes = frozenset(
        word[: m.start()] for word in words for m in _BREAK_START.finditer(word, 1)
    )
    frozen: dict[str, list[tuple[str, ...]]] = {}
    for sequence in grammar.FROZEN_WORD_SYLLABLES:
        frozen.setdefault(sequence[0], []).append(tuple(sequence))
    return _Burmese(
        normalize,
        words,
        prefixes,
        lexicon.max_word_syllables,
        {first: tuple(sequences) for first, sequences in frozen.items()},
        frozenset(grammar.NUMERAL_WORDS),
        frozenset(grammar.COUNTER_CLASSIFIERS),
    )


def _tokens(text: str) -> list[_Token]:
    """burmesenlp's syllable tokens of normalized text (``tokenize``), as offsets."""
    tokens = []
    for run in _RUNS.finditer(text):
        piece = run.group()
        base = run.start()
        if "\u1000" <= piece[0] <= "\u109f":
            starts = [m.start() for m in _BREAK.finditer(piece)]
            if not starts or starts[0]:
                starts.insert(0, 0)
            starts.append(len(piece))
            for s, e in itertools.pairwise(starts):
                syllable = piece[s:e]
                if not syllable.strip(_DIGITS):
                    kind = _DIGIT_RUN
                elif not syllable.strip(_PUNCT):
                    kind = _OTHER
                else:
                    kind = _SYLLABLE
                tokens.append(_Token(base + s, base + e, kind))
        elif not piece.isspace():
            for m in _OTHER_SPLIT.finditer(piece):
                tokens.append(_Token(base + m.start(), base + m.end(), _OTHER))
    return tokens


def _words(text: str, tokens: Sequence[_Token]) -> list[tuple[int, int]]:
    """Words as (first token, end token) index pairs: ``WordSegmenter.segment``'s grouping."""
    b = _burmese()
    words: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if token.kind == _DIGIT_RUN:
            # digits + a counter classifier right after them: one word (၁၂၃ယောက်)
            if i + 1 < n:
                after = tokens[i + 1]
                if (
                    after.kind == _SYLLABLE
                    and after.start == token.end
                    and text[after.start : after.end] in b.counters
                ):
                    words.append((i, i + 2))
                    i += 2
                    continue
            words.append((i, i + 1))
            i += 1
        elif token.kind != _SYLLABLE:
            words.append((i, i + 1))
            i += 1
        else:
            j = i + 1  # the run of syllables that touch each other
            while j < n and tokens[j].kind == _SYLLABLE and tokens[j].start == tokens[j - 1].end:
                j += 1
            _match_run(text, tokens, i, j, b, words)
            i = j
    return words


def _match_run(
    text: str,
    tokens: Sequence[_Token],
    first: int,
    end: int,
    b: _Burmese,
    words: list[tuple[int, int]],
) -> None:
    """Greedy longest match over the syllables ``tokens[first:end]`` (``_match_run``)."""
    k = first
    texts: list[str] | None = None
    while k < end:
        start = tokens[k].start
        longest = min(b.max_syllables, end - k)
        found = []  # lengths of lexicon words from k, shortest first
        length = 1
        while length < longest and text[start : tokens[k + length - 1].end] in b.prefixes:
            length += 1
            if text[start : tokens[k + length - 1].end] in b.words:
                found.append(length)
        matched = 0
        for length in reversed(found):
            if texts is None:
                texts = [text[t.start : t.end] for t in tokens[first:end]]
            if not _steals_frozen_onset(texts, k - first, length, b.frozen):
                matched = length
                break
        if matched:
            words.append((k, k + matched))
            k += matched
            continue
        # a numeral word + a counter classifier: one word (သုံးခု)
        if (
            k + 1 < end
            and text[start : tokens[k].end] in b.numerals
            and text[tokens[k + 1].start : tokens[k + 1].end] in b.counters
        ):
            words.append((k, k + 2))
            k += 2
            continue
        words.append((k, k + 1))
        k += 1


def _steals_frozen_onset(
    texts: Sequence[str], start: int, length: int, frozen: dict[str, tuple[tuple[str, ...], ...]]
) -> bool:
    """Whether a match would swallow the first syllables of a frozen function word."""
    for p in range(start + 1, start + length):
        for sequence in frozen.get(texts[p], ()):
            if tuple(texts[p : p + len(sequence)]) == sequence:
                return True
    return False


def _back(chunk: str, normal: str) -> Callable[[int], int]:
    """Offsets in ``normal`` (burmesenlp's ``normalize(chunk)``) mapped back to ``chunk``.

    That normalizer drops zero-width characters and applies NFC (dot below before asat,
    U+1025 U+102E to U+1026), which never reaches across a grapheme cluster: so each
    cluster is normalized alone, offsets stay exact in every unchanged one, and only the
    few that changed are aligned. Should the clusters not add up to the normalizer's
    output, the whole text is aligned instead.
    """
    clusters = _GRAPHEME.findall(chunk)
    done = [unicodedata.normalize("NFC", c.translate(_ZERO_WIDTH)) for c in clusters]
    if "".join(done) != normal:
        return aligner(normal, chunk)
    starts = list(itertools.accumulate(map(len, clusters), initial=0))
    mapping: list[int] = []
    unchanged_from = 0
    for i in [i for i, (c, d) in enumerate(zip(clusters, done, strict=True)) if c != d]:
        mapping.extend(range(unchanged_from, starts[i]))
        local = aligner(done[i], clusters[i])
        mapping.extend(starts[i] + local(x) for x in range(len(done[i])))
        unchanged_from = starts[i + 1]
    mapping.extend(range(unchanged_from, len(chunk) + 1))
    return mapping.__getitem__


def segment_run(text: str, run: Run, search: bool) -> list[Span]:
    """burmesenlp's words over the run, mapped back through its normalization.

    For search, a word of three syllables or more gets the lexicon words inside it, or its
    syllables when none is known.
    """
    b = _burmese()
    chunk = text[run.start : run.end]
    normal = b.normalize(chunk, warn_zawgyi=False)
    back = (lambda i: i) if normal == chunk else _back(chunk, normal)
    tokens = _tokens(normal)
    base = run.start
    spans = []
    for first, end in _words(normal, tokens):
        spans.append(Span(base + back(tokens[first].start), base + back(tokens[end - 1].end)))
        if not search or end - first < 3:
            continue
        inside = tokens[first:end]
        parts = [
            (inside[i].start, inside[j - 1].end)
            for i in range(len(inside))
            for j in range(i + 2, len(inside) + 1)
            if j - i < len(inside) and normal[inside[i].start : inside[j - 1].end] in b.words
        ]
        if not parts:
            parts = [(s.start, s.end) for s in inside]
        spans.extend(Span(base + back(a), base + back(e), True) for a, e in parts)
    return spans
