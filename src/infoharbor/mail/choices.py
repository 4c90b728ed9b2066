"""Fixed vocabularies of outgoing mail (labels are translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Composed for an address that was then marked failing: sent once its owner asks to try
    # again, so nothing composed is lost.
    HELD = "held", _("Held: the address is failing")


class MessageKind(models.TextChoices):
    IMMEDIATE = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


# States in which a message still waits for the wire.
OPEN_STATES = (MessageState.PENDING, MessageState.SENDING, MessageState.RETRYING)
