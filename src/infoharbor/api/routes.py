"""The versioned API (/api/v1/): routers, error handling, OpenAPI document and docs page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path, reverse
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from infoharbor.api import entries, organizations, problems, reference
from infoharbor.ingest import api as ingest_api
from infoharbor.search import api as search_api
from infoharbor.stories import api as stories_api
from infoharbor.subscriptions import api as subscriptions_api
from infoharbor.webhooks import api as webhooks_api

DESCRIPTION = """\
The China–ASEAN Information Harbor's entries, organizations and reference data.

Reads need no token and show public entries; send `Authorization: Bearer ihb_...` (a
personal token from your profile's *API tokens* page) to read what you may see and, with a
token of scope `write`, to create and publish entries. Lists are paginated by cursor: follow
`next`. Errors are RFC 9457 problem details (`application/problem+json`) with a stable
`code`.
"""

View = Callable[..., HttpResponse]

# Set in an operation's openapi_extra when even reading needs a token (sources).
ALWAYS_AUTHENTICATED = "x-token-required"


def _problem_statuses(view: View) -> View:
    """Answer django-ninja's plain-text 405 as a problem, like every other error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != problems.MEDIA_TYPE:
            problem = problems.ApiProblem(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here.",
                headers={"Allow": response.get("Allow", "")},
            )
            return problems.response(problem)
        return response

    return wrapped


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problems.response(problems.not_found("There is no such address in this API."))


class HarborAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns: list[URLResolver | URLPattern] = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern):
                callback = self._index if pattern.name == "api-root" else pattern.callback
                pattern = URLPattern(
                    pattern.pattern, _problem_statuses(callback), pattern.default_args,
                    pattern.name,
                )  # fmt: skip
            patterns.append(pattern)
        patterns.append(re_path(r"^.*$", _unknown_path, name="unknown"))
        return patterns

    def _index(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """What /api/v1/ answers: where the document and the docs page are."""
        namespace = self.urls_namespace
        return JsonResponse({
            "title": self.title,
            "version": self.version,
            "openapi": request.build_absolute_uri(reverse(f"{namespace}:openapi-json")),
            "docs": request.build_absolute_uri(reverse(f"{namespace}:openapi-view")),
        })  # fmt: skip

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The handler's name (``list_entries``), for generated clients' method names."""
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path_item in schema["paths"].values():
            for method, operation in path_item.items():
                for status, described in operation.get("responses", {}).items():
                    content = described.get("content")
                    if int(status) >= 400 and content and "application/json" in content:
                        described["content"] = {problems.MEDIA_TYPE: content["application/json"]}
                always_authenticated = operation.pop(ALWAYS_AUTHENTICATED, False)
                if method == "get" and operation.get("security") and not always_authenticated:
                    operation["security"].append({})  # reads work without a token too
        return schema


api = HarborAPI(
    title="Information Harbor API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Swagger UI from ninja's own static files (no inline script, so it runs under the
    # site's Content-Security-Policy); no calls to the public schema validator.
    docs=Swagger(settings={"validatorUrl": None}),
)
problems.install(api)
api.add_router("", entries.router)
api.add_router("", organizations.router)
api.add_router("", reference.router)
api.add_router("", search_api.router)
api.add_router("", ingest_api.router)
api.add_router("", stories_api.router)
api.add_router("", subscriptions_api.router)
api.add_router("", webhooks_api.router)
