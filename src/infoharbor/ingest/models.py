"""Sources, their harvest state, each harvest attempt, and the items they brought."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.core import kinds
from infoharbor.core.choices import License
from infoharbor.core.models import Country, Entry, Language, Organization, Sector
from infoharbor.ingest.choices import (
    DATASET_ENTRY_KIND,
    DATASET_KINDS,
    HARVESTED_KINDS,
    Outcome,
    PageOutcome,
    SourceKind,
)


class Source(models.Model):
    """A feed, dataset, catalogue or set of pages whose items become entries of an
    organization.

    Never hard-deleted once it brought items: switch it off instead, and its entries keep
    saying where they came from.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=SourceKind.choices, default=SourceKind.RSS
    )
    url = models.URLField(_("address"), max_length=1000)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="sources",
        verbose_name=_("organization"),
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("country"))
    language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        verbose_name=_("default language"),
        help_text=_(
            "For items that do not declare their language and whose text does not tell it."
        ),
    )
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    entry_kind = models.CharField(
        _("kind of entry created"), max_length=64, default="information.news"
    )
    entry_details = models.JSONField(
        _("details of the entries"),
        default=dict,
        blank=True,
        help_text=_(
            'The kind\'s details every entry gets, as JSON, e.g. {"notice_type": "press_release"}.'
        ),
    )
    publish = models.BooleanField(
        _("publish at once"),
        default=True,
        help_text=_("Off: items arrive as drafts for the organization's publishers to review."),
    )
    interval_minutes = models.PositiveIntegerField(_("polling interval (minutes)"), default=60)
    quiet_after_hours = models.PositiveIntegerField(
        _("quiet after (hours)"),
        default=72,
        help_text=_("The source is flagged as quiet when no new item arrived for this long."),
    )
    enabled = models.BooleanField(_("on"), default=True)
    license = models.CharField(
        _("license of the items"),
        max_length=32,
        choices=License.choices,
        default=License.ALL_RIGHTS,
    )
    license_note = models.CharField(
        _("license note"),
        max_length=300,
        blank=True,
        help_text=_("Terms of reuse as the publisher states them, shown with every item."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "url"], name="one_source_per_address_per_organization"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Checks the form, the admin, the API and the services share."""
        from infoharbor.core import services

        errors: dict[str, list[Any]] = {}
        if self.kind == SourceKind.CAP:
            errors["kind"] = [
                _(
                    "CAP alert feeds are not harvested yet: the alerts platform that will "
                    "receive and publish them is not part of this release. Add the feed as "
                    "RSS or Atom to read its items as news meanwhile."
                )
            ]
        elif self.kind and self.kind not in HARVESTED_KINDS:
            errors["kind"] = [_("Unknown kind of source.")]
        if self.kind in DATASET_KINDS and self.entry_kind != DATASET_ENTRY_KIND:
            errors["entry_kind"] = [
                _("Dataset and catalogue sources make open dataset entries (%(kind)s).")
                % {"kind": DATASET_ENTRY_KIND}
            ]
        elif self.kind not in DATASET_KINDS and self.entry_kind == DATASET_ENTRY_KIND:
            errors["entry_kind"] = [
                _(
                    "Only dataset files and catalogues (CSV, JSON, XLSX, CKAN, DCAT) make open "
                    "dataset entries."
                )
            ]
        if self.url and urlsplit(self.url).scheme not in {"http", "https"}:
            errors["url"] = [_("Give an http or https address.")]
        minimum = settings.INGEST_MIN_INTERVAL_MINUTES
        if self.interval_minutes is not None and self.interval_minutes < minimum:
            errors["interval_minutes"] = [
                _("The interval must be at least %(minimum)d minutes (the harbor's minimum).")
                % {"minimum": minimum}
            ]
        if self.quiet_after_hours is not None and self.quiet_after_hours < 1:
            errors["quiet_after_hours"] = [_("Give at least one hour.")]
        if not isinstance(self.entry_details, dict):
            errors["entry_details"] = [_("Give the details as a JSON object.")]
        elif self.entry_kind:
            try:
                kind = kinds.get(self.entry_kind)
            except kinds.UnknownKind:
                errors["entry_kind"] = [_("Unknown kind of entry.")]
            else:
                # As the services will: what is left out takes the model's default.
                details = dict(self.entry_details)
                for name in kind.form.base_fields:
                    field = kind.model._meta.get_field(name)
                    if (
                        name not in details
                        and isinstance(field, models.Field)
                        and field.has_default()
                    ):
                        details[name] = field.get_default()
                try:
                    services.validate_details(self.entry_kind, details)
                except ValidationError as error:
                    errors["entry_details"] = [
                        f"{name.removeprefix('details.')}: {message}"
                        for name, messages in error.message_dict.items()
                        for message in messages
                    ]
        if errors:
            raise ValidationError(errors)


class SourceState(models.Model):
    """What the harvester knows about a source between runs (not audited: machine state)."""

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    document_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the last document harvested in full."
    )
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_new_item_at = models.DateTimeField(null=True, blank=True)
    feed_format = models.CharField(max_length=16, blank=True)
    feed_title = models.CharField(max_length=300, blank=True)
    moved_to = models.URLField(
        max_length=1000, blank=True, help_text="Where the feed said it moved permanently."
    )
    cursor = models.JSONField(
        default=dict,
        blank=True,
        help_text="Where a catalogue or sitemap harvest that was cut short goes on.",
    )

    class Meta:
        verbose_name = "source state"

    def __str__(self) -> str:
        return f"state of source {self.source_id}"


class FetchAttempt(models.Model):
    """One harvest of one source: what happened and what it brought."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    url = models.URLField(max_length=1000, blank=True, help_text="After redirects.")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="How the document was read, item problems.")
    bytes = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    items_unchanged = models.PositiveIntegerField(default=0)
    items_duplicate = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    items_withdrawn = models.PositiveIntegerField(
        default=0, help_text="Entries withdrawn because their dataset left the catalogue."
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class IngestedItem(models.Model):
    """The entry an item became, and the keys that keep it from becoming two."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="ingested")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items")
    guid = models.CharField(max_length=1000, blank=True)
    guid_key = models.CharField(max_length=64, blank=True)
    canonical_url = models.TextField(blank=True)
    url_key = models.CharField(max_length=64, blank=True)
    content_hash = models.CharField(max_length=64)
    raw_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Of the item's bytes in the feed as last read: the same bytes again are "
        "skipped before parsing.",
    )
    published_at = models.DateTimeField(null=True, blank=True, help_text="At the source.")
    first_seen_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    delay_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="From publication at the source to arrival here; empty for the first "
        "harvest's backlog and for items without a date.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid_key"],
                condition=~Q(guid_key=""),
                name="one_item_per_guid_per_source",
            ),
            models.UniqueConstraint(
                fields=["url_key"], condition=~Q(url_key=""), name="one_item_per_canonical_url"
            ),
            models.UniqueConstraint(
                fields=["source", "content_hash"], name="one_item_per_content_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "first_seen_at"]),
            models.Index(fields=["source", "raw_hash"], name="ingest_item_raw_hash"),
        ]

    def __str__(self) -> str:
        return f"item {self.pk} of source {self.source_id}"


class PageVisit(models.Model):
    """An article page of a pages source: when it was fetched, and what its sitemap said.

    A page stored once is not fetched again unless its sitemap's ``lastmod`` moves past the
    one recorded here; a page that keeps failing is given up after a few tries until then.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="page_visits")
    url = models.TextField(help_text="Canonical address.")
    url_key = models.CharField(max_length=64)
    lastmod = models.DateTimeField(null=True, blank=True, help_text="As the sitemap said.")
    fetched_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=PageOutcome.choices)
    failures = models.PositiveSmallIntegerField(default=0, help_text="Failed tries in a row.")
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "url_key"], name="one_visit_per_page")
        ]

    def __str__(self) -> str:
        return self.url


