"""The shared core: reference data, organizations, entries, translations and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infoharbor.core.choices import (
    BodyFormat,
    EntryStatus,
    License,
    OrganizationKind,
    Provenance,
    Visibility,
)
from infoharbor.core.languages import content_language


class TranslatedNames(models.Model):
    """Reference data whose names are kept per language: ``{"en": ..., "th": ...}``."""

    names = models.JSONField(default=dict)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active one), falling back to English."""
        code = content_language(language or get_language() or "en")
        names: dict[str, str] = self.names
        if code in names:
            return names[code]
        base = code.split("-")[0]
        return names.get(base) or names.get("en") or next(iter(names.values()), "")

    @property
    def name(self) -> str:
        return self.name_in()


class Language(TranslatedNames):
    code = models.CharField(_("code"), max_length=16, primary_key=True)
    iso639_1 = models.CharField(max_length=2, blank=True)
    iso639_3 = models.CharField(max_length=3, blank=True)
    script = models.CharField(max_length=16, blank=True)
    native_name = models.CharField(max_length=64)
    direction = models.CharField(max_length=3, default="ltr")
    spaced = models.BooleanField(
        default=True, help_text="False for languages written without spaces between words."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]


class Currency(TranslatedNames):
    code = models.CharField(max_length=3, primary_key=True)
    numeric = models.CharField(max_length=3, blank=True)
    minor_units = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"


class Country(TranslatedNames):
    iso2 = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    iso3 = models.CharField(max_length=3, blank=True)
    numeric = models.CharField(max_length=3, blank=True)
    capital = models.JSONField(default=dict, blank=True)
    currency = models.ForeignKey(Currency, null=True, blank=True, on_delete=models.SET_NULL)
    languages = models.ManyToManyField(Language, blank=True)
    flag = models.CharField(max_length=8, blank=True)
    calling_code = models.CharField(max_length=16, blank=True)
    region_member = models.BooleanField(default=False, help_text="China or an ASEAN member state.")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["iso2"]
        verbose_name_plural = "countries"

    def get_absolute_url(self) -> str:
        return reverse("portal:country", args=[self.iso2.lower()])

    def capital_in(self, language: str | None = None) -> str:
        code = content_language(language or get_language() or "en")
        capital: dict[str, str] = self.capital
        return capital.get(code) or capital.get("en", "")


class Sector(TranslatedNames):
    slug = models.SlugField(max_length=64, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]


class Tag(models.Model):
    slug = models.SlugField(max_length=64, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Organization(models.Model):
    """A publisher. Never hard-deleted: suspended organizations keep their history."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("country"))
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    editors_can_publish = models.BooleanField(
        _("editors may publish"),
        default=False,
        help_text=_("Let editors publish directly, without an administrator's review."),
    )
    is_active = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:organization", args=[self.slug])


class Entry(models.Model):
    """Everything published in the harbor. Kinds add a typed detail model linked one-to-one."""

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body_format = models.CharField(
        max_length=8, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    body_source = models.TextField(_("body"), blank=True, help_text="As written by the author.")
    body_html = models.TextField(blank=True, help_text="Sanitized HTML rendered from the body.")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, verbose_name=_("language"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("country"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    tags = models.ManyToManyField(Tag, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    source_url = models.URLField(_("source address"), max_length=1000, blank=True)
    provenance = models.CharField(
        max_length=16, choices=Provenance.choices, default=Provenance.AUTHORED
    )
    provenance_note = models.CharField(max_length=300, blank=True)
    license = models.CharField(
        _("license"), max_length=32, choices=License.choices, default=License.CC_BY_4
    )
    status = models.CharField(
        max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT, db_index=True
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["status", "visibility", "-published_at"]),
            models.Index(fields=["kind", "status", "-published_at"]),
            models.Index(fields=["country", "status", "-published_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True, lng__isnull=True)
                | models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="entry_location_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:entry", args=[self.pk])

    @property
    def is_live(self) -> bool:
        """Published and not yet expired."""
        return self.status == EntryStatus.PUBLISHED and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class EntryTranslation(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="translations")
    language = models.ForeignKey(Language, on_delete=models.PROTECT)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body_format = models.CharField(
        max_length=8, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    body_source = models.TextField(blank=True, help_text="As the translator wrote it.")
    body_html = models.TextField(blank=True, help_text="Sanitized, as shown to readers.")
    is_machine = models.BooleanField(
        default=False, help_text="Machine translation (shown with a notice)."
    )
    translator = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} [{self.language_id}]"


class AuditEvent(models.Model):
    """Who did what to which record, when, and from where. Written only by services."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="Kept when the account is gone."
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=16, default="web")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
