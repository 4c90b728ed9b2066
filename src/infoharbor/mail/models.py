"""Outgoing subscription mail: the messages (an outbox the worker sends from), the matches
each carries, and the health of the addresses they go to.

A message is composed once, in the subscriber's language and time zone, in the same
transaction that marks its matches delivered (:mod:`infoharbor.mail.compose`); what is
stored is exactly what goes on the wire, so a retry days later sends the same bytes with the
same ``Message-ID``. Written only by :mod:`infoharbor.mail.compose`,
:mod:`infoharbor.mail.sending` and :mod:`infoharbor.mail.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.mail.choices import MessageKind, MessageState
from infoharbor.subscriptions.models import Match, Subscription


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    # The address at composition: a later change of the account's address does not redirect
    # mail already composed.
    address = models.EmailField(_("address"))
    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=16)
    subject = models.CharField(_("subject"), max_length=400)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"))
    # The idempotency key: a message sent again (after a crash between the server's "250"
    # and our commit) carries the same one, and receivers drop the copy.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    unsubscribe_url = models.CharField(max_length=1000)
    state = models.CharField(
        _("state"), max_length=16, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Who is sending it right now ("host:pid"), and since when: a sender that died is
    # recognised, so its message is sent again rather than stuck in "sending".
    claimed_by = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("composed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="mail_message_due")]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return self.subject


class MessageItem(models.Model):
    """A match carried by a message. One row per match at most: a match goes into exactly
    one message, and the database says so."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="items")
    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="mail_item")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["subscription", "message"], name="mail_item_by_sub")]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.match_id}"


class AddressHealth(models.Model):
    """How the mail to one address fares: permanent refusals in a row, and since when it is
    taken for failing (no subscription mail is composed for it then)."""

    address = models.EmailField(_("address"), unique=True)
    consecutive_failures = models.PositiveIntegerField(_("refusals in a row"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["address"]
        verbose_name = _("mail address health")
        verbose_name_plural = _("mail address health")

    def __str__(self) -> str:
        return self.address

    @property
    def failing(self) -> bool:
        return self.failing_since is not None
