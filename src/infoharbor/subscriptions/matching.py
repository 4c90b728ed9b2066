"""Matching new entries against every subscription, percolator-style: plain Python, no Django.

A subscription is a parsed query (:mod:`infoharbor.search.query`) and the search page's
filters. It matches an entry exactly when the search page, with that query and those filters,
would list the entry for the subscriber: the same analysed terms, the same rules for words,
phrases, prefixes, concepts, OR and NOT as the embedded backend's compiled query
(``search/backends/embedded.py``), filters OR within a field and AND across them, and the same
visibility and expiry. One difference is deliberate: the search page falls back to "some of the
words" when nothing in the whole collection has all of them; a subscription never does (an
alert for "rice export" must not fire on every entry that says "rice").

Finding the subscriptions an entry matches without checking every one:

1. :func:`compile_subscription` reduces the subscription to its *anchor*: a set of keys at
   least one of which every matching entry must have. A word gives its term (and its
   accent-free form, and the first of its parts), a phrase its rarest word, a prefix its first
   letters, OR the union of its sides, AND the cheapest of its sides, a filter the values of its
   field, a follow of a story cluster the cluster. A subscription without any required key
   (``-draft`` alone) goes on the match-all list.
2. :class:`MatchIndex` maps each anchor key to the subscriptions anchored on it.
3. :meth:`MatchIndex.match` looks up the keys of the entry (its terms, filter values,
   concepts, clusters), then verifies each candidate exactly against the entry: the anchor only
   narrows, it never decides alone.

Adding and removing a subscription changes only its own keys (no rebuild).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from infoharbor.search.query import All, Any_, Concept, Node, Not, Phrase, Prefix, Word

# Key namespaces. "t": a term of the title, body, organization name or parts; "f": an
# accent-free form; "c": a concept (country:VN, sector:trade); "p": the first letters of a term
# (for prefixes); the filter fields; "story": a story cluster.
TERM, FOLDED, CONCEPT, PREFIX, BIGRAM, STORY = "t", "f", "c", "p", "b", "story"
FILTER_FIELDS = ("platform", "kind", "country", "language", "sector", "organization")
# Prefixes are anchored on at most this many first letters: an entry looks up this many
# prefixes of each of its terms.
PREFIX_KEY_CHARS = 4

Key = tuple[str, str]
# A subscription with words and filters can be filed under a pair: a key of its words and a
# value of one of its filters ("t|country", "rice" + SEP + "TH"), found only in entries that
# have both. Entries have one value of these fields (sectors: a few).
COMPOSABLE = ("country", "language", "kind", "platform", "organization", "sector")
SEP = "\x1f"
MAX_PAIRS = 12
# None: "no required key" (matches without any); an empty set: "can never match".
Anchor = frozenset[Key] | None

# How likely an entry is to have a key when nothing better is known (lower is rarer). A term
# is assumed rare, longer terms rarer; a filter value by how many values its field has.
DEFAULT_COST: dict[str, float] = {
    TERM: 0.01,
    FOLDED: 0.01,
    CONCEPT: 0.05,
    PREFIX: 0.1,
    BIGRAM: 0.002,
    STORY: 0.0001,
    "organization": 0.001,
    "sector": 0.05,
    "country": 0.1,
    "kind": 0.2,
    "language": 0.15,
    "platform": 0.3,
}


@dataclass(frozen=True)
class Scope:
    """The search page's filters: within a field any value (OR), across fields all (AND)."""

    platform: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    organization: tuple[int, ...] = ()
    published_from: dt.datetime | None = None
    published_to: dt.datetime | None = None  # exclusive
    story: tuple[int, ...] = ()  # story clusters (a follow of a cluster)

    @classmethod
    def of(cls, filters: object, story: tuple[int, ...] = ()) -> Scope:
        """From a :class:`infoharbor.search.backends.base.Filters` (read by attribute, so this
        module needs no Django)."""
        return cls(
            platform=tuple(getattr(filters, "platform", ())),
            kind=tuple(getattr(filters, "kind", ())),
            country=tuple(getattr(filters, "country", ())),
            language=tuple(getattr(filters, "language", ())),
            sector=tuple(getattr(filters, "sector", ())),
            organization=tuple(getattr(filters, "organization", ())),
            published_from=getattr(filters, "published_from", None),
            published_to=getattr(filters, "published_to", None),
            story=story,
        )


