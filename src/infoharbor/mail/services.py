"""Writes of the mail app that people cause: one-click unsubscribe, "try my address again",
and an operator's "send again now"."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.mail import tokens
from infoharbor.mail.choices import MessageState
from infoharbor.mail.models import AddressHealth, Message
from infoharbor.subscriptions import services as subscription_services
from infoharbor.subscriptions.models import Subscription


def subscriptions_of(token: str) -> list[Subscription]:
    """The subscriptions an unsubscribe token names that still exist (BadToken if forged)."""
    ids = tokens.read(token)
    return list(
        Subscription.objects.select_related("owner").filter(pk__in=ids).order_by("name", "pk")
    )


def unsubscribe(*, token: str, origin: audit.Origin) -> list[Subscription]:
    """Pause the subscriptions of ``token`` (one-click unsubscribe); the ones it paused.

    Pausing rather than deleting: the link may be followed by a mail scanner or by mistake,
    and a paused subscription is one "Resume" away on the subscriptions page, with its
    feeds still working. Paused, it matches nothing and no mail is composed for it.
    """
    paused = []
    for subscription in subscriptions_of(token):
        if subscription.paused:
            continue
        owner = subscription.owner
        paused.append(
            subscription_services.pause_subscription(
                user=owner,
                origin=audit.Origin(
                    user=owner,
                    ip_address=origin.ip_address,
                    user_agent=origin.user_agent,
                    via="email",
                ),
                subscription=subscription,
                paused=True,
            )
        )
    return paused


def health_of(user: User) -> AddressHealth | None:
    return AddressHealth.objects.filter(address=user.email).first()


def retry_address(*, user: User) -> int:
    """The owner says their address works again: clear its failing mark and send what was
    held for it; how many held messages go out again. Matches that waited are composed
    at the next round."""
    return clear_failing([user.email])


def clear_failing(addresses: Iterable[str]) -> int:
    """Take the failing mark off ``addresses`` (the owner's "try again", an operator's
    action) and release the messages held for them; how many were released."""
    from infoharbor.mail import tasks

    now = timezone.now()
    chosen = [address.strip().lower() for address in addresses]
    with transaction.atomic():
        AddressHealth.objects.filter(address__in=chosen).update(
            consecutive_failures=0, failing_since=None, updated_at=now
        )
        held = list(
            Message.objects.filter(address__in=chosen, state=MessageState.HELD).values_list(
                "pk", flat=True
            )
        )
        Message.objects.filter(pk__in=held).update(
            state=MessageState.PENDING, next_attempt_at=now, attempts=0
        )
        for pk in held:
            transaction.on_commit(lambda pk=pk: tasks.enqueue_send(pk))  # type: ignore[misc]
        transaction.on_commit(tasks.enqueue_compositions)
    return len(held)


def send_again(message_ids: Iterable[int]) -> int:
    """An operator's "send again now" for failed or held messages (same Message-ID)."""
    from infoharbor.mail import tasks

    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.filter(
                pk__in=list(message_ids),
                state__in=[MessageState.FAILED, MessageState.HELD, MessageState.RETRYING],
            ).values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=ids).update(
            state=MessageState.PENDING, next_attempt_at=now, attempts=0
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: tasks.enqueue_send(pk))  # type: ignore[misc]
    return len(ids)
