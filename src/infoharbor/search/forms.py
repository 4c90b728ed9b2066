"""The search page's parameters, read from the address (so results can be linked and
bookmarked, and the page works without JavaScript)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from infoharbor.core.widgets import DateInput
from infoharbor.search.backends.base import Filters

FACET_PARAMS = ("platform", "kind", "country", "language", "sector", "organization")
MAX_VALUES = 20


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=2000)
    published_from = forms.DateField(label=_("Published from"), required=False, widget=DateInput())
    published_to = forms.DateField(label=_("Published until"), required=False, widget=DateInput())
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("date", _("Newest first"))],
    )

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        self.query_data = data

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(v[:64] for v in self.query_data.getlist(name)[:MAX_VALUES] if v)

    def filters(self) -> Filters:
        cleaned = self.cleaned_data if self.is_valid() else {}
        start: dt.date | None = cleaned.get("published_from")
        end: dt.date | None = cleaned.get("published_to")
        return Filters(
            platform=self.values("platform"),
            kind=self.values("kind"),
            country=tuple(v.upper() for v in self.values("country")),
            language=self.values("language"),
            sector=self.values("sector"),
            organization=tuple(int(v) for v in self.values("organization") if v.isdigit()),
            published_from=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) if start else None,
            published_to=(
                dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
                if end
                else None
            ),
        )

    @property
    def text(self) -> str:
        return str(self.query_data.get("q", ""))[:2000]

    @property
    def order(self) -> str:
        return "date" if self.query_data.get("sort") == "date" else "relevance"
