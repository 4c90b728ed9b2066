"""The forms of the subscription pages."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from infoharbor.subscriptions.choices import Frequency


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=2000,
        help_text=_('As in the search box: "a phrase", a OR b, -without, prefix*.'),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY
    )
    language = forms.ChoiceField(label=_("Language of the messages"), required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        help_text=_("For the time digests are sent, e.g. Asia/Bangkok."),
    )
    params = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)

    def __init__(self, *args: object, searching: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)  # noqa: S101 (declared above)
        language.choices = [("", _("My account's language")), *settings.LANGUAGES]
        if not searching:
            del self.fields["q"]

    def clean_time_zone(self) -> str:
        value = str(self.cleaned_data.get("time_zone") or "").strip()
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise forms.ValidationError(_("There is no such time zone.")) from None
        return value
