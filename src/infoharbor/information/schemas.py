"""How the information kinds' details look in the API."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from infoharbor.information.choices import InForce, NoticeType, PolicyType, UpdateFrequency


class NewsDetails(Schema):
    notice_type: NoticeType = NoticeType.NEWS


class PolicyDetails(Schema):
    policy_type: PolicyType
    document_number: str = ""
    issuing_body: str = ""
    effective_date: dt.date | None = None
    in_force: InForce = InForce.IN_FORCE


class Distribution(Schema):
    """A file or service that gives the dataset's data."""

    url: str = Field(description="Download or access address (http or https).")
    title: str = ""
    format: str = Field("", description="Short name such as CSV, XLSX, JSON.")
    media_type: str = Field("", description="IANA media type, e.g. text/csv.")
    size: int | None = Field(None, ge=0, description="Bytes, when known.")


class Column(Schema):
    name: str
    type: str = Field("", description="integer, number, date, boolean or text, when read.")


Cell = str | int | float | bool | None


class DatasetDetails(Schema):
    identifier: str = Field("", description="The catalogue's identifier of the dataset.")
    landing_page: str = ""
    publisher: str = ""
    license_name: str = Field("", description="The license as the publisher names it.")
    license_url: str = ""
    update_frequency: UpdateFrequency | Literal[""] = ""
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    spatial: str = Field("", description="The area the data covers.")
    formats: list[str] = Field(default_factory=list)
    distributions: list[Distribution] = Field(default_factory=list)
    columns: list[Column] = Field(default_factory=list)
    row_count: int | None = Field(None, ge=0)
    row_count_complete: bool = Field(
        True, description="False when the harbor read only the start of a larger file."
    )
    preview: list[list[Cell]] = Field(
        default_factory=list, description="The first rows of a table the harbor read."
    )
