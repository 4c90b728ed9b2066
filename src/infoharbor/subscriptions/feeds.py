"""A subscription's private feeds: ``/feeds/subscriptions/<token>.atom`` and ``.json``.

Feed readers cannot sign in, so the secret token in the address stands for the owner: the
feed lists what the subscription matches as its owner sees it (members-only entries of the
owner's organizations included), in the subscription's language. A paused subscription still
serves its feed (pausing stops the messages, not the reading).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from infoharbor.core.models import Entry
from infoharbor.core.permissions import Actor
from infoharbor.core.queries import with_card_relations
from infoharbor.search import feeds
from infoharbor.stories import queries as story_queries
from infoharbor.subscriptions.conditions import conditions_of, describe
from infoharbor.subscriptions.models import Subscription

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def feed_urls(request: HttpRequest, subscription: Subscription) -> dict[str, str]:
    """The absolute addresses of the subscription's two private feeds."""
    return {
        fmt: request.build_absolute_uri(
            reverse(f"subscription_feed_{fmt}", args=[subscription.feed_token])
        )
        for fmt in ("atom", "json")
    }


def story_entries(actor: Actor, stories: Iterable[int]) -> list[Entry]:
    """The newest entries of the followed stories that the owner may read."""
    rows = story_queries.visible_entries(actor).filter(story_member__cluster__in=list(stories))
    return list(with_card_relations(rows).order_by("-published_at", "-pk")[: feeds.FEED_SIZE])


def _language(subscription: Subscription) -> str:
    return subscription.language if subscription.language in LANGUAGES else settings.LANGUAGE_CODE


def _serve(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    subscription = (
        Subscription.objects.select_related("owner").filter(feed_token=token).first()
        if token
        else None
    )
    if subscription is None:
        raise Http404
    with translation.override(_language(subscription)):
        conditions = conditions_of(
            subscription.params, subscription.target_type, subscription.target
        )
        actor = Actor.for_user(subscription.owner)
        if conditions.stories:
            entries = story_entries(actor, conditions.stories)
        else:
            entries = feeds.newest_entries(actor, conditions.text, conditions.filters)
        search_url = request.build_absolute_uri(reverse("portal:search"))
        home = search_url + ("?" + subscription.params if subscription.params else "")
        info = feeds.FeedInfo(
            title=subscription.name,
            subtitle=" · ".join(
                describe(subscription.params, subscription.target_type, subscription.target)
            ),
            home_url=home,
            feed_url=request.build_absolute_uri(),
            feed_id=f"tag:{request.get_host().split(':')[0]},2025:subscription:{subscription.pk}",
        )
        return feeds.respond(request, info, entries, fmt, private=True)


@require_safe
def subscription_atom(request: HttpRequest, token: str) -> HttpResponse:
    return _serve(request, token, "atom")


@require_safe
def subscription_json(request: HttpRequest, token: str) -> HttpResponse:
    return _serve(request, token, "json")
