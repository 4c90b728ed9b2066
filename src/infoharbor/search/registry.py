"""What of each kind of entry is searchable.

Every entry is indexed with its title, summary, body, translations, organization, country,
sectors and tags. A kind adds the text of its typed details by registering a function in its
app's ``search.py``::

    from infoharbor.search import registry

    registry.register("information.policy", lambda details: [details.document_number])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DetailText = Callable[[Any], list[str]]

_DETAIL_TEXT: dict[str, DetailText] = {}


def register(kind: str, detail_text: DetailText) -> None:
    """``detail_text(details)`` returns the searchable strings of a kind's detail row."""
    _DETAIL_TEXT[kind] = detail_text


def has_detail_text(kind: str) -> bool:
    return kind in _DETAIL_TEXT


def detail_text(kind: str, details: object | None) -> list[str]:
    extract = _DETAIL_TEXT.get(kind)
    if extract is None or details is None:
        return []
    return [text for text in extract(details) if text]
