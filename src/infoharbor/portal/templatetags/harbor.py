"""Template helpers shared by every page."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import translate_url as django_translate_url
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context: dict[str, Any], language: str) -> str:
    """The current page's address in another interface language (keeps the query string)."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return f"/{language}/"
    return django_translate_url(request.get_full_path(), language)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.filter
def name_in(obj: Any, language: str) -> str:
    """A reference record's name in a language: ``{{ country|name_in:html_lang }}``."""
    return str(obj.name_in(language))
