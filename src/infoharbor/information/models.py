"""Typed details of the information platform's kinds of entries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from infoharbor.core.models import Entry
from infoharbor.information.choices import InForce, NoticeType, PolicyType


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
