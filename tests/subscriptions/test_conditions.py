"""A subscription's conditions in plain words: lists joined as each language joins them."""

from __future__ import annotations

import pytest
from django.utils import translation

from infoharbor.subscriptions.conditions import _either, describe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "three", "two"),
    [
        ("en", "A, B, or C", "A or B"),
        ("th", "A, B หรือ C", "A หรือ B"),
        ("zh-hans", "A、B或C", "A或B"),
        ("vi", "A, B hoặc C", "A hoặc B"),
        ("my", "A - B သို့မဟုတ် C", "A သို့မဟုတ် B"),
    ],
)
def test_a_list_of_choices_is_joined_as_the_language_joins_it(
    language: str, three: str, two: str
) -> None:
    with translation.override(language):
        assert _either(["A", "B", "C"]) == three
        assert _either(["A", "B"]) == two
        assert _either(["A"]) == "A"
        assert _either([]) == ""


def test_a_language_icu_has_no_list_data_for_keeps_the_catalogue_phrase() -> None:
    # ICU would answer in English for Tetum; the catalogue's phrase is Tetum.
    with translation.override("tet"):
        joined = _either(["A", "B", "C"])
    with translation.override("tet"):
        phrase = translation.gettext("%(some)s or %(last)s")
    assert joined == phrase % {"some": "A, B", "last": "C"}
    assert " or " not in joined


def test_countries_in_a_thai_description() -> None:
    with translation.override("th"):
        lines = describe("country=VN&country=TH&country=LA")
    assert len(lines) == 2
    assert lines[1].count(",") == 1
    assert "หรือ" in lines[1]
