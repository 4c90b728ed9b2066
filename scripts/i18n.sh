#!/usr/bin/env bash
# Regenerate and compile the interface translations, the same way for everyone.
#
#   scripts/i18n.sh            update the catalogs (makemessages), then compile them
#   scripts/i18n.sh make       only update the .po catalogs
#   scripts/i18n.sh compile    only compile them (.po -> .mo)
#
# Catalogs: src/infoharbor/locale/<locale>/LC_MESSAGES/django.po, one per interface language
# of settings.LANGUAGES. The .po files and the compiled .mo files are both committed.
# `compile` also compiles the harbor's catalogs of Django's own strings for fil, lo, my and
# tet (src/infoharbor/locale_django, in settings.LOCALE_PATHS); `make` leaves them alone:
# they come from Django's catalogs, through scripts/django_catalogs.py.
#
# Strings are extracted from src/infoharbor (.py, .html, .txt; migrations left out) with
# package-relative paths, without source locations (--no-location) and without line wrapping
# (--no-wrap), so a catalog changes only when a string does. After makemessages:
#   - every catalog gets a proper header (Language, plural rules for fil, lo and tet, which
#     Django has no catalog of, no "fuzzy" header);
#   - the en catalog is the identity (msgstr = msgid), so it is complete by construction;
#   - a catalog whose only change is POT-Creation-Date is left untouched.
# Then translate the new empty (and any "#, fuzzy") entries, at least in zh_Hans, run
# `scripts/i18n.sh compile` and `pytest tests/i18n`.
#
# Needs GNU gettext (Debian: apt-get install gettext) and the project's venv.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PACKAGE="$ROOT/src/infoharbor"
LOCALE_DIR="$PACKAGE/locale"
PYTHON="${INFOHARBOR_I18N_PYTHON:-$ROOT/.venv/bin/python}"
# The settings make a var directory (secret key) relative to the working directory.
export INFOHARBOR_VAR_DIR="${INFOHARBOR_VAR_DIR:-$ROOT/var}"

# settings.LANGUAGES as locale names (zh-hans -> zh_Hans).
LOCALES=(en zh_Hans zh_Hant id ms th vi fil km lo my tet pt)

command -v msgfmt >/dev/null || {
    echo "i18n.sh: GNU gettext is missing (apt-get install gettext)" >&2
    exit 1
}

# django-admin with the harbor's settings. Run from src/infoharbor, so keep the working
# directory off sys.path (its subpackages must not shadow anything).
django() {
    DJANGO_SETTINGS_MODULE=infoharbor.settings "$PYTHON" -c '
import sys
sys.path = [p for p in sys.path if p not in ("", ".")]
from django.core.management import execute_from_command_line
execute_from_command_line(["django-admin", *sys.argv[1:]])
' "$@"
}

