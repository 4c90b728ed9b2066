"""Indonesian, Malay and English: NLTK's Treebank-style word rules."""

from __future__ import annotations

from functools import cache
from typing import Any

from ._base import Run, Span
from ._icu import icu_tokens


@cache
def _nltk() -> Any:
    """NLTK's Treebank-style word tokenizer: regular expressions only, no data download."""
    from nltk.tokenize import NLTKWordTokenizer

    return NLTKWordTokenizer()


class _Rule:
    """One of NLTK's substitutions, and the characters without which it changes nothing."""

    __slots__ = ("pattern", "replacement", "trigger")

    def __init__(self, rule: tuple[Any, str], trigger: str) -> None:
        pattern, replacement = rule
        # NLTK wraps its `regex` patterns to run each match under a timeout (its ReDoS guard):
        # the same compiled pattern, called directly, gives the same result without the
        # wrapper's cost. Its patterns are linear on any input.
        self.pattern = getattr(pattern, "_rx", pattern)
        self.replacement = replacement
        self.trigger = frozenset(trigger)


class _Treebank:
    """NLTKWordTokenizer's ``span_tokenize``, exactly, at a fraction of the cost.

    NLTK runs its 25 substitutions over every text; most of them look for a character
    (a quote, a bracket, a dash, ``;@#$%&``) that a news sentence does not have, and a
    substitution whose trigger characters are absent cannot change the text. So each runs
    only when the text has one of them, in NLTK's order, with NLTK's own patterns.
    (``tests/text/test_segment_nltk.py`` compares the two on the gold sentences and on
    random text made of every trigger.)
    """

    def __init__(self) -> None:
        nltk = _nltk()
        quotes = "\"'`«“‘„»”’"
        self.starting = [
            _Rule(nltk.STARTING_QUOTES[0], "«“‘„`"),
            _Rule(nltk.STARTING_QUOTES[1], '"'),
            _Rule(nltk.STARTING_QUOTES[2], '`"'),
            _Rule(nltk.STARTING_QUOTES[3], "\"'"),
            _Rule(nltk.STARTING_QUOTES[4], "'"),
        ]
        triggers = [".", ":,", ":,", ".", ";@#$%&", "\u2012\u2013\u2014\u2015", ".", "?!", "'", "*"]
        assert len(triggers) == len(nltk.PUNCTUATION)  # noqa: S101 - NLTK's rule list
        self.punctuation = [
            _Rule(rule, trigger) for rule, trigger in zip(nltk.PUNCTUATION, triggers, strict=True)
        ]
        self.parens = _Rule(nltk.PARENS_BRACKETS, "[](){}<>")
        self.dashes = _Rule(nltk.DOUBLE_DASHES, "-")
        # Collapsing white space matters only to the later rules that match a space (after
        # an apostrophe); the final split ignores it.
        ending_triggers = ["»”’", "'", '"', "'", "'", "'"]
        assert len(ending_triggers) == len(nltk.ENDING_QUOTES)  # noqa: S101
        self.ending = [
            _Rule(rule, trigger)
            for rule, trigger in zip(nltk.ENDING_QUOTES, ending_triggers, strict=True)
        ]
        self.contractions2 = list(nltk.CONTRACTIONS2)
        self.contractions3 = list(nltk.CONTRACTIONS3)
        import regex

        # Each of CONTRACTIONS2 needs one of these words (case-insensitive) to match.
        self.contraction_words = regex.compile(
            r"(?i)cannot|d'ye|gimme|gonna|gotta|lemme|more'n|wanna"
        )
        self.quotes = frozenset(quotes)
        # The two final-period rules match at the end of the text only: see _final_period.
        self.final_periods = {0, 6}

    def tokenize(self, text: str) -> list[str]:
        present = set(text)
        for rule in self.starting:
            if not present.isdisjoint(rule.trigger):
                text = rule.pattern.sub(rule.replacement, text)
        for number, rule in enumerate(self.punctuation):
            if number in self.final_periods:
                if "." in present:
                    text = _final_period(rule, text)
            elif not present.isdisjoint(rule.trigger):
                text = rule.pattern.sub(rule.replacement, text)
        for rule in (self.parens, self.dashes):
            if not present.isdisjoint(rule.trigger):
                text = rule.pattern.sub(rule.replacement, text)
        text = " " + text + " "
        for rule in self.ending:
            if not present.isdisjoint(rule.trigger):
                text = rule.pattern.sub(rule.replacement, text)
        if self.contraction_words.search(text):
            for pattern in self.contractions2:
                text = pattern.sub(r" \1 \2 ", text)
        if "'" in present:
            for pattern in self.contractions3:
                text = pattern.sub(r" \1 \2 ", text)
        return text.split()

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        if '"' in text or "''" in text:
            # NLTK maps its rewritten quotes back to the text's: its own path.
            return list(_nltk().span_tokenize(text))
        spans = []
        point = 0
        for token in self.tokenize(text):
            start = text.find(token, point)
            if start == -1:
                raise ValueError(f"substring {token!r} not found")
            point = start + len(token)
            spans.append((start, point))
        return spans


def _final_period(rule: _Rule, text: str) -> str:
    """A final-period rule (``([^.])(.)([])}>"'...]*)\\s*$``) applied to the end of ``text``.

    Nothing after the period it matches may be a period, so a match holds the last period
    of the text and the character before it: the rule runs on that tail alone, instead of
    trying every position of the text (which the `regex` engine does for this pattern).
    """
    last = text.rfind(".")
    if last < 1:
        return text  # no period, or one with nothing before it: no match
    tail: str = rule.pattern.sub(rule.replacement, text[last - 1 :])
    return text[: last - 1] + tail


@cache
def treebank() -> _Treebank:
    return _Treebank()


def segment_run(text: str, run: Run, search: bool) -> list[Span]:
    """NLTK's words, each without a final full stop.

    NLTKWordTokenizer splits a full stop off only at the very end of its input, so "Smith."
    mid-text and "U.S." in a sentence would stay whole while the same word typed as a query
    would not. Splitting every final stop off (as ICU does) makes the two meet.
    """
    base = run.start
    chunk = text[base : run.end]
    try:
        found = treebank().span_tokenize(chunk)
    except ValueError:  # its quote rewriting failed to align: ICU for this run
        return [Span(s, e) for s, e in icu_tokens(text, base, run.end)]
    words = [
        Span(base + s, base + e - 1)
        if e - s > 1 and chunk[e - 1] == "."
        else Span(base + s, base + e)
        for s, e in found
    ]
    if not search:
        return words
    # Hyphenated compounds keep their pieces findable (well-known -> well, known).
    parts = []
    for start, end, _part in words:
        if "-" in text[start + 1 : end - 1]:
            at = start
            for piece in text[start:end].split("-"):
                parts.append(Span(at, at + len(piece), True))
                at += len(piece) + 1
    return words + parts
