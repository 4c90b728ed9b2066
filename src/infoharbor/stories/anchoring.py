"""Cross-language links between stories: the pure part (no database).

MinHash sees only characters, so a report and its translation start two stories. What a
translation keeps are its anchors (numbers, addresses, Latin-script names:
:func:`infoharbor.text.fingerprint.anchors.anchors`); an entry that starts a story is linked
to a story in another language, published within the window, when the two entries' anchors
pass :func:`~infoharbor.text.fingerprint.anchors.cross_language_link` (precision 100 %, recall
12 % on the UD PUD documents: ``bench/cross_language.py``).

Anchors are stored and compared as 64-bit hashes (:func:`hashed`), so the lookup table has a
fixed-width key. An anchor that too many stories carry in the window (a year, "ASEAN", a
country's name) is not looked up (:class:`Linker`): it would fan out to thousands of
candidates and says nothing about which story it is. It still counts when two candidates are
verified, since the rule was measured on whole anchor sets.

The :class:`Linker` holds one batch's view: the stored anchors and frequencies the batch's
entries need (read by :mod:`infoharbor.stories.services` in a few queries per batch), to
which each entry of the batch is added as it is assigned, so that the result does not depend
on where the batches start (a rebuild gives the same stories).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import struct
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from infoharbor.text.fingerprint.anchors import Anchors, anchors, cross_language_link

__all__ = [
    "AnchorTemplate",
    "Candidate",
    "Link",
    "Linker",
    "anchor_key",
    "base_language",
    "day_of",
    "entry_anchors",
    "hashed",
    "keys_of",
    "learn_anchor_template",
    "pack",
    "unpack",
]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Candidates verified per entry, the ones sharing the most looked-up anchors: the rule is
# strict, so the best few are where a link is, and verifying more costs without finding more.
VERIFY = 3


def anchor_key(anchor: str) -> int:
    """The anchor's 64-bit hash as a signed integer (a BIGINT on SQLite and PostgreSQL)."""
    digest = hashlib.blake2b(anchor.encode("utf-8"), digest_size=8).digest()
    value: int = struct.unpack("<q", digest)[0]
    return value


def hashed(found: Anchors) -> Anchors:
    """``found`` with every anchor replaced by its key (in decimal): what is stored. Numbers
    and addresses are kept apart from names, since the rule needs one shared number or
    address."""
    return Anchors(
        numbers=frozenset(str(anchor_key(a)) for a in found.numbers | found.addresses),
        addresses=frozenset(),
        names=frozenset(str(anchor_key(a)) for a in found.names),
    )


@functools.lru_cache(maxsize=4096)
def keys_of(found: Anchors) -> tuple[int, ...]:
    """The keys of hashed anchors, sorted (cached: a batch asks for each entry's several
    times)."""
    return tuple(sorted(int(key) for key in found.all))


def pack(found: Anchors) -> bytes:
    """Hashed anchors as bytes: the count of numbers and addresses, then their keys, then
    the names' keys (8 bytes each)."""
    strong = sorted(int(key) for key in found.numbers | found.addresses)
    names = sorted(int(key) for key in found.names)
    return struct.pack(f"<I{len(strong) + len(names)}q", len(strong), *strong, *names)


def unpack(data: bytes) -> Anchors:
    """The hashed anchors :func:`pack` wrote; empty for empty bytes."""
    if not data:
        return Anchors(frozenset(), frozenset(), frozenset())
    (strong,) = struct.unpack_from("<I", data)
    keys = struct.unpack_from(f"<{(len(data) - 4) // 8}q", data, 4)
    return Anchors(
        numbers=frozenset(str(key) for key in keys[:strong]),
        addresses=frozenset(),
        names=frozenset(str(key) for key in keys[strong:]),
    )


@dataclass(frozen=True, slots=True)
class AnchorTemplate:
    """What an organization repeats: whole lines (its header, footer, copyright line) and the
    anchors in them (its name, web address, telephone, the year)."""

    lines: frozenset[str] = frozenset()
    anchors: frozenset[str] = frozenset()


def learn_anchor_template(texts: Iterable[str], *, min_share: float = 0.5) -> AnchorTemplate:
    """The lines and anchors an organization repeats in at least ``min_share`` of its recent
    entries (and in four of them at least). Two entries of one outlet in two languages share
    them whatever their stories, so they are left out of its entries' anchors (as
    learn_boilerplate leaves its template out of their fingerprints).

    An anchor never spans a space, so the anchors of the words (runs between spaces) repeated
    that often are the template's: reading them costs a split of each text and one
    :func:`anchors` call, where reading every text's anchors would cost twenty. The repeated
    lines are dropped before an entry's anchors are read, which halves the text to read for
    an outlet whose template is as long as its stories.
    """
    words: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    seen = 0
    for text in texts:
        seen += 1
        words.update(set(text.split()))
        lines.update({line.strip() for line in text.splitlines() if line.strip()})
    if seen < 4:
        return AnchorTemplate()
    needed = max(4, math.ceil(min_share * seen))
    repeated = " ".join(word for word, count in words.items() if count >= needed)
    return AnchorTemplate(
        lines=frozenset(line for line, count in lines.items() if count >= needed),
        anchors=anchors(repeated).all,
    )


