"""Writes to subscriptions: create, update, pause, resume, delete; audited.

Only the owner changes a subscription (operators use the admin). Every change moves the match
index's revision in the same transaction (see :mod:`infoharbor.subscriptions.outbox`), so
every process matches the next publication with it.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoharbor.accounts.models import User
from infoharbor.core import audit, kinds
from infoharbor.core.models import Country, Organization, Sector
from infoharbor.core.platforms import BY_KEY as PLATFORMS
from infoharbor.stories.models import StoryCluster
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.choices import FollowTarget, Frequency, SubscriptionKind
from infoharbor.subscriptions.conditions import clean_params, follow_params, form_of
from infoharbor.subscriptions.models import Subscription, SubscriptionRemoval, new_feed_token

AUDITED_FIELDS = [
    "name",
    "kind",
    "params",
    "target_type",
    "target",
    "frequency",
    "language",
    "time_zone",
    "paused",
]
# No one needs more; a runaway script should not fill the index.
MAX_PER_OWNER = 500


@dataclass
class SubscriptionData:
    """What a person says about a subscription. A saved search has ``params`` (the search
    page's query string); a follow has ``target_type`` and ``target`` instead."""

    name: str
    kind: str = SubscriptionKind.SEARCH
    params: str = ""
    target_type: str = ""
    target: str = ""
    frequency: str = Frequency.DAILY
    language: str = ""  # default: the owner's preferred language
    time_zone: str = ""  # default: the owner's
    paused: bool = False


def _check_owner(user: User, subscription: Subscription) -> None:
    if user.pk != subscription.owner_id:
        raise PermissionDenied(_("Only its owner can change a subscription."))


def _clean_target(target_type: str, target: str) -> str:
    target = target.strip()
    if target_type == FollowTarget.ORGANIZATION:
        found = Organization.objects.filter(is_active=True)
        organization = (
            found.filter(pk=int(target)).first()
            if target.isdigit()
            else found.filter(slug=target).first()
        )
        if organization is None:
            raise ValidationError({"target": _("There is no such organization.")})
        return str(organization.pk)
    if target_type == FollowTarget.COUNTRY:
        if not Country.objects.filter(iso2=target.upper()).exists():
            raise ValidationError({"target": _("There is no such country.")})
        return target.upper()
    if target_type == FollowTarget.SECTOR:
        if not Sector.objects.filter(slug=target).exists():
            raise ValidationError({"target": _("There is no such sector.")})
        return target
    if target_type == FollowTarget.PLATFORM:
        if target not in PLATFORMS:
            raise ValidationError({"target": _("There is no such platform.")})
        return target
    if target_type == FollowTarget.KIND:
        try:
            return kinds.get(target).key
        except kinds.UnknownKind:
            raise ValidationError({"target": _("There is no such kind of entry.")}) from None
    if target_type == FollowTarget.STORY:
        if not target.isdigit():
            raise ValidationError({"target": _("A story is followed by its number.")})
        if not StoryCluster.objects.filter(pk=int(target)).exists():
            raise ValidationError({"target": _("There is no such story.")})
        return str(int(target))
    raise ValidationError({"target_type": _("Choose what to follow.")})


def _apply(subscription: Subscription, data: SubscriptionData, owner: User) -> None:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = _("Give the subscription a name.")
    if data.kind not in SubscriptionKind.values:
        errors["kind"] = _("A subscription is a saved search or a follow.")
    if data.frequency not in Frequency.values:
        errors["frequency"] = _("Choose immediately, daily or weekly.")
    language = data.language or owner.preferred_language
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = _("There is no such interface language.")
    time_zone = data.time_zone or owner.time_zone
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("There is no such time zone.")
    target_type, target, params = "", "", ""
    if data.kind == SubscriptionKind.FOLLOW:
        target_type = data.target_type
        try:
            target = _clean_target(target_type, data.target)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
        else:
            params = follow_params(target_type, target)
    elif data.kind == SubscriptionKind.SEARCH:
        params = clean_params(data.params)
        form = form_of(params)
        if not form.is_valid():
            errors["params"] = _("These search parameters are not valid: %(fields)s.") % {
                "fields": ", ".join(sorted(form.errors))
            }
        elif (
            not form.text.strip()
            and not any(
                getattr(form.filters(), name)
                for name in ("platform", "kind", "country", "language")
            )
            and not (form.filters().sector or form.filters().organization)
        ):
            errors["params"] = _("A saved search needs words or at least one filter.")
    if errors:
        raise ValidationError(errors)
    subscription.name = name[:200]
    subscription.kind = data.kind
    subscription.params = params
    subscription.target_type = target_type
    subscription.target = target
    subscription.frequency = data.frequency
    subscription.language = language
    subscription.time_zone = time_zone
    subscription.paused = data.paused


def create_subscription(
    *, user: User, origin: audit.Origin, data: SubscriptionData
) -> Subscription:
    if user.pk is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to subscribe."))
    subscription = Subscription(owner=user)
    _apply(subscription, data, user)
    with transaction.atomic():
        if Subscription.objects.filter(owner=user).count() >= MAX_PER_OWNER:
            raise ValidationError(
                _("You have %(count)d subscriptions, the most one account may have.")
                % {"count": MAX_PER_OWNER}
            )
        subscription.revision = outbox.bump_revision()
        subscription.save()
        audit.record(
            origin,
            "subscription.create",
            subscription,
            changes={k: [None, v] for k, v in audit.snapshot(subscription, AUDITED_FIELDS).items()},
        )
    return subscription


def update_subscription(
    *, user: User, origin: audit.Origin, subscription: Subscription, data: SubscriptionData
) -> Subscription:
    _check_owner(user, subscription)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        before = audit.snapshot(subscription, AUDITED_FIELDS)
        _apply(subscription, data, subscription.owner)
        changes = audit.diff(before, audit.snapshot(subscription, AUDITED_FIELDS))
        if not changes:
            return subscription
        subscription.updated_at = timezone.now()
        subscription.revision = outbox.bump_revision()
        subscription.save()
        audit.record(origin, "subscription.update", subscription, changes=changes)
    return subscription


def pause_subscription(
    *, user: User, origin: audit.Origin, subscription: Subscription, paused: bool = True
) -> Subscription:
    """Pause (or, with ``paused=False``, resume): a paused subscription matches nothing."""
    _check_owner(user, subscription)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.paused == paused:
            return subscription
        subscription.paused = paused
        subscription.updated_at = timezone.now()
        subscription.revision = outbox.bump_revision()
        subscription.save()
        audit.record(
            origin,
            "subscription.pause" if paused else "subscription.resume",
            subscription,
            changes={"paused": [not paused, paused]},
        )
    return subscription


def delete_subscription(*, user: User, origin: audit.Origin, subscription: Subscription) -> None:
    """Delete it and its undelivered matches (the audit trail keeps what it was)."""
    _check_owner(user, subscription)
    with transaction.atomic():
        audit.record(
            origin,
            "subscription.delete",
            subscription,
            changes={k: [v, None] for k, v in audit.snapshot(subscription, AUDITED_FIELDS).items()},
        )
        SubscriptionRemoval.objects.create(
            subscription_id=subscription.pk, revision=outbox.bump_revision()
        )
        subscription.delete()


def rotate_feed_token(
    *, user: User, origin: audit.Origin, subscription: Subscription
) -> Subscription:
    """Give the subscription a new feed address: the old one answers 404 from now on."""
    _check_owner(user, subscription)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.feed_token = new_feed_token()
        subscription.save(update_fields=["feed_token"])
        # The token itself stays out of the audit trail: it is a secret.
        audit.record(origin, "subscription.feed_token", subscription, changes={})
    return subscription
