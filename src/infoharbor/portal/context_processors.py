from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from infoharbor.core.languages import content_language
from infoharbor.portal.actor import actor_for


def harbor(request: HttpRequest) -> dict[str, Any]:
    """What every page's chrome needs: the language list, the current language's BCP 47 tag."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "interface_languages": settings.LANGUAGES,
        "html_lang": content_language(current),
        "html_dir": "rtl" if translation.get_language_bidi() else "ltr",
        "site_url": settings.SITE_URL,
        "actor": SimpleLazyObject(lambda: actor_for(request)),
    }
