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
Khmer     khmercut's CRF model, driven by a faster feature builder than khmercut's own
Myanmar   burmesenlp dictionary longest match, one shared lexicon
Latin     pyvi for Vietnamese; NLTK's Treebank rules for en, id, ms; ICU otherwise
========  ==========================================================================

Every span is a pair of offsets into the string given, counted in Python code points, whatever
the library used counts in (ICU counts UTF-16 units) and however it normalizes internally
(OpenCC, burmesenlp). Nothing is downloaded: every model ships in its package and is loaded
once, lazily, on first use.
"""

from __future__ import annotations

import difflib
import itertools
import re
import string
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import Any, NamedTuple

import icu

__all__ = ["Span", "segment", "segment_for_search", "segmenter_for"]


class Span(NamedTuple):
    """One word (or, for search, one part of a word) as offsets into the input string."""

    start: int  # offsets into the input str, in Python code points (never UTF-16 units)
    end: int
    part: bool = False  # a piece of a longer word, emitted only for search recall


# --- Languages and scripts -------------------------------------------------------------------

_HAN = "han"
_THAI = "thai"
_LAO = "lao"
_KHMER = "khmer"
_MYANMAR = "myanmar"
_LATIN = "latin"
_OTHER = "other"

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
_SCRIPT_LANG = {_HAN: "zh", _THAI: "th", _LAO: "lo", _KHMER: "km", _MYANMAR: "my"}
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


def _script_of(cp: int) -> str:
    """The script class of a letter's code point (only letters are asked)."""
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF or 0x2C60 <= cp <= 0x2C7F or 0xA720 <= cp <= 0xA7FF:
        return _LATIN
    if 0x0E00 <= cp <= 0x0E7F:
        return _THAI
    if 0x0E80 <= cp <= 0x0EFF:
        return _LAO
    if 0x1000 <= cp <= 0x109F or 0xA9E0 <= cp <= 0xA9FF or 0xAA60 <= cp <= 0xAA7F:
        return _MYANMAR
    if 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF:
        return _KHMER
    if (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or 0x2E80 <= cp <= 0x2FDF
        or cp in (0x3005, 0x3007)
    ):
        return _HAN
    if 0xFF21 <= cp <= 0xFF5A:  # full-width Latin, common in Chinese text
        return _LATIN
    return _OTHER


def _token_script(token: str) -> str | None:
    """The script of a token's first letter; None for digits, punctuation, spaces, symbols."""
    for ch in token:
        if ch.isalpha():
            return _script_of(ord(ch))
    return None


# Whitespace and the zero-width characters that separate words in Khmer and Burmese text.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_STRIP = string.whitespace + "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
_STRIP += "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" + _ZERO_WIDTH
_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_word(text: str) -> bool:
    """A word has a letter or a digit; spans of spaces, punctuation or symbols are not words."""
    return any(ch.isalnum() for ch in text)


# --- ICU ---------------------------------------------------------------------------------------

# BreakIterators hold the text they iterate: one per thread.
_local = threading.local()


def _word_breaker() -> Any:
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


def _boundaries(breaker: Any, text: str) -> list[tuple[int, int]]:
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


def _icu_tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """ICU word tokens of ``text[start:end]`` (all of them, spaces included), absolute offsets."""
    piece = text[start:end] if (start or end is not None) else text
    tokens = []
    prev = 0
    for boundary, _status in _boundaries(_word_breaker(), piece):
        tokens.append((start + prev, start + boundary))
        prev = boundary
    return tokens


