from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from infoharbor.core.widgets import DateInput
from infoharbor.information.models import Dataset, News, PolicyDocument


class NewsForm(forms.ModelForm[Any]):
    class Meta:
        model = News
        fields = ["notice_type"]


class PolicyDocumentForm(forms.ModelForm[Any]):
    class Meta:
        model = PolicyDocument
        fields = ["policy_type", "document_number", "issuing_body", "effective_date", "in_force"]
        widgets = {"effective_date": DateInput()}


# --- Datasets -------------------------------------------------------------------------------

# Bounds on what one dataset entry stores: an entry page, not a copy of the data.
MAX_DISTRIBUTIONS = 100
MAX_FORMATS = 20
MAX_COLUMNS = 500
MAX_PREVIEW_ROWS = 20
MAX_PREVIEW_COLUMNS = 50
MAX_CELL = 200

_validate_url = URLValidator(schemes=["http", "https"])

# File endings that say a download's format when nobody else does.
FORMAT_BY_ENDING = {
    ".csv": "CSV",
    ".tsv": "TSV",
    ".json": "JSON",
    ".geojson": "GeoJSON",
    ".jsonld": "JSON-LD",
    ".xlsx": "XLSX",
    ".xls": "XLS",
    ".ods": "ODS",
    ".xml": "XML",
    ".rdf": "RDF",
    ".ttl": "Turtle",
    ".pdf": "PDF",
    ".zip": "ZIP",
    ".shp": "SHP",
    ".kml": "KML",
    ".parquet": "Parquet",
    ".txt": "TXT",
}


def format_of(url: str) -> str:
    path = urlsplit(url).path.lower()
    for ending, name in FORMAT_BY_ENDING.items():
        if path.endswith((ending, ending + ".gz")):
            return name
    return ""


def _text(value: Any, limit: int, message: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValidationError(message)
    return " ".join(str(value).split())[:limit]


def _distribution(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        raise ValidationError(_("Each download is an object with at least a url."))
    url = str(raw.get("url") or "").strip()
    try:
        _validate_url(url)
    except ValidationError:
        raise ValidationError(
            _("%(url)s is not an http or https address.") % {"url": url or '""'}
        ) from None
    if len(url) > 1000:
        raise ValidationError(_("A download address has at most 1000 characters."))
    size = raw.get("size")
    if size in ("", None):
        size = None
    elif isinstance(size, bool) or not isinstance(size, int | str) or not str(size).isdigit():
        raise ValidationError(_("The size of a download is a number of bytes."))
    else:
        size = int(size)
    wrong = str(_("The title, format and media type of a download are text."))
    return {
        "url": url,
        "title": _text(raw.get("title"), 300, wrong),
        "format": _text(raw.get("format"), 40, wrong) or format_of(url),
        "media_type": _text(raw.get("media_type"), 120, wrong),
        "size": size,
    }


def _column(raw: Any) -> dict[str, str]:
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        raise ValidationError(_("Each column is an object with a name."))
    wrong = str(_("The name and type of a column are text."))
    return {
        "name": _text(raw.get("name"), MAX_CELL, wrong),
        "type": _text(raw.get("type"), 20, wrong),
    }


def _preview_row(raw: Any) -> list[Any]:
    if not isinstance(raw, list):
        raise ValidationError(_("Each row of the preview is a list of values."))
    row: list[Any] = []
    for cell in raw[:MAX_PREVIEW_COLUMNS]:
        if cell is None or isinstance(cell, bool | int | float):
            row.append(cell)
        elif isinstance(cell, str):
            row.append(cell[:MAX_CELL])
        else:
            raise ValidationError(_("The preview holds text, numbers, true, false or null."))
    return row


class JSONListField(forms.JSONField):
    """A JSON list whose items are checked and normalized one by one.

    In a form, one item may also be written per line as plain text (download addresses,
    column names), which is what people type; the API and the harvester send lists.
    """

    def __init__(
        self, *, item: Callable[[Any], Any], limit: int, lines: bool = False, **kwargs: Any
    ) -> None:
        self.item = item
        self.limit = limit
        self.lines = lines
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and self.lines and not value.strip().startswith("["):
            return [line.strip() for line in value.splitlines() if line.strip()]
        value = super().to_python(value)
        return [] if value is None else value

    def validate(self, value: Any) -> None:
        if not isinstance(value, list):
            raise ValidationError(_("Give a list."))

    def clean(self, value: Any) -> Any:
        items = super().clean(value)
        if len(items) > self.limit:
            raise ValidationError(_("At most %(limit)d.") % {"limit": self.limit})
        return [self.item(item) for item in items]

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list) and self.lines and all(isinstance(v, str) for v in value):
            return "\n".join(value)
        return json.dumps(value, ensure_ascii=False, indent=1 if self.lines else None)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if isinstance(data, list | dict):  # from the API or the harvester, not from a page
            return data
        return super().bound_data(data, initial)


def _format(raw: Any) -> str:
    return _text(raw, 40, str(_("A format is a short name such as CSV.")))


class DatasetForm(forms.ModelForm[Any]):
    landing_page = forms.URLField(
        label=_("Landing page"), max_length=1000, required=False, assume_scheme="https"
    )
    license_url = forms.URLField(
        label=_("Address of the license"), max_length=1000, required=False, assume_scheme="https"
    )
    formats = JSONListField(
        item=_format,
        limit=MAX_FORMATS,
        lines=True,
        required=False,
        label=_("Formats"),
        help_text=_("One per line, e.g. CSV. Left empty: those of the downloads."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    distributions = JSONListField(
        item=_distribution,
        limit=MAX_DISTRIBUTIONS,
        lines=True,
        required=False,
        label=_("Downloads"),
        help_text=_(
            "One download address per line, or a JSON list of objects with url, title, "
            "format, media_type and size (bytes)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    columns = JSONListField(
        item=_column, limit=MAX_COLUMNS, required=False, widget=forms.HiddenInput
    )
    preview = JSONListField(
        item=_preview_row, limit=MAX_PREVIEW_ROWS, required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Dataset
        fields = [
            "identifier",
            "landing_page",
            "publisher",
            "license_name",
            "license_url",
            "update_frequency",
            "temporal_start",
            "temporal_end",
            "spatial",
            "formats",
            "distributions",
            "columns",
            "row_count",
            "row_count_complete",
            "preview",
        ]
        widgets = {
            "temporal_start": DateInput(),
            "temporal_end": DateInput(),
            "row_count_complete": forms.HiddenInput,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("temporal_start"), cleaned.get("temporal_end")
        if start and end and end < start:
            self.add_error("temporal_end", _("The end of the period comes after its start."))
        if not cleaned.get("formats") and cleaned.get("distributions"):
            found = [d["format"] for d in cleaned["distributions"] if d.get("format")]
            cleaned["formats"] = list(dict.fromkeys(found))[:MAX_FORMATS]
        return cleaned
