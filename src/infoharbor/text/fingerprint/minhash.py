"""MinHash signatures of shingle sets, and the banding that turns them into LSH keys.

The algorithm is datasketch's ``MinHash`` with its ``affine32`` scheme (datasketch 2.x): each
shingle hash is mixed once with the 32-bit MurmurHash3 finalizer, then permuted ``NUM_PERM``
times by ``a * h + b mod 2**32`` (``a`` odd, so a bijection), and the signature keeps the
minimum of each permutation. The permutations are datasketch's own for ``SEED``. This module
computes the same numbers over a whole shingle array at once with numpy, instead of datasketch's
Python loop over the shingles; :func:`reference_signature` runs datasketch itself, and the tests
hold the two equal.

The probability that two signatures agree in one position is the Jaccard similarity of the two
shingle sets, so :func:`similarity` (the share of equal positions) estimates it, with a
standard error of ``sqrt(J (1 - J) / NUM_PERM)``: 0.044 at J = 0.5.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from infoharbor.text.fingerprint.shingles import shingles

__all__ = [
    "BANDS",
    "FORMAT_VERSION",
    "MIN_SHINGLES",
    "NUM_PERM",
    "ROWS",
    "SEED",
    "Fingerprint",
    "Signature",
    "band_keys",
    "candidate_probability",
    "fingerprint",
    "reference_signature",
    "signature",
    "similarity",
]

NUM_PERM = 128
SEED = 1
# 32 bands of 4 rows: the chance that a pair of Jaccard similarity J becomes a candidate is the
# S-curve 1 - (1 - J**4)**32: 2.0e-4 at J = 0.05, 0.23 at 0.3, 0.50 at 0.38, 0.56 at 0.4,
# 0.87 at 0.5, 0.99 at 0.6, 0.9998 at 0.7 (candidate_probability; docs/development/fingerprints.md).
BANDS = 32
ROWS = 4

# Texts with fewer distinct shingles (about 25 letters of Latin script, 25 Chinese characters)
# are too short for a similarity to mean anything: exact deduplication is what they get.
MIN_SHINGLES = 20
# Bumped whenever shingles, hashing, NUM_PERM or SEED change: stored fingerprints of another
# version cannot be compared with new ones and must be recomputed from the text.
FORMAT_VERSION = 1

Signature = npt.NDArray[np.uint32]

_CHUNK = 4096  # shingles per step: bounds the (chunk, NUM_PERM) work array to 2 MB
_EMPTY = np.uint32(0xFFFFFFFF)


@cache
def _permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    with np.errstate(over="ignore"):
        h = values ^ (values >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h = h * np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def signature(hashes: npt.NDArray[np.uint32]) -> Signature:
    """The MinHash signature (``NUM_PERM`` unsigned 32-bit values) of a set of shingle hashes.

    An empty set gives all ``0xFFFFFFFF``, as datasketch's empty MinHash does.
    """
    a, b = _permutations()
    result = np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
    with np.errstate(over="ignore"):
        for start in range(0, len(mixed), _CHUNK):
            chunk = mixed[start : start + _CHUNK, None]
            np.minimum(result, (chunk * a + b).min(axis=0), out=result)
    return result


def reference_signature(hashes: npt.NDArray[np.uint32]) -> Signature:
    """The same signature computed by datasketch itself (slower; for tests and the benchmark)."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
    minhash.update_batch(np.asarray(hashes, dtype=np.uint32).tolist())
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def similarity(first: Signature, second: Signature) -> float:
    """The estimated Jaccard similarity of the two shingle sets behind two signatures."""
    return float(np.count_nonzero(first == second)) / NUM_PERM


def candidate_probability(jaccard: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """The chance that LSH proposes a pair of this Jaccard similarity: ``1 - (1 - J**r)**b``."""
    return float(1.0 - (1.0 - jaccard**rows) ** bands)


_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@cache
def _salts(bands: int) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        return np.arange(bands, dtype=np.uint64) * _GOLDEN


def band_keys(
    signatures: npt.NDArray[np.uint32], bands: int = BANDS, rows: int = ROWS
) -> npt.NDArray[np.uint64]:
    """One 64-bit key per band for each signature: shape ``(n, bands)`` for ``(n, NUM_PERM)``.

    Band ``i`` is signature values ``[i * rows, (i + 1) * rows)``. Two signatures share a key
    exactly when they agree on all values of that band (up to 64-bit hash collisions, which
    the similarity check after the lookup discards); the band number is part of the key, so
    all bands can live in one table.
    """
    if bands * rows > NUM_PERM:
        raise ValueError(f"{bands} bands of {rows} rows need more than {NUM_PERM} values")
    flat = np.asarray(signatures, dtype=np.uint32).reshape(-1, NUM_PERM)
    values = flat[:, : bands * rows].reshape(-1, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = np.repeat(_salts(bands)[None, :], values.shape[0], axis=0)
        for column in range(rows):
            key ^= values[:, :, column]
            key *= _PRIME
        key ^= key >> np.uint64(33)
        key *= np.uint64(0xFF51AFD7ED558CCD)
        key ^= key >> np.uint64(33)
    return key


_HEADER = struct.Struct("<BI")  # format version, number of distinct shingles


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """What near-duplicate detection keeps of a text: its signature and its shingle count."""

    signature: Signature  # NUM_PERM unsigned 32-bit values
    size: int  # distinct shingles of the text (after boilerplate removal)

    @property
    def comparable(self) -> bool:
        """Whether the text is long enough to be compared (``size >= MIN_SHINGLES``)."""
        return self.size >= MIN_SHINGLES

    def to_bytes(self) -> bytes:
        """517 bytes to store (a binary column): version, size, signature, little-endian."""
        body = np.asarray(self.signature, dtype="<u4").tobytes()
        return _HEADER.pack(FORMAT_VERSION, self.size) + body

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """The fingerprint stored by :meth:`to_bytes`; ValueError if it is not one of ours."""
        expected = _HEADER.size + 4 * NUM_PERM
        if len(data) != expected:
            raise ValueError(f"a fingerprint is {expected} bytes, got {len(data)}")
        version, size = _HEADER.unpack_from(data)
        if version != FORMAT_VERSION:
            raise ValueError(
                f"fingerprint format {version}, this version reads {FORMAT_VERSION}: "
                "recompute it from the text"
            )
        signature = np.frombuffer(data, dtype="<u4", offset=_HEADER.size).astype(np.uint32)
        return cls(signature, size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self.size == other.size and bool(np.array_equal(self.signature, other.signature))

    def __hash__(self) -> int:
        return hash((self.size, self.signature.tobytes()))


def fingerprint(text: str, boilerplate: Iterable[int] = ()) -> Fingerprint:
    """The fingerprint of ``text``, leaving out the ``boilerplate`` shingles of its source."""
    hashes = shingles(text, boilerplate)
    return Fingerprint(signature(hashes), len(hashes))
