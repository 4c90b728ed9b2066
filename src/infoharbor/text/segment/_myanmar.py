"""Burmese: burmesenlp's syllable break and dictionary longest match, one shared lexicon."""

from __future__ import annotations

from functools import cache
from typing import Any

from ._base import Run, Span, aligner


@cache
def _burmese() -> tuple[Any, Any, Any, Any]:
    """burmesenlp's normalizer, syllable tokenizer, word segmenter and lexicon.

    The lexicon is built once (about 1 s): ``burmesenlp.word_tokenize`` without
    ``lexicon=`` rebuilds it on every call (0.6 s each).
    """
    from burmesenlp import Lexicon
    from burmesenlp.normalize import normalize
    from burmesenlp.tokenize.longest import WordSegmenter
    from burmesenlp.tokenize.syllable import tokenize

    lexicon = Lexicon.default()
    return normalize, tokenize, WordSegmenter(lexicon), lexicon


def segment_run(text: str, run: Run, search: bool) -> list[Span]:
    """burmesenlp's words over the run, mapped back through its normalization.

    For search, a word of three syllables or more gets the lexicon words inside it, or its
    syllables when none is known.
    """
    normalize, syllables_of, segmenter, lexicon = _burmese()
    chunk = text[run.start : run.end]
    normal = normalize(chunk, warn_zawgyi=False)
    back = (lambda i: i) if normal == chunk else aligner(normal, chunk)
    syllables = syllables_of(normal)
    base = run.start
    spans = []
    words = segmenter.segment(syllables)
    position = 0
    for word in words:
        spans.append(Span(base + back(word.start), base + back(word.end)))
        if not search:
            continue
        while position < len(syllables) and syllables[position].start < word.start:
            position += 1
        inside = []
        while position < len(syllables) and syllables[position].end <= word.end:
            inside.append(syllables[position])
            position += 1
        if len(inside) < 3:
            continue
        parts = [
            (inside[i].start, inside[j - 1].end)
            for i in range(len(inside))
            for j in range(i + 2, len(inside) + 1)
            if j - i < len(inside) and "".join(s.text for s in inside[i:j]) in lexicon
        ]
        if not parts:
            parts = [(s.start, s.end) for s in inside]
        spans.extend(Span(base + back(a), base + back(b), True) for a, b in parts)
    return spans
