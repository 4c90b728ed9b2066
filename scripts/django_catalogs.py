"""Build the harbor's catalogs of Django's own strings for fil, lo, my and tet.

Django translates its form errors, month names, password rules... into most languages, but has
no catalog for Filipino, Lao and Tetum and an incomplete one for Burmese. The harbor keeps its
own in ``src/infoharbor/locale_django/<locale>/LC_MESSAGES/django.po`` (second in
settings.LOCALE_PATHS, so the harbor's own catalogs still win). This script writes their
skeleton from Django's English catalogs, keeping only the strings a portal page can show:
form fields and widgets, validators, model validation errors, month and weekday names, the
date format's a.m./p.m., "timesince", "or", file sizes, the CSRF failure page, and the
password rules and forms of django.contrib.auth (not the admin, not admindocs' descriptions
of the field types).

It keeps every translation already in the catalogs; a new string gets an empty msgstr (for
Burmese, Django's own translation when it has one), a string Django dropped is removed.

After upgrading Django, rerun it, translate the empty msgstrs, compile and test:

    .venv/bin/python scripts/django_catalogs.py
    grep -n -B1 '^msgstr\\(\\[[0-9]\\]\\)\\? ""$' src/infoharbor/locale_django/*/*/django.po
    scripts/i18n.sh compile && .venv/bin/pytest tests/i18n -q

Standard library only: this is a build step, and the project adds no dependency for it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "infoharbor" / "locale_django"
DJANGO = Path(django.__file__).resolve().parent
# Django's catalogs (domain "django"), and which of their source files the portal can show.
SOURCES = {
    DJANGO / "conf" / "locale": (
        "core/validators.py",
        "core/paginator.py",
        "db/models/base.py",
        "db/models/constraints.py",
        "db/models/fields/",  # only the validation errors: see wanted()
        "forms/",
        "template/defaultfilters.py",
        "utils/dates.py",
        "utils/dateformat.py",
        "utils/ipv6.py",
        "utils/text.py",
        "utils/timesince.py",
        "views/csrf.py",  # the page a form posted without its CSRF cookie gets
    ),
    DJANGO / "contrib" / "auth" / "locale": (
        "contrib/auth/base_user.py",
        "contrib/auth/forms.py",
        "contrib/auth/password_validation.py",
        "contrib/auth/validators.py",
    ),
}
LOCALES = {
    # The harbor's own catalogs use the same rules (src/infoharbor/locale/*/django.po).
    "fil": ("Filipino", "nplurals=2; plural=(n != 1 && n != 0);"),
    "lo": ("Lao", "nplurals=1; plural=0;"),
    "my": ("Burmese", "nplurals=1; plural=0;"),
    "tet": ("Tetum", "nplurals=2; plural=(n != 1);"),
}


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # "#." lines for translators
    flags: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text.strip()[1:-1])


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return '"' + escaped.replace("\n", "\\n") + '"'


def parse(path: Path) -> list[Entry]:
    """The entries of a .po file (its header included, as the entry with an empty msgid)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, current = Entry(msgid=""), ""
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#~") or not line.strip():
                continue
            if line.startswith("#."):
                entry.comments.append(line[2:].strip())
            elif line.startswith("#,"):
                entry.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            elif line.startswith("#:"):
                entry.locations += line[2:].split()
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += _unquote(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = _unquote(value)
        if "msgid" not in fields:
            continue
        entry.msgid = fields["msgid"]
        entry.msgctxt = fields.get("msgctxt")
        entry.msgid_plural = fields.get("msgid_plural")
        if entry.msgid_plural is None:
            entry.msgstr = [fields.get("msgstr", "")]
        else:
            forms = sorted((int(k[7:-1]), v) for k, v in fields.items() if k.startswith("msgstr["))
            entry.msgstr = [v for _, v in forms]
        entries.append(entry)
    return entries


def wanted(entry: Entry, prefixes: tuple[str, ...]) -> bool:
    for location in entry.locations:
        source = location.rsplit(":", 1)[0]
        if not source.startswith(prefixes):
            continue
        # Model fields: the validation errors (sentences), not admindocs' descriptions of the
        # field types ("Integer", "String (up to %(max_length)s)").
        if source.startswith("db/models/fields/") and not entry.msgid.endswith("."):
            continue
        return True
    return False


def english() -> list[Entry]:
    """Django's wanted English entries, in catalog order, without duplicates."""
    seen: set[tuple[str | None, str]] = set()
    result = []
    for locale_dir, prefixes in SOURCES.items():
        for entry in parse(locale_dir / "en" / "LC_MESSAGES" / "django.po"):
            if entry.msgid and entry.key not in seen and wanted(entry, prefixes):
                seen.add(entry.key)
                result.append(entry)
    return result


def djangos_own(locale: str) -> dict[tuple[str | None, str], list[str]]:
    """Django's complete translations into ``locale``, if it has a catalog for it, in NFC: its
    Burmese catalog types the asat before the dot below (U+103A U+1037), where Unicode's
    canonical order, and the harbor's catalog, put the dot below first."""
    found: dict[tuple[str | None, str], list[str]] = {}
    for locale_dir in SOURCES:
        path = locale_dir / locale / "LC_MESSAGES" / "django.po"
        if path.exists():
            for entry in parse(path):
                if entry.msgid and all(entry.msgstr) and "fuzzy" not in entry.flags:
                    nfc = [unicodedata.normalize("NFC", form) for form in entry.msgstr]
                    found.setdefault(entry.key, nfc)
    return found


def render(
    locale: str,
    entries: list[Entry],
    existing: dict[tuple[str | None, str], Entry],
    revised: str,
) -> str:
    name, plurals = LOCALES[locale]
    nplurals = int(re.search(r"nplurals=(\d+)", plurals).group(1))  # type: ignore[union-attr]
    own = djangos_own(locale)
    lines = [
        f"# Django's own strings shown by Information Harbor pages: {name}.",
        "# Written by scripts/django_catalogs.py from Django's English catalogs; translate here.",
        'msgid ""',
        'msgstr ""',
        f'"Project-Id-Version: infoharbor (Django {django.get_version()})\\n"',
        f'"PO-Revision-Date: {revised}\\n"',
        '"Last-Translator: Information Harbor developers\\n"',
        f'"Language-Team: {name}\\n"',
        f'"Language: {locale}\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        f'"Plural-Forms: {plurals}\\n"',
        "",
    ]
    for entry in entries:
        size = 1 if entry.msgid_plural is None else nplurals
        old = existing.get(entry.key)
        msgstr = old.msgstr if old and any(old.msgstr) else own.get(entry.key, [])
        msgstr = (list(msgstr) + [""] * size)[:size]
        lines += [f"#. {comment}" for comment in entry.comments]
        sources = sorted({loc.rsplit(":", 1)[0] for loc in entry.locations})
        lines += [f"#: django/{source}" for source in sources]
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        if entry.msgctxt is not None:
            lines.append(f"msgctxt {_quote(entry.msgctxt)}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.msgid_plural is None:
            lines.append(f"msgstr {_quote(msgstr[0])}")
        else:
            lines.append(f"msgid_plural {_quote(entry.msgid_plural)}")
            lines += [f"msgstr[{i}] {_quote(text)}" for i, text in enumerate(msgstr)]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    entries = english()
    for locale in LOCALES:
        path = OUT / locale / "LC_MESSAGES" / "django.po"
        old = parse(path) if path.exists() else []
        existing = {e.key: e for e in old if e.msgid}
        # The revision date changes when a translator edits the catalog, not on every rerun.
        header = next((e.msgstr[0] for e in old if not e.msgid), "")
        revised = re.search(r"PO-Revision-Date: (.*)", header)
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")
        text = render(locale, entries, existing, revised.group(1) if revised else now)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        todo = sum(1 for e in parse(path) if e.msgid and not all(e.msgstr))
        print(f"{path.relative_to(ROOT)}: {len(entries)} strings, {todo} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
