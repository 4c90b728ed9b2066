"""The portal's forms: list filters and the shared fields of an entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from infoharbor.core import kinds, queries
from infoharbor.core.choices import BodyFormat, License, OrganizationKind, Visibility
from infoharbor.core.models import Country, Entry, Language, Organization, Sector
from infoharbor.core.platforms import PLATFORMS
from infoharbor.core.services import EntryData
from infoharbor.core.widgets import DateInput

# The kind's own form is rendered below the shared fields, its inputs named "details-<field>".
DETAILS_PREFIX = "details"


def _country_label(country: Country) -> str:
    return f"{country.flag} {country.name}".strip()


def _country_choices(countries: Iterable[Country]) -> list[tuple[str, str]]:
    return [(country.iso2, _country_label(country)) for country in countries]


class CountryField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A country by ISO code, written in either case (``TH`` or ``th``)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)

    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Country)  # noqa: S101 - the queryset holds only countries
        return _country_label(obj)


class TranslatedNameMultipleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Sectors and the like, labelled with their names in the interface language."""

    def label_from_instance(self, obj: Model) -> str:
        return str(obj)


def _set_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared as a choice field
    field.choices = choices


def _region_first_choices(blank: str) -> list[tuple[str, Any]]:
    """Region members first, then the world, each group by name in the interface language."""
    countries = list(Country.objects.all())
    region = queries.by_name(country for country in countries if country.region_member)
    others = queries.by_name(country for country in countries if not country.region_member)
    return [
        ("", blank),
        (str(_("China and ASEAN")), _country_choices(region)),
        (str(_("Other countries")), _country_choices(others)),
    ]


# --- Filters ----------------------------------------------------------------------------------


