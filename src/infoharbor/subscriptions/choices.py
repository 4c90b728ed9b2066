"""Fixed vocabularies of subscriptions (labels are translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubscriptionKind(models.TextChoices):
    SEARCH = "search", _("Saved search")
    # The noun (a follow), not the button's verb: many languages say them differently.
    FOLLOW = "follow", pgettext_lazy("kind of subscription", "Follow")


class FollowTarget(models.TextChoices):
    """What a follow follows. A story cluster is followed by its id (see models.py)."""

    ORGANIZATION = "organization", _("Organization")
    COUNTRY = "country", _("Country")
    SECTOR = "sector", _("Sector")
    PLATFORM = "platform", _("Platform")
    KIND = "kind", _("Kind of entry")
    STORY = "story", _("Story")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
