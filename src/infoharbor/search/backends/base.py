"""What every search backend offers, and the plain data that crosses the boundary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from infoharbor.search.documents import IndexDocument
from infoharbor.search.query import ParsedQuery

# Facet fields, in the order pages show them.
FACETS: tuple[str, ...] = (
    "platform",
    "kind",
    "country",
    "language",
    "sector",
    "organization",
)


@dataclass(frozen=True)
class Viewer:
    """Who is searching, as far as visibility goes."""

    is_operator: bool = False
    is_authenticated: bool = False
    organization_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Filters:
    """Within a field any value may match (OR); across fields all must (AND)."""

    platform: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    organization: tuple[int, ...] = ()
    published_from: dt.datetime | None = None
    published_to: dt.datetime | None = None  # exclusive
    include_expired: bool = False


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    filters: Filters = field(default_factory=Filters)
    viewer: Viewer = field(default_factory=Viewer)
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    now: dt.datetime | None = None


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float
    published_at: dt.datetime | None = None


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    relaxed: bool = False  # nothing matched every word; these match some of them
    # The total (and facet counts) are estimates: a backend may count a bounded set of
    # matches exactly and estimate beyond it (PostgreSQL does, over its match window).
    total_is_estimate: bool = False


class Backend(Protocol):
    name: str

    def index(self, documents: list[IndexDocument], deleted: list[int]) -> None:
        """Replace the documents of these entries and remove those of ``deleted``; durable
        when it returns."""

    def clear(self) -> None:
        """Remove every document."""

    def search(self, request: SearchRequest) -> SearchResult: ...

    def count(self) -> int: ...

    def size_bytes(self) -> int: ...


# Ranking shared by the backends: title above body, organization names in between, the
# accent-free and parts fields as recall paths below the exact words.
BOOST_TITLE = 3.0
BOOST_ORGANIZATION = 1.5
BOOST_BODY = 1.0
BOOST_FOLDED = 0.6
BOOST_PARTS = 0.5
BOOST_CONCEPT = 1.0
# Freshness: a score is raised by up to FRESHNESS_WEIGHT for an entry published today, half
# that for one published FRESHNESS_HALF_LIFE ago, and so on.
FRESHNESS_WEIGHT = 0.15
FRESHNESS_HALF_LIFE = dt.timedelta(days=30)
# Relevance is re-ranked with freshness over this many top hits (a larger top-k prunes less:
# at 1M entries, top 200 costs twice top 10 for frequent words).
RERANK_WINDOW = 50


def freshness(published_at: dt.datetime | None, now: dt.datetime) -> float:
    if published_at is None:
        return 1.0
    return freshness_at_age((now - published_at).total_seconds())


def freshness_at_age(seconds: float) -> float:
    """The freshness factor of an entry published ``seconds`` ago."""
    age = max(seconds, 0.0)
    return 1.0 + FRESHNESS_WEIGHT * float(0.5 ** (age / _HALF_LIFE_SECONDS))


_HALF_LIFE_SECONDS = FRESHNESS_HALF_LIFE.total_seconds()
