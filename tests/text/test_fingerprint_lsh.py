"""The LSH index and the signatures behind it, held against datasketch, their reference."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from infoharbor.text.fingerprint import (
    NUM_PERM,
    Fingerprint,
    LSHIndex,
    StoryClusterer,
    fingerprint,
    similarity,
)
from infoharbor.text.fingerprint import minhash as mh

FIXTURES = Path(__file__).parent / "fixtures" / "fingerprint"
UDHR = json.loads((FIXTURES / "udhr_stories.json").read_text(encoding="utf-8"))


def paragraphs() -> list[str]:
    """Every paragraph of the fixture, each a short text of its own (a few hundred)."""
    found = []
    for entry in UDHR.values():
        found.extend(entry["template"])
        for story in entry["stories"]:
            found.extend(story)
    return [p for p in found if fingerprint(p).comparable]


def random_fingerprint(rng: np.random.Generator, size: int = 300) -> Fingerprint:
    hashes = np.unique(rng.integers(0, 2**32, size, dtype=np.uint32))
    return Fingerprint(mh.signature(hashes), len(hashes))


def pair_with_jaccard(
    rng: np.random.Generator, jaccard: float, size: int = 400
) -> tuple[np.ndarray, np.ndarray, float]:
    """Two sets of ``size`` distinct hashes whose Jaccard similarity is (about) ``jaccard``."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    values = np.unique(rng.integers(0, 2**32, 3 * size, dtype=np.uint32))[: 2 * size - shared]
    rng.shuffle(values)
    first = values[:size]
    second = np.concatenate([values[:shared], values[size:]])
    return first, second, shared / (2 * size - shared)


# --- Signatures ----------------------------------------------------------------------------------


def test_signature_is_datasketchs_minhash() -> None:
    rng = np.random.default_rng(1)
    for size in (0, 1, 5, 300, 5000, 10_000):  # 10,000 crosses a chunk boundary
        hashes = np.unique(rng.integers(0, 2**32, size, dtype=np.uint32))
        assert np.array_equal(mh.signature(hashes), mh.reference_signature(hashes))


def test_signature_of_real_text_is_datasketchs() -> None:
    from infoharbor.text.fingerprint import shingles

    for text in paragraphs()[:50]:
        hashes = shingles(text)
        assert np.array_equal(mh.signature(hashes), mh.reference_signature(hashes))


def test_estimated_similarity_tracks_the_exact_jaccard() -> None:
    rng = np.random.default_rng(2)
    for target in (0.1, 0.3, 0.5, 0.7, 0.9):
        errors = []
        for _ in range(60):
            first, second, exact = pair_with_jaccard(rng, target)
            estimate = similarity(mh.signature(first), mh.signature(second))
            errors.append(estimate - exact)
        # unbiased, and within the standard error sqrt(J(1-J)/128) <= 0.044 on average
        assert abs(np.mean(errors)) < 0.02
        assert np.sqrt(np.mean(np.square(errors))) < 0.06


def test_lsh_proposes_pairs_along_its_s_curve() -> None:
    # the documented S-curve: 1 - (1 - J^4)^32, measured on 300 pairs per similarity
    assert mh.candidate_probability(0.5) == pytest.approx(0.873, abs=0.001)
    assert mh.candidate_probability(0.38) == pytest.approx(0.5, abs=0.01)
    assert mh.candidate_probability(0.6) == pytest.approx(0.988, abs=0.001)
    assert mh.candidate_probability(0.05) < 3e-4
    rng = np.random.default_rng(3)
    for target in (0.2, 0.4, 0.5, 0.6, 0.8):
        found = 0
        trials = 300
        exact = []
        for _ in range(trials):
            first, second, j = pair_with_jaccard(rng, target)
            exact.append(j)
            keys = mh.band_keys(np.stack([mh.signature(first), mh.signature(second)]))
            found += bool((keys[0] == keys[1]).any())
        expected = mh.candidate_probability(float(np.mean(exact)))
        spread = 4 * np.sqrt(expected * (1 - expected) / trials) + 0.03
        assert abs(found / trials - expected) < spread, (target, found / trials, expected)


# --- The index -----------------------------------------------------------------------------------


def test_index_finds_the_same_candidates_as_datasketch() -> None:
    # given the same fingerprints in our index and in datasketch's MinHashLSH, same bands
    texts = paragraphs()
    prints = [fingerprint(t) for t in texts]
    permutations = MinHash(num_perm=NUM_PERM, seed=mh.SEED, scheme="affine32").permutations
    theirs = MinHashLSH(num_perm=NUM_PERM, params=(mh.BANDS, mh.ROWS))
    ours = LSHIndex()
    for item, found in enumerate(prints):
        # when each is queried before it is inserted (as the clusterer does)
        minhash = MinHash(hashvalues=found.signature, permutations=permutations, scheme="affine32")
        expected = set(theirs.query(minhash))
        got = {m.item for m in ours.similar(found, threshold=1e-9)}
        # then both propose the same items (ours keeps only those it cannot rule out by size)
        assert got <= expected
        sizes_possible = {
            other
            for other in expected
            if min(prints[other].size, found.size) >= 1e-9 * max(prints[other].size, found.size)
        }
        assert got == sizes_possible
        theirs.insert(item, minhash)
        ours.add(item, found, label=item)


