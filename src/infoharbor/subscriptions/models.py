"""Subscriptions (saved searches and follows), the matches they produced, and the counter
that tells every process its match index is stale.

A subscription stores what the search page had in its address (``params``: ``q`` and the
filters, exactly as the page's GET parameters), so "save this search" keeps the page's
meaning, and the page itself shows what a subscription matches. A follow stores its target and
the same parameters derived from it (a follow of an organization is ``organization=12``).

A follow of a story cluster keeps the cluster's id in ``target`` without a foreign key (a
story is never deleted, and the follow is checked when it is made). Entries join their story
after publication, so its followers are matched when the stories app reports the entries it
assigned (``outbox._stories_assigned``), not at publication.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.subscriptions.choices import FollowTarget, Frequency, SubscriptionKind


def new_feed_token() -> str:
    """The secret part of a subscription's feed address (32 characters, URL-safe)."""
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=8, choices=SubscriptionKind.choices, default=SubscriptionKind.SEARCH
    )
    params = models.TextField(
        _("search parameters"),
        blank=True,
        help_text=_("The search page's parameters, as in its address (q=...&country=VN)."),
    )
    target_type = models.CharField(
        _("follows"), max_length=16, choices=FollowTarget.choices, blank=True
    )
    target = models.CharField(
        _("followed"),
        max_length=64,
        blank=True,
        help_text=_("Slug, code or id of what is followed."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.DAILY
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # The value of the MatchState counter at this subscription's last change: processes
    # catch up on the changes after the revision they loaded.
    revision = models.BigIntegerField(default=0, db_index=True)
    # Whoever has the address reads the feed (feed readers cannot sign in): the owner gives
    # it out and replaces it when it leaked (services.rotate_feed_token).
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    class Meta:
        ordering = ["owner", "name", "pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.name


class SubscriptionRemoval(models.Model):
    """A deleted subscription, so that processes drop it from their index; pruned once every
    process has caught up (``infoharbor`` keeps them for a week, see outbox.prune)."""

    subscription_id = models.BigIntegerField()
    revision = models.BigIntegerField(db_index=True)
    removed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.subscription_id} @ {self.revision}"


class MatchState(models.Model):
    """One row: the revision of the last subscription change."""

    revision = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.revision)


class Match(models.Model):
    """An entry that matched a subscription when it was published: the hand-off to delivery
    (an outbox row, written in the publication's transaction)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="matches")
    entry = models.ForeignKey("core.Entry", on_delete=models.CASCADE, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "entry"], name="one_match_per_entry")
        ]
        indexes = [models.Index(fields=["delivered_at", "matched_at"], name="match_undelivered")]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.subscription_id} → {self.entry_id}"
