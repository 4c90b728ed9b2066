"""Webhook endpoints (where a person wants matches sent) and deliveries (one event to one
endpoint, its attempts and its state).

A :class:`Delivery` is written in the publication's transaction for every endpoint that
wants a match (see :mod:`infoharbor.webhooks.fanout`), so a crash can lose none; its
``event_id`` is fixed when it is written and sent with every attempt, so a receiver that
gets an event twice (a worker killed after sending, before recording) can tell.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.webhooks.choices import DeliveryState, EventType, PauseReason


def new_secret() -> str:
    """An endpoint's signing secret: 32 random bytes, URL-safe, with a recognisable prefix."""
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("owner"),
    )
    # Checked by services.check_url (scheme, host, SSRF), not by URLField's pattern.
    url = models.CharField(_("address"), max_length=2000)
    description = models.CharField(_("description"), max_length=300, blank=True)
    secret = models.CharField(max_length=100, default=new_secret)
    all_subscriptions = models.BooleanField(
        _("all my subscriptions"),
        default=True,
        help_text=_("Send the matches of every subscription, or only of those chosen."),
    )
    subscriptions = models.ManyToManyField(
        "subscriptions.Subscription",
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("subscriptions"),
    )
    active = models.BooleanField(_("active"), default=True)
    paused_reason = models.CharField(
        _("paused because"), max_length=16, choices=PauseReason.choices, blank=True
    )
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    secret_rotated_at = models.DateTimeField(_("secret since"), default=timezone.now)

    class Meta:
        ordering = ["owner", "pk"]
        indexes = [models.Index(fields=["owner", "all_subscriptions"], name="endpoint_owner_all")]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(_("event"), default=uuid.uuid4, unique=True)
    event_type = models.CharField(
        _("type"), max_length=32, choices=EventType.choices, default=EventType.ENTRY_MATCHED
    )
    # The match it carries (empty for a test event).
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    entry = models.ForeignKey(
        "core.Entry", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Retries stop WEBHOOK_MAX_AGE_SECONDS after this: the event's time, or its replay's.
    retrying_since = models.DateTimeField(default=timezone.now)
    # When to try next: null once it is delivered or given up. While a worker sends it, the
    # time it may take (a claim): a worker that dies leaves it due again after that.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)

    class Meta:
        constraints = [
            # One delivery per endpoint and match: a match seen again adds nothing.
            models.UniqueConstraint(
                fields=["endpoint", "subscription", "entry"], name="one_delivery_per_match"
            )
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="delivery_log"),
            models.Index(fields=["claim"], name="delivery_claim"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"
