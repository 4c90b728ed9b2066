"""The API's types for entries: what comes in, what goes out, how lists are filtered."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from infoharbor.api.pagination import PageParams
from infoharbor.api.schemas import DateTime, Location, OrganizationBrief, Text
from infoharbor.core.choices import BodyFormat, EntryStatus, License, Provenance, Visibility


class EntryOut(Schema):
    id: int
    kind: str = Field(description="Registered kind, e.g. `information.news`; see /kinds.")
    title: str
    summary: str
    body_html: str = Field(description="Sanitized HTML.")
    language: str = Field(description="The entry's own language (BCP 47).")
    text_language: str = Field(
        description="Language of title, summary and body_html as returned: the `lang` asked "
        "for when a translation exists, else the entry's own language."
    )
    translated: bool = Field(description="True when the text is a translation.")
    machine_translated: bool
    translations: list[str] = Field(description="Languages the entry is translated into.")
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    organization: OrganizationBrief
    author: str | None = Field(description="The author's display name, if they gave one.")
    sectors: list[str]
    tags: list[str]
    location: Location | None
    region: str
    source_url: str
    provenance: Provenance
    license: License
    status: EntryStatus
    visibility: Visibility
    body_format: BodyFormat
    body: str | None = Field(
        description="The body as written (Markdown or HTML); only for those who may edit."
    )
    withdrawn_reason: str | None = Field(
        description="Why the entry was withdrawn; only for those who may edit."
    )
    created_at: DateTime
    updated_at: DateTime
    published_at: DateTime | None
    expires_at: DateTime | None
    url: str = Field(description="The entry's page on the portal.")
    details: dict[str, Any] = Field(
        description="The kind's own fields; their JSON Schema is in /kinds."
    )


class EntryPage(Schema):
    items: list[EntryOut]
    next: str | None = Field(description="Link to the next page; null on the last one.")


class EntryFilters(PageParams):
    kind: str | None = Field(None, description="A registered kind, e.g. `information.news`.")
    platform: str | None = Field(
        None, description="A platform, e.g. `information`: entries of any of its kinds."
    )
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2.")
    language: str | None = Field(None, description="BCP 47 code of the entry's language.")
    sector: list[str] = Field(
        default_factory=list, description="Sector slug (with its sub-sectors); repeatable."
    )
    organization: str | None = Field(None, description="Organization slug.")
    status: EntryStatus | None = None
    published_after: DateTime | None = None
    published_before: DateTime | None = None
    tag: str | None = None
    include_expired: bool = Field(
        False, description="Also list entries past their expiry time (hidden by default)."
    )
    lang: str | None = Field(
        None, description="Return title, summary and body in this language where translated."
    )


class LangParam(Schema):
    lang: str | None = Field(
        None, description="Return title, summary and body in this language where translated."
    )


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class EntryCreateIn(_Input):
    kind: Text = Field(description="A registered kind; see /kinds.")
    organization: Text = Field(description="Slug of the publishing organization.")
    title: Text
    summary: Text = ""
    body: Text = ""
    body_format: BodyFormat = BodyFormat.MARKDOWN
    language: Text = Field(description="BCP 47 code, e.g. `zh-Hans`; see /languages.")
    country: Text = Field(description="ISO 3166 alpha-2 code; see /countries.")
    sectors: list[Text] = Field(default_factory=list, description="Sector slugs.")
    tags: list[Text] = Field(default_factory=list)
    lat: float | None = None
    lng: float | None = None
    region: Text = ""
    source_url: Text = ""
    license: License = License.CC_BY_4
    visibility: Visibility = Visibility.PUBLIC
    expires_at: DateTime | None = None
    details: dict[str, Any] = Field(
        default_factory=dict, description="The kind's own fields, as described in /kinds."
    )


class EntryUpdateIn(_Input):
    """Fields to change; those left out keep their values. ``details`` merges key by key."""

    title: Text | None = None
    summary: Text | None = None
    body: Text | None = None
    body_format: BodyFormat | None = None
    language: Text | None = None
    country: Text | None = None
    sectors: list[Text] | None = None
    tags: list[Text] | None = None
    lat: float | None = None
    lng: float | None = None
    region: Text | None = None
    source_url: Text | None = None
    license: License | None = None
    visibility: Visibility | None = None
    expires_at: DateTime | None = None
    details: dict[str, Any] | None = None


class WithdrawIn(_Input):
    reason: Text = Field(description="Shown to the publisher.")


class TranslationIn(_Input):
    title: Text = Field(max_length=300)
    summary: Text = ""
    body: Text = Field("", description="Empty: readers get the original's body.")
    body_format: BodyFormat = BodyFormat.MARKDOWN
    is_machine: bool = Field(False, description="Machine translation (readers see a notice).")
    translator: Text = Field("", max_length=120, description="A person, agency or service.")