@lru_cache(maxsize=65536)
def _icu_compound_parts(word: str) -> tuple[tuple[int, int], ...]:
    """The two halves of a word ICU keeps whole that are themselves words ICU keeps whole.

    ICU's Lao, Thai and Khmer dictionaries hold compounds (ນະຄອນຫຼວງວຽງຈັນ "Vientiane
    Capital", มหาวิทยาลัย); a query for a part (ວຽງຈັນ) then cannot match by words. A split
    point whose both sides are single ICU words is a dictionary-backed part boundary.
    Cached: words repeat, and each probe costs two ICU calls per grapheme boundary.
    """
    if len(word) < 6 or len(word) > 40:
        return ()
    breaker = _word_breaker()
    parts: list[tuple[int, int]] = []
    for cut in range(3, len(word) - 2):  # both halves three code points or more
        if not word[cut].isalpha() or word[cut - 1] in _NO_CUT_AFTER:
            continue  # inside a cluster: before a mark, after a subscript sign or a lead vowel
        head, tail = word[:cut], word[cut:]
        if len(_boundaries(breaker, head)) == 1 and len(_boundaries(breaker, tail)) == 1:
            parts.extend(((0, cut), (cut, len(word))))
    return tuple(sorted(set(parts)))


# Khmer coeng, Myanmar virama and asat-less stacker, Thai and Lao vowels written before
# their consonant: a word never ends on one of these.
_NO_CUT_AFTER = frozenset("្္เแโใไເແໂໃໄ")


# --- Script runs ---------------------------------------------------------------------------


# ICU glues Latin letters and digits to Thai, Lao, Khmer and Myanmar letters when no space
# separates them (``abcကို``, ``XLဆို``, ``12ကို`` are one ICU word), and those scripts to each
# other: such tokens are cut where the script changes.
_SA = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\ua9e0-\ua9ff\uaa60-\uaa7f"
_SCRIPT_CHUNK = re.compile(
    "[\u0e00-\u0e7f]+|[\u0e80-\u0eff]+|[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]+"
    f"|[\u1780-\u17ff\u19e0-\u19ff]+|[^{_SA}]+"
)


def _script_tokens(text: str) -> list[tuple[int, int]]:
    """ICU word tokens, cut where a token changes between a Southeast Asian script and another."""
    tokens: list[tuple[int, int]] = []
    for start, end in _icu_tokens(text):
        token = text[start:end]
        if end - start > 1 and not token.isascii():
            chunks = [m.span() for m in _SCRIPT_CHUNK.finditer(token)]
            if len(chunks) > 1:
                tokens.extend((start + a, start + b) for a, b in chunks)
                continue
        tokens.append((start, end))
    return tokens


class _Run(NamedTuple):
    script: str | None  # None: no letters at all (numbers, punctuation)
    start: int
    end: int
    tokens: list[tuple[int, int, str | None]]  # ICU tokens: start, end, script


def _script_runs(text: str) -> list[_Run]:
    """Cut ``text`` into runs of one script along ICU word boundaries.

    Tokens without letters (spaces, digits, punctuation) join the run before them, so a
    Thai price ``ราคา 3,990 บาท`` stays one run; at the start of the text they join the first
    run that has letters.
    """
    runs: list[_Run] = []
    pending: list[tuple[int, int, str | None]] = []
    current: _Run | None = None
    for start, end in _script_tokens(text):
        script = _token_script(text[start:end])
        if script is None:
            if current is None:
                pending.append((start, end, None))
            else:
                current.tokens.append((start, end, None))
            continue
        if current is not None and current.script == script:
            current.tokens.append((start, end, script))
            continue
        if current is not None:
            runs.append(current._replace(end=current.tokens[-1][1]))
        current = _Run(script, pending[0][0] if pending else start, end, [*pending])
        pending = []
        current.tokens.append((start, end, script))
    if current is not None:
        runs.append(current._replace(end=current.tokens[-1][1]))
    elif pending:
        runs.append(_Run(None, pending[0][0], pending[-1][1], pending))
    return runs


# --- Segmenters per script -------------------------------------------------------------------
#
# Each takes the text, a run, and whether search parts are wanted, and returns absolute spans.
# Spans may still hold spaces at their edges or be punctuation: _finish() cleans them.

_Segmenter = Callable[[str, _Run, bool], list[Span]]


def _seg_icu(text: str, run: _Run, search: bool) -> list[Span]:
    """ICU words; for search, the halves of dictionary compounds in Thai, Lao and Khmer."""
    spans = []
    compounds = search and run.script in (_THAI, _LAO, _KHMER)
    for start, end, script in run.tokens:
        spans.append(Span(start, end))
        if compounds and script == run.script and end - start >= 6:
            spans.extend(
                Span(start + a, start + b, True) for a, b in _icu_compound_parts(text[start:end])
            )
    return spans