class EntryFilterForm(forms.Form):
    """The entries list's filters (a GET form: every field optional)."""

    country = CountryField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso2", required=False
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All sectors"),
    )
    language = forms.ModelChoiceField(
        label=_("Language"),
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("All languages"),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label=_("All organizations"),
    )
    date_from = forms.DateField(
        label=_("Published from"),
        required=False,
        widget=DateInput(),
    )
    date_to = forms.DateField(
        label=_("Published until"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["country"], _region_first_choices(str(_("All countries"))))
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)  # noqa: S101 - declared above
        kind_field.choices = [("", _("All kinds"))] + [
            (
                str(platform.name),
                [(kind.slug, kind.label) for kind in kinds.for_platform(platform.key)],
            )
            for platform in PLATFORMS
            if kinds.for_platform(platform.key)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filter(self, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        """``queryset`` narrowed by the filters that are valid (invalid ones are ignored and
        reported beside their field)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("country"):
            queryset = queryset.filter(country=data["country"])
        if data.get("sector"):
            # A broad sector also finds entries filed under its narrower ones (AI under S&T).
            family = Sector.objects.filter(Q(pk=data["sector"].pk) | Q(parent=data["sector"]))
            filed = Entry.sectors.through.objects.filter(sector__in=family)
            queryset = queryset.filter(pk__in=filed.values("entry_id"))
        if data.get("language"):
            queryset = queryset.filter(language=data["language"])
        if data.get("kind"):
            queryset = queryset.filter(kind=kinds.by_slug(data["kind"]).key)
        if data.get("organization"):
            queryset = queryset.filter(organization=data["organization"])
        if data.get("date_from"):
            queryset = queryset.filter(published_at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(published_at__date__lte=data["date_to"])
        return queryset

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class OrganizationFilterForm(forms.Form):
    country = CountryField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso2", required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of organization"),
        required=False,
        choices=[("", _("All kinds")), *OrganizationKind.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["country"], _region_first_choices(str(_("All countries"))))

    def values(self) -> tuple[str | None, str | None]:
        """The chosen country's ISO code and organization kind (None when not chosen)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        country = data.get("country")
        return (country.iso2 if country else None), (data.get("kind") or None)


class HomeCountryForm(forms.Form):
    """The home page's country switcher: the twelve region members."""

    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: Any, countries: Iterable[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country_field = self.fields["country"]
        assert isinstance(country_field, forms.ChoiceField)  # noqa: S101 - declared above
        country_field.choices = [("", _("All countries")), *_country_choices(countries)]

    def selected(self) -> str | None:
        raw = self.data.get("country")
        if isinstance(raw, str) and raw:
            self.data = {**self.data, "country": raw.strip().upper()}
        if self.is_valid():
            return self.cleaned_data["country"] or None
        return None


# --- Writing entries --------------------------------------------------------------------------


class TextForm(forms.Form):
    """The text of an entry in one language: what an entry and each translation have."""

    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in lists."),
    )
    body = forms.CharField(
        label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )
    body_format = forms.ChoiceField(
        label=_("Body format"),
        choices=BodyFormat.choices,
        initial=BodyFormat.MARKDOWN,
        widget=forms.RadioSelect,
    )


class EntryForm(TextForm):
    """The fields every kind of entry shares."""

    language = forms.ModelChoiceField(
        label=_("Language of the text"), queryset=Language.objects.all(), empty_label=None
    )
    country = CountryField(label=_("Country"), queryset=Country.objects.all(), to_field_name="iso2")
    sectors = TranslatedNameMultipleField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    region = forms.CharField(
        label=_("Place or region"),
        required=False,
        max_length=200,
        help_text=_("For example a province, city or sea area."),
    )
    source_url = forms.URLField(
        label=_("Source address"), required=False, max_length=1000, assume_scheme="https"
    )
    license = forms.ChoiceField(
        label=_("License"), choices=License.choices, initial=License.CC_BY_4
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your time zone. Leave empty if the entry does not expire."),
    )

    # Names the services use for errors, where they differ from this form's.
    SERVICE_FIELDS = {"body_source": "body", "body_html": "body"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["country"], _region_first_choices("---------"))
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ModelChoiceField)  # noqa: S101 - declared
        language_field.label_from_instance = _language_label  # type: ignore[method-assign,assignment]

    def clean_tags(self) -> list[str]:
        raw: str = self.cleaned_data.get("tags") or ""
        return [tag.strip() for tag in raw.replace("，", ",").split(",") if tag.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None) and not (
            self.has_error("lat") or self.has_error("lng")
        ):
            missing = "lat" if cleaned.get("lat") is None else "lng"
            self.add_error(missing, _("Give both latitude and longitude, or neither."))
        return cleaned

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        return EntryData(
            title=data["title"],
            language=data["language"],
            country=data["country"],
            summary=data["summary"],
            body=data["body"],
            body_format=data["body_format"],
            sectors=list(data["sectors"]),
            tags=data["tags"],
            lat=data["lat"],
            lng=data["lng"],
            region=data["region"],
            source_url=data["source_url"],
            license=data["license"],
            visibility=data["visibility"],
            expires_at=data["expires_at"],
        )

    @classmethod
    def initial_for(cls, entry: Entry) -> dict[str, Any]:
        """The form's values for an existing entry."""
        return {
            "title": entry.title,
            "summary": entry.summary,
            "body": entry.body_source,
            "body_format": entry.body_format,
            "language": entry.language_id,
            "country": entry.country_id,
            "sectors": list(entry.sectors.all()),
            "tags": ", ".join(tag.slug for tag in entry.tags.all()),
            "lat": entry.lat,
            "lng": entry.lng,
            "region": entry.region,
            "source_url": entry.source_url,
            "license": entry.license,
            "visibility": entry.visibility,
            "expires_at": entry.expires_at,
        }


def _language_label(language: Model) -> str:
    """ "Thai — ไทย": the name in the interface language, then the language's own."""
    assert isinstance(language, Language)  # noqa: S101 - the queryset holds only languages
    name = language.name
    if language.native_name and language.native_name != name:
        return f"{name} — {language.native_name}"
    return name


def details_data(post: QueryDict) -> QueryDict:
    """The kind form's fields of a POST, without their ``details-`` prefix (the service binds
    the kind's form to them itself)."""
    start = f"{DETAILS_PREFIX}-"
    data = QueryDict(mutable=True)
    for key, values in post.lists():
        if key.startswith(start):
            data.setlist(key[len(start) :], values)
    return data


def apply_service_errors(
    error: ValidationError, entry_form: forms.Form, details_form: forms.BaseForm
) -> None:
    """Put a service's ValidationError onto the forms, beside the fields it names.

    Keys like ``details.policy_type`` belong to the kind's form; unknown keys become the
    form's general errors, so no message is lost.
    """
    messages: Mapping[str, list[str]] = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    for key, texts in messages.items():
        form: forms.BaseForm = entry_form
        name: str | None = key
        if key.startswith("details."):
            form, name = details_form, key.removeprefix("details.")
        else:
            name = EntryForm.SERVICE_FIELDS.get(key, key)
        if name not in form.fields:
            name = None
        for text in texts:
            form.add_error(name, text)


# --- Translations -----------------------------------------------------------------------------


class TranslationForm(TextForm):
    """An entry's text in one more language; the language is in the page's address."""

    is_machine = forms.BooleanField(
        label=_("This is a machine translation"),
        required=False,
        help_text=_("Readers see a notice that the original may say it more precisely."),
    )
    translator = forms.CharField(
        label=_("Translated by"),
        required=False,
        max_length=120,
        help_text=_("A person, an agency or a translation service."),
    )


class TranslationLanguageForm(forms.Form):
    """Which language to add or edit a translation in (every language but the original)."""

    language = forms.ModelChoiceField(
        label=_("Language"), queryset=Language.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Language.objects.exclude(pk=entry.language_id)
        field.label_from_instance = _language_label  # type: ignore[method-assign,assignment]
