"""Shared pieces of the API's types: brief nested representations and checked scalars.

Resources refer to each other through the brief forms here (an entry's organization is an
``OrganizationBrief``), so the modules of the API never import each other's schemas.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return value


def utc_datetime(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC (taken as UTC when naive); ValueError if UTC cannot hold it.

    ``9999-12-31T23:59:59-14:00`` is a valid ISO 8601 time that lies past the year 9999 in
    UTC, where the database keeps times: refused here, it is a field error, not a crash.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("This time is out of range.") from None


Text = Annotated[str, AfterValidator(_no_nul)]
"""Any text the database can hold."""

DateTime = Annotated[dt.datetime, AfterValidator(utc_datetime)]
"""An ISO 8601 time, returned in UTC; one without an offset is taken as UTC."""


class OrganizationBrief(Schema):
    slug: str
    name: str


class Location(Schema):
    lat: float
    lng: float
