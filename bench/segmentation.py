"""Word segmentation against gold data: the harbor's segmenter and the alternatives.

Run from the repository root::

    .venv/bin/python bench/segmentation.py            # every sentence (a few minutes)
    .venv/bin/python bench/segmentation.py --quick    # 150 sentences per file, one timed pass

Extra alternatives that are not project dependencies (pythainlp, jieba, khmer-nltk) are
measured when importable, e.g. from a throwaway target directory::

    python -m pip install --target /tmp/segbench-extra --no-deps \
        pythainlp jieba khmer-nltk sklearn-crfsuite
    PYTHONPATH=/tmp/segbench-extra .venv/bin/python bench/segmentation.py

An earlier version of the harbor's segmenter can be measured beside the current one and
compared with it sentence by sentence (same words or not)::

    git show 5bb45bd:src/infoharbor/text/segment.py > /tmp/segment_before.py
    .venv/bin/python bench/segmentation.py --previous /tmp/segment_before.py

Prints one markdown table and the machine, and writes ``bench/results/segmentation.json``.
The gold data is read from ``../shared/data`` (or ``--data``); see ``bench/_gold.py`` for the
readers and the scoring rule.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import _gold as gold  # noqa: E402
from bench import _measure  # noqa: E402

from infoharbor.text import segment as seg  # noqa: E402
from infoharbor.text.segment import _icu as seg_icu  # noqa: E402

SpanList = list[tuple[int, int]]
SegmentFn = Callable[[str], SpanList]
TARGET = 200_000  # chars/s: the ingest target of the issue
QUICK_SENTENCES = 150

# --- Turning word lists into offsets -----------------------------------------------------------


def _squeeze(text: str) -> tuple[str, list[int]]:
    kept = [(i, ch) for i, ch in enumerate(text) if not (ch.isspace() or ch in "\u200b\ufeff")]
    return "".join(ch for _i, ch in kept), [i for i, _ch in kept]


class Realigned:
    """Counts sentences whose segmenter output did not spell the input (normalized it)."""

    def __init__(self) -> None:
        self.count = 0


def spans_from_words(text: str, words: Sequence[str], realigned: Realigned) -> SpanList:
    """Offsets in ``text`` of ``words`` that spell it (spaces aside), or align them to it."""
    squeezed, where = _squeeze(text)
    pieces = [_squeeze(w)[0] for w in words]
    joined = "".join(pieces)
    if joined == squeezed:
        back = list(range(len(joined) + 1))
    else:
        realigned.count += 1
        back = [0] * (len(joined) + 1)
        matcher = difflib.SequenceMatcher(None, joined, squeezed, autojunk=False)
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            for i in range(i1, i2):
                back[i] = j1 + (i - i1) if tag == "equal" else j1
        back[len(joined)] = len(squeezed)
    spans = []
    pos = 0
    ends = [*where, len(text)]
    for piece in pieces:
        if not piece:
            continue
        s, e = back[pos], back[pos + len(piece)]
        pos += len(piece)
        if e > s:
            spans.append((where[s], (where[e - 1] + 1) if e - 1 < len(where) else ends[-1]))
    return spans


# --- Segmenters ------------------------------------------------------------------------------


@dataclass
class Candidate:
    name: str
    langs: frozenset[str]  # harbor codes it is tried on ("*" for all)
    make: Callable[[str], tuple[SegmentFn, Realigned]]  # lang -> segmenter for that language
    chosen: bool = False
    extra: str = ""  # a package outside the project's dependencies (skipped if absent)


def _product(lang: str) -> tuple[SegmentFn, Realigned]:
    def run(text: str) -> SpanList:
        return [(s, e) for s, e, _p in seg._segment(text, lang, search=False, punctuation=True)]

    return run, Realigned()


def _icu(lang: str) -> tuple[SegmentFn, Realigned]:
    def run(text: str) -> SpanList:
        return seg_icu.icu_tokens(text)

    return run, Realigned()


_WS_PUNCT = re.compile(r"\w+|[^\w\s]")


def _ws_punct(lang: str) -> tuple[SegmentFn, Realigned]:
    def run(text: str) -> SpanList:
        return [m.span() for m in _WS_PUNCT.finditer(text)]

    return run, Realigned()


def _nltk(lang: str) -> tuple[SegmentFn, Realigned]:
    from nltk.tokenize import NLTKWordTokenizer

    tokenizer = NLTKWordTokenizer()

    def run(text: str) -> SpanList:
        return list(tokenizer.span_tokenize(text))

    return run, Realigned()


def _rjieba(t2s: bool) -> Callable[[str], tuple[SegmentFn, Realigned]]:
    def make(lang: str) -> tuple[SegmentFn, Realigned]:
        import opencc
        import rjieba

        converter = opencc.OpenCC("t2s")

        def run(text: str) -> SpanList:
            if t2s:
                converted = converter.convert(text)
                text = converted if len(converted) == len(text) else text
            return [(s, e) for _w, s, e in rjieba.tokenize(text)]

        return run, Realigned()

    return make


def _jieba(t2s: bool) -> Callable[[str], tuple[SegmentFn, Realigned]]:
    def make(lang: str) -> tuple[SegmentFn, Realigned]:
        import logging

        import jieba
        import opencc

        jieba.setLogLevel(logging.WARNING)
        converter = opencc.OpenCC("t2s")

        def run(text: str) -> SpanList:
            if t2s:
                converted = converter.convert(text)
                text = converted if len(converted) == len(text) else text
            return [(s, e) for _w, s, e in jieba.tokenize(text)]

        return run, Realigned()

    return make


def _pyvi(lang: str) -> tuple[SegmentFn, Realigned]:
    from pyvi import ViTokenizer

    realigned = Realigned()

    def run(text: str) -> SpanList:
        words = ViTokenizer.tokenize(text).split(" ")
        return spans_from_words(text, [w.replace("_", " ") for w in words], realigned)

    return run, realigned


def _khmercut(lang: str) -> tuple[SegmentFn, Realigned]:
    import khmercut

    realigned = Realigned()

    def run(text: str) -> SpanList:
        return spans_from_words(text, khmercut.tokenize(text), realigned)

    return run, realigned


def _khmer_nltk(lang: str) -> tuple[SegmentFn, Realigned]:
    import logging

    logging.getLogger("khmer-nltk").setLevel(logging.WARNING)
    from khmernltk import word_tokenize

    realigned = Realigned()

    def run(text: str) -> SpanList:
        return spans_from_words(text, word_tokenize(text), realigned)

    return run, realigned


def _burmesenlp(lang: str) -> tuple[SegmentFn, Realigned]:
    from burmesenlp import Lexicon, word_tokenize

    lexicon = Lexicon.default()
    realigned = Realigned()

    def run(text: str) -> SpanList:
        return spans_from_words(text, word_tokenize(text, lexicon=lexicon), realigned)

    return run, realigned


def _newmm(lang: str) -> tuple[SegmentFn, Realigned]:
    from pythainlp.tokenize import word_tokenize

    realigned = Realigned()

    def run(text: str) -> SpanList:
        return spans_from_words(text, word_tokenize(text, engine="newmm"), realigned)

    return run, realigned


def load_previous(path: Path) -> ModuleType:
    """An earlier ``infoharbor.text.segment`` (a module file or a package folder), to compare.

    E.g. ``git show 5bb45bd:src/infoharbor/text/segment.py > /tmp/segment_before.py``.
    """
    init = path / "__init__.py" if path.is_dir() else path
    locations = [str(path)] if path.is_dir() else None
    spec = importlib.util.spec_from_file_location(
        "segment_previous", init, submodule_search_locations=locations
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _segment_of(module: ModuleType) -> Callable[[str], tuple[SegmentFn, Realigned]]:
    def make(lang: str) -> tuple[SegmentFn, Realigned]:
        def run(text: str) -> SpanList:
            spans = module._segment(text, lang, search=False, punctuation=True)
            return [(s, e) for s, e, _p in spans]

        return run, Realigned()

    return make


ALL = frozenset({"*"})
LATIN = frozenset({"vi", "id", "fil", "en"})
ZH = frozenset({"zh-Hans", "zh-Hant"})
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("infoharbor segment()", ALL, _product, chosen=True),
    Candidate("ICU BreakIterator (word), whole sentence", ALL, _icu),
    Candidate("whitespace + punctuation split", LATIN, _ws_punct),
    Candidate("NLTK NLTKWordTokenizer", frozenset({"id", "fil", "en"}), _nltk),
    Candidate("rjieba (no conversion)", ZH, _rjieba(t2s=False)),
    Candidate("rjieba after OpenCC t2s, whole sentence", ZH, _rjieba(t2s=True)),
    Candidate("jieba (no conversion)", ZH, _jieba(t2s=False), extra="jieba"),
    Candidate("jieba after OpenCC t2s", ZH, _jieba(t2s=True), extra="jieba"),
    Candidate("pythainlp newmm", frozenset({"th"}), _newmm, extra="pythainlp"),
    Candidate("pyvi ViTokenizer.tokenize", frozenset({"vi"}), _pyvi),
    Candidate("khmercut.tokenize (its own features)", frozenset({"km"}), _khmercut),
    Candidate("khmer-nltk", frozenset({"km"}), _khmer_nltk, extra="khmernltk"),
    Candidate("burmesenlp word_tokenize, shared Lexicon", frozenset({"my"}), _burmesenlp),
)

# --- Measuring -----------------------------------------------------------------------------


@dataclass
class Row:
    lang: str
    gold_file: str
    sentences: int
    segmenter: str
    chosen: bool
    precision: float
    recall: float
    f1: float
    f1_words: float  # punctuation left out of gold and prediction (what segment() returns)
    chars_per_s: float
    timed_passes: int
    realigned: int
    notes: list[str] = field(default_factory=list)


def measure(
    gold_file: gold.GoldFile, candidate: Candidate, passes: int
) -> tuple[Row, list[SpanList]]:
    fn, realigned = candidate.make(gold_file.lang)
    texts = [s.text for s in gold_file.sentences]
    fn(texts[0])  # warm-up: loads models
    outputs = [fn(t) for t in texts]
    aligned_count = realigned.count
    best = float("inf")
    budget = time.perf_counter() + 120
    done = 0
    for _ in range(passes):
        # CPU time of this process, not wall time: the benchmark machine is shared, and
        # other processes' load would otherwise show up as a slower segmenter.
        start = time.process_time()
        for text in texts:
            fn(text)
        best = min(best, time.process_time() - start)
        done += 1
        if time.perf_counter() > budget:
            break
    result = gold.score(gold_file.sentences, iter(outputs))
    name = candidate.name
    if candidate.chosen:
        name = f"{name}: {seg.segmenter_for(gold_file.lang)}"
    row = Row(
        lang=gold_file.lang,
        gold_file=gold_file.path,
        sentences=len(texts),
        segmenter=name,
        chosen=candidate.chosen,
        precision=result.precision,
        recall=result.recall,
        f1=result.f1,
        f1_words=gold.score(gold_file.sentences, iter(outputs), words_only=True).f1,
        chars_per_s=gold_file.chars / best,
        timed_passes=done,
        realigned=aligned_count,
        notes=[f"{result.skipped} sentences skipped"] if result.skipped else [],
    )
    return row, outputs


def _applies(candidate: Candidate, lang: str) -> bool:
    return "*" in candidate.langs or lang in candidate.langs


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


# Short samples for the first-call time of the harbor's segmenter, per language.
LOAD_SAMPLES = {
    "zh-Hans": "我在北京大学读书",
    "th": "ราคา 3,990 บาท",
    "lo": "ນະຄອນຫຼວງວຽງຈັນ",
    "km": "ភ្នំពេញ",
    "my": "ရန်ကုန်မြို့",
    "vi": "Thành phố Hồ Chí Minh",
    "en": "The harbor opens today.",
    "fil": "Magandang umaga po.",
}


def first_call_seconds(lang: str, sample: str) -> float:
    """Import + load + first call of segment() in a fresh interpreter, in CPU seconds."""
    code = (
        "import time; t = time.process_time();"
        "from infoharbor.text.segment import segment;"
        f"segment({sample!r}, {lang!r}); print(time.process_time() - t)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    import icu

    info = _measure.machine(
        "pyicu-wheels", "opencc", "rjieba", "khmercut", "burmesenlp", "pyvi", "nltk",
        "python-crfsuite", "scikit-learn", "pythainlp", "jieba", "khmer-nltk",
    )  # fmt: skip
    info["icu"] = f"{icu.ICU_VERSION} (Unicode {icu.UNICODE_VERSION})"
    return info


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| language | gold file | sentences | segmenter | chosen | P | R | F1 | F1 words "
        "| chars/CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    best: dict[str, float] = {}
    for row in rows:
        best[row.gold_file] = max(best.get(row.gold_file, 0.0), row.f1)
    for row in rows:
        f1 = f"{row.f1:.3f}"
        if row.f1 == best[row.gold_file]:
            f1 = f"**{f1}**"
        lines.append(
            f"| {row.lang} | {row.gold_file} | {row.sentences} | {row.segmenter} "
            f"| {'yes' if row.chosen else ''} | {row.precision:.3f} | {row.recall:.3f} | {f1} "
            f"| {row.f1_words:.3f} | {row.chars_per_s:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sample sentences, one pass")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "segmentation.json"
    )
    parser.add_argument(
        "--previous",
        type=Path,
        help="an earlier infoharbor.text.segment (module file or package folder): measured "
        "beside the current one, and compared with it sentence by sentence",
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"gold data not found at {args.data}", file=sys.stderr)
        return 2
    passes = 1 if args.quick else 3
    rows: list[Row] = []
    notes: list[str] = []
    skipped = [c for c in CANDIDATES if c.extra and not _importable(c.extra)]
    for candidate in skipped:
        notes.append(f"{candidate.name}: skipped, `{candidate.extra}` is not installed")
    candidates = list(CANDIDATES)
    previous = None
    if args.previous is not None:
        previous = load_previous(args.previous)
        name = f"previous segment() ({args.previous.name})"
        candidates.insert(1, Candidate(name, ALL, _segment_of(previous)))
    started = time.perf_counter()
    info = machine()  # before the run: the load average says whether the timings are quiet
    for path in gold.all_paths():
        if not (args.data / path).exists():
            notes.append(f"{path}: not found, skipped")
            continue
        gold_file = gold.load(args.data, path)
        if args.quick:
            gold_file = gold.GoldFile(
                gold_file.lang, path, gold_file.sentences[:QUICK_SENTENCES], gold_file.notes
            )
        notes.extend(f"{path}: {note}" for note in gold_file.notes)
        current: list[SpanList] = []
        for candidate in candidates:
            if candidate in skipped or not _applies(candidate, gold_file.lang):
                continue
            row, outputs = measure(gold_file, candidate, passes)
            rows.append(row)
            if candidate.chosen:
                current = outputs
            elif previous is not None and candidate is candidates[1]:
                same = sum(a == b for a, b in zip(outputs, current, strict=True))
                lang = gold_file.lang
                same_search = sum(
                    previous.segment_for_search(s.text, lang)
                    == seg.segment_for_search(s.text, lang)
                    for s in gold_file.sentences
                )
                notes.append(
                    f"{path}: the previous segment() gives the same words as the current one "
                    f"on {same} of {len(outputs)} sentences, segment_for_search() the same "
                    f"words and parts on {same_search}"
                )
            if row.realigned:
                notes.append(
                    f"{row.segmenter} on {path}: {row.realigned} sentences realigned "
                    "(output did not spell the input)"
                )
            print(f"  {row.lang:8} {row.segmenter[:60]:60} F1 {row.f1:.3f}", file=sys.stderr)
    load = {lang: round(first_call_seconds(lang, s), 2) for lang, s in LOAD_SAMPLES.items()}
    print(table(rows))
    print()
    print("First call of segment() in a fresh interpreter (import, model load, call), CPU s:")
    print(", ".join(f"{lang} {seconds}" for lang, seconds in load.items()))
    print()
    for note in notes:
        print(f"- {note}")
    print()
    print(
        f"{_measure.machine_line(info)} ICU {info['icu']}; load average at start "
        f"{info['load_average']}"
    )
    elapsed = time.perf_counter() - started
    print(f"Run took {elapsed:.0f} s{' (--quick)' if args.quick else ''}.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "quick": args.quick,
                "target_chars_per_s": TARGET,
                "machine": info,
                "first_call_seconds": load,
                "rows": [asdict(r) for r in rows],
                "notes": notes,
                "seconds": round(elapsed, 1),
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
