"""Safe rich text: Markdown or HTML in, sanitized HTML out."""

from __future__ import annotations

import html as html_module
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
_H1 = re.compile(r"<(/?)h1(?=[\s>/])", re.IGNORECASE)

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "dir"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


# Built once: ``nh3.clean`` builds its sanitizer anew on every call, which costs more than
# cleaning a news item (an ingest sanitizes several fragments per item).
_SANITIZER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set())


def sanitize_html(html: str) -> str:
    """Keep structure and links; drop scripts, styles, event handlers and unsafe URLs."""
    return _SANITIZER.clean(html)


def render(source: str, body_format: str) -> str:
    """The sanitized HTML of a body written in ``body_format`` ("markdown" or "html")."""
    html = _markdown.render(source) if body_format == "markdown" else source
    # The page's title is its only h1: a body's top-level headings become h2.
    html = _H1.sub(lambda match: f"<{match.group(1)}h2", html)
    return sanitize_html(html)


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|td|th|div)\s*>|<br\s*/?>", re.I)


def plain_text(html: str) -> str:
    """Text content of sanitized HTML (for summaries and search); blocks stay apart, so the
    last word of a paragraph does not run into the first of the next."""
    spaced = _BLOCK_END.sub(lambda match: match.group(0) + "\n", html)
    return html_module.unescape(_TEXT_ONLY.clean(spaced)).strip()
