"""The portal's story pages: one story with its entries by language, and the story list."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from infoharbor.portal.actor import actor_for
from infoharbor.portal.views.common import paginate, reader_language
from infoharbor.stories import queries


def story(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.story(actor_for(request), pk, reader_language())
    if found is None:
        raise Http404
    return render(request, "stories/story.html", {"story": found})


def stories(request: HttpRequest) -> HttpResponse:
    """Trending stories first, then every story told by several entries, latest first."""
    actor = actor_for(request)
    language = reader_language()
    page = paginate(request, queries.recent(actor))
    return render(
        request,
        "stories/stories.html",
        {
            "trending": queries.trending(actor, language) if page.number == 1 else [],
            "page_obj": page,
            "stories": queries.stories(actor, list(page), language),
        },
    )
