"""Fixed vocabularies of ingestion. Stored values are API values too: never rename one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    RSS = "rss", _("RSS feed (0.9x, 1.0, 2.0)")
    ATOM = "atom", _("Atom feed")
    JSON_FEED = "json_feed", _("JSON Feed")
    CAP = "cap", _("CAP alert feed")
    DATASET = "dataset", _("Open dataset (CSV, JSON, XLSX, CKAN or DCAT)")
    PAGES = "pages", _("Article pages or a news sitemap")


# The kinds this release harvests; the others are declared so that their values are stable,
# and refused when a source asks for them.
HARVESTED_KINDS = frozenset({SourceKind.RSS, SourceKind.ATOM, SourceKind.JSON_FEED})


class Outcome(models.TextChoices):
    """How one harvest attempt of a source ended."""

    RUNNING = "running", _("Running or interrupted")
    FETCHED = "fetched", _("Fetched")
    NOT_MODIFIED = "not_modified", _("Not modified")
    FAILED = "failed", _("Failed")


class Freshness(models.TextChoices):
    """A source's state at a glance (computed, never stored)."""

    NEW = "new", _("Not fetched yet")
    FRESH = "fresh", _("Fresh")
    QUIET = "quiet", _("Quiet")
    FAILING = "failing", _("Failing")
    OFF = "off", _("Switched off")
