"""Account pages: sign-up, verification, sign-in and out, passwords, profile and API tokens.

Views parse the request, call :mod:`.services` (or :mod:`.tokens`) and render; they never save
accounts themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infoharbor.accounts import emails, ratelimit, services, tokens, verification
from infoharbor.accounts.forms import (
    EmailForm,
    HarborPasswordChangeForm,
    HarborPasswordResetForm,
    HarborSetPasswordForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
    TokenForm,
)
from infoharbor.accounts.models import ApiToken, User
from infoharbor.core import audit
from infoharbor.portal.middleware import remember_preferences

BACKEND = "infoharbor.accounts.backends.EmailBackend"

# Requests that make the harbor send mail (sign-up, new verification link, password reset)
# are capped per client address; each address's mail is capped again in the services.
CLIENT_MAIL_REQUESTS = 20
CLIENT_MAIL_WINDOW_SECONDS = 3600


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required guards every caller
        raise PermissionDenied
    return user


def _client(request: HttpRequest) -> str | None:
    return audit.Origin.from_request(request).ip_address


def _client_allowed(request: HttpRequest) -> bool:
    return ratelimit.allow(
        "mail-request",
        _client(request) or "unknown",
        limit=CLIENT_MAIL_REQUESTS,
        window=CLIENT_MAIL_WINDOW_SECONDS,
    )


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted form data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/too_many.html", status=429)
    response["Retry-After"] = str(CLIENT_MAIL_WINDOW_SECONDS)
    return response


def _home_for(user: User) -> str:
    """Where a person lands after signing in: the dashboard, in their own language."""
    with translation.override(emails.language_for(user)):
        return resolve_url(settings.LOGIN_REDIRECT_URL)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _sign_in(request: HttpRequest, user: User) -> None:
    auth.login(request, user, backend=BACKEND)
    remember_preferences(request, user.preferred_language, user.time_zone)


# --- Sign-up and verification --------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if not _client_allowed(request):
            return _too_many(request)
        data = form.cleaned_data
        services.register_account(
            email=data["email"],
            password=data["password1"],
            display_name=data["display_name"],
            preferred_language=data["preferred_language"],
            time_zone=data["time_zone"],
            origin=audit.Origin.from_request(request),
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/check_email.html", {"reason": "signup"})


@never_cache
@require_GET
def verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = verification.check(uidb64, token)
    if user is None:
        return render(request, "accounts/verify_invalid.html", {"form": EmailForm()}, status=400)
    services.verify_email(user=user, origin=audit.Origin.from_request(request))
    _sign_in(request, user)
    with translation.override(emails.language_for(user)):
        messages.success(request, _("Your email address is confirmed. Welcome to the harbor."))
    return redirect(_home_for(user))


@never_cache
@require_http_methods(["GET", "POST"])
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = EmailForm(_posted(request), initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        if not _client_allowed(request):
            return _too_many(request)
        services.resend_verification(email=form.cleaned_data["email"])
        return redirect("accounts:verification_sent")
    return render(request, "accounts/resend_verification.html", {"form": form})


@require_GET
def verification_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/check_email.html", {"reason": "verification"})


# --- Sign-in and sign-out ------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = SignInForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        client = _client(request)
        if ratelimit.is_locked(email, client):
            minutes = max(1, settings.LOGIN_WINDOW_SECONDS // 60)
            form.add_error(
                None,
                _(
                    "Too many failed sign-in attempts. Sign-in is paused for up to %(minutes)d "
                    "minutes; try again later or reset your password."
                )
                % {"minutes": minutes},
            )
            status = 429
        else:
            user = auth.authenticate(request, username=email, password=password)
            if not isinstance(user, User):
                ratelimit.record_failure(email, client)
                form.add_error(None, _("The email address or the password is not right."))
            elif not user.email_verified:
                return render(
                    request,
                    "accounts/unverified.html",
                    {"form": EmailForm(initial={"email": user.email})},
                    status=403,
                )
            else:
                ratelimit.clear(email, client)
                _sign_in(request, user)
                return redirect(_safe_next(request) or _home_for(user))
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(settings.LOGIN_WINDOW_SECONDS)
    return response


class LogoutView(auth_views.LogoutView):
    """Sign out, by POST only (Django refuses GET with 405)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


# --- Passwords -----------------------------------------------------------------------------


class _OriginFormMixin:
    request: HttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()  # type: ignore[misc]
        kwargs["origin"] = audit.Origin.from_request(self.request)
        return kwargs


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether or not the address has an account."""

    form_class = HarborPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Form) -> HttpResponse:
        if not _client_allowed(self.request):
            return _too_many(self.request)
        if services.mail_allowed("password-reset", form.cleaned_data["email"]):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(_OriginFormMixin, auth_views.PasswordResetConfirmView):
    form_class = HarborSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever locked the account out by guessing should not keep its owner out.
        ratelimit.clear(self.user.email, None)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(_OriginFormMixin, auth_views.PasswordChangeView):
    form_class = HarborPasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# --- Profile -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ProfileForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            user=user,
            origin=audit.Origin.from_request(request),
            display_name=form.cleaned_data["display_name"],
            preferred_language=form.cleaned_data["preferred_language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        remember_preferences(request, user.preferred_language, user.time_zone)
        # The new language takes over at once, including the address we go back to.
        with translation.override(emails.language_for(user)):
            messages.success(request, _("Your profile is saved."))
            return redirect(reverse("accounts:profile"))
    memberships = user.memberships.select_related("organization").order_by("organization__name")
    moderated = user.moderated_countries.select_related("country").order_by("country_id")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "moderated": moderated,
        },
    )


# --- API tokens ----------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The person's tokens; a POST makes one and shows its secret in this response only."""
    user = _user(request)
    form = TokenForm(_posted(request))
    issued = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        issued = tokens.issue_token(
            user=user,
            origin=audit.Origin.from_request(request),
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
        )
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": ApiToken.objects.filter(user=user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    token = get_object_or_404(ApiToken, pk=pk, user=_user(request))
    tokens.revoke_token(token=token, origin=audit.Origin.from_request(request))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
