"""/webhooks: a person's webhook endpoints, their delivery logs, replays and test events.

Each caller sees and changes only their own endpoints, so every operation needs a token
(reads: any scope; writes: the write scope); someone else's endpoint is a 404, as is one that
does not exist. The payload sent to endpoints is described in docs/user/webhooks.md.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from infoharbor.accounts.models import User
from infoharbor.api.auth import BearerToken, caller, origin, write_auth
from infoharbor.api.pagination import Keyset, PageParams, paginate
from infoharbor.api.problems import Problem, not_found
from infoharbor.api.schemas import Text
from infoharbor.webhooks import queries, services
from infoharbor.webhooks.models import Delivery, Endpoint

router = Router(tags=["webhooks"], auth=BearerToken())

ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
READ: dict[str, object] = {"x-token-required": True}
ENDPOINT_KEYSET = Keyset("url")
DELIVERY_KEYSET = Keyset("created_at", descending=True, parse=dt.datetime.fromisoformat)


class EndpointIn(Schema):
    url: Text = Field(
        max_length=2000,
        description="An https address that accepts POST (plain http and private addresses "
        "only in networks the operator allow-lists).",
    )
    description: Text = Field("", max_length=300)
    all_subscriptions: bool = Field(
        True, description="Receive the matches of every subscription of yours."
    )
    subscriptions: list[int] = Field(
        default_factory=list,
        description="With `all_subscriptions: false`: the ids of the subscriptions it receives.",
    )


class EndpointPatch(Schema):
    """Only the fields sent change; `active: false` pauses, `active: true` resumes (and sends
    what waits)."""

    url: Text | None = Field(None, max_length=2000)
    description: Text | None = Field(None, max_length=300)
    all_subscriptions: bool | None = None
    subscriptions: list[int] | None = None
    active: bool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    secret: str = Field(description="Signs every request (X-Harbor-Signature).")
    all_subscriptions: bool
    subscriptions: list[int]
    active: bool
    paused_reason: str = Field(description="owner, failures, gone; empty when active.")
    paused_at: dt.datetime | None
    consecutive_failures: int
    last_success_at: dt.datetime | None
    created_at: dt.datetime


class EndpointPage(Schema):
    items: list[EndpointOut]
    next: str | None


class DeliveryOut(Schema):
    id: int
    event_id: uuid.UUID = Field(description="The X-Harbor-Event-Id: the idempotency key.")
    event_type: str
    state: str = Field(description="pending, delivered, failed (given up) or skipped.")
    subscription_id: int | None
    entry_id: int | None
    created_at: dt.datetime
    attempts: int
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    status_code: int | None
    duration_ms: int | None
    error: str
    response_excerpt: str


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next: str | None


def _user(request: HttpRequest) -> User:
    user = caller(request).user
    assert user is not None  # noqa: S101 (the router requires a token)
    return user


def _out(endpoint: Endpoint, chosen: list[int] | None = None) -> EndpointOut:
    return EndpointOut(
        id=endpoint.pk,
        url=endpoint.url,
        description=endpoint.description,
        secret=endpoint.secret,
        all_subscriptions=endpoint.all_subscriptions,
        subscriptions=chosen
        if chosen is not None
        else sorted(endpoint.subscriptions.values_list("pk", flat=True)),
        active=endpoint.active,
        paused_reason=endpoint.paused_reason,
        paused_at=endpoint.paused_at,
        consecutive_failures=endpoint.consecutive_failures,
        last_success_at=endpoint.last_success_at,
        created_at=endpoint.created_at,
    )


def _delivery_out(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.pk,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        state=delivery.state,
        subscription_id=delivery.subscription_id,
        entry_id=delivery.entry_id,
        created_at=delivery.created_at,
        attempts=delivery.attempts,
        last_attempt_at=delivery.last_attempt_at,
        next_attempt_at=delivery.next_attempt_at if delivery.state == "pending" else None,
        delivered_at=delivery.delivered_at,
        status_code=delivery.status_code,
        duration_ms=delivery.duration_ms,
        error=delivery.error,
        response_excerpt=delivery.response_excerpt,
    )


def _owned(request: HttpRequest, endpoint_id: int) -> Endpoint:
    found = queries.get_owned(_user(request), endpoint_id)
    if found is None:
        raise not_found(_("You have no webhook endpoint with this id."))
    return found


@router.get(
    "/webhooks",
    response={200: EndpointPage, **ERRORS},
    summary="List my webhook endpoints",
    openapi_extra=READ,
)
def list_webhooks(request: HttpRequest, filters: Query[PageParams]) -> EndpointPage:
    """The caller's endpoints, by address."""
    queryset = Endpoint.objects.filter(owner=_user(request)).prefetch_related("subscriptions")
    page, next_url = paginate(request, queryset, ENDPOINT_KEYSET, filters)
    return EndpointPage(
        items=[_out(e, sorted(s.pk for s in e.subscriptions.all())) for e in page],
        next=next_url,
    )


