"""A minimal reader for the gettext .po catalogs the harbor commits.

The standard library has no .po parser and the project adds no dependency for one. This reads
what ``scripts/i18n.sh`` writes: entries separated by blank lines, with ``#`` comments,
``#,`` flags, optional ``msgctxt``, ``msgid``, optional ``msgid_plural``, ``msgstr`` or
``msgstr[N]``, and continuation lines; obsolete (``#~``) entries are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "infoharbor" / "locale"
# The harbor's catalogs of Django's own strings, for the languages Django does not translate.
DJANGO_LOCALE_DIR = LOCALE_DIR.with_name("locale_django")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(quoted: str) -> str:
    quoted = quoted.strip()
    if not (len(quoted) >= 2 and quoted[0] == quoted[-1] == '"'):
        raise ValueError(f"not a quoted .po string: {quoted!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), quoted[1:-1])


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one item, or one per plural form
    flags: set[str] = field(default_factory=set)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and not self.fuzzy

    @property
    def key(self) -> str:
        """The message's key in a compiled catalog (context joined with EOT, as msgfmt does)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


@dataclass
class Catalog:
    path: Path
    header: dict[str, str]
    header_fuzzy: bool
    entries: list[Entry]

    @property
    def nplurals(self) -> int:
        match = re.search(r"nplurals\s*=\s*(\d+)", self.header.get("Plural-Forms", ""))
        if not match:
            raise ValueError(f"{self.path}: no usable Plural-Forms header")
        return int(match.group(1))


def parse(path: Path) -> Catalog:
    entries: list[Entry] = []
    header: dict[str, str] = {}
    header_fuzzy = False
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        flags: set[str] = set()
        fields: dict[str, str] = {}
        current: str | None = None
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#~"):
                continue
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if current is None:
                    raise ValueError(f"{path}: continuation line outside an entry: {line!r}")
                fields[current] += _unquote(line)
            else:
                keyword, _, value = line.partition(" ")
                if not re.fullmatch(r"msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?", keyword):
                    raise ValueError(f"{path}: unexpected line {line!r}")
                current = keyword
                fields[current] = _unquote(value)
        if "msgid" not in fields:
            continue
        if fields["msgid"] == "" and "msgctxt" not in fields:
            header_fuzzy = "fuzzy" in flags
            for item in fields.get("msgstr", "").split("\n"):
                name, sep, value = item.partition(":")
                if sep:
                    header[name.strip()] = value.strip()
            continue
        if "msgid_plural" in fields:
            forms = sorted((int(k[7:-1]), v) for k, v in fields.items() if k.startswith("msgstr["))
            msgstr = [value for _, value in forms]
        else:
            msgstr = [fields.get("msgstr", "")]
        entries.append(
            Entry(
                msgid=fields["msgid"],
                msgid_plural=fields.get("msgid_plural"),
                msgctxt=fields.get("msgctxt"),
                msgstr=msgstr,
                flags=flags - {""},
            )
        )
    return Catalog(path=path, header=header, header_fuzzy=header_fuzzy, entries=entries)


def catalog_path(locale: str, domain: str = "django", *, base: Path = LOCALE_DIR) -> Path:
    return base / locale / "LC_MESSAGES" / f"{domain}.po"
