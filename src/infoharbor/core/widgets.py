"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """A native date picker (``<input type="date">``), which only shows an ISO 8601 value.

    Django would write the value in the first input format of the active language
    ("15/07/2025" in Thai, "2025/07/15" in Chinese), which browsers leave empty; what they
    send back is ISO too, and every language's input formats read it.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
