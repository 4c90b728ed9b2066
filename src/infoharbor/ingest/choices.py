"""Fixed vocabularies of ingestion. Stored values are API values too: never rename one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    RSS = "rss", _("RSS feed (0.9x, 1.0, 2.0)")
    ATOM = "atom", _("Atom feed")
    JSON_FEED = "json_feed", _("JSON Feed")
    CAP = "cap", _("CAP alert feed")
    DATASET = "dataset", _("Open dataset file (CSV, JSON or XLSX)")
    PAGES = "pages", _("Article pages or a news sitemap")
    CKAN = "ckan", _("CKAN catalogue")
    DCAT = "dcat", _("DCAT catalogue (JSON-LD, data.json, RDF/XML or Turtle)")


FEED_KINDS = frozenset({SourceKind.RSS, SourceKind.ATOM, SourceKind.JSON_FEED})
# Sources whose every entry is an open dataset (and only they make datasets).
DATASET_KINDS = frozenset({SourceKind.DATASET, SourceKind.CKAN, SourceKind.DCAT})
DATASET_ENTRY_KIND = "information.dataset"
# The kinds this release harvests. CAP is declared so that its value is stable, and refused
# until the alerts platform that receives alerts exists.
HARVESTED_KINDS = FEED_KINDS | DATASET_KINDS | {SourceKind.PAGES}


def default_entry_kind(kind: str) -> str:
    """The kind of entry a source of ``kind`` makes unless told otherwise."""
    return DATASET_ENTRY_KIND if kind in DATASET_KINDS else "information.news"


class PageOutcome(models.TextChoices):
    """What became of an article page the last time it was fetched."""

    STORED = "stored", _("Stored")
    FAILED = "failed", _("Failed")


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