# Chinese ----------------------------------------------------------------------------------


@cache
def _rjieba() -> Any:
    """rjieba builds its dictionary once per process on import (about 0.2 s)."""
    import rjieba

    return rjieba


def _t2s() -> Any:
    """OpenCC's Traditional-to-Simplified converter; one per thread (it is a C++ object)."""
    converter = getattr(_local, "t2s", None)
    if converter is None:
        import opencc

        converter = _local.t2s = opencc.OpenCC("t2s")
    return converter


def _seg_zh(text: str, run: _Run, search: bool) -> list[Span]:
    """jieba's words, after folding Traditional to Simplified.

    jieba's dictionary is Simplified: on Traditional text it falls back to single characters
    and its HMM (UD Chinese GSD F1 0.745 instead of 0.798). t2s maps one character to one
    character almost always; when it does not, the run is segmented unconverted, so offsets
    always hold.
    """
    chunk = text[run.start : run.end]
    converted = _t2s().convert(chunk)
    if len(converted) == len(chunk):
        chunk = converted
    jieba = _rjieba()
    base = run.start
    words = [Span(base + s, base + e) for _w, s, e in jieba.tokenize(chunk)]
    if not search:
        return words
    # Search mode adds the dictionary words inside long words (北京大学 -> 北京, 大学).
    whole = {(w.start, w.end) for w in words}
    spans = list(words)
    for _w, s, e in jieba.tokenize(chunk, mode="search"):
        if (base + s, base + e) not in whole:
            spans.append(Span(base + s, base + e, True))
    return spans


# Khmer ------------------------------------------------------------------------------------

_KH_CONSONANTS = frozenset("កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអឣឤឥឦឧឨឩឪឫឬឭឮឯឰឱឲឳ")
_KH_VOWELS = frozenset("឴឵ាិីឹឺុូួើឿៀេែៃោៅ\u17c6\u17c7\u17c8")
_KH_COENG = "្"
_KH_DIACRITICS = frozenset("\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0")
_KH_SYMBOLS = frozenset("៕។៛ៗ៚៙៘,.? ")
_KH_NUMBERS = frozenset("០១២៣៤៥៦៧៨៩0123456789")
_KH_LUNAR = frozenset(chr(cp) for cp in range(0x19E0, 0x1A00))
_KH_STARTS = _KH_CONSONANTS | _KH_SYMBOLS | _KH_NUMBERS | _KH_LUNAR
_khmer_lock = threading.Lock()


@cache
def _khmer_tagger() -> Any:
    import khmercut

    return khmercut.load()


def _kh_type(kcc: str) -> str:
    if len(kcc) > 1:
        return "K" + str(len(kcc))
    if kcc in _KH_CONSONANTS:
        return "C"
    if kcc in _KH_VOWELS:
        return "W"
    if kcc == _KH_COENG:
        return "S"
    if kcc in _KH_DIACRITICS:
        return "D"
    return "NS"