@router.get(
    "/webhooks/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="A webhook endpoint",
    openapi_extra=READ,
)
def get_webhook(request: HttpRequest, endpoint_id: int) -> EndpointOut:
    """One of the caller's endpoints, with its secret and state (404 for anyone else's)."""
    return _out(_owned(request, endpoint_id))


@router.post(
    "/webhooks",
    response={201: EndpointOut, **ERRORS},
    auth=write_auth,
    summary="Add a webhook endpoint",
)
def create_webhook(
    request: HttpRequest, payload: EndpointIn, response: HttpResponse
) -> Status[EndpointOut]:
    """From now on, every entry your subscriptions match is POSTed to `url` at once, signed
    with the `secret` in the answer (docs/user/webhooks.md)."""
    endpoint = services.create_endpoint(
        user=_user(request),
        origin=origin(request),
        data=services.EndpointData(
            url=payload.url,
            description=payload.description,
            all_subscriptions=payload.all_subscriptions,
            subscriptions=payload.subscriptions,
        ),
    )
    response["Location"] = request.build_absolute_uri(
        reverse("api:get_webhook", kwargs={"endpoint_id": endpoint.pk})
    )
    return Status(201, _out(endpoint))


@router.patch(
    "/webhooks/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    auth=write_auth,
    summary="Change, pause or resume a webhook endpoint",
)
def update_webhook(request: HttpRequest, endpoint_id: int, payload: EndpointPatch) -> EndpointOut:
    """Only the fields sent change. `active: false` pauses it (deliveries wait); `active:
    true` resumes it and sends at once everything that waits."""
    endpoint = _owned(request, endpoint_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    user, where = _user(request), origin(request)
    fields = {"url", "description", "all_subscriptions", "subscriptions"}
    if fields & set(changes):
        chosen = sorted(endpoint.subscriptions.values_list("pk", flat=True))
        endpoint = services.update_endpoint(
            user=user,
            origin=where,
            endpoint=endpoint,
            data=services.EndpointData(
                url=changes.get("url", endpoint.url),
                description=changes.get("description", endpoint.description),
                all_subscriptions=changes.get("all_subscriptions", endpoint.all_subscriptions),
                subscriptions=changes.get("subscriptions", chosen),
            ),
        )
    if changes.get("active") is False:
        endpoint = services.pause_endpoint(user=user, origin=where, endpoint=endpoint)
    elif changes.get("active") is True:
        endpoint = services.resume_endpoint(user=user, origin=where, endpoint=endpoint)
    return _out(endpoint)


@router.delete(
    "/webhooks/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    auth=write_auth,
    summary="Delete a webhook endpoint",
)
def delete_webhook(request: HttpRequest, endpoint_id: int) -> EndpointOut:
    """Delete it with its delivery log; answers what it was."""
    endpoint = _owned(request, endpoint_id)
    gone = _out(endpoint)
    services.delete_endpoint(user=_user(request), origin=origin(request), endpoint=endpoint)
    return gone


@router.post(
    "/webhooks/{endpoint_id}/secret",
    response={200: EndpointOut, **ERRORS},
    auth=write_auth,
    summary="Give a webhook endpoint a new secret",
)
def rotate_webhook_secret(request: HttpRequest, endpoint_id: int) -> EndpointOut:
    """The old secret stops signing at once."""
    endpoint = services.rotate_secret(
        user=_user(request), origin=origin(request), endpoint=_owned(request, endpoint_id)
    )
    return _out(endpoint)


@router.post(
    "/webhooks/{endpoint_id}/test",
    response={202: DeliveryOut, **ERRORS},
    auth=write_auth,
    summary="Send a test event",
)
def test_webhook(request: HttpRequest, endpoint_id: int) -> Status[DeliveryOut]:
    """A `webhook.test` event, sent at once (or when the endpoint is resumed)."""
    delivery = services.send_test_event(
        user=_user(request), origin=origin(request), endpoint=_owned(request, endpoint_id)
    )
    return Status(202, _delivery_out(delivery))


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="The delivery log of a webhook endpoint",
    openapi_extra=READ,
)
def list_webhook_deliveries(
    request: HttpRequest, endpoint_id: int, filters: Query[PageParams]
) -> DeliveryPage:
    """Newest first: each event, its state and its last attempt."""
    endpoint = _owned(request, endpoint_id)
    queryset = Delivery.objects.filter(endpoint=endpoint)
    page, next_url = paginate(request, queryset, DELIVERY_KEYSET, filters)
    return DeliveryPage(items=[_delivery_out(d) for d in page], next=next_url)


@router.post(
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
    response={202: DeliveryOut, **ERRORS},
    auth=write_auth,
    summary="Send a delivery again",
)
def replay_webhook_delivery(
    request: HttpRequest, endpoint_id: int, delivery_id: int
) -> Status[DeliveryOut]:
    """Send it again with the same event id, whatever became of it."""
    delivery = queries.get_delivery(_user(request), endpoint_id, delivery_id)
    if delivery is None:
        raise not_found(_("This endpoint has no delivery with this id."))
    delivery = services.replay_delivery(
        user=_user(request), origin=origin(request), delivery=delivery
    )
    return Status(202, _delivery_out(delivery))