@dataclass
class EntryFacts:
    """What matching needs of an entry: its index document's terms and filter values."""

    entry_id: int
    kind: str
    platform: str
    country: str
    language: str
    organization_id: int
    visibility: str
    sectors: tuple[str, ...]
    published_at: dt.datetime
    expires_at: dt.datetime | None = None
    title: tuple[str, ...] = ()  # in order, as the index has them (phrases need positions)
    body: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    stories: tuple[int, ...] = ()
    # Derived once per entry by prepare().
    terms: frozenset[str] = frozenset()  # title, body, organization and parts
    prefixable: frozenset[str] = frozenset()  # title, body, organization
    folded_set: frozenset[str] = frozenset()
    concept_set: frozenset[str] = frozenset()
    _positions: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    _sorted: list[str] | None = None
    _bigrams: frozenset[str] | None = None
    _prefix_keys: frozenset[str] | None = None

    @property
    def bigrams(self) -> frozenset[str]:
        """Pairs of terms in a row of the title or the body, as "a b" (2-word phrases)."""
        if self._bigrams is None:
            pairs: set[str] = set()
            for words in (self.title, self.body):
                pairs.update(f"{a} {b}" for a, b in itertools.pairwise(words))
            self._bigrams = frozenset(pairs)
        return self._bigrams

    @property
    def prefix_keys(self) -> frozenset[str]:
        """The first 1 to PREFIX_KEY_CHARS letters of each term that prefixes match."""
        if self._prefix_keys is None:
            self._prefix_keys = frozenset(
                term[:length]
                for term in self.prefixable
                for length in range(1, min(len(term), PREFIX_KEY_CHARS) + 1)
            )
        return self._prefix_keys

    def keys_of(self, namespace: str) -> frozenset[str] | tuple[str, ...]:
        """The entry's values of a key namespace."""
        if namespace == TERM:
            return self.terms
        if namespace == FOLDED:
            return self.folded_set
        if namespace == CONCEPT:
            return self.concept_set
        if namespace == PREFIX:
            return self.prefix_keys
        if namespace == BIGRAM:
            return self.bigrams
        if namespace == "sector":
            return self.sectors
        if namespace == "organization":
            return (str(self.organization_id),)
        if namespace == STORY:
            return tuple(str(story) for story in self.stories)
        return (getattr(self, namespace),)

    @classmethod
    def of(cls, document: object, stories: Iterable[int] = ()) -> EntryFacts:
        """From a :class:`infoharbor.search.documents.IndexDocument`."""
        d = document
        return cls(
            entry_id=d.entry_id,  # type: ignore[attr-defined]
            kind=d.kind,  # type: ignore[attr-defined]
            platform=d.platform,  # type: ignore[attr-defined]
            country=d.country,  # type: ignore[attr-defined]
            language=d.language,  # type: ignore[attr-defined]
            organization_id=d.organization_id,  # type: ignore[attr-defined]
            visibility=d.visibility,  # type: ignore[attr-defined]
            sectors=tuple(d.sectors),  # type: ignore[attr-defined]
            published_at=d.published_at,  # type: ignore[attr-defined]
            expires_at=d.expires_at,  # type: ignore[attr-defined]
            title=tuple(d.title),  # type: ignore[attr-defined]
            body=tuple(d.body),  # type: ignore[attr-defined]
            organization=tuple(d.organization),  # type: ignore[attr-defined]
            parts=tuple(d.parts),  # type: ignore[attr-defined]
            folded=tuple(d.folded),  # type: ignore[attr-defined]
            concepts=tuple(d.concepts),  # type: ignore[attr-defined]
            stories=tuple(stories),
        ).prepare()

    def prepare(self) -> EntryFacts:
        self.prefixable = (
            frozenset(self.title) | frozenset(self.body) | frozenset(self.organization)
        )
        self.terms = self.prefixable | frozenset(self.parts)
        self.folded_set = frozenset(self.folded)
        self.concept_set = frozenset(self.concepts)
        return self

    def has_prefix(self, prefix: str) -> bool:
        """A term of the title, body or organization name begins with ``prefix``."""
        ordered = self._sorted
        if ordered is None:
            ordered = self._sorted = sorted(self.prefixable)
        at = bisect.bisect_left(ordered, prefix)
        return at < len(ordered) and ordered[at].startswith(prefix)

    def has_phrase(self, field_name: str, tokens: tuple[str, ...]) -> bool:
        """``tokens`` one after the other in the title or body (as a phrase query sees them:
        the field's terms in the order they were indexed)."""
        words: tuple[str, ...] = getattr(self, field_name)
        if len(tokens) == 1:
            return tokens[0] in words
        positions = self._positions.get(field_name)
        if positions is None:
            positions = {}
            for at, word in enumerate(words):
                positions.setdefault(word, []).append(at)
            self._positions[field_name] = positions
        first = positions.get(tokens[0])
        if not first:
            return False
        rest = [positions.get(token) for token in tokens[1:]]
        if not all(rest):
            return False
        n = len(tokens)
        return any(words[start : start + n] == tokens for start in first)


