"""The OpenAPI 3.1 document validates, matches the routes both ways, and the answers
match its schemas."""

from __future__ import annotations

import re

import jsonschema
from openapi_spec_validator import validate

from tests.api_helpers import bearer, new_token

FLASK_METHODS = {"HEAD", "OPTIONS"}


def api_routes(app) -> set[tuple[str, str]]:
    """(path in OpenAPI form, method) of every route under /api/v1."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, method.lower()) for method in rule.methods - FLASK_METHODS}
    return routes


def documented(document: dict) -> set[tuple[str, str]]:
    operations = {"get", "post", "put", "patch", "delete"}
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in operations
    }


def test_document_is_valid_openapi_31_and_public(client):
    response = client.get("/api/v1/openapi.json")  # no token needed: it holds no data
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any error of the 3.1 schema


def test_every_route_is_documented_and_every_documented_path_exists(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    routes = api_routes(app)
    assert len(routes) >= 15
    assert routes == documented(document)


def test_operations_declare_the_scope_the_route_needs(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, method in documented(document):
        operation = document["paths"][path][method]
        endpoint, _args = app.url_map.bind("localhost").match(
            re.sub(r"\{\w+\}", "1", path), method=method.upper()
        )
        scope = app.view_functions[endpoint].api_scope
        if scope == "public":
            assert operation["security"] == []
        else:
            assert operation["security"] == [{"bearer": [scope]}], (path, method)


def schema_validator(document: dict, name: str):
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_answers_match_the_documented_schemas(client, make_subscriber, make_action_report):
    document = client.get("/api/v1/openapi.json").get_json()
    headers = bearer(new_token("read", "write"))
    make_subscriber(modes=["relais-local"], territory_code="2A")
    make_action_report()
    for url, schema in [
        ("/api/v1/subscribers", "SubscriberList"),
        ("/api/v1/action-reports", "ActionReportList"),
        ("/api/v1/newsletters", "NewsletterList"),
        ("/api/v1/segments", "SegmentList"),
    ]:
        body = client.get(url, headers=headers).get_json()
        schema_validator(document, schema).validate(body)
    problem = client.post("/api/v1/subscribers", json={"email": "x"}, headers=headers).get_json()
    schema_validator(document, "Problem").validate(problem)
    # And the check bites: an answer with an undocumented field fails.
    body = client.get("/api/v1/subscribers", headers=headers).get_json()
    body["data"][0]["secret_column"] = 1
    assert not schema_validator(document, "SubscriberList").is_valid(body)
