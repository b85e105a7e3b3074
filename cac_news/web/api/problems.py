"""Errors of the API as `application/problem+json` (RFC 9457), each naming its fields.

Every problem has `type` (about:blank: the status code says what kind it is), `title`
(the status phrase), `status`, `detail` and `errors`, a list of `{"field", "message"}`
(empty when no field is at fault).
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, json
from werkzeug.exceptions import HTTPException

from cac_news.errors import ValidationError

PROBLEM_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """Raised by API code to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    @classmethod
    def field(cls, status: int, field: str, message: str) -> ApiProblem:
        """A problem with one field at fault."""
        return cls(status, message, [{"field": field, "message": message}])

    @classmethod
    def invalid(cls, error: ValidationError, status: int = 422) -> ApiProblem:
        """A domain ValidationError as a problem, one entry per field and message."""
        errors = [
            {"field": field, "message": message}
            for field, messages in error.errors.items()
            for message in messages
        ]
        return cls(status, "Some fields are not valid.", errors)


def problem_response(
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The HTTP response of a problem."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": errors or [],
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    return response


def from_api_problem(problem: ApiProblem) -> Response:
    """Error handler of ApiProblem."""
    return problem_response(problem.status, problem.detail, problem.errors, problem.headers)


def from_http_exception(error: HTTPException) -> Response:
    """A werkzeug HTTP error (unknown URL, wrong method, body too large...) as a problem."""
    status = error.code or 500
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = error.description or HTTPStatus(status).description
    return problem_response(status, str(detail), headers=headers)


def from_exception(error: Exception) -> Response:
    """Any API error: an ApiProblem, an HTTP error, or an unexpected one (500)."""
    if isinstance(error, ApiProblem):
        return from_api_problem(error)
    if isinstance(error, HTTPException):
        return from_http_exception(error)
    return problem_response(500, "Something went wrong on our side. Try again later.")
