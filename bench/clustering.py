"""Near-duplicate detection and story clustering (``infoharbor.text.fingerprint``) at 100k and 1M.

On the stream of ``bench/_stories.py`` (real sentences of the region's languages, outlets with
templates, 30 % of the items republications of a recent story with documented perturbations),
in one run:

- **quality** against the construction's truth: pairwise precision and recall of the clusters
  (pairs of items put in one cluster / pairs of items of one story), the share of
  republications that joined their story's cluster (recall) by perturbation and by language,
  and the share of new stories wrongly put into another cluster (by whether the wrong cluster
  was of the same outlet: the template case);
- **the exact baseline**: on the first ``--exact`` items, the same greedy clustering with the
  exact Jaccard similarity of the shingle sets, by brute force over all earlier items (sparse
  matrix products); the LSH clustering of the same prefix is compared with it item by item;
- **speed and memory**: CPU time per item for fingerprinting (shingles and signature) and for
  clustering (LSH query, verification, insert), peak resident memory of the process above its
  state before the first item, the index's arrays, and saving, loading and rebuilding the index;
- **datasketch as the reference**: signatures computed by datasketch itself on a sample (must
  equal ours; time per item beside ours, and datasketch's usual SHA-1 per shingle), and, at
  100k, datasketch's ``MinHashLSH`` with the same bands given the same items: the assignments
  must be identical, and its time and memory are reported beside ours;
- ``--compare``: shingle kinds side by side (character n-grams for n = 3..7 and word
  1/2/3-grams from ``infoharbor.text.segment``) on the exact Jaccard of the first items: where
  the republications and the hard negatives fall, and the time per item.

Each size runs in a subprocess of its own so that its peak memory is its own.

    .venv/bin/python bench/clustering.py                    # 100k and 1M (about 20 min)
    .venv/bin/python bench/clustering.py --sizes 100000     # quick run
    .venv/bin/python bench/clustering.py --compare-only     # only the shingle comparison

Writes ``bench/results/clustering.json`` and ``bench/results/clustering.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import _measure  # noqa: E402
from bench import _stories as stories  # noqa: E402

from infoharbor.text.fingerprint import (  # noqa: E402
    THRESHOLD,
    Fingerprint,
    StoryClusterer,
    fingerprint,
    learn_boilerplate,
    shingles,
)
from infoharbor.text.fingerprint import minhash as mh  # noqa: E402
from infoharbor.text.fingerprint.lsh import LSHIndex  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BOILERPLATE_SAMPLE = 20  # earlier items of an outlet its template is learned from
SIGNATURE_SAMPLE = 2000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def learn_templates(stream: stories.Stream) -> dict[int, frozenset[int]]:
    return {
        outlet.key: learn_boilerplate(stream.sample(outlet, BOILERPLATE_SAMPLE, seed=0))
        for outlets in stream.outlets.values()
        for outlet in outlets
    }


# --- Quality -------------------------------------------------------------------------------------


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def pairwise(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    both = Counter(zip(predicted.tolist(), truth.tolist(), strict=True))
    together = _pairs(both.values())
    predicted_pairs = _pairs(Counter(predicted.tolist()).values())
    true_pairs = _pairs(Counter(truth.tolist()).values())
    return {
        "pair_precision": together / predicted_pairs if predicted_pairs else 1.0,
        "pair_recall": together / true_pairs if true_pairs else 1.0,
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
    }


class Tally:
    """Per-item outcomes, kept as arrays so that a million items stay cheap."""

    def __init__(self, size: int) -> None:
        self.cluster = np.empty(size, dtype=np.int64)
        self.match = np.empty(size, dtype=np.int64)  # the item matched, -1 for none
        self.story = np.empty(size, dtype=np.int64)
        self.outlet = np.empty(size, dtype=np.int64)
        self.lang: list[str] = []
        self.perturbations: list[tuple[str, ...]] = []
        self.first_of_story: dict[int, int] = {}
        self.count = 0

    def record(self, item: stories.Item, cluster: int, match: int | None = None) -> None:
        i = self.count
        self.cluster[i] = cluster
        self.match[i] = -1 if match is None else match
        self.story[i] = item.story
        self.outlet[i] = item.outlet
        self.lang.append(item.lang)
        self.perturbations.append(item.perturbations)
        self.first_of_story.setdefault(item.story, i)
        self.count += 1

    def report(self, upto: int | None = None) -> dict[str, Any]:
        n = self.count if upto is None else upto
        cluster, story = self.cluster[:n], self.story[:n]
        # The cluster each story's first publication founded or joined: where its copies belong.
        home = {s: int(cluster[i]) for s, i in self.first_of_story.items() if i < n}
        joined: dict[str, list[bool]] = defaultdict(list)
        by_lang: dict[str, list[bool]] = defaultdict(list)
        wrong_merge = {"same_outlet": 0, "other_outlet": 0}
        originals = 0
        first_item_of_cluster: dict[int, int] = {}
        for i in range(n):
            first_item_of_cluster.setdefault(int(cluster[i]), i)
        for i in range(n):
            applied = self.perturbations[i]
            if not applied:
                originals += 1
                founder = first_item_of_cluster[int(cluster[i])]
                if founder != i:  # a new story put into an existing cluster
                    same = self.outlet[founder] == self.outlet[i]
                    wrong_merge["same_outlet" if same else "other_outlet"] += 1
                continue
            ok = bool(cluster[i] == home[int(story[i])])
            joined["all"].append(ok)
            by_lang[self.lang[i]].append(ok)
            for name in applied:
                joined[name].append(ok)
            if applied == ("frame",):
                joined["frame only"].append(ok)
        return {
            "items": n,
            "republications": len(joined["all"]),
            **pairwise(cluster, story),
            "recall_by_perturbation": {k: sum(v) / len(v) for k, v in joined.items() if v},
            "recall_by_language": {k: sum(v) / len(v) for k, v in sorted(by_lang.items())},
            "new_stories": originals,
            "new_stories_merged": wrong_merge,
            "false_merge_rate": sum(wrong_merge.values()) / originals if originals else 0.0,
        }


# --- The exact baseline --------------------------------------------------------------------------


def exact_clusters(sets: list[np.ndarray], threshold: float) -> np.ndarray:
    """Greedy clustering by exact Jaccard, brute force: each item against all earlier ones."""
    from scipy import sparse

    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    vocabulary: dict[int, int] = {}
    rows, cols = [], []
    for row, hashes in enumerate(sets):
        for value in hashes.tolist():
            cols.append(vocabulary.setdefault(value, len(vocabulary)))
            rows.append(row)
    n = len(sets)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(vocabulary))
    )
    cluster = np.arange(n, dtype=np.int64)
    block = 500
    transposed = matrix.T.tocsc()
    for start in range(0, n, block):
        stop = min(n, start + block)
        inter = (matrix[start:stop] @ transposed[:, :stop]).toarray()
        union = sizes[start:stop, None] + sizes[None, :stop] - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            jaccard = np.where(union > 0, inter / union, 0.0)
        for offset in range(stop - start):
            i = start + offset
            if sizes[i] < mh.MIN_SHINGLES:
                continue
            earlier = jaccard[offset, :i].copy()
            earlier[sizes[:i] < mh.MIN_SHINGLES] = 0.0
            if i and earlier.max() >= threshold:
                cluster[i] = cluster[int(np.argmax(earlier))]  # argmax: the earliest on ties
    return cluster


# --- One size ------------------------------------------------------------------------------------


def run_size(size: int, exact: int, assignments: Path | None) -> dict[str, Any]:
    stream = stories.Stream()
    started = time.process_time()
    templates = learn_templates(stream)
    learn_s = time.process_time() - started
    clusterer = StoryClusterer()
    tally = Tally(size)
    exact_sets: list[np.ndarray] = []
    generate = fingerprint_s = cluster_s = 0.0
    chars = 0
    rss_before = current_rss_mb()
    wall = time.perf_counter()
    clock = time.process_time
    t0 = clock()
    for item in stream.items(size):
        t1 = clock()
        boilerplate = templates[item.outlet]
        if item.id < exact:
            hashes = shingles(item.text, boilerplate)
            exact_sets.append(hashes)
            found = Fingerprint(mh.signature(hashes), len(hashes))
        else:
            found = fingerprint(item.text, boilerplate)
        t2 = clock()
        assignment = clusterer.add(item.id, found)
        t3 = clock()
        tally.record(item, assignment.cluster, assignment.match)
        chars += len(item.text)
        generate += t1 - t0
        fingerprint_s += t2 - t1
        cluster_s += t3 - t2
        t0 = t3
    wall_s = time.perf_counter() - wall
    peak = rss_mb()
    index = clusterer.index
    result: dict[str, Any] = {
        "size": size,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg(),
        "mean_chars": chars / size,
        "learn_templates_s": learn_s,
        "outlets": len(templates),
        "us_per_item": {
            "generate (not ours)": generate / size * 1e6,
            "fingerprint": fingerprint_s / size * 1e6,
            "cluster": cluster_s / size * 1e6,
            "ours total": (fingerprint_s + cluster_s) / size * 1e6,
        },
        "wall_s": wall_s,
        "indexed": len(index),
        "memory_mb": {
            "rss_before": rss_before,
            "peak_rss": peak,
            "peak_above_before": peak - rss_before,
            "index_arrays": index.nbytes / 2**20,
        },
        "quality": tally.report(),
    }
    result["persistence"] = persistence(index)
    result["errors_by_exact_jaccard"] = explain_errors(stream, templates, tally)
    if exact:
        result["exact"] = compare_exact(exact_sets, tally)
    result["signatures"] = signature_reference(stream, templates)
    if assignments is not None:
        np.save(assignments, tally.cluster)
    return result


def explain_errors(
    stream: stories.Stream, templates: dict[int, frozenset[int]], tally: Tally
) -> dict[str, Any]:
    """Each error again, with the exact Jaccard of the pair: the method's or the corpus's?

    A new story merged into a cluster is a near-duplicate *by content* when its exact
    similarity with the item it matched reaches the threshold: the two stories share that much
    text by chance (their sentences come from finite pools). A republication that
    missed its story is beyond the threshold when its exact similarity with the story's first
    publication is below it: the perturbations changed too much for any threshold this high.
    The texts come from a second pass over the (deterministic) stream.
    """
    n = tally.count
    first = tally.first_of_story
    merged = [
        (i, int(tally.match[i]))
        for i in range(n)
        if not tally.perturbations[i] and tally.match[i] >= 0
    ]
    missed = [
        (i, first[int(tally.story[i])])
        for i in range(n)
        if tally.perturbations[i] and tally.cluster[i] != tally.cluster[first[int(tally.story[i])]]
    ]
    wanted = {x for pair in merged + missed for x in pair}
    texts: dict[int, tuple[str, int]] = {}
    for item in stream.items(n):
        if item.id in wanted:
            texts[item.id] = (item.text, item.outlet)

    def exact(a: int, b: int) -> float:
        first_set = set(shingles(texts[a][0], templates[texts[a][1]]).tolist())
        second_set = set(shingles(texts[b][0], templates[texts[b][1]]).tolist())
        union = len(first_set | second_set)
        return len(first_set & second_set) / union if union else 0.0

    merged_j = np.array([exact(a, b) for a, b in merged])
    missed_j = np.array([exact(a, b) for a, b in missed])
    return {
        "new_stories_merged": len(merged),
        "merged_exact_at_or_above_threshold": int((merged_j >= THRESHOLD).sum()),
        "merged_exact_below_0.4": int((merged_j < 0.4).sum()),
        "republications_missed": len(missed),
        "missed_exact_below_threshold": int((missed_j < THRESHOLD).sum()),
        "missed_exact_at_or_above_0.6": int((missed_j >= 0.6).sum()),
    }


def persistence(index: LSHIndex) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "index.npz")
        t = time.process_time()
        index.save(path)
        save_s = time.process_time() - t
        size = os.path.getsize(path)
        t = time.process_time()
        loaded = LSHIndex.load(path)  # recomputes the band keys and sorts them: a full rebuild
        load_s = time.process_time() - t
    assert len(loaded) == len(index)
    return {"save_s": save_s, "load_and_rebuild_s": load_s, "file_mb": size / 2**20}


def compare_exact(sets: list[np.ndarray], tally: Tally) -> dict[str, Any]:
    n = len(sets)
    t = time.process_time()
    exact = exact_clusters(sets, THRESHOLD)
    brute_s = time.process_time() - t
    # Map the exact clusters' founders (row numbers) to item ids: items are numbered from 0.
    lsh = tally.cluster[:n]
    linked_exact = exact != np.arange(n)
    linked_lsh = lsh != np.arange(n)
    same = lsh == exact
    saved = tally.cluster
    tally.cluster = exact.copy()
    exact_quality = tally.report(upto=n)
    tally.cluster = saved
    return {
        "items": n,
        "brute_force_s": brute_s,
        "brute_force_us_per_item": brute_s / n * 1e6,
        "same_cluster_as_exact": float(same.mean()),
        "exact_links": int(linked_exact.sum()),
        "lsh_links": int(linked_lsh.sum()),
        "exact_links_found_by_lsh": float((same & linked_exact).sum() / max(1, linked_exact.sum())),
        "lsh_links_also_exact": float((same & linked_lsh).sum() / max(1, linked_lsh.sum())),
        "exact_quality": exact_quality,
        "lsh_quality": tally.report(upto=n),
    }


def signature_reference(
    stream: stories.Stream, templates: dict[int, frozenset[int]]
) -> dict[str, Any]:
    """datasketch's MinHash on the same shingles must give our signatures; and its speed."""
    from datasketch import MinHash

    from infoharbor.text.fingerprint.shingles import SHINGLE_SIZE, comparison_form

    sample = list(stream.items(SIGNATURE_SAMPLE))
    forms = [comparison_form(item.text) for item in sample]
    hashes = [shingles(item.text, templates[item.outlet]) for item in sample]
    t = time.process_time()
    ours = [mh.signature(h) for h in hashes]
    ours_s = time.process_time() - t
    t = time.process_time()
    theirs = [mh.reference_signature(h) for h in hashes]
    theirs_s = time.process_time() - t
    equal = all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))
    t = time.process_time()
    for form in forms:  # datasketch as its README uses it: SHA-1 of each shingle's bytes
        minhash = MinHash(num_perm=mh.NUM_PERM)
        minhash.update_batch(
            {form[i : i + SHINGLE_SIZE].encode() for i in range(len(form) - SHINGLE_SIZE + 1)}
        )
    sha1_s = time.process_time() - t
    t = time.process_time()
    for item in sample:
        shingles(item.text, templates[item.outlet])
    shingles_s = time.process_time() - t
    n = len(sample)
    return {
        "items": n,
        "identical_to_datasketch": equal,
        "us_per_item": {
            "shingles (ours)": shingles_s / n * 1e6,
            "signature, ours (numpy)": ours_s / n * 1e6,
            "signature, datasketch MinHash.update_batch, same hashes": theirs_s / n * 1e6,
            "signature, datasketch with its SHA-1 per shingle": sha1_s / n * 1e6,
        },
    }


