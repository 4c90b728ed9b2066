"""Fixed vocabularies of the core, as Django choices (labels are translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University or research institute")
    NGO = "ngo", _("Non-governmental organization")
    MEDIA = "media", _("Media")
    INTERNATIONAL = "international", _("International body")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    ORGANIZATION = "organization", _("Own organization only")


class Provenance(models.TextChoices):
    AUTHORED = "authored", _("Authored here")
    INGESTED = "ingested", _("Ingested from a source")


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("HTML")


class License(models.TextChoices):
    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA_4 = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC0 = "CC0-1.0", _("Public domain (CC0 1.0)")
    GOV_OPEN = "government-open", _("Open government licence of the publisher")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")