# --- Evaluating a query against an entry (the embedded backend's semantics) ------------------


def _word(word: Word, entry: EntryFacts) -> bool:
    if word.text in entry.terms:
        return True
    if word.parts and (
        entry.has_phrase("title", word.parts) or entry.has_phrase("body", word.parts)
    ):
        return True
    return bool(word.folded) and word.folded in entry.folded_set


def evaluate(node: Node, entry: EntryFacts) -> bool:
    """Whether ``entry`` matches ``node`` (a parsed query's root)."""
    if isinstance(node, Word):
        return _word(node, entry)
    if isinstance(node, Phrase):
        return entry.has_phrase("title", node.tokens) or entry.has_phrase("body", node.tokens)
    if isinstance(node, Prefix):
        return entry.has_prefix(node.text)
    if isinstance(node, Concept):
        if any(key in entry.concept_set for key in node.keys):
            return True
        return all(_word(word, entry) for word in node.words)
    if isinstance(node, All):
        for child in node.children:
            if isinstance(child, Not):
                if evaluate(child.child, entry):
                    return False
            elif not evaluate(child, entry):
                return False
        return True
    if isinstance(node, Any_):
        return any(evaluate(child, entry) for child in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, entry)
    raise TypeError(f"unknown query node {node!r}")


def in_scope(scope: Scope, entry: EntryFacts) -> bool:
    if scope.platform and entry.platform not in scope.platform:
        return False
    if scope.kind and entry.kind not in scope.kind:
        return False
    if scope.country and entry.country not in scope.country:
        return False
    if scope.language and entry.language not in scope.language:
        return False
    if scope.sector and not any(sector in scope.sector for sector in entry.sectors):
        return False
    if scope.organization and entry.organization_id not in scope.organization:
        return False
    if scope.published_from and entry.published_at < scope.published_from:
        return False
    if scope.published_to and entry.published_at >= scope.published_to:
        return False
    return not scope.story or any(story in scope.story for story in entry.stories)


# --- Compiling a subscription into its anchor ------------------------------------------------


Costs = Callable[[Key], float]


def default_cost(key: Key) -> float:
    namespace, value = key
    base = DEFAULT_COST.get(namespace, 0.1)
    if namespace in (TERM, FOLDED):
        # Longer words are rarer, as a rule (a few letters or one Han character: common).
        return base * 4 / (len(value) + 3)
    if namespace == PREFIX:
        return base * 3 / (len(value) + 2)
    return base


def with_frequencies(frequencies: Mapping[Key, float], fallback: Costs = default_cost) -> Costs:
    """Costs from measured key frequencies (the share of entries that have the key)."""

    def cost(key: Key) -> float:
        found = frequencies.get(key)
        return found if found is not None else fallback(key)

    return cost


