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


def segment_run(text: str, run: Run, search: bool) -> list[Span]:
    """NLTK's words, each without a final full stop.

    NLTKWordTokenizer splits a full stop off only at the very end of its input, so "Smith."
    mid-text and "U.S." in a sentence would stay whole while the same word typed as a query
    would not. Splitting every final stop off (as ICU does) makes the two meet.
    """
    base = run.start
    chunk = text[base : run.end]
    try:
        found = _nltk().span_tokenize(chunk)
        spans = [Span(base + s, base + e) for s, e in found]
    except ValueError:  # its quote rewriting failed to align: ICU for this run
        return [Span(s, e) for s, e in icu_tokens(text, base, run.end)]
    words = [
        Span(s, e - 1) if e - s > 1 and text[e - 1] == "." else Span(s, e) for s, e, _ in spans
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
