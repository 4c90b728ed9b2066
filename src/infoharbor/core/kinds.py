"""The registry of entry kinds.

Each platform app registers its kinds in its ``AppConfig.ready()``. A kind brings a typed
detail model (one row per entry, primary key ``entry``), a Django form for those details,
a pydantic schema describing them in the API, and a template that shows them. The core never
imports a platform: it only asks this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django import forms
    from django.db import models
    from pydantic import BaseModel


@dataclass(frozen=True)
class EntryKind:
    key: str  # "<app>.<kind>", stable: stored on every entry
    platform: str
    label: str | Promise
    label_plural: str | Promise
    model: type[models.Model]
    form: type[forms.ModelForm[Any]]
    schema: type[BaseModel]
    template: str  # renders the kind's details on the entry page

    @property
    def slug(self) -> str:
        return self.key.replace(".", "-")


_KINDS: dict[str, EntryKind] = {}


class UnknownKind(LookupError):
    pass


def register(kind: EntryKind) -> None:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"entry kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind


def get(key: str) -> EntryKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownKind(key) from None


def by_slug(slug: str) -> EntryKind:
    return get(slug.replace("-", ".", 1))


def all_kinds() -> list[EntryKind]:
    return list(_KINDS.values())


def for_platform(platform: str) -> list[EntryKind]:
    return [kind for kind in _KINDS.values() if kind.platform == platform]


def open_platforms() -> set[str]:
    return {kind.platform for kind in _KINDS.values()}
