"""Writes to entries: create, update, submit, publish, withdraw, review, translate.

Every function checks the actor's rights, validates, writes in one transaction and records
the change in the audit trail. Views, the API, importers and the demo loader all come
through here; nothing else saves an Entry.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from infoharbor.core import audit, bulk, fastclean, kinds, permissions, richtext
from infoharbor.core.choices import BodyFormat, EntryStatus, License, Provenance, Visibility
from infoharbor.core.models import (
    AuditEvent,
    Country,
    Entry,
    EntryTranslation,
    Language,
    Organization,
    Sector,
    Tag,
)
from infoharbor.core.permissions import Actor

# Fields of Entry a person may set directly; recorded in the audit trail when they change.
AUDITED_FIELDS = [
    "title",
    "summary",
    "body_format",
    "body_source",
    "language",
    "country",
    "region",
    "lat",
    "lng",
    "source_url",
    "license",
    "visibility",
    "expires_at",
    "status",
]

# Side effects of entry changes (search indexing, subscriptions) register here. Outbox hooks
# run inside the transaction and only write a row that says what must follow, so the follow-up
# survives a crash; the other hooks run only after the commit, so they never see a change that
# was rolled back.
# A batch of ingested entries (create_entries) calls a batch hook, ``hook(event, entry_ids)``,
# once for all its entries, and a one-entry hook once per entry.
_outbox_hooks: list[Callable[[str, int], None]] = []
_after_commit_hooks: list[Callable[[str, int], None]] = []
_outbox_batch_hooks: list[Callable[[str, list[int]], None]] = []
_after_commit_batch_hooks: list[Callable[[str, list[int]], None]] = []


def on_entry_write(hook: Callable[[str, int], None]) -> Callable[[str, int], None]:
    """Register ``hook(event, entry_id)``, called inside the transaction of any entry change.

    Keep it to one quick write (an outbox row); slow work belongs in an ``on_entry_change``
    hook or in the worker.
    """
    _outbox_hooks.append(hook)
    return hook


def on_entries_write(
    hook: Callable[[str, list[int]], None],
) -> Callable[[str, list[int]], None]:
    """Like :func:`on_entry_write`, but once for all the entries of one change (a batch)."""
    _outbox_batch_hooks.append(hook)
    return hook


def on_entry_change(hook: Callable[[str, int], None]) -> Callable[[str, int], None]:
    """Register ``hook(event, entry_id)``, called after the commit of any entry change."""
    _after_commit_hooks.append(hook)
    return hook


def on_entries_change(
    hook: Callable[[str, list[int]], None],
) -> Callable[[str, list[int]], None]:
    """Like :func:`on_entry_change`, but once for all the entries of one change (a batch)."""
    _after_commit_batch_hooks.append(hook)
    return hook


def _after_commit(event: str, entry_id: int) -> None:
    _after_commit_all(event, [entry_id])


def _after_commit_all(event: str, entry_ids: list[int]) -> None:
    if not entry_ids:
        return
    for batch_hook in _outbox_batch_hooks:
        batch_hook(event, entry_ids)
    for hook in _outbox_hooks:
        for entry_id in entry_ids:
            hook(event, entry_id)
    for batch_hook in _after_commit_batch_hooks:
        transaction.on_commit(lambda hook=batch_hook: hook(event, entry_ids))  # type: ignore[misc]
    for hook in _after_commit_hooks:
        for entry_id in entry_ids:
            transaction.on_commit(lambda hook=hook, pk=entry_id: hook(event, pk))  # type: ignore[misc]


@dataclass
class EntryData:
    """What an author writes: the shared fields of every kind of entry."""

    title: str
    language: Language
    country: Country
    summary: str = ""
    body: str = ""
    body_format: str = BodyFormat.MARKDOWN
    sectors: list[Sector] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lat: float | None = None
    lng: float | None = None
    region: str = ""
    source_url: str = ""
    license: str = License.CC_BY_4
    visibility: str = Visibility.PUBLIC
    expires_at: dt.datetime | None = None


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _publish_denied() -> str:
    return _(
        "Only the organization's administrators (or editors, where the organization "
        "allows it) can publish, and only what is not already published."
    )


def tag_slug(text: str) -> str:
    """A tag as stored: NFC, lower case, words joined by hyphens.

    Unlike slugify, it keeps combining marks, which Thai, Khmer, Lao, Burmese and
    Vietnamese words cannot lose (การค้า must not become การคา).
    """
    text = unicodedata.normalize("NFC", text).casefold()
    kept = "".join(
        char if unicodedata.category(char)[0] in "LMN" or char in "-_" else " " for char in text
    )
    return "-".join(kept.split())[:64].strip("-")


def _normalize_tags(raw: list[str]) -> list[str]:
    tags = []
    for tag in raw:
        slug = tag_slug(tag)
        if slug and slug not in tags:
            tags.append(slug)
    return tags


def _validate(
    entry: Entry,
    data: EntryData,
    stored_expiry: dt.datetime | None = None,
    *,
    in_batch: bool = False,
) -> None:
    """Every error of the shared fields at once. ``in_batch``: the caller checks the
    language and country once for its whole batch (:func:`create_entries`), and the
    location constraint is left to the range checks here, which say the same."""
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("A title is required.")]
    if (data.lat is None) != (data.lng is None):
        errors["lat" if data.lat is None else "lng"] = [
            _("Give both latitude and longitude, or neither.")
        ]
    if data.lat is not None and not -90 <= data.lat <= 90:
        errors["lat"] = [_("Latitude must be between -90 and 90.")]
    if data.lng is not None and not -180 <= data.lng <= 180:
        errors["lng"] = [_("Longitude must be between -180 and 180.")]
    if data.body_format not in BodyFormat.values:
        errors["body_format"] = [_("Choose Markdown or HTML.")]
    # A new expiry must lie ahead; an entry that has expired can still be corrected.
    changed_expiry = data.expires_at != stored_expiry
    if changed_expiry and data.expires_at is not None and data.expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry time must be in the future.")]
    try:
        # The model's own checks too, so every error is reported at once; the fields already
        # found wrong are left out (and the constraints, which would only repeat them).
        exclude = ["organization", "author", "kind", "body_html", *errors]
        if in_batch:
            fastclean.full_clean(entry, exclude=[*exclude, "language", "country"])
        else:
            entry.full_clean(exclude=exclude, validate_constraints=not errors)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _apply(entry: Entry, data: EntryData) -> None:
    entry.title = data.title.strip()
    entry.summary = data.summary.strip()
    entry.body_format = data.body_format
    entry.body_source = data.body
    entry.body_html = richtext.render(data.body, data.body_format)
    entry.language = data.language
    entry.country = data.country
    entry.lat, entry.lng = data.lat, data.lng
    entry.region = data.region.strip()
    entry.source_url = data.source_url.strip()
    entry.license = data.license
    entry.visibility = data.visibility
    entry.expires_at = data.expires_at


def _save_relations(entry: Entry, data: EntryData) -> None:
    entry.sectors.set(data.sectors)
    tags = _normalize_tags(data.tags)
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=tags)}
    entry.tags.set([existing.get(slug) or Tag.objects.create(slug=slug) for slug in tags])


def _complete_details(entry: Entry, details: Mapping[str, Any]) -> dict[str, Any]:
    """Fill the fields a caller left out: stored values on update, model defaults on create.

    A caller may send only what changes (an API PATCH, an ingester that knows one field);
    leaving a field out must never blank it or fail for a field that has a default.
    """
    kind = kinds.get(entry.kind)
    instance = kind.model._default_manager.filter(pk=entry.pk).first() if entry.pk else None
    known = model_to_dict(instance) if instance is not None else {}
    completed: dict[str, Any] = {}
    for name in kind.form.base_fields:
        if name in details:
            completed[name] = details[name]
        elif name in known:
            completed[name] = known[name]
        else:
            field = kind.model._meta.get_field(name)
            if isinstance(field, models.Field) and field.has_default():
                completed[name] = field.get_default()
    return completed


def _check_all(
    entry: Entry,
    data: EntryData,
    details: Mapping[str, Any],
    stored_expiry: dt.datetime | None = None,
) -> None:
    """Validate the shared fields and the kind's details; report every error at once."""
    errors: dict[str, list[str]] = {}
    checks: tuple[Callable[[], None], ...] = (
        lambda: _validate(entry, data, stored_expiry),
        lambda: validate_details(entry.kind, details),
    )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _save_details(entry: Entry, details: Mapping[str, Any], *, creating: bool) -> None:
    kind = kinds.get(entry.kind)
    instance = None if creating else kind.model._default_manager.filter(pk=entry.pk).first()
    form = kind.form(data=details, instance=instance)
    if not form.is_valid():
        raise ValidationError({f"details.{name}": errs for name, errs in form.errors.items()})
    obj = form.save(commit=False)
    obj.entry = entry
    obj.save()


