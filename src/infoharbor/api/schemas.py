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


def _utc_if_naive(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


Text = Annotated[str, AfterValidator(_no_nul)]
"""Any text the database can hold."""

DateTime = Annotated[dt.datetime, AfterValidator(_utc_if_naive)]
"""An ISO 8601 time; one without an offset is taken as UTC."""


class OrganizationBrief(Schema):
    slug: str
    name: str


class Location(Schema):
    lat: float
    lng: float
