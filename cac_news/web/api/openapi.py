"""The OpenAPI 3.1 document of /api/v1/, built as data (served at /api/v1/openapi.json)."""

from __future__ import annotations

from cac_news.web.api.openapi_schemas import PARAMETERS, RESPONSES, SCHEMAS, ref

PREFIX = "/api/v1"
READ_ERRORS = ("400", "401", "403", "429")
WRITE_ERRORS = ("400", "401", "403", "409", "415", "422", "429")


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref(schema_name)}},
    }


def _errors(codes) -> dict:
    return {code: {"$ref": f"#/components/responses/{code}"} for code in codes}


def _id(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 0},
    }


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _list(
    operation_id: str, summary: str, schema: str, tag: str, extra: list | None = None
) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": [tag],
            "security": [{"bearer": ["read"]}],
            "parameters": [
                *(extra or []),
                {"$ref": "#/components/parameters/cursor"},
                {"$ref": "#/components/parameters/limit"},
            ],
            "responses": {
                "200": _json(f"{schema}List", "A page, by ascending id."),
                **_errors(READ_ERRORS),
            },
        }
    }


def _get(operation_id: str, summary: str, schema: str, tag: str) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "security": [{"bearer": ["read"]}],
        "responses": {"200": _json(schema, "Found."), **_errors((*READ_ERRORS, "404"))},
    }


def _write(
    operation_id: str, summary: str, body: str | None, answer: str, tag: str, status: str = "200"
) -> dict:
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "security": [{"bearer": ["write"]}],
        "responses": {status: _json(answer, "Done."), **_errors(WRITE_ERRORS)},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    if status == "201":
        operation["responses"][status]["headers"] = {
            "Location": {"description": "The new object's URL.", "schema": {"type": "string"}}
        }
    return operation


SUBSCRIBER_FILTERS = [
    _query("q", "Search in names, address and organisation (accents and case ignored)."),
    _query(
        "status",
        "Only this status.",
        {"type": "string", "enum": ["pending", "active", "unsubscribed", "bounced", "complained"]},
    ),
    _query("mode", "Only this participation mode (slug)."),
    _query("territory", "A département, a région (R11: its départements) or FR."),
]


def _create_subscriber() -> dict:
    operation = _write(
        "createSubscriber",
        "Add a subscriber: pending, and sent the double opt-in mail; active only with "
        "the import scope and a consent_source.",
        "SubscriberCreate",
        "Subscriber",
        "subscribers",
        "201",
    )
    operation["responses"]["202"] = _json(
        "Subscriber",
        "The address is known but not active: like the public form, a new confirmation "
        "link is sent; the stored subscriber is unchanged until they confirm.",
    )
    return operation


def paths() -> dict:
    """Every route of the API with its operations."""
    return {
        f"{PREFIX}/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": {"description": "OpenAPI 3.1.", "content": {"application/json": {}}}
                },
            }
        },
        f"{PREFIX}/subscribers": {
            **_list(
                "listSubscribers",
                "Subscribers, with the admin's filters.",
                "Subscriber",
                "subscribers",
                SUBSCRIBER_FILTERS,
            ),
            "post": _create_subscriber(),
        },
        f"{PREFIX}/subscribers/{{subscriber_id}}": {
            "parameters": [_id("subscriber_id", "subscriber")],
            "get": _get("getSubscriber", "One subscriber.", "Subscriber", "subscribers"),
            "patch": _write(
                "updateSubscriber",
                "Change the profile or unsubscribe; never makes someone who left a recipient.",
                "SubscriberUpdate",
                "Subscriber",
                "subscribers",
            ),
        },
        f"{PREFIX}/subscribers/{{subscriber_id}}/unsubscribe": {
            "parameters": [_id("subscriber_id", "subscriber")],
            "post": _write(
                "unsubscribeSubscriber",
                "Unsubscribe (idempotent).",
                None,
                "Subscriber",
                "subscribers",
            ),
        },
        f"{PREFIX}/segments": _list("listSegments", "Segments.", "Segment", "segments"),
        f"{PREFIX}/segments/{{segment_id}}/count": {
            "parameters": [_id("segment_id", "segment")],
            "get": _get(
                "countSegment", "Active subscribers in the segment now.", "SegmentCount", "segments"
            ),
        },
        f"{PREFIX}/newsletters": _list(
            "listNewsletters", "Newsletters.", "Newsletter", "newsletters"
        ),
        f"{PREFIX}/newsletters/{{newsletter_id}}": {
            "parameters": [_id("newsletter_id", "newsletter")],
            "get": _get(
                "getNewsletter",
                "One newsletter with its delivery counts.",
                "Newsletter",
                "newsletters",
            ),
        },
        f"{PREFIX}/action-reports": {
            **_list(
                "listActionReports",
                "Action reports, drafts included.",
                "ActionReport",
                "content",
                [
                    _query(
                        "published", "true or false.", {"type": "string", "enum": ["true", "false"]}
                    )
                ],
            ),
            "post": _write(
                "createActionReport",
                "A new action report, as a draft.",
                "ActionReportCreate",
                "ActionReport",
                "content",
                "201",
            ),
        },
        f"{PREFIX}/action-reports/{{report_id}}": {
            "parameters": [_id("report_id", "action report")],
            "get": _get("getActionReport", "One action report.", "ActionReport", "content"),
        },
        f"{PREFIX}/roadmap-updates": {
            **_list(
                "listRoadmapUpdates",
                "Roadmap updates.",
                "RoadmapUpdate",
                "content",
                [_query("item_id", "Only the updates of this roadmap item.", {"type": "integer"})],
            ),
            "post": _write(
                "createRoadmapUpdate",
                "A new roadmap update (shown to readers only once a pilot puts it in a letter).",
                "RoadmapUpdateCreate",
                "RoadmapUpdate",
                "content",
                "201",
            ),
        },
        f"{PREFIX}/roadmap-updates/{{update_id}}": {
            "parameters": [_id("update_id", "roadmap update")],
            "get": _get("getRoadmapUpdate", "One roadmap update.", "RoadmapUpdate", "content"),
        },
    }


def openapi_document(site_url: str) -> dict:
    """The whole document, with the site as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cac_news API",
            "version": "1",
            "description": (
                "Subscribers, segments, newsletters, action reports and roadmap updates of "
                "the newsletter. Authenticate with `Authorization: Bearer <token>` (tokens "
                "come from /admin/tokens/ or `flask tokens create`); cookies are ignored. "
                "Errors are application/problem+json (RFC 9457) with an `errors` list "
                "naming each field. Lists are cursor-paginated: follow `next`."
            ),
        },
        "servers": [{"url": site_url.rstrip("/") or "/"}],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (cacn_...); scopes read, write, import.",
                }
            },
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": RESPONSES,
        },
    }