def datasketch_lsh(size: int, ours: np.ndarray) -> dict[str, Any]:
    """datasketch's MinHashLSH (same bands) on the same fingerprints: same clusters? cost?"""
    from datasketch import MinHash, MinHashLSH

    stream = stories.Stream()
    templates = learn_templates(stream)
    items = [(i.id, fingerprint(i.text, templates[i.outlet])) for i in stream.items(size)]
    permutations = MinHash(num_perm=mh.NUM_PERM, seed=mh.SEED, scheme="affine32").permutations
    rss_before = current_rss_mb()
    lsh = MinHashLSH(num_perm=mh.NUM_PERM, params=(mh.BANDS, mh.ROWS))
    signatures: dict[int, np.ndarray] = {}
    sizes: dict[int, int] = {}
    clusters: dict[int, int] = {}
    differ = 0
    lsh_s = 0.0
    for position, (item, found) in enumerate(items):
        cluster = item
        if found.comparable:
            minhash = MinHash(
                num_perm=mh.NUM_PERM,
                hashvalues=found.signature,
                permutations=permutations,
                scheme="affine32",
            )
            t = time.process_time()
            candidates = lsh.query(minhash)
            lsh.insert(item, minhash, check_duplication=False)
            lsh_s += time.process_time() - t
            best: tuple[float, int] | None = None
            for other in candidates:  # the same verification as StoryClusterer
                small, large = sorted((sizes[other], found.size))
                score = mh.similarity(signatures[other], found.signature)
                better = best is None or (score, -other) > (best[0], -best[1])
                if small >= THRESHOLD * large and score >= THRESHOLD and better:
                    best = (score, other)
            if best is not None:
                cluster = clusters[best[1]]
            signatures[item] = found.signature
            sizes[item] = found.size
        clusters[item] = cluster
        differ += cluster != int(ours[position])
    peak = rss_mb()
    n = len(items)
    return {
        "items": n,
        "assignments_differing_from_ours": differ,
        "us_per_item_query_and_insert": lsh_s / n * 1e6,
        "rss_growth_mb": current_rss_mb() - rss_before,
        "peak_rss_mb": peak,
    }


