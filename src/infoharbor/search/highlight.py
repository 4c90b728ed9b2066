"""Snippets with the query's words marked, cut from the original text.

The text is analysed again with the same function that indexed it; every term knows where it
sits in the original, so marks and cuts fall on the original characters (never inside a
grapheme cluster, never on normalized or converted text: a Traditional Chinese entry found by a
Simplified query is shown and marked in Traditional).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from infoharbor.search.query import All, Any_, Concept, Node, Not, ParsedQuery, Phrase, Prefix, Word
from infoharbor.text.analyze import analyze, has_unspaced
from infoharbor.text.normalize import fold_diacritics, normalize

SNIPPET_CHARS = 220


@dataclass
class Wanted:
    """The forms of the query's words to mark."""

    terms: set[str] = field(default_factory=set)
    folded: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    substrings: set[str] = field(default_factory=set)  # unspaced words found inside compounds


def wanted(query: ParsedQuery) -> Wanted:
    found = Wanted()

    def walk(node: Node | None) -> None:
        if node is None or isinstance(node, Not):
            return
        if isinstance(node, Word):
            found.terms.add(node.text)
            found.terms.update(node.parts)
            if node.folded:
                found.folded.add(node.folded)
            if has_unspaced(node.text):
                found.substrings.add(node.text)
        elif isinstance(node, Phrase):
            found.terms.update(node.tokens)
        elif isinstance(node, Prefix):
            found.prefixes.add(node.text)
        elif isinstance(node, Concept):
            for word in node.words:
                walk(word)
        elif isinstance(node, All | Any_):
            for child in node.children:
                walk(child)

    walk(query.root)
    return found


def marks(text: str, language: str | None, want: Wanted) -> list[tuple[int, int]]:
    """Spans of ``text`` (original offsets) to mark, sorted, not overlapping."""
    spans: list[tuple[int, int]] = []
    analyzed = analyze(text, language)
    for term in analyzed.terms:
        if (
            term.text in want.terms
            or (term.stem is not None and term.stem in want.terms)  # found by its stem
            or (want.folded and fold_diacritics(term.text) in want.folded)
            or any(term.text.startswith(prefix) for prefix in want.prefixes)
        ):
            spans.append((term.start, term.end))
    if want.substrings:
        normalized = normalize(text, language)
        for needle in want.substrings:
            start = normalized.text.find(needle)
            while start != -1:
                spans.append(normalized.span_in_input(start, start + len(needle)))
                start = normalized.text.find(needle, start + len(needle))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, language: str | None, want: Wanted) -> SafeString:
    """The whole of ``text`` (a title) with the query's words marked."""
    return _render(text, 0, len(text), marks(text, language, want))


def snippet(text: str, language: str | None, want: Wanted, size: int = SNIPPET_CHARS) -> SafeString:
    """The passage of ``text`` with the most marked words, about ``size`` characters."""
    if not text:
        return mark_safe("")
    spans = marks(text, language, want)
    if len(text) <= size:
        return _render(text, 0, len(text), spans)
    start = _best_window(spans, size)
    end = min(len(text), start + size)
    start, end = _snap(text, language, start, end)
    html = _render(text, start, end, [s for s in spans if s[0] >= start and s[1] <= end])
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - built from escaped parts


def _best_window(spans: list[tuple[int, int]], size: int) -> int:
    if not spans:
        return 0
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (start, _end) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + size:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    # A little context before the first mark.
    return max(0, best_start - size // 6)


def _snap(text: str, language: str | None, start: int, end: int) -> tuple[int, int]:
    """Move a cut to word boundaries (never inside a word or a grapheme cluster)."""
    terms = analyze(text[max(0, start - 60) : min(len(text), end + 60)], language).terms
    offset = max(0, start - 60)
    starts = [t.start + offset for t in terms if not t.part]
    ends = [t.end + offset for t in terms if not t.part]
    if start > 0:
        after = [s for s in starts if s >= start]
        start = after[0] if after else start
    if end < len(text):
        before = [e for e in ends if e <= end and e > start]
        end = before[-1] if before else end
    return start, end


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> SafeString:
    out: list[str] = []
    at = start
    for span_start, span_end in spans:
        if span_start < at or span_end > end:
            continue
        out.append(escape(text[at:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        at = span_end
    out.append(escape(text[at:end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped
