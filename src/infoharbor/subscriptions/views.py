"""My subscriptions: list, create from the search page's current query, follow, edit, pause
and delete. Plain GET links and POST forms: every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.mail import queries as mail_queries
from infoharbor.subscriptions import queries, services
from infoharbor.subscriptions.choices import FollowTarget, SubscriptionKind
from infoharbor.subscriptions.conditions import clean_params, describe, describe_all
from infoharbor.subscriptions.deliveries import last_deliveries
from infoharbor.subscriptions.feeds import feed_urls
from infoharbor.subscriptions.forms import SubscriptionForm
from infoharbor.subscriptions.models import Subscription


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required let only a person in)
    return user


def _owned(request: HttpRequest, pk: int) -> Subscription:
    found = queries.get_owned(_user(request), pk)
    if found is None:
        raise Http404  # someone else's, or none: the same answer
    return found


def _add_errors(form: SubscriptionForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    mine = list(queries.of_owner(user))
    lines = describe_all([(s.params, s.target_type, s.target) for s in mine])
    delivered = last_deliveries([s.pk for s in mine])
    rows = [
        (subscription, described, delivered.get(subscription.pk, []))
        for subscription, described in zip(mine, lines, strict=True)
    ]
    return render(
        request,
        "subscriptions/list.html",
        {"rows": rows, "failing_address": mail_queries.failing_address(user)},
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Save a search: GET with the search page's parameters shows what it will match and asks
    for a name and a frequency; POST saves it."""
    if request.method == "POST":
        params = clean_params(str(request.POST.get("params", "")))
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            search = QueryDict(params, mutable=True)
            search.setlist("q", [form.cleaned_data.get("q", "")])
            try:
                services.create_subscription(
                    user=_user(request),
                    origin=audit.Origin.from_request(request),
                    data=services.SubscriptionData(
                        name=form.cleaned_data["name"],
                        params=search.urlencode(),
                        frequency=form.cleaned_data["frequency"],
                        language=form.cleaned_data["language"],
                        time_zone=form.cleaned_data["time_zone"],
                    ),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved. New entries that match will be sent to you."))
                return redirect("subscriptions:list")
    else:
        params = clean_params(request.GET)
        query = QueryDict(params)
        text = query.get("q", "")
        lines = describe(params)
        form = SubscriptionForm(
            initial={"name": (text or lines[-1])[:200], "q": text, "params": params}
        )
    return render(
        request,
        "subscriptions/form.html",
        {"form": form, "lines": describe(params), "creating": True, "search_params": params},
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _owned(request, pk)
    searching = subscription.kind == SubscriptionKind.SEARCH
    if request.method == "POST":
        form = SubscriptionForm(request.POST, searching=searching)
        if form.is_valid():
            params = subscription.params
            if searching:
                search = QueryDict(params, mutable=True)
                search.setlist("q", [form.cleaned_data.get("q", "")])
                params = search.urlencode()
            try:
                services.update_subscription(
                    user=_user(request),
                    origin=audit.Origin.from_request(request),
                    subscription=subscription,
                    data=services.SubscriptionData(
                        name=form.cleaned_data["name"],
                        kind=subscription.kind,
                        params=params,
                        target_type=subscription.target_type,
                        target=subscription.target,
                        frequency=form.cleaned_data["frequency"],
                        language=form.cleaned_data["language"],
                        time_zone=form.cleaned_data["time_zone"],
                        paused=subscription.paused,
                    ),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("subscriptions:list")
    else:
        form = SubscriptionForm(
            initial={
                "name": subscription.name,
                "q": QueryDict(subscription.params).get("q", ""),
                "frequency": subscription.frequency,
                "language": subscription.language,
                "time_zone": subscription.time_zone,
            },
            searching=searching,
        )
    return render(
        request,
        "subscriptions/form.html",
        {
            "form": form,
            "subscription": subscription,
            "lines": describe(subscription.params, subscription.target_type, subscription.target),
            "creating": False,
            "search_params": subscription.params if searching else "",
            "feed_urls": feed_urls(request, subscription),
        },
    )


@require_POST
@login_required
def new_feed_address(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace the secret feed address (after it was shared by mistake): the old one stops."""
    subscription = _owned(request, pk)
    services.rotate_feed_token(
        user=_user(request), origin=audit.Origin.from_request(request), subscription=subscription
    )
    messages.success(request, _("The feeds have a new address; the old one no longer works."))
    return redirect("subscriptions:edit", pk=subscription.pk)


@require_POST
@login_required
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _owned(request, pk)
    paused = request.POST.get("paused", "1") != "0"
    services.pause_subscription(
        user=_user(request),
        origin=audit.Origin.from_request(request),
        subscription=subscription,
        paused=paused,
    )
    messages.success(
        request,
        (_("“%(name)s” is paused.") if paused else _("“%(name)s” is on again."))
        % {"name": subscription.name},
    )
    return redirect(_next(request, "subscriptions:list"))


@require_POST
@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _owned(request, pk)
    services.delete_subscription(
        user=_user(request), origin=audit.Origin.from_request(request), subscription=subscription
    )
    messages.success(request, _("“%(name)s” is deleted.") % {"name": subscription.name})
    return redirect(_next(request, "subscriptions:list"))


@require_POST
@login_required
def follow(request: HttpRequest) -> HttpResponse:
    """Follow an organization, a country, a sector, a platform, a kind or a story (the
    buttons on their pages), with a daily digest; change it on the subscriptions page."""
    target_type = str(request.POST.get("target_type", ""))
    target = str(request.POST.get("target", ""))
    name = str(request.POST.get("name", "")).strip() or target
    if target_type not in FollowTarget.values:
        messages.error(request, _("Choose what to follow."))
        return redirect(_next(request, "subscriptions:list"))
    try:
        services.create_subscription(
            user=_user(request),
            origin=audit.Origin.from_request(request),
            data=services.SubscriptionData(
                name=name[:200],
                kind=SubscriptionKind.FOLLOW,
                target_type=target_type,
                target=target,
            ),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("You follow %(name)s. A daily digest is the default.") % {"name": name}
        )
    return redirect(_next(request, "subscriptions:list"))