# --- Shingle kinds side by side ------------------------------------------------------------------


def compare_shingles(count: int) -> dict[str, Any]:
    from infoharbor.text.fingerprint.shingles import _code_points, _hash_ngrams, comparison_form
    from infoharbor.text.normalize import fold_diacritics, normalize
    from infoharbor.text.segment import segment

    def chars(n: int) -> Callable[[str, str], np.ndarray]:
        return lambda text, lang: _hash_ngrams(_code_points(comparison_form(text)), n)

    tokens_of: dict[tuple[str, str], list[str]] = {}

    def tokens(text: str, lang: str) -> list[str]:
        key = (text, lang)
        if key not in tokens_of:
            form = fold_diacritics(normalize(text).text)
            tokens_of[key] = [form[s.start : s.end] for s in segment(form, lang or None)]
        return tokens_of[key]

    def words(k: int) -> Callable[[str, str], np.ndarray]:
        def shingle(text: str, lang: str) -> np.ndarray:
            found = tokens(text, lang)
            grams = {"\x1f".join(found[i : i + k]) for i in range(len(found) - k + 1)}
            return np.array(sorted(hash_text(g) for g in grams), dtype=np.uint32)

        return shingle

    methods: dict[str, Callable[[str, str], np.ndarray]] = {
        **{f"char {n}-grams": chars(n) for n in (3, 4, 5, 6, 7)},
        **{f"word {k}-grams": words(k) for k in (1, 2, 3)},
    }
    stream = stories.Stream()
    items = list(stream.items(count))
    samples = {
        outlet.key: stream.sample(outlet, BOILERPLATE_SAMPLE, seed=0)
        for outlets in stream.outlets.values()
        for outlet in outlets
    }
    outlet_lang = {o.key: o.lang for outlets in stream.outlets.values() for o in outlets}
    first: dict[int, int] = {}
    for item in items:
        first.setdefault(item.story, item.id)
    dups = [(item.id, first[item.story]) for item in items if item.perturbations]
    rng = np.random.default_rng(7)
    by_outlet: dict[int, list[int]] = defaultdict(list)
    by_lang: dict[str, list[int]] = defaultdict(list)
    for item in items:
        by_outlet[item.outlet].append(item.id)
        by_lang[item.lang].append(item.id)
    story = {item.id: item.story for item in items}

    def negatives(groups: Iterable[list[int]], want: int) -> list[tuple[int, int]]:
        pools = [g for g in groups if len(g) > 1]
        found: set[tuple[int, int]] = set()
        while len(found) < want:
            group = pools[int(rng.integers(len(pools)))]
            a, b = rng.choice(len(group), 2, replace=False)
            pair = (group[int(a)], group[int(b)])
            if story[pair[0]] != story[pair[1]]:
                found.add(pair)
        return sorted(found)

    hard = negatives(by_outlet.values(), 20_000)
    same_language = negatives(by_lang.values(), 20_000)
    report: dict[str, Any] = {"items": count, "republication_pairs": len(dups)}
    t = time.process_time()
    for item in items:  # segmentation once, its cost added to every word row
        tokens(item.text, item.lang)
    segmentation = (time.process_time() - t) / count * 1e6
    report["segmentation_us_per_item"] = segmentation
    for name, method in methods.items():
        for learned in (True, False) if name == "char 5-grams" else (True,):
            t = time.process_time()
            sets = [set(method(item.text, item.lang).tolist()) for item in items]
            per_item = (time.process_time() - t) / count * 1e6
            if name.startswith("word"):
                per_item += segmentation
            if learned:
                template: dict[int, set[int]] = {}
                for key, texts in samples.items():
                    lang = outlet_lang[key]
                    counts = Counter(h for text in texts for h in set(method(text, lang).tolist()))
                    need = max(4, int(np.ceil(0.3 * len(texts))))
                    template[key] = {h for h, c in counts.items() if c >= need}
                sets = [sets[i.id] - template[i.outlet] for i in items]

            def jaccard(pairs: list[tuple[int, int]], sets: list[set[int]] = sets) -> np.ndarray:
                out = []
                for a, b in pairs:
                    union = len(sets[a] | sets[b])
                    out.append(len(sets[a] & sets[b]) / union if union else 0.0)
                return np.array(out)

            dup_j, hard_j, lang_j = jaccard(dups), jaccard(hard), jaccard(same_language)
            row = {
                "us_per_item": per_item,
                "republication_J_p5": float(np.percentile(dup_j, 5)),
                "republication_J_median": float(np.median(dup_j)),
                "same_outlet_J_p99.9": float(np.percentile(hard_j, 99.9)),
                "same_language_J_p99.9": float(np.percentile(lang_j, 99.9)),
            }
            for t_ in (0.3, 0.4, 0.5, 0.6):
                row[f"recall@{t_}"] = float((dup_j >= t_).mean())
                row[f"same_outlet_fp@{t_}"] = float((hard_j >= t_).mean())
            # The best threshold with no hard negative above it, and the recall it gives.
            ceiling = float(hard_j.max())
            row["recall_above_every_negative"] = float((dup_j > max(ceiling, lang_j.max())).mean())
            key = name if learned else f"{name}, template not learned"
            report[key] = row
    return report


