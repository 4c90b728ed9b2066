"""Translations of an entry, written by its editors: one page per language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from infoharbor.core import audit, permissions, queries, services
from infoharbor.core.models import Entry, EntryTranslation, Language
from infoharbor.portal.actor import actor_for
from infoharbor.portal.forms import TranslationForm, TranslationLanguageForm


def _editable_entry(request: HttpRequest, pk: int) -> Entry:
    actor = actor_for(request)
    entry = queries.visible_entry(actor, pk)
    if entry is None:
        raise Http404
    if not permissions.can_edit(actor, entry):
        raise PermissionDenied(_("You may not translate this entry."))
    return entry


@login_required
def choose_language(request: HttpRequest, pk: int) -> HttpResponse:
    """The language picker on the entry page sends here (GET, so it works without JS)."""
    entry = _editable_entry(request, pk)
    form = TranslationLanguageForm(request.GET, entry=entry)
    if not form.is_valid():
        messages.error(request, _("Choose a language other than the original."))
        return redirect(entry)
    language: Language = form.cleaned_data["language"]
    return redirect("portal:entry_translation", pk=entry.pk, code=language.code)


@login_required
def translation(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    entry = _editable_entry(request, pk)
    language = get_object_or_404(Language, code=code)
    if language.pk == entry.language_id:
        return redirect("portal:entry_edit", pk=entry.pk)
    existing = EntryTranslation.objects.filter(entry=entry, language=language).first()
    if request.method != "POST":
        initial = (
            {
                "title": existing.title,
                "summary": existing.summary,
                "body": existing.body_source,
                "body_format": existing.body_format,
                "is_machine": existing.is_machine,
                "translator": existing.translator,
            }
            if existing
            else {"body_format": entry.body_format}
        )
        form = TranslationForm(initial=initial)
    else:
        form = TranslationForm(request.POST)
        if form.is_valid():
            try:
                services.save_translation(
                    actor=actor_for(request),
                    origin=audit.Origin.from_request(request),
                    entry=entry,
                    language=language,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                for name, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(name if name in form.fields else None, text)
            else:
                messages.success(request, _("The translation is saved."))
                url = reverse("portal:entry", args=[entry.pk])
                return redirect(f"{url}?{urlencode({'lang': language.code})}")
    return render(
        request,
        "portal/translation_form.html",
        {
            "entry": entry,
            "language": language,
            "form": form,
            "existing": existing,
            "original": queries.localize(entry, None),
        },
    )
