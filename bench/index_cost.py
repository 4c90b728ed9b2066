"""What indexing an entry costs, by stage: the search index's share of the ingest path.

The corpus of ``bench/ingest.py`` (real sentences in the region's language mix, half the feeds
declaring their language) is harvested once into a fresh SQLite harbor with the index left
stale; then the index is built from those entries ``--rounds`` times through the real path
(``search.documents.build`` + the backend's ``index``, batches of ``indexer.BATCH_SIZE``), and
each round's CPU time is split by stage by wrapping the functions that do them (a stage's
time excludes the stages inside it; "other" is the rest of ``build``: loading the entries and
their relations, the rich text's plain text, the documents' assembly). Language detection is
not part of indexing (ingest detects, the index reads the entry's language); it is timed
apart, on the same items' text, for the table of the index analysis per item.

    .venv/bin/python bench/index_cost.py                   # 2,000 items, 3 rounds
    .venv/bin/python bench/index_cost.py --items 500 --profile   # and a cProfile of one round

CPU time (``time.process_time``) of this process throughout: the machine is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
import ingest  # noqa: E402

# Languages by the segmenter that serves them, for the "segment" stage's split.
_SEGMENT_GROUP = {
    "zh-Hans": "zh",
    "zh-Hant": "zh",
    "th": "th",
    "lo": "lo",
    "km": "km",
    "my": "my",
    "vi": "vi",
    "en": "en/id/ms",
    "id": "en/id/ms",
    "ms": "en/id/ms",
}


def _patches(stages: ingest.Stages) -> list[tuple[Any, str, str]]:
    from infoharbor.search import documents
    from infoharbor.search.backends import embedded
    from infoharbor.text import analyze

    return [
        (analyze, "normalize", "normalize"),
        (documents.concepts, "find_keys", "concepts"),
        (embedded.EmbeddedBackend, "index", "backend write (tantivy)"),
        (documents, "analyze", "analyze (rest: terms, stems, offsets)"),
    ]


def _segment_wrapper(stages: ingest.Stages, original: Any) -> Any:
    wrapped = {
        group: stages.wrap(f"segment {group}", original) for group in set(_SEGMENT_GROUP.values())
    }
    other = stages.wrap("segment other", original)

    def segment(text: str, lang: str | None, **options: Any) -> Any:
        return wrapped.get(_SEGMENT_GROUP.get(lang or ""), other)(text, lang, **options)

    return segment


def index_round(ids: list[int], profile: cProfile.Profile | None) -> dict[str, float]:
    from infoharbor.search import documents, indexer
    from infoharbor.search.backends import get_backend
    from infoharbor.text import analyze

    backend = get_backend()
    backend.clear()
    stages = ingest.Stages()
    saved = []
    for owner, attribute, name in _patches(stages):
        original = getattr(owner, attribute)
        saved.append((owner, attribute, original))
        setattr(owner, attribute, stages.wrap(name, original))
    original_segment = analyze.segment_for_search
    analyze.segment_for_search = _segment_wrapper(stages, original_segment)
    build = stages.wrap("other (build: load, plain text, assembly)", documents.build)
    try:
        if profile is not None:
            profile.enable()
        cpu = time.process_time()
        for start in range(0, len(ids), indexer.BATCH_SIZE):
            built, removed = build(ids[start : start + indexer.BATCH_SIZE])
            backend.index(built, removed)
        cpu = time.process_time() - cpu
        if profile is not None:
            profile.disable()
    finally:
        analyze.segment_for_search = original_segment
        for owner, attribute, original in saved:
            setattr(owner, attribute, original)
    out = dict(stages.cpu.items())
    out["total"] = cpu
    return out


def langid_cost(ids: list[int]) -> float:
    from infoharbor.core.models import Entry
    from infoharbor.core.richtext import plain_text
    from infoharbor.text import langid

    texts = [
        " ".join([e.title, e.summary or "", plain_text(e.body_html or "")])
        for e in Entry.objects.filter(pk__in=ids)
    ]
    cpu = time.process_time()
    for text in texts:
        langid.detect(text)
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the last round")
    args = parser.parse_args()
    feeds = ingest.corpus(args.items)
    documents = {f"/feed-{n}.xml": ingest.rss(f, declare=n % 2 == 0) for n, f in enumerate(feeds)}
    with tempfile.TemporaryDirectory(prefix="index-cost-") as var:
        ingest.setup_django(Path(var))
        server = ingest.Server(documents)
        sources = ingest.make_sources(server, list(documents))
        from infoharbor.search import concepts, indexer
        from infoharbor.text.analyze import warm_up

        warm_up()
        concepts.lexicon()
        kick = indexer.kick
        indexer.kick = lambda: None
        try:
            from infoharbor.ingest import harvest

            harvest.harvest(sources)
        finally:
            indexer.kick = kick
        server.httpd.shutdown()
        from infoharbor.core.models import Entry

        ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
        rounds = []
        for n in range(args.rounds):
            profile = cProfile.Profile() if args.profile and n == args.rounds - 1 else None
            rounds.append(index_round(ids, profile))
        detect = langid_cost(ids)
    best = min(rounds, key=lambda r: r["total"])
    count = len(ids)
    print(f"{count} entries, {args.rounds} rounds; the fastest round, CPU ms per entry:")
    totals: dict[str, float] = defaultdict(float, best)
    total = totals.pop("total")
    for name, value in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:45s} {1000 * value / count:7.3f}")
    print(f"  {'index total':45s} {1000 * total / count:7.3f}")
    print(f"  {'(language detection, at ingest)':45s} {1000 * detect / count:7.3f}")
    every = [round(1000 * r["total"] / count, 3) for r in rounds]
    print("all rounds, total CPU ms per entry:", every)
    if args.profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)  # type: ignore[possibly-undefined]
        stats.sort_stats("tottime").print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
