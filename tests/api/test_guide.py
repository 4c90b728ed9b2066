"""The curl examples of docs/api.md, run in order against the API, with the answers shown.

The guide's shell variables become the test harbor's: ``$HARBOR`` the test server and
``$TOKEN`` a write token of the Thai ministry's administrator. Entry 42 is a published
entry with a Thai translation until the guide creates one; from then on it is the entry the
guide created (so submit, publish and withdraw walk its life). Source 7 is the source the
guide adds. A JSON block right after an
example is the answer the guide shows: a problem must match exactly, a list must have the
same fields, and a ``jq`` summary must match the fields it shows.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infoharbor.core import audit, services
from infoharbor.core.models import Language
from tests.api.conftest import Api, Harbor, actor

pytestmark = pytest.mark.django_db

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)


@dataclass
class Example:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    piped: bool  # the output goes through jq
    shown: Any = None  # the JSON block after the example, if any


def _commands(script: str) -> list[list[str]]:
    """The curl commands of a shell block, as argument lists (up to a pipe)."""
    commands: list[list[str]] = []
    pending = ""
    for line in script.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        text = pending.replace("\\\n", " ")
        try:
            words = shlex.split(text, posix=True)
        except ValueError:  # an open quote: the command goes on
            continue
        pending = ""
        if words and words[0] == "curl":
            commands.append(words)
    return commands


def _example(words: list[str]) -> Example | None:
    method, url, headers, body, piped = "GET", "", {}, None, False
    words = iter(words[1:])
    for word in words:
        if word == "|":
            piped = True
            break
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(": ")
            headers[name] = value
        elif word in {"-d", "--data"}:
            body = next(words)
            method = "POST" if method == "GET" else method
        elif not word.startswith("-"):
            url = word
    if not url.startswith("$HARBOR/"):
        return None  # the loop's "$url": shown as a pattern, not a single call
    return Example(method, url.removeprefix("$HARBOR"), headers, body, piped)


def examples() -> list[Example]:
    found: list[Example] = []
    for language, text in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        if language == "sh":
            found.extend(e for e in map(_example, _commands(text)) if e is not None)
        elif language == "json" and found and found[-1].shown is None:
            found[-1].shown = json.loads(text)
    return found


@pytest.fixture
def entry_42(harbor: Harbor) -> int:
    entry = harbor.entry(title="Durian export season opens", sectors=["agriculture"])
    services.save_translation(
        actor=actor(harbor.admin),
        origin=audit.Origin(user=harbor.admin, via="test"),
        entry=entry,
        language=Language.objects.get(code="th"),
        title="ฤดูส่งออกทุเรียนเปิดแล้ว",
    )
    return entry.pk


def test_the_guide_has_examples_of_every_write() -> None:
    seen = {(e.method, re.sub(r"/\d+", "/{id}", e.url.split("?")[0])) for e in examples()}
    assert {
        ("GET", "/api/v1/entries"),
        ("GET", "/api/v1/entries/{id}"),
        ("POST", "/api/v1/entries"),
        ("PATCH", "/api/v1/entries/{id}"),
        ("POST", "/api/v1/entries/{id}/submit"),
        ("POST", "/api/v1/entries/{id}/publish"),
        ("POST", "/api/v1/entries/{id}/withdraw"),
    } <= seen


def test_every_example_of_the_guide_works_as_shown(api: Api, harbor: Harbor, entry_42: int) -> None:
    token = harbor.token(harbor.admin)
    current = entry_42
    source = 7  # the guide's source, once it has made one
    for example in examples():
        url = example.url.replace("/entries/42", f"/entries/{current}")
        url = url.replace("/sources/7", f"/sources/{source}")
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value.replace("$TOKEN", token)
            for name, value in example.headers.items()
            if name != "Content-Type"
        }
        kwargs: dict[str, Any] = {}
        if example.body is not None or "Content-Type" in example.headers:
            kwargs = {"data": example.body or "", "content_type": "application/json"}
        response = getattr(api.client, example.method.lower())(url, **kwargs, **headers)
        where = f"{example.method} {example.url}"
        shown = example.shown
        if isinstance(shown, dict) and "status" in shown and "code" in shown:
            assert response.status_code == shown["status"], (where, response.content)
            assert response.json() == shown, where
            continue
        creates = {
            ("POST", "/api/v1/entries"),
            ("POST", "/api/v1/sources"),
            ("POST", "/api/v1/subscriptions"),
        }
        expected = 201 if (example.method, example.url) in creates else 200
        assert response.status_code == expected, (where, response.content)
        answer = response.json()
        if example.url == "/api/v1/entries" and expected == 201 and current == entry_42:
            current = answer["id"]  # the guide's entry from now on
        if example.url == "/api/v1/sources" and expected == 201:
            source = answer["id"]
        if isinstance(shown, dict) and "items" in shown:
            assert set(shown) == set(answer), where
            assert answer["items"], where
            assert set(shown["items"][0]) == set(answer["items"][0]), where
        elif isinstance(shown, dict) and example.piped:
            assert {name: answer[name] for name in shown} == shown, where
    assert api.get(f"entries/{current}", token).json()["status"] == "withdrawn"
