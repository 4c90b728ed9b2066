from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("given up")
    SKIPPED = "skipped", _("not sent")


class EventType(models.TextChoices):
    ENTRY_MATCHED = "entry.matched", _("entry matched")
    TEST = "webhook.test", _("test event")


class PauseReason(models.TextChoices):
    OWNER = "owner", _("paused by its owner")
    FAILURES = "failures", _("too many failed deliveries in a row")
    GONE = "gone", _("the receiver answered 410 Gone")