def _union(anchors: list[Anchor]) -> Anchor:
    if any(anchor is None for anchor in anchors):
        return None
    joined: set[Key] = set()
    for anchor in anchors:
        joined.update(anchor or ())
    return frozenset(joined)


def _cheapest(anchors: list[Anchor], cost: Costs) -> Anchor:
    known = [anchor for anchor in anchors if anchor is not None]
    if not known:
        return None
    if any(not anchor for anchor in known):
        return frozenset()  # a side that never matches: the whole never matches
    return min(known, key=lambda anchor: (anchor_cost(anchor, cost), sorted(anchor)))


def key_cost(key: Key, cost: Costs) -> float:
    namespace, value = key
    if "|" in namespace:  # a pair: both, as if independent
        first, second = namespace.split("|")
        left, right = value.split(SEP)
        return cost((first, left)) * cost((second, right))
    return cost(key)


def anchor_cost(anchor: frozenset[Key], cost: Costs) -> float:
    return sum(key_cost(key, cost) for key in anchor)


def _pairs(query: frozenset[Key], values: frozenset[Key]) -> frozenset[Key] | None:
    if len(query) * len(values) > MAX_PAIRS:
        return None
    return frozenset(
        (f"{namespace}|{field_name}", f"{key}{SEP}{value}")
        for namespace, key in query
        for field_name, value in values
    )


def _word_anchor(word: Word) -> frozenset[Key]:
    keys = {(TERM, word.text)}
    if word.parts:
        keys.add((TERM, word.parts[0]))
    if word.folded:
        keys.add((FOLDED, word.folded))
    return frozenset(keys)


def anchor_of(node: Node | None, cost: Costs = default_cost) -> Anchor:
    """Keys of which every entry that matches ``node`` has at least one (None: no such keys)."""
    if node is None:
        return None
    if isinstance(node, Word):
        return _word_anchor(node)
    if isinstance(node, Phrase):
        pairs = itertools.pairwise(node.tokens)
        return _cheapest([frozenset({(BIGRAM, f"{a} {b}")}) for a, b in pairs], cost)
    if isinstance(node, Prefix):
        return frozenset({(PREFIX, node.text[:PREFIX_KEY_CHARS])})
    if isinstance(node, Concept):
        words = _cheapest([_word_anchor(word) for word in node.words], cost)
        concepts = frozenset((CONCEPT, key) for key in node.keys)
        return _union([words, concepts])
    if isinstance(node, All):
        return _cheapest(
            [anchor_of(child, cost) for child in node.children if not isinstance(child, Not)],
            cost,
        )
    if isinstance(node, Any_):
        return _union([anchor_of(child, cost) for child in node.children])
    return None  # Not: entries without something have no key in common


def scope_anchors(scope: Scope) -> list[frozenset[Key]]:
    anchors = [
        frozenset((name, str(value)) for value in getattr(scope, name))
        for name in FILTER_FIELDS
        if getattr(scope, name)
    ]
    if scope.story:
        anchors.append(frozenset((STORY, str(story)) for story in scope.story))
    return anchors


def is_exact(node: Node | None, anchor: Anchor) -> bool:
    """Whether having a key of ``anchor`` is the whole condition of ``node`` (a word, a word
    OR its stem, a short prefix): then a key found is a match, with nothing to verify."""
    if node is None or anchor is None:
        return False
    if isinstance(node, Word):
        return not node.parts and anchor == _word_anchor(node)
    if isinstance(node, Prefix):
        return len(node.text) <= PREFIX_KEY_CHARS
    if isinstance(node, Phrase):
        return len(node.tokens) == 2
    if isinstance(node, Any_):
        children = list(node.children)
        return (
            bool(children)
            and all(is_exact(child, anchor_of(child)) for child in children)
            and anchor == _union([anchor_of(child) for child in children])
        )
    return False


@dataclass(frozen=True, slots=True)
class Compiled:
    """A subscription ready to match: its conditions and where it is filed in the index."""

    subscription_id: int
    owner_id: int
    root: Node | None
    scope: Scope
    anchor: Anchor  # None: on the match-all list
    never: bool = False  # can never match (filed nowhere)
    exact: bool = False  # an entry with a key of the anchor matches: nothing to verify
    test: Test | None = None  # the query and filters as one function (see predicate())


