"""Story clusters: the entries that tell one story (the same wire story in several outlets, a
press release republished), found by MinHash/LSH (:mod:`infoharbor.text.fingerprint`).

What is stored is what assigning a new entry needs, so that it never re-reads old entries:
each clustered entry's fingerprint (:class:`StoryMember`) and its LSH band keys in an indexed
table (:class:`BandKey`). Assigning an entry is one indexed lookup of its 32 keys, then a
check of the candidates' stored signatures. Written only by :mod:`infoharbor.stories.services`.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.core.models import Entry


class StoryCluster(models.Model):
    """One story, told by one or more entries. Never merged: later copies join the first."""

    representative = models.ForeignKey(
        Entry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("representative entry"),
        help_text="The entry that started the story.",
    )
    first_seen = models.DateTimeField(_("first seen"), db_index=True)
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    size = models.PositiveIntegerField(_("entries"), default=0)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    trending = models.BooleanField(_("trending"), default=False, db_index=True)
    trending_since = models.DateTimeField(_("trending since"), null=True, blank=True)
    # Entries per hour over the trending window when it was last measured (0 when cool).
    trend_rate = models.FloatField(default=0.0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = "story cluster"

    def __str__(self) -> str:
        return f"story {self.pk} ({self.size})"

    def get_absolute_url(self) -> str:
        return reverse("stories:story", args=[self.pk])


class StoryMember(models.Model):
    """An entry that has been fingerprinted, and the cluster it joined (at most one).

    An entry too short to compare gets a row without a cluster, so that it is not read again.
    """

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="story_member"
    )
    cluster = models.ForeignKey(
        StoryCluster, null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    fingerprint = models.BinaryField(help_text="Fingerprint.to_bytes(): 517 bytes.")
    shingles = models.PositiveIntegerField(default=0)
    # The most similar earlier entry, and the estimated Jaccard similarity with it.
    matched = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    similarity = models.FloatField(default=0.0)
    language = models.CharField(max_length=16)
    country = models.CharField(max_length=2)
    published_at = models.DateTimeField()
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["cluster", "published_at"])]

    def __str__(self) -> str:
        return f"entry {self.entry_id} in story {self.cluster_id}"


class BandKey(models.Model):
    """One LSH band key of a clustered entry: (band, key) -> entry and its cluster.

    ``key`` is the 64-bit band key (which mixes in the band number) stored as a signed
    integer, so it fits a BIGINT on SQLite and PostgreSQL alike.
    """

    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()
    entry = models.ForeignKey(StoryMember, on_delete=models.CASCADE, related_name="band_keys")
    cluster = models.ForeignKey(StoryCluster, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["key", "band"], name="stories_band_key")]

    def __str__(self) -> str:
        return f"band {self.band} key {self.key}"
