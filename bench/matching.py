"""Matching one new entry against 100,000 and 1,000,000 subscriptions: the percolator-style
index of :mod:`infoharbor.subscriptions.matching` beside a naive scan of every subscription.

Entries are the first 10,000 of the search benchmark's synthetic corpus (``_corpus.py``: real
sentences of the shared data sets in the region's language mix, analysed as the index analyses
them). Subscriptions are made from the same vocabulary, in a mix like people's:

- saved searches (85%): one word 32%, two words 22%, three words 8%, a phrase of two words in
  a row 12%, "a OR b" 10%, "a -b" 8%, a prefix ("expo*") 8%; words are drawn from the titles of
  random entries (so common words are common), leaving out the terms in more than 2% of the
  entries (nobody subscribes to "the"); 30% of them also have one or two filters (country,
  sector, language, kind: one to three values each);
- follows (15%): an organization 50%, a country 20%, a sector 20%, a kind 7%, a platform 3%.

Queries are parsed by :func:`infoharbor.search.query.parse` without the concept finder (that
needs the database's country and sector names); each distinct text is parsed once (as the
harbor's index build does). Times are CPU time of this process (the machine is shared), per
entry: median and p99 over the sampled entries; the naive scan checks every subscription for
fewer entries (at 1,000,000, a sample of entries: the table says how many). Anchors are chosen
by the entries' measured term frequencies, as a harbor can read them from its search index;
``--costs default`` uses the built-in guesses instead (the harbor's current setting).

    .venv/bin/python bench/matching.py                 # 100,000 then 1,000,000
    .venv/bin/python bench/matching.py --sizes 100000  # the smaller one only
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import _corpus  # noqa: E402
import _measure  # noqa: E402
from _measure import percentile, rss_mb  # noqa: E402

from infoharbor.search.query import parse  # noqa: E402
from infoharbor.subscriptions import matching  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ENTRIES = 10_000
COMMON = 0.02  # terms in more of the entries than this are not subscribed to
SEED = 11


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_entries() -> tuple[list[matching.EntryFacts], Counter[str]]:
    _corpus.ensure(ENTRIES, workers=1, log=log)
    organizations = {o.id: o.tokens.split() for o in _corpus.pools().organizations}
    facts: list[matching.EntryFacts] = []
    df: Counter[str] = Counter()
    for rows, shard_df in _corpus.shards(ENTRIES):
        df.update(shard_df)
        for row in rows:
            facts.append(
                matching.EntryFacts(
                    entry_id=row[0],
                    kind=row[1],
                    platform=row[2],
                    country=row[3],
                    language=row[4],
                    organization_id=row[5],
                    visibility=row[6],
                    sectors=tuple(row[7]),
                    published_at=dt.datetime.fromtimestamp(row[8], tz=dt.UTC),
                    expires_at=dt.datetime.fromtimestamp(row[9], tz=dt.UTC) if row[9] else None,
                    title=tuple(row[10].split()),
                    body=tuple(row[11].split()),
                    organization=tuple(organizations.get(row[5], ())),
                    parts=tuple(row[16].split()),
                    folded=tuple(row[13].split()),
                    concepts=tuple(row[14]),
                ).prepare()
            )
    return facts, df


class Maker:
    """Synthetic subscriptions from the entries' vocabulary."""

    def __init__(self, facts: list[matching.EntryFacts], df: Counter[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.facts = facts
        limit = COMMON * len(facts)
        self.titles = [
            [w for w in f.title if df.get(w, 0) <= limit and (len(w) > 2 or not w.isascii())]
            for f in facts
        ]
        self.titles = [t for t in self.titles if t]
        self.sequences = [f.title for f in facts if len(f.title) > 1]
        self.organizations = sorted({f.organization_id for f in facts})
        self.countries = sorted({f.country for f in facts})
        self.sectors = sorted({s for f in facts for s in f.sectors})
        self.languages = sorted({f.language for f in facts})
        self.kinds = sorted({f.kind for f in facts})
        self.platforms = sorted({f.platform for f in facts})

    def word(self) -> str:
        return self.rng.choice(self.rng.choice(self.titles))

    def query(self) -> str:
        rng = self.rng
        shape = rng.random()
        if shape < 0.32:
            return self.word()
        if shape < 0.54:
            words = rng.choice(self.titles)
            return f"{rng.choice(words)} {rng.choice(words)}"
        if shape < 0.62:
            words = rng.choice(self.titles)
            return " ".join(rng.choice(words) for _ in range(3))
        if shape < 0.74:
            title = rng.choice(self.sequences)
            at = rng.randrange(len(title) - 1)
            return f'"{title[at]} {title[at + 1]}"'
        if shape < 0.84:
            return f"{self.word()} OR {self.word()}"
        if shape < 0.92:
            return f"{self.word()} -{self.word()}"
        word = self.word()
        return f"{word[: max(2, min(len(word) - 1, rng.randint(3, 5)))]}*"

    def values(self, pool: list[Any]) -> tuple[Any, ...]:
        return tuple(self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3))))

    def subscription(self) -> tuple[str, matching.Scope]:
        rng = self.rng
        if rng.random() < 0.15:  # a follow
            target = rng.random()
            if target < 0.5:
                return "", matching.Scope(organization=(rng.choice(self.organizations),))
            if target < 0.7:
                return "", matching.Scope(country=(rng.choice(self.countries),))
            if target < 0.9:
                return "", matching.Scope(sector=(rng.choice(self.sectors),))
            if target < 0.97:
                return "", matching.Scope(kind=(rng.choice(self.kinds),))
            return "", matching.Scope(platform=(rng.choice(self.platforms),))
        text = self.query()
        scope = matching.Scope()
        if rng.random() < 0.3:
            fields: dict[str, tuple[Any, ...]] = {}
            for name in rng.sample(["country", "sector", "language", "kind"], rng.randint(1, 2)):
                pool = {
                    "country": self.countries,
                    "sector": self.sectors,
                    "language": self.languages,
                    "kind": self.kinds,
                }[name]
                fields[name] = self.values(pool)
            scope = matching.Scope(**fields)
        return text, scope