def compile_subscription(
    subscription_id: int,
    owner_id: int,
    root: Node | None,
    scope: Scope,
    cost: Costs = default_cost,
) -> Compiled:
    """``root`` is the parsed query's root (``ParsedQuery.root``), ``scope`` its filters."""
    query_anchor = anchor_of(root, cost)
    filter_anchors = scope_anchors(scope)
    pairs: list[Anchor] = []
    if query_anchor:
        for values in filter_anchors:
            if next(iter(values))[0] in COMPOSABLE:
                paired = _pairs(query_anchor, values)
                if paired is not None:
                    pairs.append(paired)
    anchor = _cheapest([query_anchor, *filter_anchors, *pairs], cost)
    dated = scope.published_from is not None or scope.published_to is not None
    if dated:
        exact = False
    elif root is None:
        exact = len(filter_anchors) == 1  # a follow: one field, any of its values
    elif not filter_anchors:
        exact = is_exact(root, query_anchor) and anchor == query_anchor
    else:
        # Words and one filter, filed under their pairs: a pair found is both.
        exact = (
            len(filter_anchors) == 1
            and bool(pairs)
            and anchor == pairs[0]
            and is_exact(root, query_anchor)
        )
    return Compiled(
        subscription_id,
        owner_id,
        root,
        scope,
        anchor,
        never=anchor == frozenset(),
        exact=exact,
        test=_subscription_test(root, scope),
    )


def matches(compiled: Compiled, entry: EntryFacts) -> bool:
    """The exact check: the query and the filters (visibility and expiry are the index's)."""
    if compiled.never:
        return False
    if compiled.test is not None:
        return compiled.test(entry)
    return in_scope(compiled.scope, entry) and (
        compiled.root is None or evaluate(compiled.root, entry)
    )


# --- Queries as functions ----------------------------------------------------------------------
#
# evaluate() and in_scope() say what matching means; the same conditions compiled into nested
# closures skip the dispatch on node types per entry (measured: about as fast under load on
# the benchmark's mix, where a check is a set lookup or two; kept for deep queries). Equal
# queries share their function (nodes are hashable).

Test = Callable[[EntryFacts], bool]
_PREDICATES: dict[Node, Test] = {}
MAX_SHARED_PREDICATES = 200_000


def predicate(node: Node) -> Test:
    """``node`` as a function of an entry, equal to ``evaluate(node, entry)``."""
    found = _PREDICATES.get(node)
    if found is None:
        found = _predicate(node)
        if len(_PREDICATES) < MAX_SHARED_PREDICATES:
            _PREDICATES[node] = found
    return found


def _predicate(node: Node) -> Test:
    if isinstance(node, Word):
        text, parts, folded = node.text, node.parts, node.folded
        if parts:
            return lambda entry: _word(node, entry)
        if folded:
            return lambda entry: text in entry.terms or folded in entry.folded_set
        return lambda entry: text in entry.terms
    if isinstance(node, Phrase):
        tokens = node.tokens
        return lambda entry: entry.has_phrase("title", tokens) or entry.has_phrase("body", tokens)
    if isinstance(node, Prefix):
        prefix = node.text
        return lambda entry: entry.has_prefix(prefix)
    if isinstance(node, Concept):
        keys = node.keys
        words = [predicate(word) for word in node.words]

        def concept(entry: EntryFacts) -> bool:
            concepts = entry.concept_set
            for key in keys:
                if key in concepts:
                    return True
            return all(word(entry) for word in words)

        return concept
    if isinstance(node, All):
        required = tuple(predicate(c) for c in node.children if not isinstance(c, Not))
        excluded = tuple(predicate(c.child) for c in node.children if isinstance(c, Not))

        def every(entry: EntryFacts) -> bool:
            for test in required:
                if not test(entry):
                    return False
            for test in excluded:  # noqa: SIM110 - a loop: faster than a generator
                if test(entry):
                    return False
            return True

        return every
    if isinstance(node, Any_):
        options = tuple(predicate(c) for c in node.children)

        def either(entry: EntryFacts) -> bool:
            for test in options:  # noqa: SIM110 - a loop: faster than a generator
                if test(entry):
                    return True
            return False

        return either
    if isinstance(node, Not):
        inner = predicate(node.child)
        return lambda entry: not inner(entry)
    raise TypeError(f"unknown query node {node!r}")


