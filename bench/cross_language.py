"""Cross-language story links from shared anchors (``infoharbor.text.fingerprint.anchors``).

Parallel data fit for the question is news-like documents with their translations: the UD PUD
treebanks give 397 news and Wikipedia documents (1,000 sentences, joined on ``sent_id``) in
English, Chinese, Thai and Indonesian. Tatoeba (short everyday sentences, hardly a number or a
name) and the UDHR (legal articles, no numbers or names) are not: an anchor rule measured on them
would say nothing about news. As distractors that have no translation in the set, documents of
three consecutive sentences from UD Chinese-GSD, Indonesian-GSD and Vietnamese-VTB join the pool.

Every pair of items in different languages counts as "published within the window" (a harder
setting than the ingest's, which compares a day or two of items): a proposed link is correct
when both are translations of one PUD document. Reported per language pair and for a few
settings of the rule: links proposed, precision, recall (of the 397 documents per pair).

    .venv/bin/python bench/cross_language.py

Writes ``bench/results/cross_language.json`` and ``bench/results/cross_language.md``.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = Path(os.environ.get("INFOHARBOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results"

from infoharbor.text.fingerprint.anchors import Anchors, anchors, cross_language_link  # noqa: E402

PUD = {"en": "UD_English-PUD/en_pud", "zh": "UD_Chinese-PUD/zh_pud", "th": "UD_Thai-PUD/th_pud",
       "id": "UD_Indonesian-PUD/id_pud"}  # fmt: skip
DISTRACTORS = {
    "zh": ["UD_Chinese-GSD/zh_gsd-ud-dev", "UD_Chinese-GSD/zh_gsd-ud-test"],
    "id": ["UD_Indonesian-GSD/id_gsd-ud-dev", "UD_Indonesian-GSD/id_gsd-ud-test"],
    "vi": ["UD_Vietnamese-VTB/vi_vtb-ud-dev", "UD_Vietnamese-VTB/vi_vtb-ud-test"],
}
SETTINGS = [(2, 0.5), (3, 0.5), (3, 0.3), (4, 0.5)]  # (min_shared, min_overlap)


def sentences(path: Path) -> list[tuple[str, str]]:
    found, sent_id = [], ""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("# sent_id = "):
                sent_id = line.split("=", 1)[1].strip()
            elif line.startswith("# text = "):
                found.append((sent_id, line.split("=", 1)[1].strip()))
    return found


def load() -> list[tuple[str, str, str]]:
    """(document key or '' for a distractor, language, text)."""
    items = []
    ud = DATA / "ud-treebanks"
    for lang, stem in PUD.items():
        docs: dict[str, list[str]] = defaultdict(list)
        for sent_id, text in sentences(ud / f"{stem}-ud-test.conllu"):
            docs[sent_id[:6]].append(text)
        items += [(doc, lang, " ".join(texts)) for doc, texts in docs.items()]
    for lang, stems in DISTRACTORS.items():
        texts = [t for stem in stems for _, t in sentences(ud / f"{stem}.conllu")]
        items += [("", lang, " ".join(texts[i : i + 3])) for i in range(0, len(texts), 3)]
    return items


def evaluate(items: list[tuple[str, str, str]]) -> dict[str, Any]:
    t = time.process_time()
    found: list[Anchors] = [anchors(text) for _, _, text in items]
    per_item_us = (time.process_time() - t) / len(items) * 1e6
    by_anchor: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(found):
        for anchor in a.all:
            by_anchor[anchor].append(i)
    pairs = set()
    for members in by_anchor.values():  # a pair that shares no anchor cannot be linked
        pairs.update(itertools.combinations(members, 2))
    pud_docs = len({doc for doc, _, _ in items if doc})
    report: dict[str, Any] = {
        "items": len(items),
        "pud_documents": pud_docs,
        "anchors_us_per_item": per_item_us,
        "pud_items_with_3_anchors": sum(
            len(a) >= 3 for (d, _, _), a in zip(items, found, strict=True) if d
        )
        / sum(1 for d, _, _ in items if d),
        "settings": {},
    }
    for min_shared, min_overlap in SETTINGS:
        proposed: dict[str, int] = defaultdict(int)
        correct: dict[str, int] = defaultdict(int)
        for i, j in pairs:
            (doc_i, lang_i, _), (doc_j, lang_j, _) = items[i], items[j]
            if lang_i == lang_j:
                continue
            link = cross_language_link(
                found[i], found[j], min_shared=min_shared, min_overlap=min_overlap
            )
            if link is None:
                continue
            key = "-".join(sorted((lang_i, lang_j)))
            proposed[key] += 1
            proposed["all"] += 1
            if doc_i and doc_i == doc_j:
                correct[key] += 1
                correct["all"] += 1
        rows = {}
        for key in sorted(proposed, key=lambda k: (k != "all", k)):
            true_pairs = pud_docs * (6 if key == "all" else 1) if "vi" not in key else 0
            rows[key] = {
                "proposed": proposed[key],
                "correct": correct[key],
                "precision": correct[key] / proposed[key],
                "recall": correct[key] / true_pairs if true_pairs else None,
            }
        report["settings"][f"min_shared={min_shared}, min_overlap={min_overlap}"] = rows
    return report


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "## Cross-language links from anchors",
        "",
        f"{report['items']:,} items: {report['pud_documents']} UD PUD documents in en, zh, th, id"
        " and GSD/VTB distractors (zh, id, vi); every cross-language pair compared."
        f" Anchors: {report['anchors_us_per_item']:.0f} µs/item;"
        f" {100 * report['pud_items_with_3_anchors']:.0f} % of PUD items have 3 or more.",
        "",
        "| rule | pair | proposed | correct | precision | recall |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for setting, rows in report["settings"].items():
        for key, row in rows.items():
            recall = "" if row["recall"] is None else f"{100 * row['recall']:.1f} %"
            lines.append(
                f"| {setting} | {key} | {row['proposed']:,} | {row['correct']:,}"
                f" | {100 * row['precision']:.1f} % | {recall} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    if not DATA.is_dir():
        print(f"shared data not found at {DATA}", file=sys.stderr)
        return 2
    report = evaluate(load())
    text = markdown(report)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cross_language.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / "cross_language.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
