"""Buttons on an entry: submit, publish, withdraw, mark reviewed. POST only; each redirects
back to where it was pressed with a message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoharbor.core import audit, queries, services
from infoharbor.core.models import Entry
from infoharbor.portal.actor import actor_for
from infoharbor.portal.views.common import back_url


def _act(
    request: HttpRequest,
    pk: int,
    action: Callable[[Entry, audit.Origin], object],
    success: str,
) -> HttpResponse:
    actor = actor_for(request)
    entry = queries.visible_entry(actor, pk)
    if entry is None:
        raise Http404
    try:
        action(entry, audit.Origin.from_request(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(back_url(request, entry.get_absolute_url()))


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    return _act(
        request,
        pk,
        lambda entry, origin: services.submit_entry(actor=actor, origin=origin, entry=entry),
        _("Submitted for review. An administrator of the organization will publish it."),
    )


@require_POST
@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    return _act(
        request,
        pk,
        lambda entry, origin: services.publish_entry(actor=actor, origin=origin, entry=entry),
        _("Published."),
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda entry, origin: services.withdraw_entry(
            actor=actor, origin=origin, entry=entry, reason=reason
        ),
        _("Withdrawn. The publisher sees the reason you gave."),
    )


@require_POST
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    return _act(
        request,
        pk,
        lambda entry, origin: services.mark_reviewed(actor=actor, origin=origin, entry=entry),
        _("Marked as reviewed."),
    )
