"""Cursor (keyset) pagination: stable while rows are added, one query per page.

A page is ordered by one field and then by id; the cursor is the (field, id) of the page's
last row, base64-encoded JSON that clients treat as opaque. The next page starts strictly
after that position, so rows inserted meanwhile neither repeat nor push others off a page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest
from ninja import Field, Schema

from infoharbor.api.problems import FieldError, validation_problem
from infoharbor.api.schemas import utc_datetime

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)


class PageParams(Schema):
    cursor: str | None = Field(
        None, description="The `next` link's cursor; leave out for the first page."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


def _datetime(raw: Any) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(raw))
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return utc_datetime(value)


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError("expected text")
    return raw


@dataclass(frozen=True)
class Keyset:
    """Order by ``field`` (then id, in the same direction); ``nullable`` rows come last."""

    field: str
    descending: bool = False
    nullable: bool = False
    parse: Callable[[Any], Any] = _text

    def ordering(self) -> list[OrderBy]:
        if self.descending:
            return [F(self.field).desc(nulls_last=True), F("pk").desc()]
        return [F(self.field).asc(nulls_last=True), F("pk").asc()]

    def after(self, value: Any, pk: int) -> Q:
        beyond = "lt" if self.descending else "gt"
        if value is None:
            return Q(**{f"{self.field}__isnull": True, f"pk__{beyond}": pk})
        condition = Q(**{f"{self.field}__{beyond}": value}) | Q(
            **{self.field: value, f"pk__{beyond}": pk}
        )
        if self.nullable:
            condition |= Q(**{f"{self.field}__isnull": True})
        return condition

    def position(self, row: Model) -> str:
        value = getattr(row, self.field)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        raw = json.dumps([value, row.pk], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[Any, int]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            value, pk = json.loads(raw)
            if not isinstance(pk, int) or isinstance(pk, bool):
                raise TypeError("id")
            return (None if value is None else self.parse(value)), pk
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise validation_problem(
                [FieldError(field="cursor", message="This cursor is not one we gave out.")]
            ) from None


ENTRY_KEYSET = Keyset("published_at", descending=True, nullable=True, parse=_datetime)
NAME_KEYSET = Keyset("name")
LAST_SEEN_KEYSET = Keyset("last_seen", descending=True, parse=_datetime)


def paginate(
    request: HttpRequest, queryset: QuerySet[M], keyset: Keyset, params: PageParams
) -> tuple[list[M], str | None]:
    """One page of ``queryset`` and the absolute link to the next one (None at the end)."""
    if params.cursor:
        queryset = queryset.filter(keyset.after(*keyset.decode(params.cursor)))
    rows = list(queryset.order_by(*keyset.ordering())[: params.limit + 1])
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    query = request.GET.copy()
    query["cursor"] = keyset.position(rows[-1])
    return rows, request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
