"""/subscriptions: a person's saved searches and follows.

Each caller sees and changes only their own subscriptions, so every operation needs a token
(reads: any scope; writes: the write scope); someone else's subscription is a 404, as is one
that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from infoharbor.accounts.models import User
from infoharbor.api.auth import BearerToken, caller, origin, write_auth
from infoharbor.api.pagination import NAME_KEYSET, PageParams, paginate
from infoharbor.api.problems import Problem, not_found
from infoharbor.api.schemas import Text
from infoharbor.subscriptions import deliveries, queries, services
from infoharbor.subscriptions.choices import FollowTarget, Frequency, SubscriptionKind
from infoharbor.subscriptions.conditions import describe, describe_all
from infoharbor.subscriptions.feeds import feed_urls
from infoharbor.subscriptions.models import Subscription

router = Router(tags=["subscriptions"], auth=BearerToken())

ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
READ: dict[str, object] = {"x-token-required": True}


class SubscriptionIn(Schema):
    name: Text = Field(min_length=1, max_length=200)
    kind: SubscriptionKind = Field(
        SubscriptionKind.SEARCH, description="search (a saved search) or follow."
    )
    params: Text = Field(
        "",
        max_length=4000,
        description="A saved search's parameters, as in the search page's address: "
        "`q=rice+export&country=VN&country=TH&sector=agriculture` (q, platform, kind, country, "
        "language, sector, organization, published_from, published_to; paging and sorting "
        "are ignored).",
    )
    target_type: FollowTarget | None = Field(
        None, description="What a follow follows: organization, country, sector, platform, "
        "kind or story."
    )  # fmt: skip
    target: Text = Field(
        "",
        max_length=64,
        description="An organization's slug or id, a country's ISO code, a sector's slug, a "
        "platform's key, a kind's key (information.news) or a story's number.",
    )
    frequency: Frequency = Frequency.DAILY
    language: str = Field("", max_length=16, description="Default: the account's language.")
    time_zone: str = Field("", max_length=64, description="Default: the account's time zone.")
    paused: bool = False


class SubscriptionPatch(Schema):
    """Only the fields sent change (the kind and what a follow follows stay)."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    params: Text | None = Field(None, max_length=4000)
    frequency: Frequency | None = None
    language: str | None = Field(None, max_length=16)
    time_zone: str | None = Field(None, max_length=64)
    paused: bool | None = None


class FeedsOut(Schema):
    atom: str = Field(description="The private Atom feed's address (secret: it reads as you).")
    json_feed: str = Field(description="The private JSON Feed's address.")