def _relations_snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "sectors": sorted(entry.sectors.values_list("slug", flat=True)),
        "tags": sorted(entry.tags.values_list("slug", flat=True)),
    }


def validate_details(kind_key: str, details: Mapping[str, Any]) -> None:
    """Check a kind's details without saving (forms show every error at once)."""
    form = kinds.get(kind_key).form(data=details)
    if not form.is_valid():
        raise ValidationError({f"details.{name}": errs for name, errs in form.errors.items()})


@transaction.atomic
def create_entry(
    *,
    actor: Actor,
    origin: audit.Origin,
    organization: Organization,
    kind: str,
    data: EntryData,
    details: Mapping[str, Any],
    provenance: str = Provenance.AUTHORED,
    provenance_note: str = "",
    is_demo: bool = False,
) -> Entry:
    try:
        kinds.get(kind)
    except kinds.UnknownKind:
        raise ValidationError({"kind": [_("Unknown kind of entry.")]}) from None
    if not permissions.can_create_in(actor, organization.pk):
        raise _deny(_("Only editors of this organization can create its entries."))
    entry = Entry(
        kind=kind,
        organization=organization,
        author=origin.user,
        provenance=provenance,
        provenance_note=provenance_note,
        is_demo=is_demo,
    )
    _apply(entry, data)
    details = _complete_details(entry, details)
    _check_all(entry, data, details)
    entry.save()
    _save_relations(entry, data)
    _save_details(entry, details, creating=True)
    audit.record(
        origin,
        "entry.create",
        entry,
        organization=organization,
        changes={
            "kind": [None, kind],
            **audit.diff(
                {}, {**audit.snapshot(entry, AUDITED_FIELDS), **_relations_snapshot(entry)}
            ),
        },
    )
    _after_commit("created", entry.pk)
    return entry


