"""The search page: one box, facets as links, result cards; no JavaScript needed."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from infoharbor.portal.actor import actor_for
from infoharbor.search import service
from infoharbor.search.forms import FACET_PARAMS, SearchForm

PAGE_SIZE = 20

FACET_TITLES = {
    "platform": _("Platform"),
    "kind": _("Kind"),
    "country": _("Country"),
    "language": _("Language"),
    "sector": _("Sector"),
    "organization": _("Organization"),
}


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    links: list[FacetLink]


def _toggled(query: QueryDict, name: str, value: str) -> str:
    changed = query.copy()
    values = changed.getlist(name)
    changed.setlist(
        name, [v for v in values if v != value] if value in values else [*values, value]
    )
    changed.pop("page", None)
    return "?" + changed.urlencode()


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    offset = min((page_number - 1) * PAGE_SIZE, service.MAX_OFFSET)
    page = service.search(
        actor_for(request),
        form.text,
        form.filters(),
        sort=form.order,
        offset=offset,
        limit=PAGE_SIZE,
    )
    groups = [
        FacetGroup(
            name,
            str(FACET_TITLES[name]),
            [
                FacetLink(
                    value.label,
                    value.count,
                    value.selected,
                    _toggled(request.GET, name, value.value),
                )
                for value in page.facets.get(name, [])
            ],
        )
        for name in FACET_PARAMS
        if page.facets.get(name)
    ]
    filtered = any(request.GET.getlist(name) for name in FACET_PARAMS)
    clear_url = None
    if filtered:
        kept = request.GET.copy()
        for name in (*FACET_PARAMS, "page"):
            kept.pop(name, None)
        clear_url = "?" + kept.urlencode()
    previous_url = next_url = None
    if page_number > 1:
        previous = request.GET.copy()
        previous["page"] = str(page_number - 1)
        previous_url = "?" + previous.urlencode()
    if page.has_next:
        following = request.GET.copy()
        following["page"] = str(page_number + 1)
        next_url = "?" + following.urlencode()
    # The feeds list what the page lists, newest first (so without its paging and order).
    feed_query = request.GET.copy()
    for name in ("page", "sort"):
        feed_query.pop(name, None)
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "page": page,
            "groups": groups,
            "page_number": page_number,
            "previous_url": previous_url,
            "next_url": next_url,
            "clear_url": clear_url,
            "feed_query": feed_query.urlencode(),
            "searched": bool(form.text.strip())
            or any(request.GET.getlist(n) for n in FACET_PARAMS),
        },
    )
