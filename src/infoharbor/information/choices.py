from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeType(models.TextChoices):
    NEWS = "news", _("News")
    NOTICE = "notice", _("Notice")
    PRESS_RELEASE = "press_release", _("Press release")
    ANNOUNCEMENT = "announcement", _("Announcement")


class PolicyType(models.TextChoices):
    LAW = "law", _("Law")
    REGULATION = "regulation", _("Regulation")
    DECREE = "decree", _("Decree")
    CIRCULAR = "circular", _("Circular")
    STRATEGY = "strategy", _("Strategy or plan")
    GUIDELINE = "guideline", _("Guideline")
    AGREEMENT = "agreement", _("Agreement")


class InForce(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    DRAFT = "draft", _("Draft for comment")
    REPEALED = "repealed", _("Repealed")


class UpdateFrequency(models.TextChoices):
    """How often a dataset is updated (a subset of the EU frequency vocabulary DCAT-AP uses)."""

    CONTINUOUS = "continuous", _("Continuously")
    HOURLY = "hourly", _("Every hour")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    BIANNUAL = "biannual", _("Twice a year")
    ANNUAL = "annual", _("Every year")
    IRREGULAR = "irregular", _("Irregularly")
    NEVER = "never", _("No longer updated")