@dataclass
class NewEntry:
    """One entry of a batch for :func:`create_entries`: what :func:`create_entry` takes for
    one entry, and whether to publish it at once (with the date it was first published
    elsewhere, as :func:`publish_entry` takes it)."""

    data: EntryData
    details: Mapping[str, Any]
    provenance_note: str = ""
    publish: bool = False
    published_at: dt.datetime | None = None


BatchFailure = ValidationError | PermissionDenied


def _details_object(kind: kinds.EntryKind, details: Mapping[str, Any]) -> models.Model:
    form = kind.form(data=details)
    if not form.is_valid():
        raise ValidationError({f"details.{name}": errs for name, errs in form.errors.items()})
    obj: models.Model = form.save(commit=False)
    return obj


def _related_errors(entries: list[Entry]) -> dict[int, dict[str, list[str]]]:
    """The language and country checks of ``full_clean``, once per distinct value."""
    errors: dict[int, dict[str, list[str]]] = {}
    for name in ("language", "country"):
        model_field = Entry._meta.get_field(name)
        if not isinstance(model_field, models.ForeignKey):  # pragma: no cover - the model's
            raise TypeError(name)
        verdicts: dict[Any, list[str]] = {}
        for number, entry in enumerate(entries):
            value = getattr(entry, model_field.attname)
            if value not in verdicts:
                try:
                    model_field.validate(value, entry)
                    verdicts[value] = []
                except ValidationError as error:
                    verdicts[value] = error.messages
            if verdicts[value]:
                errors.setdefault(number, {})[name] = verdicts[value]
    return errors


