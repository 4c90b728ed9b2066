"""Forms of the account pages. They validate input; the writes happen in :mod:`.services`."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from infoharbor.accounts import emails, services
from infoharbor.accounts.choices import TokenScope
from infoharbor.accounts.models import User
from infoharbor.core import audit

# Regions of the tz database; legacy aliases (US/Eastern, Etc/GMT+7, Japan ...) are left out.
_REGIONS = (
    "Asia",
    "Australia",
    "Pacific",
    "Indian",
    "Europe",
    "Africa",
    "America",
    "Atlantic",
    "Antarctica",
    "Arctic",
)

Choices = list[tuple[str, Any]]


@cache
def time_zone_choices() -> Choices:
    """UTC, then the time zones grouped by region, Asia first."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in sorted(zoneinfo.available_timezones()):
        region, _sep, place = name.partition("/")
        if region in _REGIONS and place:
            groups[region].append((name, place.replace("_", " ")))
    return [("UTC", "UTC"), *((region, groups[region]) for region in _REGIONS if groups[region])]


def _with_current(choices: Choices, value: str) -> Choices:
    """``choices`` plus ``value`` if it is set and not among them (e.g. set by an operator)."""
    flat = {key for key, label in choices if not isinstance(label, list)}
    flat |= {key for _group, items in choices if isinstance(items, list) for key, _label in items}
    return choices if not value or value in flat else [*choices, (value, value)]


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("The harbor's pages and the mail it sends you use this language."),
    )


def _time_zone_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times are shown in this time zone."),
    )


def _email_field(**attrs: str) -> forms.EmailField:
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", **attrs}),
    )


class NormalizedEmailMixin:
    cleaned_data: dict[str, Any]

    def clean_email(self) -> str:
        return services.normalize_email(self.cleaned_data["email"])


class SignUpForm(NormalizedEmailMixin, forms.Form):
    email = _email_field()
    display_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("How other people in the harbor see you."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the same password once more, to be sure of it."),
    )
    preferred_language = _language_field()
    time_zone = _time_zone_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = translation.get_language() or settings.LANGUAGE_CODE
        self.fields["preferred_language"].initial = language
        self.fields["time_zone"].initial = settings.TIME_ZONE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(email=data.get("email", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SignInForm(NormalizedEmailMixin, forms.Form):
    email = _email_field(autofocus="autofocus")
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EmailForm(NormalizedEmailMixin, forms.Form):
    """Just an address: to ask for a new verification link."""

    email = _email_field()


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = _language_field()
    time_zone = _time_zone_field()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "preferred_language": emails.language_for(user),
                "time_zone": user.time_zone or settings.TIME_ZONE,
            },
        )
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        if isinstance(field, forms.ChoiceField):
            field.choices = _with_current(time_zone_choices(), user.time_zone)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “newsroom import script”."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a token that works until you revoke it."),
    )


class HarborPasswordResetForm(PasswordResetForm):
    """Django's reset form, writing to each person in their own language."""

    email = _email_field(autofocus="autofocus")

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Render ``accounts/email/password_reset*`` in the person's language and send it.

        The template names Django passes in are ignored: the harbor's mail is always three
        templates (subject, text, HTML) named after the message.
        """
        with translation.override(emails.language_for(context["user"])):
            subject, text, html = emails.render("password_reset", context)
        emails.deliver(to_email, subject, text, html)


class _ServicePasswordMixin:
    """Saves through :func:`services.set_password`, so the change is audited."""

    reason: Literal["change", "reset"]
    user: User
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, origin: audit.Origin, **kwargs: Any) -> None:
        self.origin = origin
        super().__init__(*args, **kwargs)

    def save(self, commit: bool = True) -> User:
        return services.set_password(
            user=self.user,
            origin=self.origin,
            password=self.cleaned_data["new_password1"],
            reason=self.reason,
        )


if TYPE_CHECKING:
    _SetPasswordForm = SetPasswordForm[User]
else:  # SetPasswordForm is generic in the stubs only
    _SetPasswordForm = SetPasswordForm


class HarborSetPasswordForm(_ServicePasswordMixin, _SetPasswordForm):
    reason = "reset"


class HarborPasswordChangeForm(_ServicePasswordMixin, PasswordChangeForm):
    reason = "change"
