"""Typed details of the information platform's kinds of entries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from infoharbor.core.models import Entry
from infoharbor.information.choices import InForce, NoticeType, PolicyType, UpdateFrequency


class News(models.Model):
    """A news item or notice."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="news"
    )
    notice_type = models.CharField(
        _("type"), max_length=16, choices=NoticeType.choices, default=NoticeType.NEWS
    )

    class Meta:
        verbose_name = "news or notice"
        verbose_name_plural = "news and notices"

    def __str__(self) -> str:
        return f"{self.get_notice_type_display()}: {self.entry_id}"


class PolicyDocument(models.Model):
    """A law, regulation, strategy or other official policy text."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="policy"
    )
    policy_type = models.CharField(_("type of document"), max_length=16, choices=PolicyType.choices)
    document_number = models.CharField(_("document number"), max_length=120, blank=True)
    issuing_body = models.CharField(_("issued by"), max_length=200, blank=True)
    effective_date = models.DateField(_("in effect from"), null=True, blank=True)
    in_force = models.CharField(
        _("legal status"), max_length=16, choices=InForce.choices, default=InForce.IN_FORCE
    )

    class Meta:
        verbose_name = "policy document"

    def __str__(self) -> str:
        return self.document_number or f"policy {self.entry_id}"


class Dataset(models.Model):
    """An open dataset: what it holds, where to download it, whose it is and under what terms.

    The entry's title, summary, language, country, sectors and dates are the dataset's own;
    these are what only a dataset has. ``distributions`` are the files or services that
    give the data (``url``, ``media_type``, ``format``, ``size`` in bytes, ``title``);
    ``columns``, ``row_count`` and ``preview`` describe a table the harbor read itself.
    """

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="dataset"
    )
    identifier = models.CharField(_("identifier"), max_length=300, blank=True)
    landing_page = models.URLField(_("landing page"), max_length=1000, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    license_name = models.CharField(
        _("license, as the publisher names it"), max_length=300, blank=True
    )
    license_url = models.URLField(_("address of the license"), max_length=1000, blank=True)
    update_frequency = models.CharField(
        _("update frequency"), max_length=16, choices=UpdateFrequency.choices, blank=True
    )
    temporal_start = models.DateField(_("data from"), null=True, blank=True)
    temporal_end = models.DateField(_("data until"), null=True, blank=True)
    spatial = models.CharField(_("area covered"), max_length=300, blank=True)
    formats = models.JSONField(_("formats"), default=list, blank=True)
    distributions = models.JSONField(_("downloads"), default=list, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    row_count_complete = models.BooleanField(
        _("all rows counted"),
        default=True,
        help_text=_("Off when the file was larger than the harbor reads: then at least this many."),
    )
    preview = models.JSONField(_("preview"), default=list, blank=True)

    class Meta:
        verbose_name = "dataset"

    def __str__(self) -> str:
        return self.identifier or f"dataset {self.entry_id}"
