"""Shared pieces of the API's views: the JSON body, query errors, lists and answers."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from cac_news.api.cursor import CursorPage, paginate, parse_limit
from cac_news.api.subscribers import AlreadySubscribed, OneWayDoor, ScopeMissing
from cac_news.errors import ValidationError
from cac_news.web.api.problems import ApiProblem, from_api_problem


def json_body() -> dict:
    """The request's JSON object; 415 or 400 problem otherwise."""
    if not request.is_json:
        raise ApiProblem.field(
            415, "body", "Send a JSON object with Content-Type: application/json."
        )
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem.field(400, "body", "The body is not a JSON object.")
    return data


def from_validation_error(error: ValidationError) -> Response:
    """A domain error: 409 for a conflict with what is stored, 403 for a missing scope,
    422 for a bad field."""
    status = 422
    problem = ApiProblem.invalid(error)
    if isinstance(error, AlreadySubscribed):
        status = 409
        problem.detail = f"This address is already subscriber {error.subscriber_id}."
    elif isinstance(error, OneWayDoor):
        status = 409
        problem.detail = "This person left; only their own confirmation brings them back."
    elif isinstance(error, ScopeMissing):
        status = 403
        problem.detail = "This token's scopes do not allow this."
    problem.status = status
    return from_api_problem(problem)


def query_page(statement, id_column) -> CursorPage:
    """The page of a list the query string asks for (cursor, limit); 400 on a bad one."""
    try:
        limit = parse_limit(request.args.get("limit"))
        return paginate(statement, id_column, request.args.get("cursor"), limit)
    except ValidationError as exc:
        raise ApiProblem.invalid(exc, 400) from exc


def query_value(parse, *args):
    """Call a query-string parser; its ValidationError becomes a 400 problem."""
    try:
        return parse(*args)
    except ValidationError as exc:
        raise ApiProblem.invalid(exc, 400) from exc


def list_response(page: CursorPage, represent) -> Response:
    """A list answer: `data`, and `next`, the URL of the next page (null on the last)."""
    next_url = None
    if page.next_cursor is not None:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        next_url = url_for(
            request.endpoint,
            **(request.view_args or {}),
            **args,
            cursor=page.next_cursor,
            _external=True,
        )
    return jsonify({"data": [represent(item) for item in page.items], "next": next_url})


def created(data: dict, location: str) -> Response:
    """201 Created with the new object and its URL."""
    response = jsonify(data)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def not_found(what: str) -> ApiProblem:
    """404 for an id that names nothing."""
    return ApiProblem(404, f"No {what} has this id.")
