"""Cutting mixed text into runs of one script, each for its script's segmenter."""

from __future__ import annotations

import re

from ._base import Run, token_script
from ._icu import icu_tokens

# ICU glues Latin letters and digits to Thai, Lao, Khmer and Myanmar letters when no space
# separates them (``abcကို``, ``XLဆို``, ``12ကို`` are one ICU word), and those scripts to each
# other: such tokens are cut where the script changes.
_SA = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\ua9e0-\ua9ff\uaa60-\uaa7f"
_SCRIPT_CHUNK = re.compile(
    "[\u0e00-\u0e7f]+|[\u0e80-\u0eff]+|[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]+"
    f"|[\u1780-\u17ff\u19e0-\u19ff]+|[^{_SA}]+"
)


def _script_tokens(text: str) -> list[tuple[int, int]]:
    """ICU word tokens, cut where a token changes between a Southeast Asian script and another."""
    tokens = icu_tokens(text)
    if text.isascii():
        return tokens
    # Where the script changes, found once for the whole text (the last is its end).
    changes = [m.end() for m in _SCRIPT_CHUNK.finditer(text)]
    if len(changes) == 1:
        return tokens
    out: list[tuple[int, int]] = []
    k = 0
    for start, end in tokens:
        while changes[k] <= start:
            k += 1
        while changes[k] < end:
            out.append((start, changes[k]))
            start = changes[k]
            k += 1
        out.append((start, end))
    return out


def script_runs(text: str) -> list[Run]:
    """Cut ``text`` into runs of one script along ICU word boundaries.

    Tokens without letters (spaces, digits, punctuation) join the run before them, so a
    Thai price ``ราคา 3,990 บาท`` stays one run; at the start of the text they join the first
    run that has letters.
    """
    runs: list[Run] = []
    pending: list[tuple[int, int, str | None]] = []
    current: Run | None = None
    for start, end in _script_tokens(text):
        script = token_script(text[start:end])
        if script is None:
            if current is None:
                pending.append((start, end, None))
            else:
                current.tokens.append((start, end, None))
            continue
        if current is not None and current.script == script:
            current.tokens.append((start, end, script))
            continue
        if current is not None:
            runs.append(current._replace(end=current.tokens[-1][1]))
        current = Run(script, pending[0][0] if pending else start, end, [*pending])
        pending = []
        current.tokens.append((start, end, script))
    if current is not None:
        runs.append(current._replace(end=current.tokens[-1][1]))
    elif pending:
        runs.append(Run(None, pending[0][0], pending[-1][1], pending))
    return runs


def one_script_run(text: str, script: str, letters: re.Pattern[str]) -> Run:
    """What ``script_runs`` gives for a text whose letters are all of ``script``: one run.

    ``letters`` finds a letter (``str.isalpha``) of the script: a token has the script when
    it holds one, and none otherwise. Skips the per-token script lookup and run building.
    """
    tokens: list[tuple[int, int, str | None]] = [
        (start, end, script if letters.search(text, start, end) else None)
        for start, end in _script_tokens(text)
    ]
    return Run(script, 0, len(text), tokens)
