"""Django's own strings and date formats in the four interface languages Django does not
translate (Filipino, Lao, Tetum) or barely does (Burmese): the harbor's catalogs of them in
src/infoharbor/locale_django are complete and current, and portal pages use them and the
formats of src/infoharbor/formats."""

from __future__ import annotations

import datetime as dt
import gettext
import html
import importlib.util
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.utils import translation

from infoharbor.accounts.models import User
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus
from infoharbor.core.permissions import Actor
from tests import factories
from tests.i18n.po import DJANGO_LOCALE_DIR, LOCALE_DIR, Catalog, catalog_path, parse
from tests.i18n.test_catalogs import HTML_TAG, SCRIPTS, placeholders
from tests.portal.conftest import Harbor, harbor, text

__all__ = ["harbor"]  # the portal tests' fixture, used here too

LOCALES = ["fil", "lo", "my", "tet"]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "django_catalogs.py"
# Written the same in the language as in English: punctuation, names, units, and the words
# Filipino keeps in English (as in the harbor's own catalog: "password", "Email").
SAME_AS_ENGLISH = {"…", ":", ":?.!", ", ", "IPv4", "IPv6", "%(truncated_text)s…"}
SAME_AS_ENGLISH_IN = {
    "fil": {"password", "Password", "Email", "%(size)d byte", "p.m.", "a.m.", "PM", "AM"}
    | {"mar", "may"},  # the months Marso and Mayo, abbreviated
    "lo": {"%s KB", "%s MB", "%s GB", "%s TB", "%s PB"},
    "my": {":"},
    "tet": {"Email", "%(size)d byte", "p.m.", "a.m.", "PM", "AM"}
    | {"jan", "mar", "jun", "jul", "nov", "Jan.", "Nov."},  # Janeiru, Marsu... abbreviated
}
for _units in ("fil", "tet"):
    SAME_AS_ENGLISH_IN[_units] |= {"%s KB", "%s MB", "%s GB", "%s TB", "%s PB"}


def catalog(locale: str) -> Catalog:
    return parse(catalog_path(locale, base=DJANGO_LOCALE_DIR))


