"""The form of the webhook pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infoharbor.accounts.models import User
from infoharbor.subscriptions.models import Subscription


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=2000,
        help_text=_(
            "An https address that accepts POST requests, e.g. https://example.org/hooks/harbor."
        ),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    all_subscriptions = forms.BooleanField(
        label=_("All my subscriptions"),
        required=False,
        initial=True,
        help_text=_("Untick to choose below which subscriptions this endpoint receives."),
    )
    subscriptions = forms.ModelMultipleChoiceField(
        label=_("Only these subscriptions"),
        queryset=Subscription.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, owner: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["subscriptions"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 (declared above)
        field.queryset = Subscription.objects.filter(owner=owner).order_by("name", "pk")