def entry_anchors(text: str, template: AnchorTemplate) -> Anchors:
    """The anchors of an entry's text without its organization's template, hashed."""
    if template.lines:
        text = "\n".join(line for line in text.splitlines() if line.strip() not in template.lines)
    found = anchors(text)
    left = template.anchors
    return hashed(Anchors(found.numbers - left, found.addresses - left, found.names - left))


def base_language(code: str) -> str:
    """The language without script or region: zh-Hans and zh-Hant are one language here (the
    fingerprints compare them as one text already), so they are never linked by anchors."""
    return code.split("-", 1)[0].lower()


def day_of(moment: dt.datetime) -> int:
    """Days since 1970-01-01 in UTC: the frequency table's day."""
    return (moment - _EPOCH) // dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored (or earlier in the batch) entry whose anchors can be looked up."""

    entry: int
    language: str  # base language
    seen_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Link:
    """An entry linked by anchors: to ``entry``, in the story labelled ``label``."""

    entry: int
    label: int
    shared: int  # anchors the two share
    share: float  # ... as a share of the smaller item's anchors


@dataclass
class Linker:
    """One batch's anchor lookup (see the module's docstring).

    ``frequencies`` are key -> day -> stories; ``rows`` key -> candidates carrying it;
    ``members`` entry -> (its hashed anchors, its story's label); ``languages`` label -> the
    base languages its story has. Stored stories are labelled by their negated id, as in
    :func:`infoharbor.stories.services._candidates`.
    """

    window: dt.timedelta
    max_stories: int
    frequencies: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    rows: dict[int, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    members: dict[int, tuple[Anchors, int]] = field(default_factory=dict)
    languages: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def days(self, moment: dt.datetime) -> range:
        return range(day_of(moment - self.window), day_of(moment + self.window) + 1)

    def frequency(self, key: int, days: range) -> int:
        """Stories carrying ``key`` on ``days``."""
        by_day = self.frequencies.get(key)
        return sum(n for day, n in by_day.items() if day in days) if by_day else 0

    def lookup_keys(self, found: Anchors, moment: dt.datetime) -> list[int]:
        """The keys of ``found`` rare enough to look up around ``moment``."""
        days = self.days(moment)
        return [key for key in keys_of(found) if self.frequency(key, days) <= self.max_stories]

    def find(self, found: Anchors, language: str, moment: dt.datetime) -> Link | None:
        """The story in another language an entry with anchors ``found`` belongs to, or None:
        the candidates sharing the most rare anchors with it, verified by the rule."""
        language = base_language(language)
        shared: Counter[int] = Counter()
        seen: dict[int, dt.datetime] = {}
        for key in self.lookup_keys(found, moment):
            for candidate in self.rows.get(key, ()):
                if candidate.language == language:
                    continue
                if abs(candidate.seen_at - moment) > self.window:
                    continue
                shared[candidate.entry] += 1
                seen[candidate.entry] = candidate.seen_at
        ranked = []
        for entry, count in shared.items():
            stored = self.members.get(entry)
            if stored is None:
                continue
            # A story that has the entry's language already: the entry did not join it by its
            # text, so it is another story in that language (or a rewrite MinHash cannot see);
            # anchors never put two entries of one language together.
            if language in self.languages[stored[1]]:
                continue
            ranked.append((-count, seen[entry], entry))
        for _, _, entry in sorted(ranked)[:VERIFY]:
            other, label = self.members[entry]
            link = cross_language_link(found, other)
            if link is not None:
                share = len(link) / max(1, min(len(found), len(other)))
                return Link(entry, label, len(link), share)
        return None

    def add(
        self, entry: int, found: Anchors, language: str, moment: dt.datetime, label: int
    ) -> None:
        """Make an entry of the batch a candidate for the entries after it, and count its
        anchors as one more story on its day."""
        candidate = Candidate(entry, base_language(language), moment)
        day = day_of(moment)
        for key in keys_of(found):
            self.rows[key].append(candidate)
            by_day = self.frequencies[key]
            by_day[day] = by_day.get(day, 0) + 1
        self.members[entry] = (found, label)

    def note(self, label: int, language: str) -> None:
        """An entry in ``language`` joined the story ``label`` (by its text or its anchors)."""
        self.languages[label].add(base_language(language))
