"""Reads of the mail app: the deliveries of subscriptions (a source for
:mod:`infoharbor.subscriptions.deliveries`) and the health of an owner's address."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from infoharbor.accounts.models import User
from infoharbor.mail.choices import MessageState
from infoharbor.mail.models import AddressHealth, MessageItem
from infoharbor.subscriptions.deliveries import Delivery

CHANNEL = _("Email")
# How a message's state reads on the subscriptions page.
SHOWN_STATE = {
    MessageState.PENDING: "pending",
    MessageState.SENDING: "pending",
    MessageState.RETRYING: "retrying",
    MessageState.SENT: "sent",
    MessageState.FAILED: "failed",
    MessageState.HELD: "failed",
}


def deliveries(subscription_ids: Sequence[int], limit: int) -> list[Delivery]:
    """The last ``limit`` messages of each subscription (one query)."""
    # The newest messages of the row's subscription (a correlated subquery on the
    # (subscription, message) index; a window function cannot be grouped here).
    newest = (
        MessageItem.objects.filter(subscription_id=OuterRef("subscription_id"))
        .order_by("-message_id")
        .values("message_id")
        .distinct()[:limit]
    )
    rows = (
        MessageItem.objects.filter(
            subscription_id__in=list(subscription_ids), message_id__in=Subquery(newest)
        )
        .values(
            "subscription_id",
            "message_id",
            "message__state",
            "message__created_at",
            "message__sent_at",
            "message__last_error",
            "message__next_attempt_at",
        )
        .annotate(entries=Count("pk"))
        .order_by("subscription_id", "-message_id")
    )
    found = []
    for row in rows:
        state = MessageState(row["message__state"])
        found.append(
            Delivery(
                subscription_id=row["subscription_id"],
                at=row["message__sent_at"] or row["message__created_at"],
                channel=CHANNEL,
                entries=row["entries"],
                state=SHOWN_STATE[state],
                state_label=state.label,
                error=row["message__last_error"] if state != MessageState.SENT else "",
                next_attempt_at=row["message__next_attempt_at"]
                if state == MessageState.RETRYING
                else None,
            )
        )
    return found


def failing_address(user: User) -> AddressHealth | None:
    """The owner's address health when it is failing (the page then says what to do)."""
    return AddressHealth.objects.filter(address=user.email, failing_since__isnull=False).first()
