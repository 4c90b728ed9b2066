"""Atom and JSON Feed of a search: the newest entries it finds, for feed readers.

The public feeds (``/<lang>/search/feed.atom?...``) take the search page's own parameters and
show what an anonymous reader would see; the subscriptions app serves the same documents for
a subscription's secret address (see ``infoharbor.subscriptions.feeds``). Atom is written by
Django's ``Atom1Feed``; JSON Feed 1.1 is small enough to write with ``json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from infoharbor.core.models import Entry
from infoharbor.core.permissions import ANONYMOUS, Actor
from infoharbor.core.queries import EntryCard, entry_cards
from infoharbor.core.richtext import plain_text
from infoharbor.search import service
from infoharbor.search.backends.base import Filters
from infoharbor.search.forms import SearchForm

FEED_SIZE = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Feed readers poll; five minutes is fresh enough and spares the search backend.
MAX_AGE = 300
# For an empty feed's "updated" (RFC 4287 requires one): a fixed date keeps the document
# (and its ETag) the same between polls.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FeedInfo:
    title: str
    subtitle: str
    home_url: str  # absolute: the page the feed follows (the search page)
    feed_url: str  # absolute: this document
    feed_id: str  # a stable IRI naming the feed


def newest_entries(actor: Actor, text: str, filters: Filters) -> list[Entry]:
    """The newest ``FEED_SIZE`` entries the search finds that ``actor`` may see."""
    page = service.search(actor, text, filters, sort="date", limit=FEED_SIZE, facets=False)
    return [result.entry for result in page.results]


def _updated(entry: Entry) -> dt.datetime:
    return max(entry.updated_at, entry.published_at or entry.updated_at)


def _summary(card: EntryCard) -> str:
    return card.text.summary.value or plain_text(card.text.body_html.value)[:500]


def _cards(entries: list[Entry]) -> list[EntryCard]:
    # In the feed's language where the entry has a translation, as the portal's lists show
    # it; each item says which language its text is in.
    return entry_cards(entries, get_language() or "")


def _entry_id(request: HttpRequest, entry: Entry) -> str:
    # A tag: URI (RFC 4151) does not change with the reader's language or the page's address.
    return f"tag:{request.get_host().split(':')[0]},2025:entry:{entry.pk}"


class _Atom(Atom1Feed):
    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        return {"xml:lang": item["language"]} if item.get("language") else {}

    def latest_post_date(self) -> dt.datetime:
        return super().latest_post_date() if self.items else EPOCH


def atom(request: HttpRequest, info: FeedInfo, entries: list[Entry]) -> str:
    feed = _Atom(
        title=info.title,
        link=info.home_url,
        description=info.subtitle,
        language=get_language(),
        feed_url=info.feed_url,
        feed_guid=info.feed_id,
    )
    for card in _cards(entries):
        entry = card.entry
        feed.add_item(
            title=card.text.title.value,
            link=request.build_absolute_uri(entry.get_absolute_url()),
            description=_summary(card),
            unique_id=_entry_id(request, entry),
            unique_id_is_permalink=False,
            pubdate=entry.published_at,
            updateddate=_updated(entry),
            author_name=entry.organization.name,
            author_link=request.build_absolute_uri(entry.organization.get_absolute_url()),
            language=card.text.title.lang,
        )
    return feed.writeString("utf-8")


def json_feed(request: HttpRequest, info: FeedInfo, entries: list[Entry]) -> str:
    items = []
    for card in _cards(entries):
        entry = card.entry
        item: dict[str, Any] = {
            "id": _entry_id(request, entry),
            "url": request.build_absolute_uri(entry.get_absolute_url()),
            "title": card.text.title.value,
            "summary": _summary(card),
            "content_text": _summary(card),
            "date_modified": _updated(entry).isoformat(),
            "language": card.text.title.lang,
            "authors": [
                {
                    "name": entry.organization.name,
                    "url": request.build_absolute_uri(entry.organization.get_absolute_url()),
                }
            ],
        }
        if entry.published_at:
            item["date_published"] = entry.published_at.isoformat()
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.feed_url,
        "description": info.subtitle,
        "language": get_language(),
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def respond(
    request: HttpRequest, info: FeedInfo, entries: list[Entry], fmt: str, *, private: bool
) -> HttpResponse:
    """The feed document in ``fmt`` ("atom" or "json"), or 304 when the reader has it."""
    stamp = "|".join(
        [fmt, info.feed_url, info.title, info.subtitle]
        + [f"{entry.pk}:{_updated(entry).isoformat()}" for entry in entries]
    )
    etag = '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'
    latest = max((_updated(entry) for entry in entries), default=EPOCH)
    last_modified = int(latest.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        if fmt == "atom":
            response = HttpResponse(atom(request, info, entries), content_type=ATOM_TYPE)
        else:
            response = HttpResponse(json_feed(request, info, entries), content_type=JSON_TYPE)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if private:
        patch_cache_control(response, private=True, max_age=MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def search_feed(request: HttpRequest, fmt: str) -> HttpResponse:
    """``/<lang>/search/feed.atom`` and ``feed.json``: a search as an anonymous reader sees it."""
    form = SearchForm(request.GET)
    text = form.text.strip()
    query = request.GET.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    params = query.urlencode()
    home = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    info = FeedInfo(
        title=_("Search: %(query)s") % {"query": text} if text else _("Search"),
        subtitle=_("China–ASEAN Information Harbor"),
        home_url=home + ("?" + params if params else ""),
        feed_url=request.build_absolute_uri(),
        feed_id=home + ("?" + params if params else ""),
    )
    entries = newest_entries(ANONYMOUS, form.text, form.filters())
    return respond(request, info, entries, fmt, private=False)


@require_safe
def search_atom(request: HttpRequest) -> HttpResponse:
    return search_feed(request, "atom")


@require_safe
def search_json(request: HttpRequest) -> HttpResponse:
    return search_feed(request, "json")
