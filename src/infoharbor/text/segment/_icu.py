"""ICU word boundaries: the script-run split for every text, and the segmenter of Thai, Lao,
Tagalog and the Latin-script languages without one of their own."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import icu

from ._base import KHMER, LAO, NO_CUT_AFTER, THAI, Run, Span

# BreakIterators hold the text they iterate: one per thread.
_local = threading.local()


def word_breaker() -> Any:
    breaker = getattr(_local, "word", None)
    if breaker is None:
        breaker = _local.word = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return breaker


def _utf16_to_cp(text: str) -> list[int] | None:
    """Map UTF-16 offsets to code point offsets; None when they are the same (no astral chars)."""
    if not text or max(text) < "\U00010000":
        return None
    mapping = []
    for i, ch in enumerate(text):
        mapping.append(i)
        if ord(ch) > 0xFFFF:
            mapping.append(i)  # the low surrogate: never a boundary
    mapping.append(len(text))
    return mapping


def boundaries(breaker: Any, text: str) -> list[tuple[int, int]]:
    """(offset, rule status) of every boundary after the first, in code points.

    ICU counts in UTF-16 units: an emoji or a CJK Extension B character before a word would
    shift every later offset by one, so the offsets are mapped whenever the text has any.
    """
    utext = icu.UnicodeString(text)
    breaker.setText(utext)
    out = [(end, breaker.getRuleStatus()) for end in breaker]
    mapping = _utf16_to_cp(text)
    if mapping is not None:
        out = [(mapping[end], status) for end, status in out]
    return out


def icu_tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """ICU word tokens of ``text[start:end]`` (all of them, spaces included), absolute offsets."""
    piece = text[start:end] if (start or end is not None) else text
    tokens = []
    prev = 0
    for boundary, _status in boundaries(word_breaker(), piece):
        tokens.append((start + prev, start + boundary))
        prev = boundary
    return tokens


@lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[tuple[int, int], ...]:
    """The two halves of a word ICU keeps whole that are themselves words ICU keeps whole.

    ICU's Lao, Thai and Khmer dictionaries hold compounds (ນະຄອນຫຼວງວຽງຈັນ "Vientiane
    Capital", มหาวิทยาลัย); a query for a part (ວຽງຈັນ) then cannot match by words. A split
    point whose both sides are single ICU words is a dictionary-backed part boundary.
    Cached: words repeat, and each probe costs two ICU calls per grapheme boundary.
    """
    if len(word) < 6 or len(word) > 40:
        return ()
    breaker = word_breaker()
    parts: list[tuple[int, int]] = []
    for cut in range(3, len(word) - 2):  # both halves three code points or more
        if not word[cut].isalpha() or word[cut - 1] in NO_CUT_AFTER:
            continue  # inside a cluster: before a mark, after a subscript sign or a lead vowel
        head, tail = word[:cut], word[cut:]
        if len(boundaries(breaker, head)) == 1 and len(boundaries(breaker, tail)) == 1:
            parts.extend(((0, cut), (cut, len(word))))
    return tuple(sorted(set(parts)))


def segment_run(text: str, run: Run, search: bool) -> list[Span]:
    """ICU words; for search, the halves of dictionary compounds in Thai, Lao and Khmer."""
    spans = []
    compounds = search and run.script in (THAI, LAO, KHMER)
    for start, end, script in run.tokens:
        spans.append(Span(start, end))
        if compounds and script == run.script and end - start >= 6:
            spans.extend(
                Span(start + a, start + b, True) for a, b in compound_parts(text[start:end])
            )
    return spans