class SectorRule(models.Model):
    """Entries whose text has one of the keywords get the sector, besides their source's.

    Keywords are matched on the words the search analysis finds (``infoharbor.text``), in
    the language of each entry, so they work in the languages written without spaces too.
    """

    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="keyword_rules", verbose_name=_("sector")
    )
    keywords = models.TextField(
        _("keywords"),
        help_text=_(
            "One keyword or phrase per line, in any language (เกษตร, 农业, nông nghiệp, "
            "agriculture). Case, accents, Traditional or Simplified Chinese and Zawgyi do "
            "not matter."
        ),
    )
    enabled = models.BooleanField(_("on"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sector__order", "sector__slug", "pk"]
        verbose_name = _("sector keyword rule")
        verbose_name_plural = _("sector keyword rules")

    def __str__(self) -> str:
        first = self.keywords.strip().splitlines()[0] if self.keywords.strip() else ""
        return f"{self.sector.slug}: {first}"

    @property
    def keyword_list(self) -> list[str]:
        return list(
            dict.fromkeys(line.strip() for line in self.keywords.splitlines() if line.strip())
        )

    def clean(self) -> None:
        if not self.keyword_list:
            raise ValidationError({"keywords": [_("Give at least one keyword.")]})
        if len(self.keyword_list) > 500:
            raise ValidationError({"keywords": [_("At most 500 keywords per rule.")]})