def _field_test(name: str, values: frozenset[str]) -> Test:
    getter = operator.attrgetter(name)
    return lambda entry: getter(entry) in values


def _scope_tests(scope: Scope) -> list[Test]:
    tests: list[Test] = []
    for name in ("platform", "kind", "country", "language"):
        values = frozenset(getattr(scope, name))
        if values:
            tests.append(_field_test(name, values))
    if scope.sector:
        sectors = frozenset(scope.sector)
        tests.append(lambda entry: not sectors.isdisjoint(entry.sectors))
    if scope.organization:
        organizations = frozenset(scope.organization)
        tests.append(lambda entry: entry.organization_id in organizations)
    if scope.published_from or scope.published_to:
        dated = Scope(published_from=scope.published_from, published_to=scope.published_to)
        tests.append(lambda entry: in_scope(dated, entry))
    if scope.story:
        stories = frozenset(scope.story)
        tests.append(lambda entry: not stories.isdisjoint(entry.stories))
    return tests


def _subscription_test(root: Node | None, scope: Scope) -> Test:
    tests = _scope_tests(scope)
    if root is not None:
        tests.append(predicate(root))
    if not tests:
        return lambda entry: True
    if len(tests) == 1:
        return tests[0]
    checks = tuple(tests)

    def every(entry: EntryFacts) -> bool:
        for test in checks:  # noqa: SIM110 - a loop: faster than a generator
            if not test(entry):
                return False
        return True

    return every


# --- The index ---------------------------------------------------------------------------------


# Who may see an entry, given the subscriber's id: None when everyone may.
Visibility = Callable[[int], bool]


class _Table:
    """Subscription ids by key: plain keys by namespace and value, pairs by namespace, filter
    value and word key (so an entry looks a pair up from its one country, not from each of its
    terms joined to it)."""

    def __init__(self) -> None:
        self.plain: dict[str, dict[str, set[int]]] = {}
        self.pairs: dict[str, tuple[str, str, dict[str, dict[str, set[int]]]]] = {}

    def _slot(self, key: Key, create: bool) -> tuple[dict[str, set[int]] | None, str]:
        namespace, value = key
        if "|" not in namespace:
            found = self.plain.setdefault(namespace, {}) if create else self.plain.get(namespace)
            return found, value
        words, field_name = namespace.split("|")
        word, field_value = value.split(SEP)
        entry = self.pairs.get(namespace)
        if entry is None:
            if not create:
                return None, word
            entry = self.pairs[namespace] = (words, field_name, {})
        by_value = entry[2]
        found = by_value.setdefault(field_value, {}) if create else by_value.get(field_value)
        return found, word

    def add(self, key: Key, subscription_id: int) -> None:
        slot, value = self._slot(key, True)
        assert slot is not None  # noqa: S101 (created above)
        slot.setdefault(value, set()).add(subscription_id)

    def discard(self, key: Key, subscription_id: int) -> None:
        slot, value = self._slot(key, False)
        if slot is None:
            return
        filed = slot.get(value)
        if filed is not None:
            filed.discard(subscription_id)
            if not filed:
                del slot[value]

    def lookup(self, entry: EntryFacts) -> set[int]:
        """The subscriptions filed under a key of the entry."""
        found: set[int] = set()
        for namespace, values in self.plain.items():
            _collect(values, entry.keys_of(namespace), found)
        for words, field_name, by_value in self.pairs.values():
            for field_value in entry.keys_of(field_name):
                paired = by_value.get(field_value)
                if paired:
                    _collect(paired, entry.keys_of(words), found)
        return found

    def size(self) -> int:
        plain = sum(len(values) for values in self.plain.values())
        return plain + sum(
            len(values) for _w, _f, by_value in self.pairs.values() for values in by_value.values()
        )


