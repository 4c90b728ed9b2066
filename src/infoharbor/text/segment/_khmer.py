"""Khmer: khmercut's CRF model, scored in Python from the model's own weights.

khmercut cuts text into Khmer character clusters (a consonant with its subscripts, vowels and
signs) and tags each cluster as the start of a word ("1") or not, with a first-order CRF
over the three clusters on each side, their types, and the bigrams to 4-grams they form. The
harbor runs the same model on the same features, without the ~35 attribute strings per
cluster that pycrfsuite would look up one by one: the model's weights are read once
(``_crfsuite``) and folded into one table per n-gram length, keyed by the cluster or n-gram
string, whose value holds that string's weight in every position of the window at once. A
cluster then costs four dictionary lookups and a few additions, and the Viterbi pass over
two labels a few more. Same tags as ``pycrfsuite.Tagger.tag`` on khmercut's features
(tests/text/segment/test_khmer.py: all of khPOS OPEN-TEST, random and hostile text).
"""

from __future__ import annotations

import itertools
import logging
import operator
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

from ._base import Run, Span
from ._crfsuite import ModelFormatError, read_model
from ._icu import compound_parts, icu_tokens

logger = logging.getLogger(__name__)

_KH_CONSONANTS = frozenset("កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអឣឤឥឦឧឨឩឪឫឬឭឮឯឰឱឲឳ")
_KH_VOWELS = frozenset("឴឵ាិីឹឺុូួើឿៀេែៃោៅ\u17c6\u17c7\u17c8")
_KH_COENG = "្"
_KH_DIACRITICS = frozenset("\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0")
_KH_SYMBOLS = frozenset("៕។៛ៗ៚៙៘,.? ")
_KH_NUMBERS = frozenset("០១២៣៤៥៦៧៨៩0123456789")
_KH_LUNAR = frozenset(chr(cp) for cp in range(0x19E0, 0x1A00))
_KH_STARTS = _KH_CONSONANTS | _KH_SYMBOLS | _KH_NUMBERS | _KH_LUNAR
# Clusters: khmercut's ``seg_kcc`` as one regular expression, for text of the Khmer blocks
# alone (what a run's Khmer tokens hold). A cluster starts at a consonant, independent vowel,
# symbol, digit or lunar date sign, unless it follows the subscript sign; digits in a row
# stay one cluster. tests/text/segment/test_khmer.py checks it against ``seg_kcc``.
_KH_DIGITS = "០-៩"
_AFTER_COENG = f"{_KH_COENG}+(?:[{_KH_DIGITS}]+|.)?"  # whatever follows the sign joins it
_CLUSTER = re.compile(
    f"(?s)(?:{_AFTER_COENG}|[{_KH_DIGITS}]+|.)"
    f"(?:{_AFTER_COENG}|[^{re.escape(''.join(sorted(_KH_STARTS)))}])*"
)


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


# khmercut's feature templates (``kcc_to_features``) by n-gram length: for each, where the
# n-gram's first cluster lies from the tagged one, and the attribute name. Every template
# exists exactly where the clusters it names do.
_TEMPLATES: tuple[tuple[tuple[int, str], ...], ...] = (
    ((-3, "kcc[-3]"), (-2, "kcc[-2]"), (-1, "kcc[-1]"), (0, "kcc"), (1, "kcc[+1]"),
     (2, "kcc[+2]"), (3, "kcc[+3]")),
    ((-3, "kcc[-3:-2]"), (-2, "kcc[-2:-1]"), (-1, "kcc[-1:0]"), (0, "kcc[+1:0]"),
     (1, "kcc[+1:+2]"), (2, "kcc[+2:+3]")),
    ((-3, "kcc[-3:-1]"), (-2, "kcc[-2:0]"), (0, "kcc[0:+2]"), (1, "kcc[+1:+3]")),
    ((-3, "kcc[-3:0]"), (0, "kcc[0:+3]")),
)  # fmt: skip
_OFFSETS = tuple(tuple(offset for offset, _name in group) for group in _TEMPLATES)
# What else a single cluster brings, at the same seven offsets: its type, and whether its
# first character is of no Khmer class ("ns"; khmercut has no ns-3, ns-2 or ns+3).
_TYPE_TEMPLATES = ("kcc[-3]t", "kcc[-2]t", "kcc[-1]t", "t", "kcc[+1]t", "kcc[+2]t", "kcc[+3]t")
_NS_TEMPLATES = (None, None, "ns-1", "ns", "ns+1", "ns+2", None)
_PAD = (0.0,) * 8  # longer than any template reaches past either end


