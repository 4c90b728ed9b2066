"""/search: one search over every kind of entry, with facets and highlighted snippets."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from infoharbor.api.auth import caller, read_auth
from infoharbor.api.entry_output import entries_out, entry_queryset
from infoharbor.api.entry_schemas import EntryOut
from infoharbor.api.problems import Problem
from infoharbor.search import service
from infoharbor.search.backends.base import Filters

router = Router(tags=["search"], auth=read_auth)


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=2000,
        description='Words in any language; "a phrase", OR, -word or NOT word, prefix*.',
    )
    platform: list[str] = Field([], description="Platform keys (any of them).")
    kind: list[str] = Field([], description="Kinds of entry, e.g. information.news.")
    country: list[str] = Field([], description="ISO 3166 country codes.")
    language: list[str] = Field([], description="Languages of the original text (BCP 47).")
    sector: list[str] = Field([], description="Sector slugs.")
    organization: list[int] = Field([], description="Organization ids.")
    published_from: dt.date | None = Field(None, description="Published on or after this day.")
    published_to: dt.date | None = Field(None, description="Published on or before this day.")
    include_expired: bool = False
    sort: Literal["relevance", "date"] = "relevance"
    offset: int = Field(0, ge=0, le=service.MAX_OFFSET)
    limit: int = Field(20, ge=1, le=service.MAX_LIMIT)
    lang: str | None = Field(None, description="Show entries in this language where translated.")


class SearchHit(Schema):
    entry: EntryOut
    score: float
    title_html: str = Field(description="The title with the query's words in <mark>.")
    snippet_html: str = Field(description="A passage with the query's words in <mark>.")


class FacetCount(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchPage(Schema):
    query: str
    total: int = Field(description="Matching entries (may include a few hidden since indexed).")
    total_is_estimate: bool = Field(
        description="`total` and the facet counts are estimates (very many matches)."
    )
    relaxed: bool = Field(description="Nothing had every word; these results have some.")
    truncated: bool = Field(description="The query was cut to its first 500 characters.")
    results: list[SearchHit]
    facets: dict[str, list[FacetCount]]
    next: str | None


def _day(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start + dt.timedelta(days=1) if after else start


def filters_of(params: SearchParams) -> Filters:
    return Filters(
        platform=tuple(params.platform[:20]),
        kind=tuple(params.kind[:20]),
        country=tuple(code.upper() for code in params.country[:50]),
        language=tuple(params.language[:20]),
        sector=tuple(params.sector[:20]),
        organization=tuple(params.organization[:50]),
        published_from=_day(params.published_from),
        published_to=_day(params.published_to, after=True),
        include_expired=params.include_expired,
    )


@router.get(
    "/search", response={200: SearchPage, 401: Problem, 422: Problem}, summary="Search entries"
)
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchPage:
    """Entries the caller may see that match `q` (any language and script) and the filters,
    best first (or newest first with `sort=date`), with facet counts."""
    actor = caller(request).actor
    page = service.search(
        actor,
        params.q,
        filters_of(params),
        sort=params.sort,
        offset=params.offset,
        limit=params.limit,
        entries=entry_queryset(),
    )
    entries = entries_out(request, actor, [r.entry for r in page.results], params.lang)
    next_url = None
    if page.has_next:
        query = request.GET.copy()
        query["offset"] = str(params.offset + params.limit)
        next_url = request.build_absolute_uri(reverse("api:search") + "?" + query.urlencode())
    return SearchPage(
        query=page.query.text,
        total=page.total,
        total_is_estimate=page.total_is_estimate,
        relaxed=page.relaxed,
        truncated=page.query.truncated,
        results=[
            SearchHit(
                entry=out,
                score=round(result.score, 4),
                title_html=str(result.title_html),
                snippet_html=str(result.snippet_html),
            )
            for out, result in zip(entries, page.results, strict=True)
        ],
        facets={
            name: [FacetCount(**vars(value)) for value in values]
            for name, values in page.facets.items()
        },
        next=next_url,
    )


class SuggestParams(Schema):
    q: str = Field(..., min_length=1, max_length=200, description="What has been typed so far.")
    limit: int = Field(8, ge=1, le=20)


class EntrySuggestion(Schema):
    id: int
    title: str
    url: str


class OrganizationSuggestion(Schema):
    slug: str
    name: str
    url: str


class Suggestions(Schema):
    entries: list[EntrySuggestion]
    organizations: list[OrganizationSuggestion]


@router.get(
    "/search/suggest",
    response={200: Suggestions, 401: Problem, 422: Problem},
    summary="Suggest titles and organizations as someone types",
)
def suggest(request: HttpRequest, params: Query[SuggestParams]) -> Suggestions:
    """Entry titles and organization names for a search box: the last word typed counts as the
    beginning of a word (`minis` finds Ministry), the others as whole words."""
    actor = caller(request).actor
    typed = params.q.strip()
    page = service.search(actor, typed + "*", limit=params.limit, facets=False) if typed else None
    entries = [
        EntrySuggestion(
            id=result.entry.pk,
            title=result.entry.title,
            url=request.build_absolute_uri(result.entry.get_absolute_url()),
        )
        for result in (page.results if page else [])
    ]
    organizations = [
        OrganizationSuggestion(
            slug=org.slug, name=org.name, url=request.build_absolute_uri(org.get_absolute_url())
        )
        for org in service.organizations_named(typed, limit=params.limit)
    ]
    return Suggestions(entries=entries, organizations=organizations)