def _collect(
    filed_by: dict[str, set[int]], keys: frozenset[str] | tuple[str, ...], found: set[int]
) -> None:
    filed: set[int] | None
    # The smaller side drives the loop: few filed keys, or a short entry.
    if len(filed_by) < len(keys) and isinstance(keys, frozenset):
        for key, filed in filed_by.items():
            if key in keys:
                found.update(filed)
    else:
        for key in keys:
            filed = filed_by.get(key)
            if filed:
                found.update(filed)


class MatchIndex:
    """Subscriptions filed under their anchor keys; not thread-safe for writes (one writer).

    Two tables: subscriptions whose anchor is their whole condition (``exact``: a follow, a
    single word) match when a key is found; the others are candidates to verify."""

    def __init__(self, cost: Costs = default_cost) -> None:
        self.cost = cost
        self._verify = _Table()
        self._exact = _Table()
        self._match_all: set[int] = set()
        self._compiled: dict[int, Compiled] = {}

    def __len__(self) -> int:
        return len(self._compiled)

    def __contains__(self, subscription_id: object) -> bool:
        return subscription_id in self._compiled

    def get(self, subscription_id: int) -> Compiled | None:
        return self._compiled.get(subscription_id)

    def add(self, compiled: Compiled) -> None:
        """File ``compiled`` (replacing the subscription's previous conditions)."""
        self.remove(compiled.subscription_id)
        self._compiled[compiled.subscription_id] = compiled
        if compiled.never:
            return
        if compiled.anchor is None:
            self._match_all.add(compiled.subscription_id)
            return
        table = self._exact if compiled.exact else self._verify
        for key in compiled.anchor:
            table.add(key, compiled.subscription_id)

    def remove(self, subscription_id: int) -> None:
        compiled = self._compiled.pop(subscription_id, None)
        if compiled is None:
            return
        if compiled.anchor is None:
            self._match_all.discard(subscription_id)
            return
        table = self._exact if compiled.exact else self._verify
        for key in compiled.anchor:
            table.discard(key, subscription_id)

    def candidates(self, entry: EntryFacts) -> set[int]:
        """Subscriptions that have a key of the entry (or none): a superset of the matches."""
        return self._match_all | self._verify.lookup(entry) | self._exact.lookup(entry)

    def match(
        self, entry: EntryFacts, *, now: dt.datetime, may_see: Visibility | None = None
    ) -> list[int]:
        """The subscriptions ``entry`` matches, in id order. ``may_see(owner_id)`` says whether
        a subscriber may read the entry (None: everyone may, as for a public entry); an entry
        already expired at ``now`` matches nothing, as the search lists it to nobody."""
        if entry.expires_at is not None and entry.expires_at <= now:
            return []
        compiled = self._compiled
        found = self._exact.lookup(entry)
        for subscription_id in self._match_all | self._verify.lookup(entry):
            if matches(compiled[subscription_id], entry):
                found.add(subscription_id)
        if may_see is not None:
            found = {pk for pk in found if may_see(compiled[pk].owner_id)}
        return sorted(found)

    def scan(
        self, entry: EntryFacts, *, now: dt.datetime, may_see: Visibility | None = None
    ) -> list[int]:
        """The same answer as :meth:`match` by checking every subscription (the baseline the
        benchmark compares with, and the tests' oracle)."""
        if entry.expires_at is not None and entry.expires_at <= now:
            return []
        return sorted(
            subscription.subscription_id
            for subscription in self._compiled.values()
            if matches(subscription, entry) and (may_see is None or may_see(subscription.owner_id))
        )

    def stats(self) -> dict[str, int]:
        return {
            "subscriptions": len(self._compiled),
            "match_all": len(self._match_all),
            "keys": self._verify.size() + self._exact.size(),
            "exact": sum(1 for c in self._compiled.values() if c.exact),
            "never": sum(1 for c in self._compiled.values() if c.never),
        }
