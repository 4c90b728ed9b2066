"""``Model.full_clean`` for batches: the same verdicts and messages, most values checked by
plain comparisons.

``full_clean`` runs every field's ``clean`` (conversion, choices, blank, validators) for
every instance, which is most of the cost of validating a batch of entries whose values are
already plain strings, numbers and dates of the right types. Here a field gets a *quick
check* where that is safe (its class is one of Django's plain fields, with no validators but
its own): a value that passes it is one ``clean`` would accept unchanged. Any other value,
and every field without a quick check, goes through the field's own ``clean``, so an error
always carries the very message ``full_clean`` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

Quick = Callable[[Any], bool]

# The validators Django gives these fields itself (the quick checks below cover them).
_OWN_VALIDATORS = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)


def _text_check(field: models.Field[Any, Any]) -> Quick | None:
    if any(not isinstance(v, _OWN_VALIDATORS) for v in field.validators):
        return None
    limit = field.max_length
    # The keys as they are: a value of another type than a key is left to ``clean``.
    choices = frozenset(key for key, _label in field.flatchoices) if field.choices else None

    def check(value: Any) -> bool:
        return (
            type(value) is str
            and value != ""
            and (limit is None or len(value) <= limit)
            and "\x00" not in value
            and (choices is None or value in choices)
        )

    return check


class _Accepted:
    """The last values ``clean`` accepted unchanged, for a field whose verdict depends on
    the value alone (an address's validator: a regular expression that costs more than the
    rest of an entry's checks)."""

    LIMIT = 4096

    def __init__(self, field: models.Field[Any, Any]) -> None:
        self.field = field
        self.values: dict[str, None] = {}

    def __call__(self, value: Any) -> bool:
        return type(value) is str and value in self.values

    def remember(self, value: Any, cleaned: Any) -> None:
        if type(value) is str and cleaned == value:
            if len(self.values) >= self.LIMIT:
                self.values.clear()
            self.values[value] = None


def _quick_check(field: models.Field[Any, Any]) -> Quick | None:
    """A check that only says yes to values ``field.clean`` returns unchanged, or None."""
    kind = type(field)
    if kind in (models.CharField, models.TextField):
        return _text_check(field)
    own = (*_OWN_VALIDATORS, validators.URLValidator)
    if kind is models.URLField and all(isinstance(v, own) for v in field.validators):
        return None if field.choices else _Accepted(field)
    if field.validators or field.choices:
        return None
    if kind is models.FloatField:
        return lambda value: type(value) is float
    if kind is models.BooleanField:
        return lambda value: type(value) is bool
    if kind is models.DateTimeField:
        return lambda value: isinstance(value, dt.datetime)
    return None


@cache
def _plan(model: type[models.Model]) -> tuple[tuple[models.Field[Any, Any], Quick | None], ...]:
    return tuple(
        (field, _quick_check(field)) for field in model._meta.fields if not field.generated
    )


@cache
def _needs_unique_checks(model: type[models.Model]) -> bool:
    """Whether ``validate_unique`` could query: a unique field or set beyond the primary key."""
    meta = model._meta
    if meta.unique_together or meta.total_unique_constraints:
        return True
    dated = ("unique_for_date", "unique_for_month", "unique_for_year")
    for field in meta.fields:
        if field.primary_key:
            continue
        if field.unique or any(getattr(field, name, None) for name in dated):
            return True
    return False


def accepts(model: type[models.Model], name: str, value: Any) -> bool:
    """Whether ``model``'s field ``name`` accepts ``value`` as it is (``clean`` returns it
    unchanged); the verdicts of address fields are kept for :func:`full_clean`."""
    for field, quick in _plan(model):
        if field.name == name:
            if quick is not None and quick(value):
                return True
            try:
                cleaned = field.clean(value, None)
            except ValidationError:
                return False
            if isinstance(quick, _Accepted):
                quick.remember(value, cleaned)
            return bool(cleaned == value)
    raise LookupError(f"{model._meta.label} has no field {name!r}")


def full_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """``instance.full_clean(exclude=exclude, validate_constraints=False)``, faster."""
    excluded = set(exclude)
    errors: dict[str, list[ValidationError]] = {}
    values = instance.__dict__
    for field, quick in _plan(type(instance)):
        if field.name in excluded:
            continue
        raw = values[field.attname] if field.attname in values else getattr(instance, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        if quick is not None and quick(raw):
            continue
        try:
            cleaned = field.clean(raw, instance)
        except ValidationError as error:
            errors[field.name] = error.error_list
            continue
        setattr(instance, field.attname, cleaned)
        if isinstance(quick, _Accepted):
            quick.remember(raw, cleaned)
    if type(instance).clean is not models.Model.clean:
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    unique_pending = _needs_unique_checks(type(instance)) or instance.pk is not None
    if unique_pending:
        checked = excluded | {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            instance.validate_unique(exclude=checked)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