def test_a_band_hit_alone_does_not_make_a_match() -> None:
    # given two fingerprints that agree on one band and nowhere else
    rng = np.random.default_rng(4)
    first = random_fingerprint(rng)
    signature = random_fingerprint(rng).signature.copy()
    signature[: mh.ROWS] = first.signature[: mh.ROWS]
    second = Fingerprint(signature, first.size)
    index = LSHIndex()
    index.add(1, first, label=1)
    # then the band proposes it, and the verification drops it
    assert index.similar(second, threshold=1e-9)
    assert index.similar(second, threshold=0.5) == []


def test_matches_come_best_first_and_earliest_on_ties() -> None:
    rng = np.random.default_rng(5)
    base = random_fingerprint(rng)
    index = LSHIndex()
    for item, agree in ((10, 80), (11, 120), (12, 120), (13, 100)):
        signature = random_fingerprint(rng).signature.copy()
        signature[:agree] = base.signature[:agree]
        index.add(item, Fingerprint(signature, base.size), label=item)
    matches = index.similar(base, threshold=0.5)
    assert [m.item for m in matches] == [11, 12, 13, 10]
    assert [m.similarity for m in matches] == [120 / 128, 120 / 128, 100 / 128, 80 / 128]


def test_size_rules_out_what_cannot_reach_the_threshold() -> None:
    # a short text whose shingles are all in a long one: J <= 100/1000, whatever the signature
    rng = np.random.default_rng(6)
    found = random_fingerprint(rng)
    index = LSHIndex()
    index.add(1, Fingerprint(found.signature, 1000), label=1)
    assert index.similar(Fingerprint(found.signature, 100), threshold=0.5) == []
    assert index.similar(Fingerprint(found.signature, 900), threshold=0.5)


def many(count: int, seed: int = 7) -> list[tuple[int, Fingerprint]]:
    rng = np.random.default_rng(seed)
    bases = [random_fingerprint(rng) for _ in range(count // 4)]
    items = []
    for item in range(count):
        base = bases[item % len(bases)]
        signature = base.signature.copy()
        noise = rng.choice(NUM_PERM, 20, replace=False)  # about 0.84 similar to its base
        signature[noise] = rng.integers(0, 2**32, 20, dtype=np.uint32)
        items.append((1_000_000 + item, Fingerprint(signature, base.size)))
    return items


def test_index_survives_its_merges() -> None:
    # more items than the pending dictionary holds, so that several merges happen: every
    # item still finds its siblings, in the sorted table or in the dictionary
    items = many(20_000)
    clusterer = StoryClusterer()
    assignments = [clusterer.add(item, found) for item, found in items]
    bases = 20_000 // 4
    assert all(a.cluster == 1_000_000 + i % bases for i, a in enumerate(assignments))
    assert len(clusterer) == 20_000


def test_save_load_and_build_give_the_same_index() -> None:
    items = many(3000)
    clusterer = StoryClusterer()
    for item, found in items[:2000]:
        clusterer.add(item, found)
    clusterer.remove(items[0][0])
    buffer = io.BytesIO()
    clusterer.save(buffer)
    buffer.seek(0)
    loaded = StoryClusterer.load(buffer)
    rebuilt = StoryClusterer.build(
        (item, clusterer.index.fingerprint_of(item), clusterer.cluster_of(item))
        for item, _ in items[1:2000]
    )
    assert len(loaded) == len(rebuilt) == len(clusterer) == 1999
    for item, found in items[2000:]:
        expected = clusterer.add(item, found)
        assert loaded.add(item, found) == expected
        assert rebuilt.add(item, found) == expected


def test_removed_items_are_not_found_and_compaction_keeps_the_rest() -> None:
    items = many(400)
    index = LSHIndex()
    for item, found in items:
        index.add(item, found, label=item)
    for item, _ in items[::2]:
        index.remove(item)
    query = items[0][1]
    found_before = {m.item for m in index.similar(query, 0.5)}
    assert items[0][0] not in found_before
    index.compact()
    assert len(index) == 200
    assert {m.item for m in index.similar(query, 0.5)} == found_before
    with pytest.raises(KeyError):
        index.remove(items[0][0])


def test_index_refuses_what_it_cannot_hold() -> None:
    index = LSHIndex()
    found = fingerprint(" ".join(paragraphs()[:3]))
    index.add(1, found, label=1)
    with pytest.raises(ValueError, match="already"):
        index.add(1, found, label=1)
    with pytest.raises(ValueError, match="too short"):
        index.add(2, fingerprint("short"), label=2)
    with pytest.raises(ValueError, match="bands"):
        LSHIndex(bands=64, rows=4)
    with pytest.raises(ValueError, match="LSH index"):
        LSHIndex.load(io.BytesIO(b"not an index"))


def test_index_memory_is_compact() -> None:
    # 12 bytes per band and item for the table, NUM_PERM * 4 for the signature, 21 for the rest
    items = many(10_000)
    index = LSHIndex.build((item, found, item) for item, found in items)
    per_item = index.nbytes / len(index)
    assert per_item < mh.BANDS * 12 + NUM_PERM * 4 + 32
