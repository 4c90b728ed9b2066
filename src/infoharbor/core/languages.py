"""Language codes: the interface's (Django's lower-case ``zh-hans``) and content's (BCP 47).

Content is tagged with BCP 47 codes as the Language table holds them (``zh-Hans``); Django
names interface languages in lower case. These helpers convert between the two so that no
other module has to care.
"""

from __future__ import annotations

# In display order. The same thirteen languages serve as interface and content languages.
CONTENT_LANGUAGES: tuple[str, ...] = (
    "zh-Hans",
    "zh-Hant",
    "en",
    "id",
    "ms",
    "th",
    "vi",
    "fil",
    "km",
    "lo",
    "my",
    "tet",
    "pt",
)
_BY_LOWER = {code.lower(): code for code in CONTENT_LANGUAGES}

# Scripts written without spaces between words: search and snippets must segment them.
UNSPACED = frozenset({"zh-Hans", "zh-Hant", "th", "km", "lo", "my"})


def content_language(code: str) -> str:
    """``zh-hans`` / ``zh_Hans`` / ``zh-CN`` -> ``zh-Hans``; unknown codes pass through."""
    lowered = code.replace("_", "-").lower()
    if lowered in _BY_LOWER:
        return _BY_LOWER[lowered]
    if lowered in {"zh-cn", "zh-sg", "zh"}:
        return "zh-Hans"
    if lowered in {"zh-tw", "zh-hk", "zh-mo"}:
        return "zh-Hant"
    if lowered in {"tl", "fil-ph"}:
        return "fil"
    base = lowered.split("-")[0]
    return _BY_LOWER.get(base, code)


def interface_language(code: str) -> str:
    """``zh-Hans`` -> ``zh-hans``: the spelling Django's i18n machinery uses."""
    return content_language(code).lower()
