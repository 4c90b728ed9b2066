from __future__ import annotations

import pytest

from infoharbor.core import richtext

HOSTILE = [
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ('<p onclick="steal()">hi</p>', "<p>hi</p>"),
    ('<a href="javascript:alert(1)">x</a>', "<a"),
    ('<img src=x onerror="alert(1)">', ""),
    ("<style>body{display:none}</style><p>t</p>", "<p>t</p>"),
    ('<iframe src="https://evil.example"></iframe>', ""),
    ('<p style="position:fixed">s</p>', "<p>s</p>"),
    ("<svg><script>alert(1)</script></svg>", ""),
]


@pytest.mark.parametrize(("html", "must_contain"), HOSTILE)
def test_sanitizer_removes_active_content(html: str, must_contain: str) -> None:
    clean = richtext.sanitize_html(html)
    lowered = clean.lower()
    for forbidden in (
        "<script",
        "onclick",
        "onerror",
        "javascript:",
        "<style",
        "<iframe",
        "style=",
        "<svg",
    ):
        assert forbidden not in lowered
    assert must_contain in clean


def test_markdown_renders_and_is_sanitized() -> None:
    html = richtext.render(
        "# Title\n\n**bold** [link](https://example.org) <script>x</script>", "markdown"
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<script" not in html


def test_html_body_keeps_structure_and_language_tags() -> None:
    html = richtext.render('<h2 lang="th">ข่าว</h2><ul><li>หนึ่ง</li></ul>', "html")
    assert html == '<h2 lang="th">ข่าว</h2><ul><li>หนึ่ง</li></ul>'


def test_plain_text_unescapes_entities() -> None:
    assert richtext.plain_text("<p>Trade &amp; investment</p>") == "Trade & investment"


def test_body_headings_sit_below_the_page_title() -> None:
    html = richtext.render("# Background\n\ntext", "markdown")
    assert "<h2>Background</h2>" in html
    assert "<h1" not in html
    assert "<h2>Scope</h2>" in richtext.render("<H1>Scope</h1>", "html")


def test_plain_text_keeps_paragraphs_and_lines_apart() -> None:
    # Words at a block boundary stay two words (search would otherwise index "endStart").
    html = "<p>first end</p><p>Start again<br>next line</p><ul><li>one</li><li>two</li></ul>"
    assert richtext.plain_text(html).split() == [
        "first", "end", "Start", "again", "next", "line", "one", "two",
    ]  # fmt: skip
