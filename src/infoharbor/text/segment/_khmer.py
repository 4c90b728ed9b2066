"""Khmer: khmercut's CRF model, driven by a faster feature builder than khmercut's own."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from ._base import Run, Span
from ._icu import compound_parts

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


def _letter_pieces(run: Run) -> Iterable[tuple[int, int, int, int]]:
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


def segment_run(text: str, run: Run, search: bool) -> list[Span]:
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
                spans.extend(Span(ws + x, ws + y, True) for x, y in compound_parts(text[ws:we]))
    return spans
