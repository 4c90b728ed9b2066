"""My webhooks: list, add, change, delete, rotate the secret, send a test event, pause and
resume, and each endpoint's delivery log with Replay buttons. Plain GET links and POST forms:
every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.webhooks import queries, services
from infoharbor.webhooks.forms import EndpointForm
from infoharbor.webhooks.models import Endpoint

LOG_PAGE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required let only a person in)
    return user


def _owned(request: HttpRequest, pk: int) -> Endpoint:
    found = queries.get_owned(_user(request), pk)
    if found is None:
        raise Http404  # someone else's, or none: the same answer
    return found


def _origin(request: HttpRequest) -> audit.Origin:
    return audit.Origin.from_request(request)


def _data(form: EndpointForm) -> services.EndpointData:
    return services.EndpointData(
        url=form.cleaned_data["url"],
        description=form.cleaned_data.get("description", ""),
        all_subscriptions=bool(form.cleaned_data.get("all_subscriptions")),
        subscriptions=[s.pk for s in form.cleaned_data.get("subscriptions") or []],
    )


def _add_errors(form: EndpointForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error)


@login_required
def endpoints(request: HttpRequest) -> HttpResponse:
    mine = list(queries.of_owner(_user(request)))
    return render(request, "webhooks/list.html", {"endpoints": mine})


@login_required
def new(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, owner=_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.create_endpoint(
                user=_user(request), origin=_origin(request), data=_data(form)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The endpoint is added. Keep its secret to check the signatures of what "
                    "it receives."
                ),
            )
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/form.html", {"form": form, "creating": True})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _owned(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "all_subscriptions": endpoint.all_subscriptions,
        "subscriptions": list(endpoint.subscriptions.all()),
    }
    form = EndpointForm(request.POST or None, owner=_user(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(
                user=_user(request), origin=_origin(request), endpoint=endpoint, data=_data(form)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("webhooks:detail", endpoint.pk)
    return render(
        request, "webhooks/form.html", {"form": form, "creating": False, "endpoint": endpoint}
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _owned(request, pk)
    page = Paginator(queries.deliveries_of(endpoint), LOG_PAGE).get_page(request.GET.get("page"))
    chosen = [] if endpoint.all_subscriptions else list(endpoint.subscriptions.order_by("name"))
    return render(
        request,
        "webhooks/detail.html",
        {"endpoint": endpoint, "page_obj": page, "deliveries": page.object_list, "chosen": chosen},
    )


@login_required
@require_POST
def rotate(request: HttpRequest, pk: int) -> HttpResponse:
    services.rotate_secret(
        user=_user(request), origin=_origin(request), endpoint=_owned(request, pk)
    )
    messages.success(
        request, _("The endpoint has a new secret; the old one no longer signs anything.")
    )
    return redirect("webhooks:detail", pk)


@login_required
@require_POST
def test_event(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _owned(request, pk)
    services.send_test_event(user=_user(request), origin=_origin(request), endpoint=endpoint)
    if endpoint.active:
        messages.success(request, _("A test event is on its way; see the log below."))
    else:
        messages.warning(
            request, _("The test event waits: the endpoint is paused. Resume it to send.")
        )
    return redirect("webhooks:detail", pk)


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _owned(request, pk)
    if request.POST.get("paused") == "1":
        services.pause_endpoint(user=_user(request), origin=_origin(request), endpoint=endpoint)
        messages.success(request, _("The endpoint is paused: deliveries wait until you resume it."))
    else:
        services.resume_endpoint(user=_user(request), origin=_origin(request), endpoint=endpoint)
        messages.success(request, _("The endpoint is resumed: what was waiting is being sent."))
    return redirect("webhooks:detail", pk)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _owned(request, pk)
    services.delete_endpoint(user=_user(request), origin=_origin(request), endpoint=endpoint)
    messages.success(request, _("The endpoint %(url)s is deleted.") % {"url": endpoint.url})
    return redirect("webhooks:list")


@login_required
@require_POST
def replay(request: HttpRequest, pk: int, delivery: int) -> HttpResponse:
    found = queries.get_delivery(_user(request), pk, delivery)
    if found is None:
        raise Http404
    services.replay_delivery(user=_user(request), origin=_origin(request), delivery=found)
    messages.success(request, _("The event is sent again, with the same event id."))
    return redirect("webhooks:detail", pk)