def _is_kh(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or ch in _KH_SYMBOLS or ch in _KH_LUNAR


def _kh_clusters(text: str) -> list[str]:
    """Khmer character clusters, cut exactly as khmercut's ``seg_kcc`` cuts them.

    A cluster starts at a consonant, symbol or digit not preceded by the subscript sign;
    other characters group together (checked equal to ``seg_kcc`` on khPOS OPEN-TEST).
    """
    clusters: list[str] = []
    start = 0
    for i in range(1, len(text)):
        ch, prev = text[i], text[i - 1]
        if prev in _KH_NUMBERS and ch in _KH_NUMBERS:
            continue
        if not _is_kh(prev):
            if not _is_kh(ch):
                continue
        elif ch != " " and (prev == _KH_COENG or (ch not in _KH_STARTS and _is_kh(ch))):
            continue
        clusters.append(text[start:i])
        start = i
    if text:
        clusters.append(text[start:])
    return clusters


def _kh_features(kccs: Sequence[str]) -> list[list[str]]:
    """The attributes of khmercut's CRF model for each cluster.

    The same features as ``khmercut.kcc_to_features``, written as pycrfsuite attribute
    strings ("name:value"; booleans as a bare name when true) instead of dicts: the model
    gives the same tags (checked on all of khPOS OPEN-TEST), and building and passing strings
    is cheaper (the whole path is 1.3 times khmercut's speed).
    """
    n = len(kccs)
    types = [_kh_type(k) for k in kccs]
    nospace = [_kh_type(k[0]) == "NS" for k in kccs]  # by the cluster's first character
    features = []
    for i in range(n):
        k = kccs[i]
        f = ["kcc:" + k, "t:" + types[i]]
        if nospace[i]:
            f.append("ns")
        if i >= 1:
            k1 = kccs[i - 1]
            f += ["kcc[-1]:" + k1, "kcc[-1]t:" + types[i - 1], "kcc[-1:0]:" + k1 + k]
            if nospace[i - 1]:
                f.append("ns-1")
            if i >= 2:
                k2 = kccs[i - 2]
                f += [
                    "kcc[-2]:" + k2,
                    "kcc[-2]t:" + types[i - 2],
                    "kcc[-2:-1]:" + k2 + k1,
                    "kcc[-2:0]:" + k2 + k1 + k,
                ]
                if i >= 3:
                    k3 = kccs[i - 3]
                    f += [
                        "kcc[-3]:" + k3,
                        "kcc[-3]t:" + types[i - 3],
                        "kcc[-3:0]:" + k3 + k2 + k1 + k,
                        "kcc[-3:-1]:" + k3 + k2 + k1,
                        "kcc[-3:-2]:" + k3 + k2,
                    ]
        else:
            f.append("BOS")
        if i < n - 1:
            n1 = kccs[i + 1]
            f += ["kcc[+1]:" + n1, "kcc[+1]t:" + types[i + 1], "kcc[+1:0]:" + k + n1]
            if nospace[i + 1]:
                f.append("ns+1")
            if i < n - 2:
                n2 = kccs[i + 2]
                f += [
                    "kcc[+2]:" + n2,
                    "kcc[+2]t:" + types[i + 2],
                    "kcc[+1:+2]:" + n1 + n2,
                    "kcc[0:+2]:" + k + n1 + n2,
                ]
                if nospace[i + 2]:
                    f.append("ns+2")
                if i < n - 3:
                    n3 = kccs[i + 3]
                    f += [
                        "kcc[+3]:" + n3,
                        "kcc[+3]t:" + types[i + 3],
                        "kcc[+2:+3]:" + n2 + n3,
                        "kcc[+1:+3]:" + n1 + n2 + n3,
                        "kcc[0:+3]:" + k + n1 + n2 + n3,
                    ]
        else:
            f.append("EOS")
        features.append(f)
    return features


def _khmer_words(piece: str) -> list[tuple[int, int]]:
    """Word offsets in a run of Khmer letters, by khmercut's CRF model."""
    kccs = _kh_clusters(piece)
    features = _kh_features(kccs)
    tagger = _khmer_tagger()
    with _khmer_lock:  # one pycrfsuite Tagger: set() then tag() must not interleave
        tags = tagger.tag(features)
    words = []
    start = pos = 0
    for i, (kcc, tag) in enumerate(zip(kccs, tags, strict=True)):
        if tag == "1" and i > 0:
            words.append((start, pos))
            start = pos
        pos += len(kcc)
    if pos > start:
        words.append((start, pos))
    return words


def _letter_pieces(run: _Run) -> Iterable[tuple[int, int, int, int]]:
    """Maximal stretches of the run's own-script tokens: (start, end, first, last token)."""
    tokens = run.tokens
    i = 0
    while i < len(tokens):
        if tokens[i][2] != run.script:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and tokens[j + 1][2] == run.script:
            j += 1
        yield tokens[i][0], tokens[j][1], i, j
        i = j + 1


def _seg_khmer(text: str, run: _Run, search: bool) -> list[Span]:
    """khmercut's CRF over each stretch of Khmer letters; numbers and punctuation by ICU.

    Only Khmer letters go through the CRF (the costly part): the spaces, digits and
    punctuation between them are already words (or not) by ICU. For search, ICU's finer
    breaks inside a CRF word are its parts.
    """
    spans = [Span(s, e) for s, e, script in run.tokens if script is None]
    for start, end, first, last in _letter_pieces(run):
        icu_bounds = {s for s, _e, _sc in run.tokens[first : last + 1]}
        for a, b in _khmer_words(text[start:end]):
            ws, we = start + a, start + b
            spans.append(Span(ws, we))
            if not search:
                continue
            inner = sorted(x for x in icu_bounds if ws < x < we)
            if inner:
                cuts = [ws, *inner, we]
                spans.extend(Span(x, y, True) for x, y in itertools.pairwise(cuts))
            elif we - ws >= 6:
                spans.extend(
                    Span(ws + x, ws + y, True) for x, y in _icu_compound_parts(text[ws:we])
                )
    return spans


# Burmese ----------------------------------------------------------------------------------


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


def _aligner(changed: str, original: str) -> Callable[[int], int]:
    """Map offsets in a normalized copy of ``original`` back to ``original``.

    Normalizers reorder marks (Burmese dot below and asat), compose (U+1025 U+102E to U+1026)
    or drop zero-width characters; boundaries inside a changed stretch snap to its start.
    """
    mapping = [0] * (len(changed) + 1)
    matcher = difflib.SequenceMatcher(None, changed, original, autojunk=False)
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        for i in range(i1, i2):
            mapping[i] = j1 + (i - i1) if tag == "equal" else j1
    mapping[len(changed)] = len(original)
    return mapping.__getitem__


def _seg_myanmar(text: str, run: _Run, search: bool) -> list[Span]:
    """burmesenlp's words over the run, mapped back through its normalization.

    For search, a word of three syllables or more gets the lexicon words inside it, or its
    syllables when none is known.
    """
    normalize, syllables_of, segmenter, lexicon = _burmese()
    chunk = text[run.start : run.end]
    normal = normalize(chunk, warn_zawgyi=False)
    back = (lambda i: i) if normal == chunk else _aligner(normal, chunk)
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


# Vietnamese -------------------------------------------------------------------------------

# pyvi's syllable pattern (ViTokenizer.sylabelize), used with finditer to keep offsets.
_VI_SYLLABLE = re.compile(
    "("
    + "|".join(
        [
            r"[A-ZĐ]+\.",
            r"Tp\.",
            r"Mr\.",
            r"Mrs\.",
            r"Ms\.",
            r"Dr\.",
            r"ThS\.",
            "==>",
            "->",
            r"\.\.\.",
            ">>",
            "\n",
            r"\w+://[^\s]+",
            r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",
            r"\d+([\.,_]\d+)+",
            r"[^\w\s]",
            r"\w+",
        ]
    )
    + ")"
)
_vi_lock = threading.Lock()


@cache
def _vi_tokenizer() -> Any:
    """pyvi's CRF model and bigram/trigram lists (loaded on import, about 1.5 s)."""
    import warnings

    with warnings.catch_warnings():  # its module has invalid escapes in plain strings
        warnings.simplefilter("ignore", DeprecationWarning)
        from pyvi import ViTokenizer

    return ViTokenizer.ViTokenizer


def _vi_features(
    syllables: Sequence[str],
    bigrams: frozenset[str] | set[str],
    trigrams: frozenset[str] | set[str],
) -> list[list[str]]:
    """pyvi's CRF attributes (``ViTokenizer.word2features``) as pycrfsuite attribute strings.

    Same features, written as "name:value" strings and bare names for true flags instead of
    dicts (the model gives the same tags on all of UD Vietnamese VTB): 1.7 times the speed of
    ``ViTokenizer.tokenize`` with the rest of the path.
    """
    n = len(syllables)
    lower = [w.lower() for w in syllables]
    title = [w.istitle() for w in syllables]
    upper = [w.isupper() for w in syllables]
    out = []
    for i in range(n):
        f = ["bias", "word.lower():" + lower[i]]
        if upper[i]:
            f.append("word.isupper()")
        if title[i]:
            f.append("word.istitle()")
        if syllables[i].isdigit():
            f.append("word.isdigit()")
        if i > 0:
            f.append("-1:word.lower():" + lower[i - 1])
            if title[i - 1]:
                f.append("-1:word.istitle()")
            if upper[i - 1]:
                f.append("-1:word.isupper()")
            if lower[i - 1] + " " + lower[i] in bigrams:
                f.append("-1:word.bi_gram()")
            if i > 1 and lower[i - 2] + " " + lower[i - 1] + " " + lower[i] in trigrams:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            f.append("+1:word.lower():" + lower[i + 1])
            if title[i + 1]:
                f.append("+1:word.istitle()")
            if upper[i + 1]:
                f.append("+1:word.isupper()")
            if lower[i] + " " + lower[i + 1] in bigrams:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and lower[i] + " " + lower[i + 1] + " " + lower[i + 2] in trigrams:
                f.append("+2:word.tri_gram()")
        out.append(f)
    return out


def _seg_vi(text: str, run: _Run, search: bool) -> list[Span]:
    """pyvi's words: syllables joined into compounds (Hồ Chí Minh is one word).

    The same model and joining rule as ``ViTokenizer.tokenize``, but over syllable offsets,
    so a word keeps its original spaces and position. For search, each syllable of a
    compound is a part: Vietnamese queries are often typed syllable by syllable.
    """
    chunk = text[run.start : run.end]
    normal = unicodedata.normalize("NFC", chunk)
    back = (lambda i: i) if normal == chunk else _aligner(normal, chunk)
    found = [(m.start(), m.end()) for m in _VI_SYLLABLE.finditer(normal)]
    if not found:
        return []
    syllables = [normal[s:e] for s, e in found]
    tokenizer = _vi_tokenizer()
    features = _vi_features(syllables, tokenizer.bi_grams, tokenizer.tri_grams)
    tagger = tokenizer.model.tagger_
    with _vi_lock:
        labels = tagger.tag(features)
    groups: list[list[int]] = [[0]]
    punctuation = string.punctuation
    for i in range(1, len(syllables)):
        this, prev = syllables[i], syllables[i - 1]
        if (
            labels[i] == "I_W"
            and this not in punctuation
            and prev not in punctuation
            and not this[0].isdigit()
            and not prev[0].isdigit()
            and not (this[0].istitle() and not prev[0].istitle())
        ):
            groups[-1].append(i)
        else:
            groups.append([i])
    base = run.start
    spans = []
    for group in groups:
        start, end = found[group[0]][0], found[group[-1]][1]
        spans.append(Span(base + back(start), base + back(end)))
        if search and len(group) > 1:
            spans.extend(
                Span(base + back(found[i][0]), base + back(found[i][1]), True) for i in group
            )
    return spans


# Latin, by NLTK -------------------------------------------------------------------------


@cache
def _nltk() -> Any:
    """NLTK's Treebank-style word tokenizer: regular expressions only, no data download."""
    from nltk.tokenize import NLTKWordTokenizer

    return NLTKWordTokenizer()


def _seg_nltk(text: str, run: _Run, search: bool) -> list[Span]:
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
        return [Span(s, e) for s, e in _icu_tokens(text, base, run.end)]
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


# --- Putting it together ---------------------------------------------------------------------


def _segmenter(script: str | None, lang: str | None) -> _Segmenter:
    if script == _HAN:
        return _seg_zh
    if script == _KHMER:
        return _seg_khmer
    if script == _MYANMAR:
        return _seg_myanmar
    if script == _LATIN:
        if lang == "vi":
            return _seg_vi
        if lang in _NLTK_LANGS:
            return _seg_nltk
    return _seg_icu


def _finish(text: str, spans: Iterable[Span], punctuation: bool = False) -> list[Span]:
    """Trim spaces from span edges, drop non-words and duplicates, order for search.

    ``punctuation`` keeps spans of punctuation and symbols: the benchmark scores them as the
    gold treebanks count them.
    """
    is_word = _is_word if not punctuation else bool
    seen: set[tuple[int, int]] = set()
    words: list[Span] = []
    parts: list[Span] = []
    for start, end, part in spans:
        word = text[start:end]
        stripped = word.strip(_STRIP)
        if not stripped or not is_word(stripped):
            continue
        if len(stripped) != len(word):
            start += len(word) - len(word.lstrip(_STRIP))
            end = start + len(stripped)
        (parts if part else words).append(Span(start, end, part))
    out = []
    for span in words + parts:
        if (span.start, span.end) in seen or span.end <= span.start:
            continue
        seen.add((span.start, span.end))
        out.append(span)
    out.sort(key=lambda s: (s.start, -s.end, s.part))
    return out


# A letter outside one script: when a text has none, the whole text is one run of that script.
_LATIN_LETTERS = "A-Za-z\u00c0-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff5a"
_HAN_LETTERS = (
    "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f\u2e80-\u2fdf\u3005\u3007"
)
_MYANMAR_LETTERS = "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"
_OUTSIDE = {
    _HAN: re.compile(f"[^\\W\\d_{_HAN_LETTERS}]"),
    _LATIN: re.compile(f"[^\\W\\d_{_LATIN_LETTERS}]"),
    _MYANMAR: re.compile(f"[^\\W\\d_{_MYANMAR_LETTERS}]"),
}
# Segmenters that read the run's text, not its ICU tokens: they can skip the run split.
_TEXT_SEGMENTERS = {_HAN: _seg_zh, _MYANMAR: _seg_myanmar}


def _single_run(text: str, lang: str | None) -> tuple[_Segmenter, _Run] | None:
    """The segmenter and run for a text in a single script that needs no ICU pass, or None.

    The common case (a whole Chinese, Burmese, Vietnamese or English text) then skips the
    ICU pass and the script split, which cost more than the segmenting itself for jieba.
    """
    first = next((ch for ch in text if ch.isalpha()), None)
    if first is None:
        return None
    script = _script_of(ord(first))
    if script == _LATIN:
        if lang == "vi":
            segmenter: _Segmenter = _seg_vi
        elif lang in _NLTK_LANGS:
            segmenter = _seg_nltk
        else:
            return None
    elif script in _TEXT_SEGMENTERS:
        segmenter = _TEXT_SEGMENTERS[script]
    else:
        return None
    if _OUTSIDE[script].search(text):
        return None
    return segmenter, _Run(script, 0, len(text), [])


def _segment(text: str, lang: str | None, search: bool, punctuation: bool = False) -> list[Span]:
    if not text or text.isspace():
        return []
    # Lone surrogates cannot cross into ICU, jieba or OpenCC; U+FFFD keeps every offset.
    work = _SURROGATE.sub("\ufffd", text)
    base = _base_lang(lang)
    single = _single_run(work, base)
    if single is not None:
        segmenter, run = single
        return _finish(work, segmenter(work, run, search), punctuation)
    spans: list[Span] = []
    for run in _script_runs(work):
        spans.extend(_segmenter(run.script, base)(work, run, search))
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


def segment_for_search(text: str, lang: str | None) -> list[Span]:
    """The words of ``text`` and, after each compound, its parts (``part=True``).

    A compound in the index hides its parts from queries: 北京大学 alone would not match a
    query for 大学. So each compound is followed by the pieces its segmenter knows: jieba's
    search-mode words (zh), the syllables of a compound (vi), lexicon words or syllables
    inside a long word (my), ICU's finer breaks inside a CRF word (km), and the two halves
    of an ICU dictionary compound (th, lo, km: ນະຄອນຫຼວງ + ວຽງຈັນ). Sorted by start, then
    longer first, so each word comes before its parts.
    """
    return _segment(text, lang, search=True)
