"""Question -> paragraph retrieval sets from the shared QA data, and distractor paragraphs.

Used by ``bench/retrieval.py``. Only the tuning splits are read: CMRC 2018 *dev* (zh),
iapp-wiki-qa *valid* (th) and FacQA *valid* (id). The other splits (CMRC trial, iapp test, FacQA
test) are held out for final figures and are never opened here.

A set is a corpus of distinct paragraphs (SQuAD repeats a context once per question; FacQA
repeats a passage for each of its questions) and questions, each with the index of the one
paragraph that answers it.

Distractors pad a corpus with paragraphs of the same language from the other shared texts (UD
treebanks, UDHR, Tatoeba); none of them comes from a QA set, so none answers a question.
Sentences are grouped into paragraphs of consecutive sentences from the same source, as few per
paragraph as it takes to reach about three distractors per corpus paragraph (one sentence each
when the texts do not suffice); UDHR paragraphs are kept as they are.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# How many distractor paragraphs to aim for, per corpus paragraph.
DISTRACTOR_RATIO = 3


@dataclass(frozen=True)
class Question:
    text: str
    gold: int  # index of the answering paragraph in QASet.paragraphs
    qid: str


@dataclass(frozen=True)
class QASet:
    key: str  # zh, th, id
    lang: str  # harbor content code
    name: str  # data set and split, as reported
    paragraphs: tuple[str, ...]
    questions: tuple[Question, ...]
    note: str = ""


@dataclass(frozen=True)
class Distractors:
    lang: str
    paragraphs: tuple[str, ...]
    sources: dict[str, int]  # source label -> paragraphs taken from it
    sentences_per_paragraph: int


class _Corpus:
    """Distinct paragraphs in first-seen order."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(self.index)


# --- QA sets ----------------------------------------------------------------------------------


def load_cmrc_dev(data: Path = DATA) -> QASet:
    path = data / "qa-cmrc2018-zh" / "cmrc2018_dev.squad.json"
    corpus = _Corpus()
    questions = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            gold = corpus.add(paragraph["context"].strip())
            questions.extend(
                Question(qa["question"].strip(), gold, qa["id"]) for qa in paragraph["qas"]
            )
    return QASet("zh", "zh", "CMRC 2018 dev", corpus.paragraphs, tuple(questions))


def load_iapp_valid(data: Path = DATA) -> QASet:
    path = data / "qa-iapp-wiki-th" / "valid.jsonl"
    corpus = _Corpus()
    questions = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            gold = corpus.add(row["context"].strip())
            questions.append(Question(row["question"].strip(), gold, row["question_id"]))
    return QASet("th", "th", "iapp-wiki-qa valid", corpus.paragraphs, tuple(questions))


# Detokenizing FacQA: no space before closing punctuation, none after opening brackets, and
# quotes attach to the side they open or close.
_NO_SPACE_BEFORE = set(",.;:!?)]}%")
_NO_SPACE_AFTER = set("([{")


def detokenize(tokens: Iterable[str]) -> str:
    out: list[str] = []
    quote_open = False
    glue_next = False
    for token in tokens:
        if not token:
            continue
        if token in {'"', "''", "``"}:
            if quote_open:
                out.append(token if not out else '"')
                quote_open = False
            else:
                out.append((" " if out else "") + '"')
                quote_open = True
                glue_next = True
                continue
        elif not out or glue_next or token in _NO_SPACE_BEFORE or token.startswith("'"):
            out.append(token)
        else:
            out.append(" " + token)
        glue_next = token in _NO_SPACE_AFTER
    return "".join(out).strip()


def load_facqa_valid(data: Path = DATA) -> QASet:
    path = data / "qa-facqa-id" / "valid_preprocess.csv"
    corpus = _Corpus()
    questions = []
    with path.open(encoding="utf-8", newline="") as rows:
        for number, row in enumerate(csv.DictReader(rows)):
            passage = detokenize(ast.literal_eval(row["passage"]))
            question = detokenize(ast.literal_eval(row["question"]))
            questions.append(Question(question, corpus.add(passage), f"valid-{number}"))
    return QASet(
        "id",
        "id",
        "FacQA valid",
        corpus.paragraphs,
        tuple(questions),
        note="passages and questions rebuilt from the token lists: tokens joined by spaces, "
        "none before , . ; : ! ? ) % or after (, quotes attached; distinct passages by text",
    )


LOADERS = {"zh": load_cmrc_dev, "th": load_iapp_valid, "id": load_facqa_valid}


# --- Distractors ------------------------------------------------------------------------------