class _Model(NamedTuple):
    """khmercut's model folded by n-gram: string -> its weight at each template offset.

    A weight is the score of "starts a word" minus that of "does not": with two labels,
    only the difference decides. ``ngrams[0]`` holds single clusters with their type and
    "ns" weights included; ``ngrams[1:]`` bigrams to 4-grams, keyed as khmercut writes them
    (clusters concatenated).
    """

    ngrams: tuple[dict[str, tuple[float, ...]], ...]
    types: dict[str, tuple[float, ...]]  # cluster type -> weights at the seven offsets
    no_space: tuple[float, ...]
    bos: float
    eos: float
    transitions: tuple[float, float, float, float]  # start>start, start>in, in>start, in>in
    start_first: bool  # CRFsuite keeps the lower label id on an exact tie


def _template(attribute: str) -> tuple[str, str | None]:
    """``kcc[-1:0]:កា`` -> (``kcc[-1:0]``, ``កា``); a flag (``ns``, ``BOS``) has no value."""
    if attribute.startswith("kcc["):
        end = attribute.find("]") + 1
        end += attribute[end : end + 1] == "t"
    else:
        end = attribute.find(":")
    if end <= 0 or attribute[end : end + 1] != ":":
        return attribute, None
    return attribute[:end], attribute[end + 1 :]


@cache
def _model() -> _Model:
    """khmercut's CRF, read from its installed file and folded (about 0.5 s, once)."""
    import khmercut

    crf = read_model(khmercut.model_path)
    start, inside = crf.labels.index("1"), crf.labels.index("0")
    where = {
        name: (n, slot)
        for n, group in enumerate(_TEMPLATES)
        for slot, (_o, name) in enumerate(group)
    }
    folded: list[dict[str, list[float]]] = [{} for _ in _TEMPLATES]
    flags: dict[str, float] = {}
    types: dict[str, list[float]] = {}
    for attribute, label, weight in crf.state_features():
        if label == inside:
            weight = -weight
        elif label != start:
            continue
        name, value = _template(attribute)
        if value is None:
            flags[name] = flags.get(name, 0.0) + weight
        elif name in where:
            n, slot = where[name]
            folded[n].setdefault(value, [0.0] * len(_TEMPLATES[n]))[slot] += weight
        elif name in _TYPE_TEMPLATES:
            types.setdefault(value, [0.0] * 7)[_TYPE_TEMPLATES.index(name)] += weight
    t = crf.transitions
    model = _Model(
        tuple({key: tuple(w) for key, w in table.items()} for table in folded),
        {kind: tuple(w) for kind, w in types.items()},
        tuple(flags.get(name, 0.0) if name else 0.0 for name in _NS_TEMPLATES),
        flags.get("BOS", 0.0),
        flags.get("EOS", 0.0),
        (t[start][start], t[start][inside], t[inside][start], t[inside][inside]),
        start < inside,
    )
    clusters = model.ngrams[0]
    for kcc, weights in clusters.items():
        clusters[kcc] = tuple(map(sum, zip(weights, _cluster_only(model, kcc), strict=True)))
    return model


def _cluster_only(model: _Model, kcc: str) -> tuple[float, ...]:
    """The weights a cluster brings by its type and first character, at the seven offsets."""
    kind = model.types.get(_kh_type(kcc), _PAD[:7])
    if _kh_type(kcc[0]) != "NS":
        return kind
    return tuple(a + b for a, b in zip(kind, model.no_space, strict=True))