@transaction.atomic
def create_entries(
    *,
    actor: Actor,
    origin: audit.Origin,
    organization: Organization,
    kind: str,
    batch: list[NewEntry],
    provenance: str = Provenance.AUTHORED,
    is_demo: bool = False,
) -> list[Entry | BatchFailure]:
    """Create (and publish) many entries of one organization at once: for each, the same
    validation, rows, audit events and side effects as :func:`create_entry` followed by
    :func:`publish_entry`, written with a few bulk inserts in one transaction.

    Returns, in order, each entry, or the error that kept it out (the others are written
    all the same). An unknown kind or a missing right to create refuses the whole batch,
    as it would each entry.

    The values are checked as :func:`create_entry` checks them (the same messages), with
    plain comparisons where that is certain (``fastclean``), the kind's details form once
    per distinct details, and the rows written as prepared values (``bulk.insert``).
    """
    try:
        entry_kind = kinds.get(kind)
    except kinds.UnknownKind:
        raise ValidationError({"kind": [_("Unknown kind of entry.")]}) from None
    if not permissions.can_create_in(actor, organization.pk):
        raise _deny(_("Only editors of this organization can create its entries."))
    # What the entries share, set once: copying an instance costs a third of building one.
    template = Entry(
        kind=kind,
        organization=organization,
        author=origin.user,
        provenance=provenance,
        is_demo=is_demo,
    )
    entries: list[Entry] = []
    for item in batch:
        entry = copy.copy(template)
        entry.provenance_note = item.provenance_note
        _apply(entry, item.data)
        entries.append(entry)
    related = _related_errors(entries)
    results: list[Entry | BatchFailure] = []
    details_rows: dict[int, tuple[Any, ...]] = {}
    checked_details: dict[str, tuple[Any, ...] | ValidationError] = {}
    for number, (entry, item) in enumerate(zip(entries, batch, strict=True)):
        errors: dict[str, list[str]] = dict(related.get(number, {}))
        try:
            _validate(entry, item.data, in_batch=True)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            details_rows[number] = _details_row(entry_kind, entry, item.details, checked_details)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            results.append(ValidationError(errors))
        elif item.publish and not permissions.can_publish(actor, entry):
            results.append(_deny(_publish_denied()))
        else:
            results.append(entry)
    valid = [n for n, result in enumerate(results) if isinstance(result, Entry)]
    if not valid:
        return results
    now = timezone.now()
    created = [entries[n] for n in valid]
    for entry in created:
        entry.created_at = entry.updated_at = now
    # The create event records the entry as created (a draft), as create_entry does.
    create_snapshots = [audit.snapshot(entry, AUDITED_FIELDS) for entry in created]
    published: list[Entry] = []
    for n in valid:
        if batch[n].publish:
            entry, when = entries[n], batch[n].published_at
            entry.status = EntryStatus.PUBLISHED
            entry.published_at = min(when, now) if when is not None else now
            published.append(entry)
    _insert_entries(created)
    tags = {n: _normalize_tags(batch[n].data.tags) for n in valid}
    wanted = sorted({slug for slugs in tags.values() for slug in slugs})
    by_slug = dict(Tag.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    missing = [slug for slug in wanted if slug not in by_slug]
    if missing:
        Tag.objects.bulk_create([Tag(slug=slug) for slug in missing], ignore_conflicts=True)
        by_slug.update(Tag.objects.filter(slug__in=missing).values_list("slug", "pk"))
    bulk.insert(
        Entry.sectors.through,
        ("entry_id", "sector_id"),
        [
            (entries[n].pk, sector_id)
            for n in valid
            for sector_id in dict.fromkeys(sector.pk for sector in batch[n].data.sectors)
        ],
    )
    bulk.insert(
        Entry.tags.through,
        ("entry_id", "tag_id"),
        [(entries[n].pk, by_slug[slug]) for n in valid for slug in tags[n]],
    )
    bulk.insert(
        entry_kind.model,
        _details_columns(entry_kind.model),
        [(entries[n].pk, *details_rows[n]) for n in valid],
    )
    events = []
    for n, before in zip(valid, create_snapshots, strict=True):
        entry, data = entries[n], batch[n].data
        relations = {
            "sectors": sorted({sector.slug for sector in data.sectors}),
            "tags": sorted(tags[n]),
        }
        changes = {"kind": [None, kind], **audit.diff({}, {**before, **relations})}
        events.append(
            audit.event_row(
                origin, "entry.create", entry, at=now, organization=organization, changes=changes
            )
        )
        if batch[n].publish:
            events.append(
                audit.event_row(
                    origin,
                    "entry.publish",
                    entry,
                    at=now,
                    organization=organization,
                    changes={"status": [EntryStatus.DRAFT, EntryStatus.PUBLISHED]},
                )
            )
    bulk.insert(AuditEvent, audit.EVENT_COLUMNS, events)
    _after_commit_all("created", [entry.pk for entry in created])
    _after_commit_all(EntryStatus.PUBLISHED, [entry.pk for entry in published])
    return results


@cache
def _entry_columns() -> tuple[str, ...]:
    return tuple(field.attname for field in Entry._meta.concrete_fields if not field.primary_key)


def _insert_entries(entries: list[Entry]) -> None:
    """The entries' rows at once; each entry gets its primary key, as ``bulk_create`` does."""
    columns = _entry_columns()
    row = attrgetter(*columns)
    keys = bulk.insert(Entry, columns, [row(entry) for entry in entries], returning=True)
    alias = router.db_for_write(Entry)
    for entry, key in zip(entries, keys, strict=True):
        entry.pk = key
        entry._state.adding = False
        entry._state.db = alias


@cache
def _details_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """A kind's detail fields but the link to the entry (its primary key, ``kinds``)."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.name != "entry" and not field.primary_key
    )


def _details_columns(model: type[models.Model]) -> tuple[str, ...]:
    link = model._meta.get_field("entry").attname  # type: ignore[union-attr]
    return (link, *(field.attname for field in _details_fields(model)))


def _details_key(details: Mapping[str, Any]) -> str | None:
    """The same text for the same details; None for values JSON does not hold as they are
    (those are checked each time)."""
    try:
        return json.dumps(details, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return None


def _details_row(
    kind: kinds.EntryKind,
    entry: Entry,
    details: Mapping[str, Any],
    checked: dict[str, tuple[Any, ...] | ValidationError],
) -> tuple[Any, ...]:
    """The values of a new entry's details row (:func:`_details_fields`), or the form's
    ValidationError. The form's verdict depends only on the details, so a batch whose
    entries share their details (a source's defaults) runs the form once."""
    key = _details_key(details)
    found = checked.get(key) if key is not None else None
    if found is None:
        try:
            obj = _details_object(kind, _complete_details(entry, details))
            found = tuple(field.pre_save(obj, True) for field in _details_fields(kind.model))
        except ValidationError as error:
            found = error
        if key is not None:
            checked[key] = found
    if isinstance(found, ValidationError):
        raise ValidationError(found.message_dict)
    return found


@transaction.atomic
def update_entry(
    *,
    actor: Actor,
    origin: audit.Origin,
    entry: Entry,
    data: EntryData,
    details: Mapping[str, Any],
) -> Entry:
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if not permissions.can_edit(actor, entry):
        raise _deny(_("You may not edit this entry."))
    before = {**audit.snapshot(entry, AUDITED_FIELDS), **_relations_snapshot(entry)}
    stored_expiry = entry.expires_at
    _apply(entry, data)
    details = _complete_details(entry, details)
    _check_all(entry, data, details, stored_expiry)
    entry.updated_at = timezone.now()
    if entry.status == EntryStatus.PUBLISHED:
        # Changed text is new text: it goes back to the moderators' queue.
        entry.reviewed_at, entry.reviewed_by = None, None
    entry.save()
    _save_relations(entry, data)
    _save_details(entry, details, creating=False)
    after = {**audit.snapshot(entry, AUDITED_FIELDS), **_relations_snapshot(entry)}
    audit.record(
        origin,
        "entry.update",
        entry,
        organization=entry.organization,
        changes=audit.diff(before, after),
    )
    _after_commit("updated", entry.pk)
    return entry


def _transition(
    *,
    actor: Actor,
    origin: audit.Origin,
    entry: Entry,
    allowed: Callable[[Actor, Entry], bool],
    denied: str,
    to: str,
    action: str,
    note: str = "",
    extra: Callable[[Entry], None] | None = None,
) -> Entry:
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if not allowed(actor, entry):
            raise _deny(denied)
        before = entry.status
        entry.status = to
        entry.updated_at = timezone.now()
        if extra is not None:
            extra(entry)
        entry.save()
        audit.record(
            origin,
            action,
            entry,
            organization=entry.organization,
            changes={"status": [before, to]},
            note=note,
        )
        _after_commit(to, entry.pk)
    return entry


def submit_entry(*, actor: Actor, origin: audit.Origin, entry: Entry) -> Entry:
    return _transition(
        actor=actor,
        origin=origin,
        entry=entry,
        allowed=permissions.can_submit,
        denied=_("Only editors can submit drafts of their organization for review."),
        to=EntryStatus.IN_REVIEW,
        action="entry.submit",
    )


def publish_entry(
    *, actor: Actor, origin: audit.Origin, entry: Entry, published_at: dt.datetime | None = None
) -> Entry:
    """Publish ``entry``. ``published_at`` is for what was first published elsewhere (an
    ingested item's own date, never in the future); by default, and on republication, the
    entry keeps the time it was first published here."""
    if published_at is not None:
        published_at = min(published_at, timezone.now())

    def stamp(entry: Entry) -> None:
        entry.published_at = entry.published_at or published_at or timezone.now()
        entry.withdrawn_at, entry.withdrawn_by, entry.withdrawn_reason = None, None, ""
        entry.reviewed_at, entry.reviewed_by = None, None  # each publication is reviewed

    def allowed(actor: Actor, entry: Entry) -> bool:
        return entry.status != EntryStatus.PUBLISHED and permissions.can_publish(actor, entry)

    return _transition(
        actor=actor,
        origin=origin,
        entry=entry,
        allowed=allowed,
        denied=_publish_denied(),
        to=EntryStatus.PUBLISHED,
        action="entry.publish",
        extra=stamp,
    )


def withdraw_entry(*, actor: Actor, origin: audit.Origin, entry: Entry, reason: str) -> Entry:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the entry is withdrawn; the publisher will see it.")]}
        )

    def stamp(entry: Entry) -> None:
        entry.withdrawn_at = timezone.now()
        entry.withdrawn_by = origin.user
        entry.withdrawn_reason = reason

    return _transition(
        actor=actor,
        origin=origin,
        entry=entry,
        allowed=permissions.can_withdraw,
        denied=_("You may not withdraw this entry."),
        to=EntryStatus.WITHDRAWN,
        action="entry.withdraw",
        note=reason,
        extra=stamp,
    )


@transaction.atomic
def mark_reviewed(*, actor: Actor, origin: audit.Origin, entry: Entry) -> Entry:
    """A moderator has looked at a published entry and leaves it up."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if not permissions.can_moderate(actor, entry):
        raise _deny(_("Only moderators of the entry's country can review it."))
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = origin.user
    entry.save(update_fields=["reviewed_at", "reviewed_by"])
    audit.record(origin, "entry.review", entry, organization=entry.organization)
    return entry


@transaction.atomic
def save_translation(
    *,
    actor: Actor,
    origin: audit.Origin,
    entry: Entry,
    language: Language,
    title: str,
    summary: str = "",
    body: str = "",
    body_format: str = BodyFormat.MARKDOWN,
    is_machine: bool = False,
    translator: str = "",
) -> EntryTranslation:
    if not permissions.can_edit(actor, entry):
        raise _deny(_("You may not translate this entry."))
    if language.pk == entry.language_id:
        raise ValidationError({"language": [_("This is the entry's own language.")]})
    if not title.strip():
        raise ValidationError({"title": [_("A title is required.")]})
    if body_format not in BodyFormat.values:
        raise ValidationError({"body_format": [_("Choose Markdown or HTML.")]})
    translation, _created = EntryTranslation.objects.update_or_create(
        entry=entry,
        language=language,
        defaults={
            "title": title.strip(),
            "summary": summary.strip(),
            "body_format": body_format,
            "body_source": body,
            "body_html": richtext.render(body, body_format),
            "is_machine": is_machine,
            "translator": translator,
            "updated_at": timezone.now(),
        },
    )
    audit.record(
        origin,
        "entry.translate",
        entry,
        organization=entry.organization,
        changes={"translation": [None, language.pk]},
        note="machine" if is_machine else "human",
    )
    _after_commit("translated", entry.pk)
    return translation
