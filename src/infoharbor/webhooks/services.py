"""Writes to webhook endpoints and deliveries: create, change, delete, rotate the secret,
pause, resume, send a test event, replay a delivery; audited.

Only the owner changes an endpoint (operators use the admin). Its address is checked
against server-side request forgery here, when it is saved (:func:`check_url`), and again
on every connection (:mod:`infoharbor.webhooks.wire`), because the name may point somewhere
else by then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infoharbor.accounts.models import User
from infoharbor.core import audit, outbound
from infoharbor.core.tasks import enqueue_on_commit
from infoharbor.subscriptions.models import Subscription
from infoharbor.webhooks import wire
from infoharbor.webhooks.choices import DeliveryState, EventType, PauseReason
from infoharbor.webhooks.models import Delivery, Endpoint, new_secret

logger = logging.getLogger(__name__)

AUDITED_FIELDS = ["url", "description", "all_subscriptions", "active", "paused_reason"]
# No one needs more; each endpoint costs every matching publication a request.
MAX_PER_OWNER = 20


@dataclass
class EndpointData:
    url: str
    description: str = ""
    all_subscriptions: bool = True
    subscriptions: list[int] = field(default_factory=list)


def _check_owner(user: User, endpoint: Endpoint) -> None:
    if user.pk != endpoint.owner_id:
        raise PermissionDenied(_("Only its owner can change a webhook endpoint."))


def check_url(url: str, allowed: tuple[outbound.Network, ...] | None = None) -> str:
    """``url`` if webhooks may be sent there; else a ValidationError saying why."""
    allowed = tuple(settings.WEBHOOK_ALLOWED_NETWORKS) if allowed is None else allowed
    url = url.strip()
    try:
        target = wire.target_of(url)
    except wire.Failed:
        raise ValidationError({"url": _("Enter an https address (https://...).")}) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(
            {"url": _("Leave the user name and password out of the address: requests are signed.")}
        )
    try:
        addresses = outbound.resolve(target.host, target.port)
    except outbound.Unresolvable:
        raise ValidationError(
            {"url": _("The name %(host)s could not be resolved.") % {"host": target.host}}
        ) from None
    refused = [a for a in addresses if not outbound.address_allowed(a, allowed)]
    if refused:
        raise ValidationError({
            "url": _(
                "%(host)s resolves to %(addresses)s, which is not a public address: webhooks "
                "are not sent there unless the harbor's operator allows it."
            ) % {"host": target.host, "addresses": ", ".join(refused)}
        })  # fmt: skip
    if target.scheme == "http" and not all(outbound.address_listed(a, allowed) for a in addresses):
        raise ValidationError(
            {"url": _("Use an https address: plain http is only for networks the operator allows.")}
        )
    return url.split("#", 1)[0]


def _apply(endpoint: Endpoint, data: EndpointData, owner: User) -> list[Subscription]:
    errors: dict[str, str] = {}
    try:
        endpoint.url = check_url(data.url)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if len(endpoint.url) > 2000:
        errors["url"] = _("The address is too long (2,000 characters at most).")
    endpoint.description = data.description.strip()[:300]
    endpoint.all_subscriptions = data.all_subscriptions
    chosen = list(Subscription.objects.filter(owner=owner, pk__in=data.subscriptions))
    if len(chosen) != len(set(data.subscriptions)):
        errors["subscriptions"] = _("Choose among your own subscriptions.")
    if not data.all_subscriptions and not data.subscriptions:
        errors["subscriptions"] = _("Choose at least one subscription, or all of them.")
    if errors:
        raise ValidationError(errors)
    return chosen


def create_endpoint(*, user: User, origin: audit.Origin, data: EndpointData) -> Endpoint:
    if user.pk is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to add a webhook."))
    endpoint = Endpoint(owner=user)
    chosen = _apply(endpoint, data, user)
    with transaction.atomic():
        if Endpoint.objects.filter(owner=user).count() >= MAX_PER_OWNER:
            raise ValidationError(
                _("You have %(count)d webhook endpoints, the most one account may have.")
                % {"count": MAX_PER_OWNER}
            )
        endpoint.save()
        endpoint.subscriptions.set(chosen)
        audit.record(
            origin,
            "webhook.create",
            endpoint,
            changes={k: [None, v] for k, v in audit.snapshot(endpoint, AUDITED_FIELDS).items()},
        )
    return endpoint


def update_endpoint(
    *, user: User, origin: audit.Origin, endpoint: Endpoint, data: EndpointData
) -> Endpoint:
    _check_owner(user, endpoint)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = audit.snapshot(endpoint, AUDITED_FIELDS)
        before_chosen = sorted(endpoint.subscriptions.values_list("pk", flat=True))
        chosen = _apply(endpoint, data, endpoint.owner)
        changes = audit.diff(before, audit.snapshot(endpoint, AUDITED_FIELDS))
        after_chosen = sorted(s.pk for s in chosen)
        if before_chosen != after_chosen:
            changes["subscriptions"] = [before_chosen, after_chosen]
        if not changes:
            return endpoint
        endpoint.updated_at = timezone.now()
        endpoint.save()
        endpoint.subscriptions.set(chosen)
        audit.record(origin, "webhook.update", endpoint, changes=changes)
    return endpoint


def delete_endpoint(*, user: User, origin: audit.Origin, endpoint: Endpoint) -> None:
    """Delete it with its delivery log (the audit trail keeps what it was)."""
    _check_owner(user, endpoint)
    with transaction.atomic():
        audit.record(
            origin,
            "webhook.delete",
            endpoint,
            changes={k: [v, None] for k, v in audit.snapshot(endpoint, AUDITED_FIELDS).items()},
        )
        endpoint.delete()


def rotate_secret(*, user: User, origin: audit.Origin, endpoint: Endpoint) -> Endpoint:
    """A new signing secret, used from the next request on (the old one stops at once)."""
    _check_owner(user, endpoint)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.secret = new_secret()
        endpoint.secret_rotated_at = timezone.now()
        endpoint.save(update_fields=["secret", "secret_rotated_at"])
        # The secret itself stays out of the audit trail.
        audit.record(origin, "webhook.secret", endpoint, changes={})
    return endpoint


def pause_endpoint(*, user: User, origin: audit.Origin, endpoint: Endpoint) -> Endpoint:
    """Stop sending (deliveries wait, pending, for a resume)."""
    _check_owner(user, endpoint)
    with transaction.atomic():
        if Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False, paused_reason=PauseReason.OWNER, paused_at=timezone.now()
        ):
            audit.record(origin, "webhook.pause", endpoint, changes={"active": [True, False]})
    endpoint.refresh_from_db()
    return endpoint


def resume_endpoint(*, user: User, origin: audit.Origin, endpoint: Endpoint) -> Endpoint:
    """Send again: every delivery still pending is due at once."""
    _check_owner(user, endpoint)
    now = timezone.now()
    with transaction.atomic():
        if Endpoint.objects.filter(pk=endpoint.pk, active=False).update(
            active=True, paused_reason="", paused_at=None, consecutive_failures=0
        ):
            audit.record(origin, "webhook.resume", endpoint, changes={"active": [False, True]})
        Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
            next_attempt_at=now, claim="", retrying_since=now
        )
        _send_soon(endpoint.pk)
    endpoint.refresh_from_db()
    return endpoint


def send_test_event(*, user: User, origin: audit.Origin, endpoint: Endpoint) -> Delivery:
    """A ``webhook.test`` event, to see the endpoint receive and verify one."""
    _check_owner(user, endpoint)
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event_type=EventType.TEST,
            created_at=now,
            retrying_since=now,
            next_attempt_at=now,
        )
        _send_soon(endpoint.pk)
    return delivery


def replay_delivery(*, user: User, origin: audit.Origin, delivery: Delivery) -> Delivery:
    """Send a delivery again, whatever became of it, with the same event id."""
    _check_owner(user, delivery.endpoint)
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING, next_attempt_at=now, claim="", retrying_since=now
        )
        audit.record(origin, "webhook.replay", delivery.endpoint, note=f"event {delivery.event_id}")
        _send_soon(delivery.endpoint_id)
    delivery.refresh_from_db()
    return delivery


def _send_soon(endpoint_id: int) -> None:
    from infoharbor.webhooks import tasks

    enqueue_on_commit(tasks.deliver_endpoint, endpoint_id)


def pause_automatically(endpoint_id: int, reason: str) -> bool:
    """Pause an endpoint the harbor can no longer deliver to, and tell its owner why and
    how to resume; False if it was paused already."""
    with transaction.atomic():
        paused = Endpoint.objects.filter(pk=endpoint_id, active=True).update(
            active=False, paused_reason=reason, paused_at=timezone.now()
        )
        if not paused:
            return False
        endpoint = Endpoint.objects.select_related("owner").get(pk=endpoint_id)
        audit.record(
            audit.SYSTEM, "webhook.pause", endpoint, changes={"active": [True, False]},
            note=reason,
        )  # fmt: skip
        transaction.on_commit(lambda: notify_paused(endpoint_id))
    return True


def notify_paused(endpoint_id: int) -> None:
    endpoint = Endpoint.objects.select_related("owner").get(pk=endpoint_id)
    owner = endpoint.owner
    with translation.override(owner.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "endpoint": endpoint,
            "reason": PauseReason(endpoint.paused_reason).label,
            "failures": endpoint.consecutive_failures,
            "page": settings.SITE_URL + reverse("webhooks:detail", args=[endpoint.pk]),
        }
        subject = _("Your webhook %(url)s is paused") % {"url": endpoint.url[:80]}
        body = render_to_string("webhooks/email/paused.txt", context)
    try:
        send_mail(subject, body, None, [owner.email])
    except OSError:
        # The pause stands; the page says it too. The mail is not worth failing the task.
        logger.exception("could not tell %s that webhook %s is paused", owner.pk, endpoint_id)