def _starts(kccs: Sequence[str]) -> list[bool]:
    """For each cluster, whether the CRF tags it as the start of a word (the Viterbi path)."""
    model = _model()
    n = len(kccs)
    clusters = model.ngrams[0].get
    # The n-grams as khmercut writes them, and their weights: map() keeps both loops in C.
    pairs = list(map(operator.add, kccs, kccs[1:]))
    strings = (
        pairs,
        list(map(operator.add, pairs, kccs[2:])),
        list(map(operator.add, pairs, pairs[2:])),
    )
    vectors = [[clusters(k) or _cluster_only(model, k) for k in kccs]]
    for grams, table, offsets in zip(strings, model.ngrams[1:], _OFFSETS[1:], strict=True):
        none = _PAD[: len(offsets)]
        vectors.append(list(map(table.get, grams, itertools.repeat(none, len(grams)))))
    columns: list[tuple[float, ...]] = []
    for found, offsets in zip(vectors, _OFFSETS, strict=True):
        if not found:
            break  # fewer clusters than the n-gram has
        for offset, column in zip(offsets, zip(*found, strict=True), strict=True):
            # Position i takes the weight of the n-gram that starts at i + offset.
            if offset >= 0:
                columns.append(column[offset:] + _PAD)
            else:
                columns.append(_PAD[:-offset] + column + _PAD)
    scores: list[float] = list(itertools.islice(map(sum, zip(*columns, strict=False)), n))
    scores[0] += model.bos
    scores[-1] += model.eos
    # Viterbi over the labels "start" and "inside", carried as the score difference
    # start - inside (the inside label's state weight is 0 in that form).
    ss, si, is_, ii = model.transitions
    first = model.start_first
    gap = scores[0]
    back: list[tuple[bool, bool]] = []
    for score in scores[1:]:
        s_s, i_s = gap + ss, is_  # into "start", from start and from inside
        s_i, i_i = gap + si, ii  # into "inside"
        start_after_start = s_s > i_s or (s_s == i_s and first)
        inside_after_start = s_i > i_i or (s_i == i_i and first)
        back.append((start_after_start, inside_after_start))
        gap = (s_s if start_after_start else i_s) + score - (s_i if inside_after_start else i_i)
    label = gap > 0 or (gap == 0 and first)
    path = [label]
    for start_after_start, inside_after_start in reversed(back):
        label = start_after_start if label else inside_after_start
        path.append(label)
    path.reverse()
    return path


def _clusters(piece: str) -> list[str]:
    return _CLUSTER.findall(piece)


@cache
def _model_usable() -> bool:
    """Whether khmercut's model could be read; if not, Khmer is cut by ICU (worse words,
    F1 0.72 instead of 0.94, but searches and indexing keep working) and the log says why."""
    try:
        _model()
    except (ModelFormatError, OSError):
        logger.exception("khmercut's model cannot be read: Khmer falls back to ICU word breaks")
        return False
    return True


def _khmer_words(piece: str) -> list[tuple[int, int]]:
    """Word offsets in a run of Khmer letters, by khmercut's CRF model."""
    kccs = _clusters(piece)
    if not kccs:
        return []
    if not _model_usable():
        return icu_tokens(piece)
    ends = list(itertools.accumulate(map(len, kccs)))
    # A word starts at the end of the cluster before each cluster tagged as a start.
    cuts = [0, *itertools.compress(ends, _starts(kccs)[1:]), ends[-1]]
    return list(itertools.pairwise(cuts))


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
        words = _khmer_words(text[start:end])
        if not search:
            spans.extend(Span(start + a, start + b) for a, b in words)
            continue
        icu_bounds = {s for s, _e, _sc in run.tokens[first : last + 1]}
        for a, b in words:
            ws, we = start + a, start + b
            spans.append(Span(ws, we))
            inner = sorted(x for x in icu_bounds if ws < x < we)
            if inner:
                cuts = [ws, *inner, we]
                spans.extend(Span(x, y, True) for x, y in itertools.pairwise(cuts))
            elif we - ws >= 6:
                spans.extend(Span(ws + x, ws + y, True) for x, y in compound_parts(text[ws:we]))
    return spans