def _conllu_sentences(path: Path) -> Iterator[tuple[str, str]]:
    """(document key, text) of each sentence; PUD ids carry the document (n01001011 -> n01001),
    other treebanks are taken as one running document."""
    sent_id = ""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("# sent_id ="):
                sent_id = line.split("=", 1)[1].strip()
            elif line.startswith("# text ="):
                text = line.split("=", 1)[1].strip()
                doc = sent_id[:6] if re.fullmatch(r"[nw]\d{8}", sent_id) else path.name
                yield doc, text


def _udhr_paragraphs(path: Path) -> list[str]:
    root = ET.parse(path).getroot()  # noqa: S314 - a shared data file, not user input
    paras = []
    for element in root.iter("{http://efele.net/udhr}para"):
        text = " ".join("".join(element.itertext()).split())
        if text:
            paras.append(text)
    return paras


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# Sources per language: (label, kind, relative path). Only Simplified-script Chinese sources are
# doubled by the Traditional UD GSD (the same sentences), so GSD is left out; PUD (Traditional)
# is a different text and stays.
_SOURCES: dict[str, list[tuple[str, str, str]]] = {
    "zh": [
        (
            "UD Chinese-GSDSimp test+dev",
            "conllu",
            "ud-treebanks/UD_Chinese-GSDSimp/zh_gsdsimp-ud-test.conllu",
        ),
        (
            "UD Chinese-GSDSimp test+dev",
            "conllu",
            "ud-treebanks/UD_Chinese-GSDSimp/zh_gsdsimp-ud-dev.conllu",
        ),
        (
            "UD Chinese-PUD (Traditional)",
            "conllu",
            "ud-treebanks/UD_Chinese-PUD/zh_pud-ud-test.conllu",
        ),
        ("Tatoeba cmn", "lines", "parallel-tatoeba/tatoeba.cmn-eng.cmn"),
        ("UDHR cmn-Hans", "udhr", "parallel-udhr/udhr_cmn_hans.xml"),
    ],
    "th": [
        ("UD Thai-PUD", "conllu", "ud-treebanks/UD_Thai-PUD/th_pud-ud-test.conllu"),
        ("Tatoeba tha", "lines", "parallel-tatoeba/tatoeba.tha-eng.tha"),
        ("UDHR tha", "udhr", "parallel-udhr/udhr_tha.xml"),
    ],
    "id": [
        (
            "UD Indonesian-GSD test+dev",
            "conllu",
            "ud-treebanks/UD_Indonesian-GSD/id_gsd-ud-test.conllu",
        ),
        (
            "UD Indonesian-GSD test+dev",
            "conllu",
            "ud-treebanks/UD_Indonesian-GSD/id_gsd-ud-dev.conllu",
        ),
        ("UD Indonesian-PUD", "conllu", "ud-treebanks/UD_Indonesian-PUD/id_pud-ud-test.conllu"),
        ("Tatoeba ind", "lines", "parallel-tatoeba/tatoeba.ind-eng.ind"),
        ("UDHR ind", "udhr", "parallel-udhr/udhr_ind.xml"),
    ],
}


def load_distractors(lang: str, corpus_size: int, data: Path = DATA) -> Distractors:
    """Paragraphs of ``lang`` from the other shared texts, about DISTRACTOR_RATIO per corpus
    paragraph when the texts give that many."""
    # Sentence streams: label -> list of (document, sentence); UDHR paragraphs stay whole.
    streams: dict[str, list[tuple[str, str]]] = {}
    whole: dict[str, list[str]] = {}
    for label, kind, relative in _SOURCES[lang]:
        path = data / relative
        if kind == "conllu":
            streams.setdefault(label, []).extend(_conllu_sentences(path))
        elif kind == "lines":
            streams.setdefault(label, []).extend((path.name, s) for s in _lines(path))
        else:
            whole.setdefault(label, []).extend(_udhr_paragraphs(path))
    sentences = sum(len(s) for s in streams.values())
    target = DISTRACTOR_RATIO * corpus_size - sum(len(p) for p in whole.values())
    per = max(1, sentences // max(target, 1))
    paragraphs: list[str] = []
    sources: dict[str, int] = {}
    joiner = "" if lang == "zh" else " "  # Thai separates sentences with a space
    for label, stream in streams.items():
        group: list[str] = []
        doc = None
        before = len(paragraphs)
        for sentence_doc, sentence in [*stream, (None, "")]:
            if group and (sentence_doc != doc or len(group) == per):
                paragraphs.append(joiner.join(group))
                group = []
            doc = sentence_doc
            if sentence:
                group.append(sentence)
        sources[label] = len(paragraphs) - before
    for label, paras in whole.items():
        paragraphs.extend(paras)
        sources[label] = len(paras)
    distinct = tuple(dict.fromkeys(paragraphs))
    return Distractors(lang, distinct, sources, per)
