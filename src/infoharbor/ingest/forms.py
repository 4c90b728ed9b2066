"""The source form of the portal and the operator site (the model's checks run in both)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from infoharbor.core import kinds
from infoharbor.ingest.choices import (
    DATASET_ENTRY_KIND,
    DATASET_KINDS,
    HARVESTED_KINDS,
    SourceKind,
)
from infoharbor.ingest.models import Source
from infoharbor.ingest.services import SourceData

FIELDS = [
    "name",
    "url",
    "kind",
    "language",
    "country",
    "sectors",
    "entry_kind",
    "entry_details",
    "publish",
    "interval_minutes",
    "quiet_after_hours",
    "enabled",
    "license",
    "license_note",
]


class SourceForm(forms.ModelForm[Source]):
    entry_kind = forms.ChoiceField(
        label=_("Kind of entry created"),
        help_text=_("Dataset files and catalogues always make open datasets."),
    )
    url = forms.URLField(label=_("Address"), max_length=1000, assume_scheme="https")

    class Meta:
        model = Source
        fields = FIELDS
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "entry_details": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["entry_kind"]
        assert isinstance(kind_field, forms.ChoiceField)  # noqa: S101 - declared above
        kind_field.choices = [(kind.key, kind.label) for kind in kinds.all_kinds()]
        # Offer only the kinds this release harvests (CAP waits for the alerts platform).
        source_kind = self.fields["kind"]
        assert isinstance(source_kind, forms.ChoiceField)  # noqa: S101 - a model choice field
        source_kind.choices = [
            (value, label) for value, label in SourceKind.choices if value in HARVESTED_KINDS
        ]
        self.fields["interval_minutes"].help_text = _("At least %(minimum)d minutes.") % {
            "minimum": settings.INGEST_MIN_INTERVAL_MINUTES
        }
        self.fields["sectors"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Dataset files and catalogues make open datasets and nothing else: no need to ask.
        if cleaned.get("kind") in DATASET_KINDS:
            cleaned["entry_kind"] = DATASET_ENTRY_KIND
        return cleaned

    def source_data(self) -> SourceData:
        values = self.cleaned_data
        return SourceData(
            name=values["name"],
            url=values["url"],
            kind=values["kind"],
            country=values["country"],
            language=values["language"],
            sectors=list(values["sectors"]),
            entry_kind=values["entry_kind"],
            entry_details=values["entry_details"] or {},
            publish=values["publish"],
            interval_minutes=values["interval_minutes"],
            quiet_after_hours=values["quiet_after_hours"],
            enabled=values["enabled"],
            license=values["license"],
            license_note=values["license_note"],
        )


class AdminSourceForm(SourceForm):
    class Meta(SourceForm.Meta):
        fields = ["organization", *FIELDS]
