"""The portal's source pages: the sources a person manages, their health, and the form to
add or change one. Operators see every source; an organization's administrators see its
own. Every form is a plain POST that works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from infoharbor.accounts.choices import Role
from infoharbor.core import audit
from infoharbor.core.models import Organization
from infoharbor.ingest import queries, services
from infoharbor.ingest.forms import SourceForm
from infoharbor.ingest.models import Source
from infoharbor.portal.actor import actor_for
from infoharbor.portal.views.common import paginate


def _show_errors(form: SourceForm, error: ValidationError) -> None:
    """A service's errors beside the fields they name (the others at the top)."""
    found = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for name, texts in found.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _list(
    request: HttpRequest, sources: QuerySet[Source], organization: Organization | None
) -> HttpResponse:
    page = paginate(request, queries.with_counts(sources))
    return render(
        request,
        "ingest/sources.html",
        {
            "organization": organization,
            "page_obj": page,
            "rows": queries.as_rows(page),
            "can_add": organization is not None
            and services.can_manage_sources(actor_for(request), organization),
        },
    )


@login_required
def sources(request: HttpRequest) -> HttpResponse:
    """Every source the person manages, across their organizations."""
    actor = actor_for(request)
    if not actor.is_operator and not any(actor.has_role(org, Role.ADMIN) for org in actor.roles):
        raise PermissionDenied(
            _("Sources are managed by operators and organization administrators.")
        )
    return _list(request, queries.manageable_sources(actor), None)


def _organization(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is None:
        raise Http404
    return organization


@login_required
def organization_sources(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for(request)
    organization = _organization(slug)
    if not services.can_manage_sources(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators manage its sources."))
    return _list(
        request, queries.manageable_sources(actor).filter(organization=organization), organization
    )


def _source(request: HttpRequest, pk: int) -> Source:
    source = queries.manageable_sources(actor_for(request)).filter(pk=pk).first()
    if source is None:
        raise Http404
    return source


@login_required
def source_health(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    health = queries.source_health(source)
    return render(
        request,
        "ingest/source_health.html",
        {
            "source": source,
            "health": health,
            "busiest": max((count for _day, count in health.daily), default=0),
        },
    )


def _form_page(
    request: HttpRequest, form: SourceForm, organization: Organization, source: Source | None
) -> HttpResponse:
    return render(
        request,
        "ingest/source_form.html",
        {"form": form, "organization": organization, "source": source},
    )


@login_required
def source_create(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for(request)
    organization = _organization(slug)
    if not services.can_manage_sources(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators manage its sources."))
    blank = Source(organization=organization, country=organization.country)
    if request.method != "POST":
        return _form_page(request, SourceForm(instance=blank), organization, None)
    form = SourceForm(request.POST, instance=blank)
    if form.is_valid():
        try:
            source = services.create_source(
                actor=actor,
                origin=audit.Origin.from_request(request),
                organization=organization,
                data=form.source_data(),
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("Source %(name)s added. It is harvested at the next run.")
                % {"name": source.name},
            )
            return redirect("ingest:source", pk=source.pk)
    return _form_page(request, form, organization, None)


@login_required
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    if request.method != "POST":
        return _form_page(request, SourceForm(instance=source), source.organization, source)
    form = SourceForm(request.POST, instance=Source.objects.get(pk=source.pk))
    if form.is_valid():
        try:
            services.update_source(
                actor=actor_for(request),
                origin=audit.Origin.from_request(request),
                source=source,
                data=form.source_data(),
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Changes to %(name)s saved.") % {"name": source.name})
            return redirect("ingest:source", pk=source.pk)
    return _form_page(request, form, source.organization, source)