def hash_text(text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")


# --- Report --------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return _measure.machine("numpy", "datasketch")


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "## Near-duplicate clustering",
        "",
        f"{_measure.machine_line(m)} Threshold {THRESHOLD} (estimated Jaccard), {mh.NUM_PERM} "
        f"permutations, {mh.BANDS} bands x {mh.ROWS} rows.",
        "",
    ]
    runs = report.get("runs", [])
    if runs:
        lines += [
            "| items | load avg | fingerprint µs/item | cluster µs/item | total µs/item (CPU)"
            " | peak RSS above start | index arrays | pair precision | pair recall"
            " | republications joined | new stories merged |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for run in runs:
            q, us, mem = run["quality"], run["us_per_item"], run["memory_mb"]
            lines.append(
                f"| {run['size']:,} | {run['load_average_at_start'][0]:.1f}"
                f" | {us['fingerprint']:.0f} | {us['cluster']:.0f} | {us['ours total']:.0f}"
                f" | {mem['peak_above_before']:,.0f} MB | {mem['index_arrays']:,.0f} MB"
                f" | {_pct(q['pair_precision'])} | {_pct(q['pair_recall'])}"
                f" | {_pct(q['recall_by_perturbation']['all'])} | {_pct(q['false_merge_rate'])} |"
            )
        last = runs[-1]
        q = last["quality"]
        lines += ["", f"Recall by perturbation ({last['size']:,} items):", ""]
        lines += ["| perturbation | republications joined their story |", "|---|---:|"]
        lines += [f"| {k} | {_pct(v)} |" for k, v in q["recall_by_perturbation"].items()]
        lines += ["", "| language | republications joined |", "|---|---:|"]
        lines += [f"| {k} | {_pct(v)} |" for k, v in q["recall_by_language"].items()]
        merged = q["new_stories_merged"]
        lines += [
            "",
            f"New stories wrongly merged: {merged['same_outlet']:,} into a cluster of the same"
            f" outlet (same template), {merged['other_outlet']:,} of another, out of"
            f" {q['new_stories']:,}.",
            "",
        ]
        for run in runs:
            e = run["errors_by_exact_jaccard"]
            lines += [
                f"Errors at {run['size']:,} items, by the exact Jaccard of the pair:"
                f" of {e['new_stories_merged']:,} new stories merged into a cluster,"
                f" {e['merged_exact_at_or_above_threshold']:,} really are near-duplicates of"
                f" the item they joined (exact J >= {THRESHOLD}: they share that much text by"
                f" chance) and {e['merged_exact_below_0.4']:,} are below 0.4; of"
                f" {e['republications_missed']:,} republications that missed their story,"
                f" {e['missed_exact_below_threshold']:,} are beyond the threshold (exact J <"
                f" {THRESHOLD}) and {e['missed_exact_at_or_above_0.6']:,} have J >= 0.6.",
                "",
            ]
            if "exact" in run:
                e = run["exact"]
                lines += [
                    f"Exact baseline on the first {e['items']:,} items (brute force,"
                    f" {e['brute_force_us_per_item']:,.0f} µs/item): LSH puts"
                    f" {_pct(e['same_cluster_as_exact'])} of the items in the same cluster as"
                    f" exact Jaccard; {_pct(e['exact_links_found_by_lsh'])} of exact links found,"
                    f" {_pct(e['lsh_links_also_exact'])} of LSH links also exact. Exact: pair"
                    f" precision {_pct(e['exact_quality']['pair_precision'])}, recall"
                    f" {_pct(e['exact_quality']['pair_recall'])}; LSH on the same items:"
                    f" {_pct(e['lsh_quality']['pair_precision'])},"
                    f" {_pct(e['lsh_quality']['pair_recall'])}.",
                    "",
                ]
            s = run["signatures"]
            lines += [
                f"Signatures ({s['items']:,} items, identical to datasketch:"
                f" {s['identical_to_datasketch']}): "
                + "; ".join(f"{k} {v:,.0f} µs" for k, v in s["us_per_item"].items())
                + ".",
                "",
            ]
            p = run["persistence"]
            lines += [
                f"Index of {run['indexed']:,} items: saved in {p['save_s']:.1f} s"
                f" ({p['file_mb']:,.0f} MB), loaded and rebuilt in"
                f" {p['load_and_rebuild_s']:.1f} s.",
                "",
            ]
            if "datasketch_lsh" in run:
                d = run["datasketch_lsh"]
                lines += [
                    f"datasketch MinHashLSH, same bands, same {d['items']:,} items:"
                    f" {d['assignments_differing_from_ours']} assignments differ from ours;"
                    f" {d['us_per_item_query_and_insert']:.0f} µs/item for query and insert"
                    f" (ours: {run['us_per_item']['cluster']:.0f} µs/item with verification);"
                    f" memory grew by {d['rss_growth_mb']:,.0f} MB"
                    f" (ours: {run['memory_mb']['index_arrays']:,.0f} MB of arrays).",
                    "",
                ]
    compare = report.get("compare")
    if compare:
        lines += [
            f"Shingle kinds on the first {compare['items']:,} items (exact Jaccard,"
            f" {compare['republication_pairs']:,} republication pairs, 20,000 same-outlet and"
            " 20,000 same-language pairs of different stories):",
            "",
            "| shingles | µs/item | republication J p5 / median | same-outlet J p99.9"
            " | same-language J p99.9 | recall@0.5 | same-outlet FP@0.5 | recall@0.4"
            " | recall above every negative |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in compare.items():
            if not isinstance(row, dict):
                continue
            lines.append(
                f"| {name} | {row['us_per_item']:.0f} | {row['republication_J_p5']:.2f} /"
                f" {row['republication_J_median']:.2f} | {row['same_outlet_J_p99.9']:.2f}"
                f" | {row['same_language_J_p99.9']:.2f} | {_pct(row['recall@0.5'])}"
                f" | {_pct(row['same_outlet_fp@0.5'])} | {_pct(row['recall@0.4'])}"
                f" | {_pct(row['recall_above_every_negative'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def _subprocess(*arguments: object) -> dict[str, Any]:
    command = [sys.executable, __file__, *map(str, arguments)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--exact", type=int, default=10_000, help="items of the exact baseline")
    parser.add_argument("--compare", type=int, default=6000, help="items of the shingle comparison")
    parser.add_argument("--compare-only", action="store_true")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 items, 3,000 exact, 2,000 compared"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in the subprocess
    parser.add_argument("--datasketch", type=int, help=argparse.SUPPRESS)  # its LSH, a size
    parser.add_argument("--assignments", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS / "clustering")
    parser.add_argument("--render", action="store_true", help="rewrite OUT.md from OUT.json")
    args = parser.parse_args()
    if args.render:
        report = json.loads(args.out.with_suffix(".json").read_text())
        args.out.with_suffix(".md").write_text(markdown(report) + "\n")
        return 0
    if args.quick:
        args.sizes, args.exact, args.compare = "20000", 3000, 2000
    if not stories.DATA.is_dir():
        print(f"shared data not found at {stories.DATA}", file=sys.stderr)
        return 2
    if args.one:
        json.dump(run_size(args.one, args.exact, args.assignments), sys.stdout)
        return 0
    if args.datasketch:
        json.dump(datasketch_lsh(args.datasketch, np.load(args.assignments)), sys.stdout)
        return 0
    report: dict[str, Any] = {"machine": machine(), "runs": []}
    if not args.compare_only:
        folder = Path(tempfile.mkdtemp())
        for size in [int(s) for s in args.sizes.split(",") if s]:
            saved = folder / f"assignments-{size}.npy"
            exact = args.exact if size <= 100_000 else 0
            print(f"running {size:,} items ...", file=sys.stderr, flush=True)
            run = _subprocess("--one", size, "--exact", exact, "--assignments", saved)
            if size <= 100_000:
                print(f"datasketch's LSH on {size:,} items ...", file=sys.stderr, flush=True)
                run["datasketch_lsh"] = _subprocess("--datasketch", size, "--assignments", saved)
            report["runs"].append(run)
    if args.compare:
        print(f"comparing shingle kinds on {args.compare:,} items ...", file=sys.stderr, flush=True)
        report["compare"] = compare_shingles(args.compare)
    report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    text = markdown(report)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