def translated(locale: str, msgid: str) -> str:
    """The catalog's translation of ``msgid``, or of a plural ``msgid_plural`` (its last form,
    the one for many)."""
    for entry in catalog(locale).entries:
        if msgid in {entry.msgid, entry.msgid_plural} and entry.msgctxt is None:
            return entry.msgstr[-1]
    raise KeyError(msgid)


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("django_catalogs", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# --- The catalogs ----------------------------------------------------------------------------


def test_the_catalogs_of_djangos_strings_come_after_the_harbors_own() -> None:
    """The harbor's catalog wins where both have a string; Django's own catalogs still serve
    the other languages."""
    assert [Path(p) for p in settings.LOCALE_PATHS] == [LOCALE_DIR, DJANGO_LOCALE_DIR]
    on_disk = {path.parts[-3] for path in DJANGO_LOCALE_DIR.glob("*/LC_MESSAGES/django.po")}
    assert on_disk == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_with_the_harbors_plural_rule(locale: str) -> None:
    po = catalog(locale)
    assert po.header.get("Language") == locale
    assert not po.header_fuzzy
    assert po.header["Plural-Forms"] == parse(catalog_path(locale)).header["Plural-Forms"]
    assert len(po.entries) > 150
    assert {"This field is required.", "Enter a valid email address.", "December"} <= {
        entry.msgid for entry in po.entries
    }
    untranslated = [entry.msgid for entry in po.entries if not entry.translated]
    assert not untranslated, f"{locale}: untranslated: {untranslated}"
    wrong_forms = [
        e.msgid for e in po.entries if e.msgid_plural is not None and len(e.msgstr) != po.nplurals
    ]
    assert not wrong_forms, f"{locale}: need {po.nplurals} plural form(s): {wrong_forms}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_are_in_nfc(locale: str) -> None:
    """Typed the way the harbor's catalogs and search normalize text, so the same word is
    the same code points wherever it is written."""
    odd = [
        f
        for e in catalog(locale).entries
        for f in e.msgstr
        if unicodedata.is_normalized("NFC", f) is False
    ]
    assert not odd, f"{locale}: not in NFC: {odd}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale: str) -> None:
    problems = []
    for entry in catalog(locale).entries:
        source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
        for form in entry.msgstr:
            if placeholders(entry, form) != placeholders(entry, source):
                problems.append((entry.msgid, form))
            if sorted(HTML_TAG.findall(form)) != sorted(HTML_TAG.findall(source)):
                problems.append((entry.msgid, form))
    assert not problems, f"{locale}: placeholders differ: {problems}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_is_left_in_english(locale: str) -> None:
    allowed = SAME_AS_ENGLISH | SAME_AS_ENGLISH_IN[locale]
    left = [
        entry.msgid
        for entry in catalog(locale).entries
        if entry.msgid not in allowed and {entry.msgid, entry.msgid_plural} & set(entry.msgstr)
    ]
    assert not left, f"{locale}: still English: {left}"


@pytest.mark.parametrize("locale", ["lo", "my"])
def test_lao_and_burmese_are_written_in_their_script(locale: str) -> None:
    allowed = SAME_AS_ENGLISH | SAME_AS_ENGLISH_IN[locale]
    wrong = [
        form
        for entry in catalog(locale).entries
        if entry.msgid not in allowed
        for form in entry.msgstr
        if not re.search(SCRIPTS[locale], form)
    ]
    assert not wrong, f"{locale}: not in its script: {wrong}"


def test_burmese_keeps_djangos_translations_and_is_unicode() -> None:
    """Django's Burmese strings are kept (in NFC, the order of the harbor's own catalog)."""
    ours = {entry.key: entry.msgstr for entry in catalog("my").entries}
    djangos = script().djangos_own("my")
    kept = {key for key in djangos if key[0] is None and key[1] in ours}
    assert kept, "Django's Burmese catalog was not found"
    assert all(ours[key[1]] == djangos[key] for key in kept)
    for msgstr in ours.values():
        for form in msgstr:
            assert not re.search(r"(?:^|[^\u1000-\u109f])\u1031", form), f"Zawgyi: {form!r}"
            assert not re.search(r"[\u1060-\u1097]", form), f"Zawgyi: {form!r}"


def test_catalogs_hold_the_strings_of_the_installed_django() -> None:
    """After a Django upgrade this fails until scripts/django_catalogs.py is rerun."""
    wanted = {(entry.msgctxt, entry.msgid) for entry in script().english()}
    for locale in LOCALES:
        have = {(entry.msgctxt, entry.msgid) for entry in catalog(locale).entries}
        assert have == wanted, f"{locale}: rerun scripts/django_catalogs.py"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_its_source(locale: str) -> None:
    po = catalog(locale)
    with po.path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.info().get("plural-forms") == po.header.get("Plural-Forms")
    messages = {key: value for key, value in compiled._catalog.items() if key != ""}
    expected: dict[object, str] = {}
    for entry in po.entries:
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update(((entry.key, n), form) for n, form in enumerate(entry.msgstr))
    assert messages == expected, f"{locale}: run scripts/i18n.sh compile"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("locale", LOCALES)
def test_msgfmt_accepts_the_catalog(locale: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalog(locale).path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr


# --- The pages -------------------------------------------------------------------------------

PUBLISHED = dt.datetime(2025, 7, 15, 9, 5, tzinfo=dt.UTC)
# The entry page shows when it was published: the date in its header, date and time below.
DATES = {
    "fil": ("Hulyo 15, 2025", "Hulyo 15, 2025, 9:05 AM"),
    "lo": ("15 ກໍລະກົດ 2025", "15 ກໍລະກົດ 2025, 9:05"),
    "my": ("2025 ဇူလိုင် 15", "2025 ဇူလိုင် 15 9:05"),
    "tet": ("15 Jullu 2025", "15 Jullu 2025, 09:05"),
}


def page(response: object) -> str:
    """The page's markup with its character references resolved (Tetum's ne'e is ne&#x27;e)."""
    return html.unescape(text(response))


@pytest.mark.django_db
@pytest.mark.parametrize("locale", LOCALES)
def test_sign_up_errors_speak_the_language(locale: str) -> None:
    response = Client().post(f"/{locale}/accounts/signup/", {})
    assert response.status_code == 200
    shown = page(response)
    assert "This field is required." not in shown
    assert translated(locale, "This field is required.") in shown


@pytest.mark.django_db
@pytest.mark.parametrize("locale", LOCALES)
def test_sign_up_length_and_password_rules_speak_the_language(locale: str) -> None:
    form = {
        "email": "new@ministry.example",
        "display_name": "x" * 151,
        "password1": "12345",
        "password2": "12345",
        "preferred_language": locale,
        "time_zone": "UTC",
    }
    response = Client().post(f"/{locale}/accounts/signup/", form)
    assert response.status_code == 200
    assert not User.objects.filter(email="new@ministry.example").exists()
    shown = page(response)
    too_long = "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."
    assert translated(locale, too_long) % {"limit_value": 150, "show_value": 151} in shown
    assert "Ensure this value" not in shown
    too_short = "This password is too short. It must contain at least %d characters."
    assert translated(locale, too_short) % 10 in shown
    assert translated(locale, "This password is entirely numeric.") in shown
    assert "This password" not in shown


@pytest.mark.django_db
@pytest.mark.parametrize("locale", LOCALES)
def test_sign_up_page_states_the_password_rules_in_the_language(locale: str) -> None:
    response = Client().get(f"/{locale}/accounts/signup/")
    shown = page(response)
    rules = "Your password must contain at least %(min_length)d characters."
    assert translated(locale, rules) % {"min_length": 10} in shown
    assert translated(locale, "Your password can’t be entirely numeric.") in shown
    assert "Your password" not in shown


@pytest.mark.django_db
@pytest.mark.parametrize("locale", LOCALES)
def test_entry_page_writes_dates_the_languages_way(harbor: Harbor, locale: str) -> None:
    entry = factories.make_entry(
        harbor.org, harbor.admin, title="Rice export notice", status=EntryStatus.DRAFT
    )
    services.publish_entry(
        actor=Actor.for_user(harbor.admin),
        origin=audit.Origin(user=harbor.admin, via="test"),
        entry=entry,
        published_at=PUBLISHED,
    )
    response = Client().get(f"/{locale}/entries/{entry.pk}/")
    assert response.status_code == 200
    shown = page(response)
    date, date_and_time = DATES[locale]
    assert f">{date}</time>" in shown
    assert f">{date_and_time}</time>" in shown
    assert "July" not in shown


@pytest.mark.parametrize(
    ("locale", "typed"),
    [("fil", "07/15/2025"), ("lo", "15/07/2025"), ("my", "15/07/2025"), ("tet", "15/07/2025")],
)
def test_date_fields_take_the_languages_short_date_and_offer_iso_to_the_date_picker(
    locale: str, typed: str
) -> None:
    """The portal's date fields are <input type="date">, which shows nothing unless its value
    is ISO 8601: a form redisplaying a stored date must write it so in every language."""
    with translation.override(locale):
        assert forms.DateField().clean(typed) == dt.date(2025, 7, 15)
        assert forms.DateField().clean("2025-07-15") == dt.date(2025, 7, 15)
        rendered = forms.DateInput(attrs={"type": "date"}).render("when", dt.date(2025, 7, 15))
    assert 'value="2025-07-15"' in rendered


@pytest.mark.django_db
@pytest.mark.parametrize("locale", LOCALES)
def test_a_form_posted_without_its_csrf_cookie_is_refused_in_the_language(locale: str) -> None:
    """What someone whose browser blocks cookies sees on signing in: Django's CSRF page."""
    response = Client(enforce_csrf_checks=True).post(
        f"/{locale}/accounts/login/", {"username": "a@example.org", "password": "x"}
    )
    assert response.status_code == 403
    shown = page(response)
    assert translated(locale, "CSRF verification failed. Request aborted.") in shown
    assert "Request aborted" not in shown
    assert "cookie when submitting forms" not in shown
