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
