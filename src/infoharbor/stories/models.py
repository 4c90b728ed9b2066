"""Story clusters: the entries that tell one story (the same wire story in several outlets, a
press release republished), found by MinHash/LSH (:mod:`infoharbor.text.fingerprint`).

What is stored is what assigning a new entry needs, so that it never re-reads old entries:
each clustered entry's fingerprint (:class:`StoryMember`) and its LSH band keys in an indexed
table (:class:`BandKey`). Assigning an entry is one indexed lookup of its 32 keys, then a
check of the candidates' stored signatures. Translations share no text, so an entry that starts
a story may instead be linked to a story in another language by the *anchors* they share
(numbers, addresses, Latin-script names: :mod:`infoharbor.stories.anchoring`); the anchors of
the entries that started or were linked into a story in the last few days are in an indexed
table too (:class:`StoryAnchor`), with how many stories carry each anchor per day
(:class:`AnchorFrequency`). Written only by :mod:`infoharbor.stories.services`.
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


class MatchKind(models.TextChoices):
    """How an entry joined its story."""

    NONE = "", _("started the story")
    TEXT = "text", _("near-duplicate text")
    ANCHORS = "anchors", _("shared anchors (another language)")


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
    # The most similar earlier entry, and the estimated Jaccard similarity with it; for a link
    # by anchors, the entry in another language it was linked to, and the share of the
    # smaller item's anchors that the two share.
    matched = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    similarity = models.FloatField(default=0.0)
    matched_by = models.CharField(
        _("matched by"), max_length=8, choices=MatchKind.choices, default=MatchKind.NONE,
        blank=True,
    )  # fmt: skip
    # The entry's anchors as 64-bit hashes (infoharbor.stories.anchoring.pack), kept only for
    # the entries whose anchors are in StoryAnchor (those that started or were linked into a
    # story): what a later translation is verified against.
    anchors = models.BinaryField(default=b"", blank=True)
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


class StoryAnchor(models.Model):
    """One anchor of an entry that started a story or was linked into one by anchors.

    ``key`` is the anchor's 64-bit hash as a signed integer; ``language`` is the entry's
    language without its script or region (translations are looked up in other languages
    only); ``seen_at`` is the entry's publication time. Rows older than the cross-language
    window are pruned after each assignment run.
    """

    key = models.BigIntegerField()
    # The StoryMember's entry id, not a foreign key: one index less to write per anchor, and
    # a deleted entry's rows, found by nothing, go with the next prune.
    entry = models.BigIntegerField()
    language = models.CharField(max_length=16)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "seen_at"], name="stories_anchor_key")]

    def __str__(self) -> str:
        return f"anchor {self.key} of entry {self.entry}"


class AnchorFrequency(models.Model):
    """How many stories started (or were linked) on ``day`` (days since 1970-01-01, UTC)
    with the anchor ``key``: anchors carried by too many stories are not looked up."""

    key = models.BigIntegerField()
    day = models.IntegerField()
    stories = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="stories_anchor_frequency")
        ]

    def __str__(self) -> str:
        return f"anchor {self.key}: {self.stories} stories on day {self.day}"