make_messages() {
    local args=() before
    for locale in "${LOCALES[@]}"; do args+=(--locale "$locale"); done
    before="$(mktemp -d)"
    mkdir -p "$LOCALE_DIR"
    (cd "$LOCALE_DIR" && find . -name '*.po' -exec cp --parents {} "$before" \;)
    (
        cd "$PACKAGE"
        django makemessages --domain django "${args[@]}" \
            --extension html,txt,py --no-location --no-wrap --no-obsolete \
            --ignore migrations --ignore locale --ignore static --ignore __pycache__
        # JavaScript catalogs only once there is JavaScript that asks for translations.
        if grep -rlqE --include='*.js' '\b(n?gettext|pgettext|interpolate)\(' . 2>/dev/null; then
            django makemessages --domain djangojs "${args[@]}" --no-location --no-wrap \
                --no-obsolete --ignore locale --ignore __pycache__
        fi
    )
    "$PYTHON" - "$LOCALE_DIR" "$before" <<'PY'
"""Tidy the catalogs makemessages wrote (see the comment at the top of scripts/i18n.sh)."""

import re
import sys
from datetime import datetime, timezone
from pathlib import Path

locale_dir, before_dir = Path(sys.argv[1]), Path(sys.argv[2])
NOW = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
NAMES = {
    "en": "English", "zh_Hans": "Simplified Chinese", "zh_Hant": "Traditional Chinese",
    "id": "Indonesian", "ms": "Malay", "th": "Thai", "vi": "Vietnamese", "fil": "Filipino",
    "km": "Khmer", "lo": "Lao", "my": "Burmese", "tet": "Tetum", "pt": "Portuguese",
}
PLURALS = {  # Django ships no catalog for these, so makemessages leaves the template's rule.
    "fil": "nplurals=2; plural=(n != 1 && n != 0);",
    "lo": "nplurals=1; plural=0;",
    "tet": "nplurals=2; plural=(n != 1);",
}


def header(text: str, locale: str, domain: str) -> str:
    head, sep, rest = text.partition('msgstr ""\n')
    head = re.sub(r"(?s)\A.*?(?=^msgid \"\"$)", "", head, flags=re.M)  # boilerplate, #, fuzzy
    comment = f"# Information Harbor interface ({domain}): {NAMES.get(locale, locale)}.\n"
    fields, sep2, body = rest.partition("\n\n")
    fields = re.sub(r'^"Project-Id-Version: .*"$', r'"Project-Id-Version: infoharbor\\n"',
                    fields, flags=re.M)
    fields = re.sub(r'^"Language: .*"$', rf'"Language: {locale}\\n"', fields, flags=re.M)
    fields = fields.replace('"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"',
                            '"Last-Translator: Information Harbor developers\\n"')
    fields = fields.replace('"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\\n"',
                            f'"PO-Revision-Date: {NOW}\\n"')
    fields = fields.replace('"Language-Team: LANGUAGE <LL@li.org>\\n"',
                            f'"Language-Team: {NAMES.get(locale, locale)}\\n"')
    if locale in PLURALS:
        fields = re.sub(r'^"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"$',
                        rf'"Plural-Forms: {PLURALS[locale]}\\n"', fields, flags=re.M)
    return comment + head + sep + fields + sep2 + body


def strings(lines: list[str]) -> dict[str, str]:
    """The quoted values of an entry's msgid, msgid_plural, msgstr... lines, joined."""
    values: dict[str, str] = {}
    key = None
    for line in lines:
        if line.startswith("msg"):
            key, _, rest = line.partition(" ")
            values[key] = rest[1:-1]
        elif line.startswith('"') and key:
            values[key] += line[1:-1]
    return values


def identity(text: str) -> str:
    """en: every msgstr is its msgid (plural: msgstr[0] the singular, [1] the plural)."""
    out = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln != "#, fuzzy" and not ln.startswith("#|")]
        lines = [re.sub(r"^#, fuzzy, ", "#, ", ln) for ln in lines]
        lines = [re.sub(r"^(#,.*), fuzzy", r"\1", ln) for ln in lines]
        values = strings(lines)
        if values.get("msgid"):
            kept = [ln for ln in lines if ln.startswith("#")]
            kept += [f'msgctxt "{values["msgctxt"]}"'] if "msgctxt" in values else []
            kept.append(f'msgid "{values["msgid"]}"')
            if "msgid_plural" in values:
                kept.append(f'msgid_plural "{values["msgid_plural"]}"')
                kept += [f'msgstr[0] "{values["msgid"]}"', f'msgstr[1] "{values["msgid_plural"]}"']
            else:
                kept.append(f'msgstr "{values["msgid"]}"')
            lines = kept
        out.append("\n".join(lines))
    return "\n\n".join(out)


def without_date(text: str) -> str:
    return re.sub(r'^"POT-Creation-Date: .*"$', "", text, flags=re.M)


for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
    locale, domain = po.parts[-3], po.stem
    text = header(po.read_text(encoding="utf-8"), locale, domain)
    if locale == "en":
        text = identity(text)
    old = before_dir / po.relative_to(locale_dir)
    if old.exists() and without_date(old.read_text(encoding="utf-8")) == without_date(text):
        text = old.read_text(encoding="utf-8")
    po.write_text(text, encoding="utf-8")
PY
    rm -rf "$before"
}

compile_messages() {
    (cd "$PACKAGE" && django compilemessages --ignore migrations --ignore __pycache__)
}

case "${1:-all}" in
    make) make_messages ;;
    compile) compile_messages ;;
    all)
        make_messages
        compile_messages
        ;;
    *)
        echo "usage: scripts/i18n.sh [make|compile]" >&2
        exit 2
        ;;
esac
