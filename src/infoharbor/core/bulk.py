"""Bulk inserts of rows prepared as plain values, for the batched write paths.

``Model.objects.bulk_create`` builds an instance per row and prepares every field of every
row through the SQL compiler: most of a batch's write time goes there, not to the database.
:func:`insert` takes the rows as tuples of attribute values (``entry_id``, not ``entry``),
converts only what the database driver cannot take as it is (dates, JSON, decimals ...)
with the field's own ``get_db_prep_save``, and sends one ``executemany`` per table (or, when
the new primary keys are wanted, multi-row ``INSERT ... RETURNING`` statements of as many
rows as the database's parameter limit allows).

Nothing here runs a model's ``save``, signals or field defaults: the caller passes every
column's value (see :func:`defaults` for the model's defaults), and validates first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connections, models, router

Converter = Callable[[Any], Any]

# Fields whose values the drivers (sqlite3, psycopg) take as they are, when the value is
# of exactly this Python type; any other value goes through the field's own preparation.
_PLAIN_TYPES: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.SlugField: (str,),
    models.URLField: (str,),
    models.EmailField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.BooleanField: (bool,),
    models.FloatField: (float,),
}


def _converter(field: models.Field[Any, Any], alias: str) -> Converter | None:
    """None when the field's values of a plain type need no preparation."""
    connection = connections[alias]
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    plain = _PLAIN_TYPES.get(type(target))

    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if plain is None:
        return prepare
    exact = plain[0]

    def plain_or_prepared(value: Any) -> Any:
        if value is None or type(value) is exact:
            return value
        return prepare(value)

    return plain_or_prepared


@cache
def _statement(
    model: type[models.Model], columns: tuple[str, ...], alias: str
) -> tuple[str, tuple[Converter | None, ...], tuple[models.Field[Any, Any], ...]]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = tuple(by_attname[name] for name in columns)
    stamped = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    stamped += [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    if stamped:
        # Their values come from pre_save, which this does not run.
        raise TypeError(f"{model._meta.label} has auto_now fields ({stamped}): use bulk_create")
    ops = connections[alias].ops
    names = ", ".join(ops.quote_name(field.column) for field in fields)
    # Only the model's own table and column names, quoted; the values go as parameters.
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({names}) VALUES "  # noqa: S608
    return sql, tuple(_converter(field, alias) for field in fields), fields


def _prepared(rows: Sequence[Sequence[Any]], converters: Sequence[Converter | None]) -> list[Any]:
    plain = [n for n, convert in enumerate(converters) if convert is None]
    if len(plain) == len(converters):
        return [tuple(row) for row in rows]
    pairs = [(n, convert) for n, convert in enumerate(converters) if convert is not None]
    # A batch repeats values (its one time of creation, a source's defaults): each distinct
    # value of a column is prepared once. Keyed by type too, as True == 1 == 1.0.
    seen: list[dict[tuple[type, Any], Any]] = [{} for _pair in pairs]
    prepared = []
    for row in rows:
        values = list(row)
        for (n, convert), memo in zip(pairs, seen, strict=True):
            value = values[n]
            try:
                key = (type(value), value)
                values[n] = memo[key] if key in memo else memo.setdefault(key, convert(value))
            except TypeError:  # unhashable (JSON's lists and dicts)
                values[n] = convert(value)
        prepared.append(values)
    return prepared


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
) -> list[Any]:
    """Insert ``rows`` (values in the order of ``columns``, attribute names) into
    ``model``'s table; with ``returning``, the new primary keys in the order of the rows."""
    if not rows:
        return []
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, converters, fields = _statement(model, tuple(columns), alias)
    values = _prepared(rows, converters)
    width = len(columns)
    one = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(sql + one, values)
            return []
        pk = connection.ops.quote_name(model._meta.pk.column)
        size = max(1, connection.ops.bulk_batch_size(list(fields), values))
        keys: list[Any] = []
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            cursor.execute(
                f"{sql}{', '.join([one] * len(chunk))} RETURNING {pk}",
                [value for row in chunk for value in row],
            )
            keys.extend(row[0] for row in cursor.fetchall())
        return keys


def defaults(model: type[models.Model], *, now: dt.datetime) -> dict[str, Any]:
    """The model's field defaults by attribute name, ``timezone.now`` as ``now`` (one time
    for a whole batch)."""
    from django.utils import timezone

    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.has_default():
            values[field.attname] = now if field.default is timezone.now else field.get_default()
    return values
