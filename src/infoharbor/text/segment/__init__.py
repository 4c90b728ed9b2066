"""Word segmentation for the harbor's languages, for documents and queries alike.

Five of the harbor's scripts are written without spaces between words (Han, Thai, Lao, Khmer,
Myanmar), and text mixes scripts freely (``iPhone 15 ราคา 3,990 บาท``, Chinese with English
names). So the text is first cut into *script runs* along ICU word boundaries, and each run goes
to the segmenter chosen for its script by measurement against gold data (``docs/benchmarks.md``,
``bench/segmentation.py``):

========  ==========================================================================
script    segmenter
========  ==========================================================================
Han       rjieba (jieba in Rust) after OpenCC Traditional-to-Simplified
Thai      ICU (beats pythainlp newmm on UD Thai PUD)
Lao       ICU (no gold; the only offline Lao segmenter that did well by hand)
Khmer     khmercut's CRF model, scored in Python from its weights (pycrfsuite's tags)
Myanmar   burmesenlp's dictionary longest match, redone over offsets (burmesenlp's words)
Latin     pyvi for Vietnamese; NLTK's Treebank rules for en, id, ms; ICU otherwise
========  ==========================================================================

Every span is a pair of offsets into the string given, counted in Python code points, whatever
the library used counts in (ICU counts UTF-16 units) and however it normalizes internally
(OpenCC, burmesenlp). Nothing is downloaded: every model ships in its package and is loaded
once, lazily, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import itemgetter

from . import _icu, _khmer, _myanmar, _nltk, _vi, _zh
from ._base import HAN, KHMER, LATIN, MYANMAR, STRIP, Run, Segmenter, Span, is_word, script_of
from ._runs import one_script_run, script_runs

__all__ = [
    "BY_SCRIPT_NAME",
    "ICU_NAME",
    "KHMER_NAME",
    "MYANMAR_NAME",
    "NLTK_NAME",
    "VI_NAME",
    "ZH_NAME",
    "Span",
    "segment",
    "segment_for_search",
    "segmenter_for",
]

# Segmenter names, as shown in docs and the benchmark.
ICU_NAME = "ICU BreakIterator (word)"
ZH_NAME = "rjieba after OpenCC t2s"
KHMER_NAME = "khmercut CRF"
MYANMAR_NAME = "burmesenlp (longest match, shared Lexicon)"
VI_NAME = "pyvi"
NLTK_NAME = "NLTK NLTKWordTokenizer"
BY_SCRIPT_NAME = "by script run"

# Latin-script languages whose words NLTK's rules find better than ICU's (measured on UD
# Indonesian and English; Malay shares Indonesian's orthography). Tagalog, Tetum and
# Portuguese keep ICU: no gain on Tagalog gold, and NLTK's rules are English ones.
_NLTK_LANGS = frozenset({"en", "id", "ms"})
_LANG_ALIASES = {"tl": "fil", "zh": "zh", "in": "id", "zsm": "ms", "bur": "my", "khm": "km"}


def _base_lang(lang: str | None) -> str | None:
    """``zh-Hant`` -> ``zh``, ``tl`` -> ``fil``; None stays None."""
    if not lang:
        return None
    base = lang.replace("_", "-").split("-", 1)[0].lower()
    return _LANG_ALIASES.get(base, base)


def segmenter_for(lang: str | None) -> str:
    """The name of the segmenter used for ``lang`` (its main script), for docs and benchmarks.

    Runs of another script inside the text still go to that script's segmenter.
    """
    base = _base_lang(lang)
    if base == "zh":
        return ZH_NAME
    if base in ("th", "lo"):
        return ICU_NAME
    if base == "km":
        return KHMER_NAME
    if base == "my":
        return MYANMAR_NAME
    if base == "vi":
        return VI_NAME
    if base in _NLTK_LANGS:
        return NLTK_NAME
    if base is None or base not in _KNOWN_LANGS:
        return BY_SCRIPT_NAME
    return ICU_NAME


_KNOWN_LANGS = frozenset({"zh", "en", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "tet", "pt"})


# --- Putting it together ---------------------------------------------------------------------


def _segmenter(script: str | None, lang: str | None, simplified: bool = False) -> Segmenter:
    if script == HAN:
        return _zh.segment_simplified_run if simplified else _zh.segment_run
    if script == KHMER:
        return _khmer.segment_run
    if script == MYANMAR:
        return _myanmar.segment_run
    if script == LATIN:
        if lang == "vi":
            return _vi.segment_run
        if lang in _NLTK_LANGS:
            return _nltk.segment_run
    return _icu.segment_run


def _finish(text: str, spans: Iterable[Span], punctuation: bool = False) -> list[Span]:
    """Trim spaces from span edges, drop non-words and duplicates, order for search.

    ``punctuation`` keeps spans of punctuation and symbols: the benchmark scores them as the
    gold treebanks count them.
    """
    words: list[Span] = []
    parts: list[Span] = []
    for span in spans:
        start, end, part = span
        word = text[start:end]
        stripped = word.strip(STRIP)
        # str.isalnum() is true for most words and cheaper than the pattern is_word runs.
        if not stripped or not (punctuation or stripped.isalnum() or is_word(stripped)):
            continue
        if len(stripped) != len(word):
            start += len(word) - len(word.lstrip(STRIP))
            span = Span(start, start + len(stripped), part)
        (parts if part else words).append(span)
    seen: set[tuple[int, int]] = set()
    out = []
    for span in words + parts if parts else words:
        key = (span.start, span.end)
        if key not in seen:
            seen.add(key)
            out.append(span)
    # By start, then longer first, so each word comes before its parts (two stable sorts
    # by a C key: faster than one by a Python key).
    out.sort(key=itemgetter(1), reverse=True)
    out.sort(key=itemgetter(0))
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")
# Letters, and the numerals that are not decimal digits (str.isalpha() tells them apart).
_LETTER = re.compile(r"[^\W\d_]")

# A letter outside one script: when a text has none, the whole text is one run of that script.
_LATIN_LETTERS = "A-Za-z\u00c0-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff5a"
_HAN_LETTERS = (
    "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f\u2e80-\u2fdf\u3005\u3007"
)
_MYANMAR_LETTERS = "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"
_KHMER_BLOCKS = "\u1780-\u17ff\u19e0-\u19ff"
_OUTSIDE = {
    HAN: re.compile(f"[^\\W\\d_{_HAN_LETTERS}]"),
    LATIN: re.compile(f"[^\\W\\d_{_LATIN_LETTERS}]"),
    MYANMAR: re.compile(f"[^\\W\\d_{_MYANMAR_LETTERS}]"),
    KHMER: re.compile(f"[^\\W\\d_{_KHMER_BLOCKS}]"),
}
# The letters of the Khmer blocks (not its vowel signs, digits or symbols), for the tokens
# of a text in Khmer alone.
_KHMER_LETTER = re.compile(
    "["
    + "".join(
        re.escape(ch)
        for cp in [*range(0x1780, 0x1800), *range(0x19E0, 0x1A00)]
        if (ch := chr(cp)).isalpha()
    )
    + "]"
)
# Segmenters that read the run's text, not its ICU tokens: they can skip the run split.
_TEXT_SEGMENTERS = {HAN: _zh.segment_run, MYANMAR: _myanmar.segment_run}


def _single_run(
    text: str, lang: str | None, simplified: bool = False
) -> tuple[Segmenter, Run] | None:
    """The segmenter and run for a text in a single script that needs no ICU pass, or None.

    The common case (a whole Chinese, Burmese, Vietnamese or English text) then skips the
    ICU pass and the script split, which cost more than the segmenting itself for jieba. A
    Khmer text still needs ICU's tokens, but not the split into runs.
    """
    # The first letter (a pattern finds candidates in C; a few numerals pass it, not isalpha).
    first = next((m.group() for m in _LETTER.finditer(text) if m.group().isalpha()), None)
    if first is None:
        return None
    script = script_of(ord(first))
    if script == LATIN:
        if lang == "vi":
            segmenter: Segmenter = _vi.segment_run
        elif lang in _NLTK_LANGS:
            segmenter = _nltk.segment_run
        else:
            return None
    elif script == HAN and simplified:
        segmenter = _zh.segment_simplified_run
    elif script in _TEXT_SEGMENTERS:
        segmenter = _TEXT_SEGMENTERS[script]
    elif script == KHMER:
        if _OUTSIDE[KHMER].search(text):
            return None
        return _khmer.segment_run, one_script_run(text, KHMER, _KHMER_LETTER)
    else:
        return None
    if _OUTSIDE[script].search(text):
        return None
    return segmenter, Run(script, 0, len(text), [])


def _segment(
    text: str,
    lang: str | None,
    search: bool,
    punctuation: bool = False,
    simplified: bool = False,
) -> list[Span]:
    if not text or text.isspace():
        return []
    # Lone surrogates cannot cross into ICU, jieba or OpenCC; U+FFFD keeps every offset.
    work = _SURROGATE.sub("\ufffd", text)
    base = _base_lang(lang)
    single = _single_run(work, base, simplified)
    if single is not None:
        segmenter, run = single
        return _finish(work, segmenter(work, run, search), punctuation)
    spans: list[Span] = []
    for run in script_runs(work):
        spans.extend(_segmenter(run.script, base, simplified)(work, run, search))
    return _finish(work, spans, punctuation)


def segment(text: str, lang: str | None) -> list[Span]:
    """The words of ``text``, in order, without whitespace or punctuation.

    ``lang`` is a harbor content code (``zh-Hans``, ``th``, ``vi``...) or None. It picks the
    segmenter for Latin-script runs (pyvi for ``vi``, NLTK for ``en``/``id``/``ms``, ICU
    otherwise); runs of the other scripts always go to their script's segmenter, whatever
    ``lang`` says, since text mixes scripts. The same call serves documents and queries, so
    the two meet on the same words.
    """
    return [span for span in _segment(text, lang, search=False) if not span.part]


def segment_for_search(text: str, lang: str | None, *, simplified: bool = False) -> list[Span]:
    """The words of ``text`` and, after each compound, its parts (``part=True``).

    A compound in the index hides its parts from queries: 北京大学 alone would not match a
    query for 大学. So each compound is followed by the pieces its segmenter knows: jieba's
    search-mode words (zh), the syllables of a compound (vi), lexicon words or syllables
    inside a long word (my), ICU's finer breaks inside a CRF word (km), and the two halves
    of an ICU dictionary compound (th, lo, km: ນະຄອນຫຼວງ + ວຽງຈັນ). Sorted by start, then
    longer first, so each word comes before its parts. ``simplified``: the text's Han is
    folded to Simplified already (normalized), so it is not converted again.
    """
    return _segment(text, lang, search=True, simplified=simplified)
