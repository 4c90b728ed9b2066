"""Text to the set of shingles that near-duplicate detection compares.

A shingle is a run of ``SHINGLE_SIZE`` consecutive letters, marks or digits of the text in its
*comparison form*: :func:`infoharbor.text.normalize.normalize` (so Traditional and Simplified
Chinese, Zawgyi and Unicode Burmese, composed and decomposed Vietnamese, upper and lower case
meet), Latin diacritics folded (a Vietnamese story with and without its accents is the same
story), and everything that is not a letter, a mark or a digit dropped (spaces, punctuation,
full-width or half-width, line breaks). Character shingles rather than word shingles: the scripts
of the region written without spaces (Chinese, Thai, Khmer, Lao, Burmese) would need a
segmenter that costs far more than the rest of fingerprinting and cuts the same text
differently depending on its context, and the benchmark (``bench/clustering.py --compare``)
found character shingles as precise and more robust; see docs/development/fingerprints.md.

Each shingle is hashed to 32 bits, vectorized with numpy: a polynomial hash of the code points,
finished with the 64-bit MurmurHash3 mixer. The hashes depend on the text alone, never on the
platform or the process, so they can be stored and compared later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import regex

from infoharbor.text.normalize import fold_diacritics, normalize

__all__ = [
    "MAX_CHARS",
    "SHINGLE_SIZE",
    "comparison_form",
    "learn_boilerplate",
    "shingles",
]

SHINGLE_SIZE = 5
# Only the start of a longer text counts: it bounds the time and memory one item may take
# (a 200 MB "article" is an attack, not a story), and two copies of a story longer than
# this differ in their first 100,000 characters too if they differ at all.
MAX_CHARS = 100_000

Hashes = npt.NDArray[np.uint32]
_Int = TypeVar("_Int", bound=np.integer[Any])

_NOT_TEXT = regex.compile(r"[^\p{L}\p{M}\p{N}]+")
# What fold_diacritics can change: Latin letters with marks (precomposed or not) and stroked
# letters. Most text of the region has none, and the fold (NFD and back) is not free.
_ACCENTED_LATIN = regex.compile(r"[\u00C0-\u024F\u0300-\u036F\u1E00-\u1EFF]")
_MASK64 = (1 << 64) - 1
_PRIME = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: odd, well spread
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_S32 = np.uint64(32)


def comparison_form(text: str) -> str:
    """``text`` as shingles see it: normalized, accent-folded, letters, marks and digits only."""
    if not text:
        return ""
    text = text[: MAX_CHARS * 2]  # normalization is linear, but there is no need to do more
    letters: str = _NOT_TEXT.sub("", normalize(text).text)
    if _ACCENTED_LATIN.search(letters) is not None:
        letters = fold_diacritics(letters)
    return letters[:MAX_CHARS]


def _code_points(text: str) -> npt.NDArray[np.uint64]:
    # surrogatepass: a lone surrogate (hostile or broken input) is a code point like any other.
    raw = text.encode("utf-32-le", errors="surrogatepass")
    return np.frombuffer(raw, dtype="<u4").astype(np.uint64)


def _hash_ngrams(points: npt.NDArray[np.uint64], size: int) -> Hashes:
    count = len(points) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    with np.errstate(over="ignore"):
        value = points[:count].copy()
        for k in range(1, size):
            value *= _PRIME
            value += points[k : k + count]
        value ^= value >> _S33
        value *= _M1
        value ^= value >> _S33
        value *= _M2
        value ^= value >> _S33
    return distinct((value >> _S32).astype(np.uint32))


def distinct(values: npt.NDArray[_Int]) -> npt.NDArray[_Int]:
    """Sorted distinct values (np.unique, but ~30x faster on a few thousand values: numpy 2's
    unique goes through a hash table first)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def shingles(text: str, boilerplate: Iterable[int] = ()) -> Hashes:
    """The sorted, distinct 32-bit hashes of the shingles of ``text``.

    ``boilerplate`` holds hashes to leave out: the shingles of a source's template, found by
    :func:`learn_boilerplate`. A text shorter than a shingle has none.
    """
    hashes = _hash_ngrams(_code_points(comparison_form(text)), SHINGLE_SIZE)
    drop = np.fromiter(boilerplate, dtype=np.uint32)
    if drop.size:
        hashes = hashes[~np.isin(hashes, drop, assume_unique=False)]
    return hashes


def learn_boilerplate(
    texts: Iterable[str], *, min_share: float = 0.5, min_items: int = 4
) -> frozenset[int]:
    """The shingles that a source repeats in many of its items: its template.

    ``texts`` are recent items of one source (twenty or so are enough). A shingle in at least
    ``min_share`` of them, and in at least ``min_items``, is boilerplate: a header, a footer,
    "The post ... appeared first on ...", a disclaimer. A story's own shingles are not repeated
    that often, except for the language's commonest letter sequences, which say nothing about
    which story it is anyway. Fewer than ``min_items`` texts teach nothing. The result is small
    (about as many shingles as the template has characters) and plain: store it with the source
    and pass it to :func:`shingles`.
    """
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], got {min_share}")
    counts: Counter[int] = Counter()
    seen = 0
    for text in texts:
        seen += 1
        counts.update(shingles(text).tolist())
    needed = max(min_items, int(np.ceil(min_share * seen)))
    if seen < min_items:
        return frozenset()
    return frozenset(hash_ for hash_, count in counts.items() if count >= needed)