class SubscriptionOut(Schema):
    id: int
    name: str
    kind: SubscriptionKind
    params: str
    target_type: str
    target: str
    frequency: Frequency
    language: str
    time_zone: str
    paused: bool
    conditions: list[str] = Field(description="What it matches, in plain words.")
    feeds: FeedsOut = Field(
        description="Its private feeds; `POST .../feed-address` replaces them if they leaked."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class DeliveryOut(Schema):
    at: dt.datetime = Field(description="When it was sent, or made when not sent yet.")
    channel: str = Field(description="Email or Webhook, in the language of the request.")
    entries: int = Field(description="How many entries it carries.")
    state: str = Field(description="sent, pending, retrying or failed.")
    state_label: str
    error: str = Field(description="The last error, while not sent.")
    next_attempt_at: dt.datetime | None = Field(description="When it is tried again.")


class DeliveryList(Schema):
    items: list[DeliveryOut]


class DeliveriesParams(Schema):
    limit: int = Field(10, ge=1, le=50, description="How many, newest first.")


class SubscriptionPage(Schema):
    items: list[SubscriptionOut]
    next: str | None


def _user(request: HttpRequest) -> User:
    user = caller(request).user
    assert user is not None  # noqa: S101 (the router requires a token)
    return user


def _out(
    request: HttpRequest, subscription: Subscription, conditions: list[str] | None = None
) -> SubscriptionOut:
    urls = feed_urls(request, subscription)
    return SubscriptionOut(
        id=subscription.pk,
        name=subscription.name,
        kind=SubscriptionKind(subscription.kind),
        params=subscription.params,
        target_type=subscription.target_type,
        target=subscription.target,
        frequency=Frequency(subscription.frequency),
        language=subscription.language,
        time_zone=subscription.time_zone,
        paused=subscription.paused,
        conditions=conditions
        if conditions is not None
        else describe(subscription.params, subscription.target_type, subscription.target),
        feeds=FeedsOut(atom=urls["atom"], json_feed=urls["json"]),
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


def _owned(request: HttpRequest, subscription_id: int) -> Subscription:
    found = queries.get_owned(_user(request), subscription_id)
    if found is None:
        raise not_found(_("You have no subscription with this id."))
    return found


@router.get(
    "/subscriptions",
    response={200: SubscriptionPage, **ERRORS},
    summary="List my subscriptions",
    openapi_extra=READ,
)
def list_subscriptions(request: HttpRequest, filters: Query[PageParams]) -> SubscriptionPage:
    """The caller's saved searches and follows, by name."""
    queryset = Subscription.objects.filter(owner=_user(request))
    page, next_url = paginate(request, queryset, NAME_KEYSET, filters)
    lines = describe_all([(s.params, s.target_type, s.target) for s in page])
    return SubscriptionPage(
        items=[_out(request, s, conditions) for s, conditions in zip(page, lines, strict=True)],
        next=next_url,
    )


@router.get(
    "/subscriptions/{subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    summary="A subscription",
    openapi_extra=READ,
)
def get_subscription(request: HttpRequest, subscription_id: int) -> SubscriptionOut:
    """One of the caller's subscriptions (404 for anyone else's)."""
    return _out(request, _owned(request, subscription_id))


@router.post(
    "/subscriptions",
    response={201: SubscriptionOut, **ERRORS},
    auth=write_auth,
    summary="Subscribe",
)
def create_subscription(
    request: HttpRequest, payload: SubscriptionIn, response: HttpResponse
) -> Status[SubscriptionOut]:
    """Save a search (`kind: search` with `params`) or follow something (`kind: follow` with
    `target_type` and `target`). Entries published from now on that match are recorded for
    delivery at the chosen frequency."""
    subscription = services.create_subscription(
        user=_user(request),
        origin=origin(request),
        data=services.SubscriptionData(
            name=payload.name,
            kind=payload.kind,
            params=payload.params,
            target_type=payload.target_type or "",
            target=payload.target,
            frequency=payload.frequency,
            language=payload.language,
            time_zone=payload.time_zone,
            paused=payload.paused,
        ),
    )
    response["Location"] = request.build_absolute_uri(
        reverse("api:get_subscription", kwargs={"subscription_id": subscription.pk})
    )
    return Status(201, _out(request, subscription))


@router.patch(
    "/subscriptions/{subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    auth=write_auth,
    summary="Change a subscription",
)
def update_subscription(
    request: HttpRequest, subscription_id: int, payload: SubscriptionPatch
) -> SubscriptionOut:
    """Only the fields sent change; `paused: true` pauses it (it matches nothing meanwhile)."""
    subscription = _owned(request, subscription_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    data = services.SubscriptionData(
        name=changes.get("name", subscription.name),
        kind=subscription.kind,
        params=changes.get("params", subscription.params),
        target_type=subscription.target_type,
        target=subscription.target,
        frequency=changes.get("frequency", subscription.frequency),
        language=changes.get("language", subscription.language),
        time_zone=changes.get("time_zone", subscription.time_zone),
        paused=changes.get("paused", subscription.paused),
    )
    updated = services.update_subscription(
        user=_user(request), origin=origin(request), subscription=subscription, data=data
    )
    return _out(request, updated)


@router.delete(
    "/subscriptions/{subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    auth=write_auth,
    summary="Delete a subscription",
)
def delete_subscription(request: HttpRequest, subscription_id: int) -> SubscriptionOut:
    """Delete it, with its matches not yet delivered; answers what it was."""
    subscription = _owned(request, subscription_id)
    gone = _out(request, subscription)
    services.delete_subscription(
        user=_user(request), origin=origin(request), subscription=subscription
    )
    return gone


@router.post(
    "/subscriptions/{subscription_id}/feed-address",
    response={200: SubscriptionOut, **ERRORS},
    auth=write_auth,
    summary="Give a subscription new feed addresses",
)
def rotate_feed_address(request: HttpRequest, subscription_id: int) -> SubscriptionOut:
    """Replace the secret in its feed addresses (when they leaked): the old addresses answer
    404 from now on; the answer holds the new ones."""
    subscription = services.rotate_feed_token(
        user=_user(request), origin=origin(request), subscription=_owned(request, subscription_id)
    )
    return _out(request, subscription)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response={200: DeliveryList, **ERRORS},
    summary="A subscription's last deliveries",
    openapi_extra=READ,
)
def list_deliveries(
    request: HttpRequest, subscription_id: int, params: Query[DeliveriesParams]
) -> DeliveryList:
    """What was sent for it, by every channel (email messages and webhook deliveries), newest
    first: as the "My subscriptions" page shows them."""
    subscription = _owned(request, subscription_id)
    found = deliveries.last_deliveries([subscription.pk], params.limit)[subscription.pk]
    return DeliveryList(
        items=[
            DeliveryOut(
                at=row.at,
                channel=str(row.channel),
                entries=row.entries,
                state=row.state,
                state_label=str(row.state_label),
                error=row.error,
                next_attempt_at=row.next_attempt_at,
            )
            for row in found
        ]
    )
