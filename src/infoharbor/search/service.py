"""Search as pages and the API use it: parse, ask the backend, load and highlight the entries.

Whatever the index says, an entry is shown only if the reader may see it now (the index can
lag a change by a moment), and facet values come with their names in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from infoharbor.core import kinds, permissions
from infoharbor.core.models import Country, Entry, Language, Organization, Sector
from infoharbor.core.permissions import Actor
from infoharbor.core.platforms import BY_KEY as PLATFORMS
from infoharbor.core.queries import with_card_relations
from infoharbor.core.richtext import plain_text
from infoharbor.search import concepts, highlight
from infoharbor.search.backends import get_backend
from infoharbor.search.backends.base import FACETS, Filters, SearchRequest, SearchResult, Viewer
from infoharbor.search.query import ParsedQuery, parse
from infoharbor.text.analyze import has_unspaced

MAX_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Result:
    entry: Entry
    score: float
    title_html: SafeString
    snippet_html: SafeString
    kind_label: str


@dataclass
class SearchPage:
    query: ParsedQuery
    results: list[Result]
    total: int
    offset: int
    limit: int
    relaxed: bool
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    total_is_estimate: bool = False

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < min(self.total, MAX_OFFSET)


def viewer_of(actor: Actor) -> Viewer:
    return Viewer(
        is_operator=actor.is_operator,
        is_authenticated=actor.is_authenticated,
        organization_ids=frozenset(actor.roles) | frozenset(actor.editable_organizations()),
    )


def parse_query(text: str) -> ParsedQuery:
    return parse(text, concepts.find)


def search(
    actor: Actor,
    text: str,
    filters: Filters | None = None,
    *,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facets: bool = True,
    now: dt.datetime | None = None,
    entries: QuerySet[Entry] | None = None,
) -> SearchPage:
    """Search as ``actor``. ``entries`` is the queryset results are loaded from (to choose the
    related rows the caller shows); by default, what an entry card needs."""
    query = parse_query(text)
    filters = filters or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    request = SearchRequest(
        query=query,
        filters=filters,
        viewer=viewer_of(actor),
        sort="date" if sort == "date" else "relevance",
        offset=offset,
        limit=limit,
        facets=facets,
        now=now or timezone.now(),
    )
    backend = get_backend()
    found = backend.search(request)
    if found.total == 0 and query.relaxed is not query:
        # Nothing has every word: show what has some of them, and say so.
        found = replace(backend.search(replace(request, query=query.relaxed)), relaxed=True)
    return SearchPage(
        query=query,
        results=_results(actor, query, found, entries),
        total=found.total,
        offset=offset,
        limit=limit,
        relaxed=found.relaxed,
        facets=_label_facets(found, filters) if facets else {},
        total_is_estimate=found.total_is_estimate,
    )


def _results(
    actor: Actor, query: ParsedQuery, found: SearchResult, base: QuerySet[Entry] | None
) -> list[Result]:
    ids = [hit.entry_id for hit in found.hits]
    base = with_card_relations(Entry.objects.all()) if base is None else base
    entries = {
        entry.pk: entry for entry in permissions.visible_entries(base.filter(pk__in=ids), actor)
    }
    want = highlight.wanted(query)
    kind_labels = {kind.key: str(kind.label) for kind in kinds.all_kinds()}
    results = []
    for hit in found.hits:
        entry = entries.get(hit.entry_id)
        if entry is None:
            continue  # withdrawn or hidden since it was indexed
        language = entry.language_id
        body = entry.summary or plain_text(entry.body_html)
        results.append(
            Result(
                entry=entry,
                score=hit.score,
                title_html=highlight.highlight(entry.title, language, want),
                snippet_html=highlight.snippet(body, language, want),
                kind_label=kind_labels.get(entry.kind, entry.kind),
            )
        )
    return results


def _label_facets(found: SearchResult, filters: Filters) -> dict[str, list[FacetValue]]:
    labels: dict[str, dict[str, str]] = {
        "platform": {key: str(platform.name) for key, platform in PLATFORMS.items()},
        "kind": {kind.key: str(kind.label_plural) for kind in kinds.all_kinds()},
    }
    counts = found.facets

    def values(name: str) -> list[str]:
        return [value for value, _count in counts.get(name, [])]

    labels["country"] = {c.iso2: c.name for c in Country.objects.filter(iso2__in=values("country"))}
    labels["language"] = {
        lang.code: lang.name for lang in Language.objects.filter(code__in=values("language"))
    }
    labels["sector"] = {s.slug: s.name for s in Sector.objects.filter(slug__in=values("sector"))}
    org_ids = [int(v) for v in values("organization") if v.isdigit()]
    labels["organization"] = {
        str(pk): name
        for pk, name in Organization.objects.filter(pk__in=org_ids).values_list("pk", "name")
    }
    selected: dict[str, set[str]] = {
        "platform": set(filters.platform),
        "kind": set(filters.kind),
        "country": set(filters.country),
        "language": set(filters.language),
        "sector": set(filters.sector),
        "organization": {str(pk) for pk in filters.organization},
    }
    labelled: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        labelled[name] = [
            FacetValue(value, labels[name].get(value, value), count, value in selected[name])
            for value, count in counts.get(name, [])
            if value
        ]
    return labelled


def organizations_named(typed: str, *, limit: int = 8) -> list[Organization]:
    """Active organizations with a word of their name beginning with what was typed (or, in
    scripts without spaces, containing it)."""
    typed = typed.strip()
    if not typed:
        return []
    last = typed.split()[-1]
    found = Organization.objects.filter(is_active=True).filter(
        Q(name__istartswith=typed) | Q(name__icontains=f" {last}")
        if not has_unspaced(last)
        else Q(name__icontains=last)
    )
    return list(found.order_by("name")[:limit])
