"""The committed interface catalogs: one per interface language, complete where they must be,
well-formed, and compiled (the .mo files say what their .po files say)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.i18n.po import LOCALE_DIR, Catalog, Entry, catalog_path, parse

LOCALES = [to_locale(code) for code, _ in settings.LANGUAGES]
# Every catalog must be complete ("every page works in every interface language"): a new
# string is translated into all of them before it is merged. English: every msgstr is its msgid
# (scripts/i18n.sh makes it so), so an empty or fuzzy English entry means the catalog was not
# regenerated properly.
COMPLETE = LOCALES
# Names, and words a language writes as English does: in these a translation may equal its
# English source. Anywhere else an unchanged string is one nobody translated.
NAMES = {"API", "HTML", "Markdown"}
SAME_AS_ENGLISH = {
    "id": {"Editor", "Administrator", "operator", "Token", "Status", "Media", "Demo", "Filter",
           "Platform"},
    "ms": {"Token", "Status", "Media", "Demo", "Platform"},
    "vi": {"Token"},
    "fil": {"Editor", "Administrator", "Time zone", "time zone", "Email address",
            "email address", "Password", "operator", "Token", "Draft", "code", "ISO code",
            "website", "Website", "Open source", "Demo", "%(counter)s entry"},
    "tet": {"Token", "website", "Website", "Latitude", "Demo"},
    "pt": {"Editor", "Token", "Circular", "Latitude", "Longitude", "Capital",
           "Latitude %(lat)s, longitude %(lng)s", "original", "Original", "%(minutes)d min"},
}  # fmt: skip
# Languages with a script of their own: every translation is written in it.
SCRIPTS = {
    "th": "[\u0e00-\u0e7f]",
    "lo": "[\u0e80-\u0eff]",
    "km": "[\u1780-\u17ff]",
    "my": "[\u1000-\u109f]",
    "zh_Hant": "[\u4e00-\u9fff]",
}

PYTHON_FORMAT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")
BRACE_FORMAT = re.compile(r"\{(\w*)(?:[!:][^}]*)?\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
# Common characters written differently in Traditional Chinese (發 for 发, 機構 for 机构...).
SIMPLIFIED_ONLY = set("发体机构国语说页们这资讯经与为从个过时请会点设码账号册录权审")
TRADITIONAL_ONLY = set("發體機構國語說頁們這資訊經與為從個過時請會點設碼帳號註冊錄權審")


def catalog(locale: str) -> Catalog:
    return parse(catalog_path(locale))


def placeholders(entry: Entry, text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in entry.flags:
        found.update(
            f"%({m.group(1)})" if m.group(1) else m.group(0) for m in PYTHON_FORMAT.finditer(text)
        )
    if "python-brace-format" in entry.flags:
        found.update(f"{{{m.group(1)}}}" for m in BRACE_FORMAT.finditer(text))
    return found


def test_there_is_a_catalog_for_every_interface_language_and_no_other() -> None:
    assert len(LOCALES) == 13
    assert set(LOCALES) == {
        "en", "zh_Hans", "zh_Hant", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "tet", "pt",
    }  # fmt: skip
    on_disk = {path.parts[-3] for path in LOCALE_DIR.glob("*/LC_MESSAGES/django.po")}
    assert on_disk == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_has_a_usable_header_and_the_same_messages(locale: str) -> None:
    po = catalog(locale)
    assert po.path.with_suffix(".mo").is_file(), f"{locale}: not compiled"
    assert not po.header_fuzzy, f"{locale}: the header is fuzzy, so msgfmt would ignore it"
    assert po.header.get("Language") == locale
    assert po.header.get("Content-Type") == "text/plain; charset=UTF-8"
    assert 1 <= po.nplurals <= 6
    keys = [entry.key for entry in po.entries]
    assert len(keys) == len(set(keys)), f"{locale}: duplicate messages"
    # All catalogs are made by one makemessages run, so they hold the same messages.
    assert set(keys) == {entry.key for entry in catalog("zh_Hans").entries}


@pytest.mark.parametrize("locale", COMPLETE)
def test_catalog_is_complete(locale: str) -> None:
    po = catalog(locale)
    assert len(po.entries) > 300  # the interface's strings, not an empty extraction
    fuzzy = [entry.msgid for entry in po.entries if entry.fuzzy]
    assert not fuzzy, f"{locale}: fuzzy entries (check and clear the flag): {fuzzy}"
    untranslated = [entry.msgid for entry in po.entries if not entry.translated]
    assert not untranslated, f"{locale}: untranslated entries: {untranslated}"
    wrong_forms = [
        entry.msgid
        for entry in po.entries
        if entry.msgid_plural is not None and len(entry.msgstr) != po.nplurals
    ]
    assert not wrong_forms, f"{locale}: need {po.nplurals} plural form(s): {wrong_forms}"


def test_english_catalog_is_the_source_text() -> None:
    for entry in catalog("en").entries:
        expected = (
            [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        )
        assert entry.msgstr == expected


def test_simplified_chinese_is_chinese() -> None:
    """A translation that is still English (copied msgid) would pass the completeness check."""
    untouched = {"API", "HTML", "Markdown"}  # names, the same in Chinese
    for entry in catalog("zh_Hans").entries:
        if entry.msgid in untouched:
            continue
        for form in entry.msgstr:
            assert re.search(r"[\u4e00-\u9fff]", form), f"not Chinese: {entry.msgid!r} -> {form!r}"
            assert not set(form) & TRADITIONAL_ONLY, f"traditional characters: {form!r}"


@pytest.mark.parametrize("locale", [locale for locale in LOCALES if locale != "en"])
def test_no_message_is_left_in_english(locale: str) -> None:
    """A copied msgid passes the completeness check; only the words listed for the language
    may read as in English."""
    allowed = NAMES | SAME_AS_ENGLISH.get(locale, set())
    left = [
        entry.msgid
        for entry in catalog(locale).entries
        if entry.translated
        and entry.msgid not in allowed
        and {entry.msgid, entry.msgid_plural} & set(entry.msgstr)
    ]
    assert not left, f"{locale}: still English: {left}"


@pytest.mark.parametrize("locale", sorted(SCRIPTS))
def test_translations_are_written_in_the_languages_script(locale: str) -> None:
    script = re.compile(SCRIPTS[locale])
    wrong = [
        form
        for entry in catalog(locale).entries
        if entry.msgid not in NAMES
        for form in entry.msgstr
        if form and not script.search(form)
    ]
    assert not wrong, f"{locale}: not in its script: {wrong}"


def test_burmese_is_unicode_not_zawgyi() -> None:
    """Zawgyi, the legacy Burmese font encoding, types the vowel sign E (U+1031) before its
    consonant and puts glyph variants at U+1060-U+1097, which Burmese in Unicode never uses."""
    for entry in catalog("my").entries:
        for form in entry.msgstr:
            assert not re.search(r"(?:^|[^\u1000-\u109f])\u1031", form), f"Zawgyi order: {form!r}"
            assert not re.search(r"[\u1060-\u1097]", form), f"Zawgyi code point: {form!r}"


def test_traditional_chinese_is_traditional() -> None:
    """The Simplified-Chinese test's counterpart: no Simplified characters in zh_Hant."""
    for entry in catalog("zh_Hant").entries:
        for form in entry.msgstr:
            assert not set(form) & SIMPLIFIED_ONLY, f"simplified characters: {form!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_placeholders_and_markup(locale: str) -> None:
    problems = []
    for entry in catalog(locale).entries:
        if not entry.translated:
            continue
        if entry.msgid_plural is None:
            pairs = [(entry.msgid, entry.msgstr[0])]
        else:
            # Every form has the plural's placeholders; a singular form may drop the number.
            pairs = [(entry.msgid_plural, entry.msgstr[-1])]
            allowed = placeholders(entry, entry.msgid) | placeholders(entry, entry.msgid_plural)
            for form in entry.msgstr[:-1]:
                if placeholders(entry, form) - allowed:
                    problems.append((entry.msgid, form))
        for source, translation in pairs:
            if placeholders(entry, source) != placeholders(entry, translation):
                problems.append((entry.msgid, translation))
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(translation)):
                problems.append((entry.msgid, translation))
    assert not problems, f"{locale}: placeholders or markup differ: {problems}"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_its_source(locale: str) -> None:
    po = catalog(locale)
    with po.path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.info().get("plural-forms") == po.header.get("Plural-Forms")
    # GNUTranslations keeps the messages in _catalog: msgid -> msgstr, (msgid, n) -> form n.
    messages = {key: value for key, value in compiled._catalog.items() if key != ""}
    expected: dict[object, str] = {}
    for entry in po.entries:
        if not entry.translated:
            continue  # msgfmt leaves out untranslated and fuzzy entries
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update(((entry.key, n), form) for n, form in enumerate(entry.msgstr))
    stale = sorted(str(key) for key in messages.keys() ^ expected.keys())
    assert not stale, f"{locale}: .mo and .po hold different messages; run scripts/i18n.sh compile"
    differ = [key for key, value in expected.items() if messages[key] != value]
    assert not differ, f"{locale}: .mo is older than .po for {differ}; run scripts/i18n.sh compile"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("locale", LOCALES)
def test_msgfmt_accepts_the_catalog(locale: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            "msgfmt",
            "--check",
            "--output-file",
            str(tmp_path / "django.mo"),
            str(catalog_path(locale)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
