"""Errors as RFC 9457 problem details, one stable ``code`` per kind of failure.

Every error the API returns, whether raised by a handler, by the services, by django-ninja's
own request parsing or by an unexpected bug, leaves through :func:`install`'s handlers as
``application/problem+json``::

    {"type": "https://infoharbor.example/problems/validation_error",
     "title": "Invalid input", "status": 422, "detail": "...",
     "code": "validation_error",
     "errors": [{"field": "details.policy_type", "message": "This field is required."}]}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("infoharbor.api")

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://infoharbor.example/problems/"
AUTH_CHALLENGE = 'Bearer realm="Information Harbor API"'

# Codes whose meaning is no more than their HTTP status: their type is "about:blank".
_PLAIN_CODES = frozenset({"not_found", "method_not_allowed", "request_too_large", "internal_error"})

# Service field names that differ from the API's input names.
_FIELD_NAMES = {"body_source": "body"}


class FieldError(Schema):
    field: str | None
    message: str


class Problem(Schema):
    """An error (RFC 9457). ``code`` is stable; ``errors`` lists invalid fields, if any."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


class ApiProblem(Exception):
    """Raise anywhere in a handler to answer with a problem."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.errors = errors
        self.headers = dict(headers or {})


def problem_type(code: str) -> str:
    return "about:blank" if code in _PLAIN_CODES else TYPE_BASE + code


def response(problem: ApiProblem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": problem_type(problem.code),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
    }
    if problem.errors is not None:
        body["errors"] = [error.model_dump() for error in problem.errors]
    result = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=problem.status, content_type=MEDIA_TYPE
    )
    for name, value in problem.headers.items():
        result[name] = value
    return result


def not_found(detail: str = "Nothing is here, or you may not see it.") -> ApiProblem:
    return ApiProblem(404, "not_found", detail)


def too_large() -> ApiProblem:
    """A body too large to read (the size-limit middleware answers the same way)."""
    return ApiProblem(
        413, "request_too_large", "The request body is too large.", title="Content Too Large"
    )


def validation_problem(errors: list[FieldError], detail: str | None = None) -> ApiProblem:
    return ApiProblem(
        422,
        "validation_error",
        detail or "The request has invalid fields; see errors.",
        title="Invalid input",
        errors=errors,
    )


def field_errors(error: DjangoValidationError, prefix: str = "") -> list[FieldError]:
    """The messages of a Django ValidationError, one per field and message."""
    if not hasattr(error, "error_dict"):
        return [FieldError(field=prefix or None, message=str(m)) for m in error.messages]
    result: list[FieldError] = []
    for name, messages in error.message_dict.items():
        field = None if name == NON_FIELD_ERRORS else _FIELD_NAMES.get(name, name)
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        result.extend(FieldError(field=field, message=str(message)) for message in messages)
    return result


def _pydantic_field(loc: Iterable[Any]) -> str | None:
    """``("body", "payload", "details", "policy_type")`` -> ``"details.policy_type"``."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # the source, then the name of the handler's body argument
    elif parts and parts[0] in {"query", "path", "header", "cookie"}:
        parts = parts[1:]
        if len(parts) >= 2 and isinstance(parts[-1], int):
            # A repeated query parameter (?organization=1&organization=x): django-ninja says
            # ("params", "organization", 1); the client sent "organization".
            parts = [parts[-2]]
    return ".".join(str(part) for part in parts) or None


def _pydantic_message(error: Mapping[str, Any]) -> str:
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "missing" and len(loc) == 2 and loc[0] == "body":
        return "The request needs a JSON body."  # not a field: the whole body is missing
    return str(error.get("msg"))


def pydantic_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    return [
        FieldError(field=_pydantic_field(error.get("loc", ())), message=_pydantic_message(error))
        for error in errors
    ]


# --- Handlers --------------------------------------------------------------------------------


def _on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return response(exc)


def _on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return response(validation_problem(pydantic_errors(exc.errors)))


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return response(validation_problem(field_errors(exc)))


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or "You may not do this."
    return response(ApiProblem(403, "permission_denied", detail))


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return response(not_found())


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return response(
        ApiProblem(
            401,
            "not_authenticated",
            "This needs an API token: send it as 'Authorization: Bearer ihb_...'.",
            headers={"WWW-Authenticate": AUTH_CHALLENGE},
        )
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, RequestDataTooBig):
        return response(too_large())
    if exc.status_code == 400 and cause is not None:
        # django-ninja could not parse the body (its parser raised; the cause says why).
        return response(
            ApiProblem(
                400,
                "malformed_json",
                "The request body is not valid JSON (UTF-8).",
                title="Malformed request body",
            )
        )
    status = exc.status_code if 400 <= exc.status_code < 600 else 400
    code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return response(ApiProblem(status, code, str(exc)))


def _on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return response(too_large())


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return response(
        ApiProblem(
            500,
            "internal_error",
            "Something went wrong on our side. It has been logged; please try again later.",
        )
    )


def install(api: NinjaAPI) -> None:
    """Route every exception the API can meet to a problem response."""
    handlers: list[tuple[type[Exception], Any]] = [
        (Exception, _on_unexpected),
        (ApiProblem, _on_problem),
        (NinjaValidationError, _on_ninja_validation),
        (DjangoValidationError, _on_django_validation),
        (PermissionDenied, _on_permission_denied),
        (Http404, _on_not_found),
        (ObjectDoesNotExist, _on_not_found),
        (AuthenticationError, _on_authentication),
        (HttpError, _on_http_error),
        (RequestDataTooBig, _on_too_large),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