def build(size: int, maker: Maker, cost: matching.Costs) -> tuple[matching.MatchIndex, dict]:
    gc.collect()
    before = rss_mb()
    parsed: dict[str, Any] = {}
    index = matching.MatchIndex(cost)
    parse_cpu = compile_cpu = 0.0
    for pk in range(1, size + 1):
        text, scope = maker.subscription()
        c0 = time.process_time()
        root = parsed.get(text)
        if root is None and text not in parsed:
            root = parsed[text] = parse(text).root
        c1 = time.process_time()
        index.add(matching.compile_subscription(pk, pk % 50_000, root, scope, cost))
        c2 = time.process_time()
        parse_cpu += c1 - c0
        compile_cpu += c2 - c1
        if pk % 200_000 == 0:
            log(f"  {pk:,} subscriptions filed")
    gc.collect()
    return index, {
        "distinct_queries": len(parsed),
        "parse_cpu_s": parse_cpu,
        "compile_and_file_cpu_s": compile_cpu,
        "memory_mb": rss_mb() - before,
        **index.stats(),
    }


def timed(function: Any, entries: list[matching.EntryFacts]) -> tuple[list[float], list[int]]:
    times, counts = [], []
    for entry in entries:
        c0 = time.process_time()
        found = function(entry, now=entry.published_at)
        times.append((time.process_time() - c0) * 1000)
        counts.append(len(found))
    return times, counts


def run(size: int, facts: list[matching.EntryFacts], df: Counter[str], costs: str) -> dict:
    log(f"{size:,} subscriptions ({costs} costs)")
    maker = Maker(facts, df, SEED + size)
    if costs == "measured":
        n = len(facts)
        frequencies: dict[matching.Key, float] = {}
        for term, count in df.items():
            frequencies[(matching.TERM, term)] = count / n
            frequencies[(matching.FOLDED, term)] = count / n
        for name in ("country", "language", "kind", "platform", "organization"):
            counted = Counter(
                str(getattr(f, name if name != "organization" else "organization_id"))
                for f in facts
            )
            for value, count in counted.items():
                frequencies[(name, value)] = count / n
        sectors = Counter(s for f in facts for s in f.sectors)
        for value, count in sectors.items():
            frequencies[("sector", value)] = count / n
        cost = matching.with_frequencies(frequencies)
    else:
        cost = matching.default_cost
    started = time.process_time()
    index, built = build(size, maker, cost)
    built["build_cpu_s"] = time.process_time() - started
    rng = random.Random(SEED)
    sample = rng.sample(facts, 2000 if size <= 100_000 else 1000)
    candidates = [len(index.candidates(entry)) for entry in sample[:500]]
    match_ms, matched = timed(index.match, sample)
    scan_n = 200 if size <= 100_000 else 20
    scan_ms, scanned = timed(index.scan, sample[:scan_n])
    # The index finds exactly what checking every subscription finds.
    assert scanned == matched[:scan_n], "index and scan disagree"
    result = {
        "size": size,
        "costs": costs,
        "build": built,
        "entries_matched": len(sample),
        "index_median_ms": percentile(match_ms, 50),
        "index_p99_ms": percentile(match_ms, 99),
        "index_mean_ms": sum(match_ms) / len(match_ms),
        "candidates_median": percentile([float(c) for c in candidates], 50),
        "candidates_p99": percentile([float(c) for c in candidates], 99),
        "matches_median": percentile([float(c) for c in matched], 50),
        "matches_p99": percentile([float(c) for c in matched], 99),
        "scan_entries": scan_n,
        "scan_median_ms": percentile(scan_ms, 50),
        "scan_p99_ms": percentile(scan_ms, 99),
    }
    result["speedup_median"] = result["scan_median_ms"] / result["index_median_ms"]
    log(json.dumps(result, indent=1))
    del index
    gc.collect()
    return result


def machine() -> dict[str, Any]:
    return _measure.machine()


def markdown(results: list[dict], info: dict[str, Any]) -> str:
    lines = [
        f"{_measure.machine_line(info)} Load average at the end "
        f"{info['load_average'][0]:.1f}. CPU time per entry.",
        "",
        "| subscriptions | anchors | index median | index p99 | naive scan median | naive p99 "
        "| scan sample | speed-up | candidates median / p99 | matches median / p99 "
        "| build (parse + file) | memory | match-all |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        b = r["build"]
        lines.append(
            f"| {r['size']:,} | {r['costs']} | {r['index_median_ms']:.3f} ms "
            f"| {r['index_p99_ms']:.2f} ms | {r['scan_median_ms']:.0f} ms "
            f"| {r['scan_p99_ms']:.0f} ms | {r['scan_entries']} entries "
            f"| {r['speedup_median']:,.0f}× | {r['candidates_median']:.0f} / "
            f"{r['candidates_p99']:.0f} | {r['matches_median']:.0f} / {r['matches_p99']:.0f} "
            f"| {b['build_cpu_s']:.1f} s ({b['parse_cpu_s']:.1f} + "
            f"{b['compile_and_file_cpu_s']:.1f}; {b['distinct_queries']:,} distinct queries) "
            f"| {b['memory_mb']:.0f} MB | {b['match_all']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--costs", default="measured", help="measured, default, or both")
    args = parser.parse_args()
    facts, df = load_entries()
    log(f"{len(facts):,} entries loaded")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for costs in ["measured", "default"] if args.costs == "both" else [args.costs]:
            result = run(size, facts, df, costs)
            if costs == "default" and args.costs == "both":
                # The run before freed its index and this one reuses that memory: the
                # growth of RSS says nothing here.
                result["build"]["memory_mb"] = float("nan")
            results.append(result)
    info = machine()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "matching.json").write_text(
        json.dumps({"machine": info, "results": results}, indent=1, default=str)
    )
    print(markdown(results, info))


if __name__ == "__main__":
    main()
