"""The OpenAPI 3.1 components of the API: object schemas, parameters, error answers."""

from __future__ import annotations

from cac_news.models import (
    ACTION_KINDS,
    DELIVERY_STATUSES,
    NEWSLETTER_STATUSES,
    ROADMAP_STATUSES,
    SUBSCRIBER_STATUSES,
)

TIME = {"type": ["string", "null"], "format": "date-time"}
DAY = {"type": "string", "format": "date"}
TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
SLUGS = {"type": "array", "items": {"type": "string"}}


def ref(name: str) -> dict:
    """A $ref to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None, closed: bool = True) -> dict:
    """An object schema."""
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


PROFILE_PROPERTIES = {
    "first_name": {"type": "string", "maxLength": 100},
    "last_name": {"type": "string", "maxLength": 100},
    "organisation": {"type": "string", "maxLength": 200},
    "territory": {
        "type": ["string", "null"],
        "description": "A département code (75, 2A...) or FR for national.",
    },
    "language": {"type": "string", "enum": ["fr", "en"]},
    "modes": {**SLUGS, "description": "Participation mode slugs."},
}

SCHEMAS = {
    "Problem": obj(
        {
            "type": {"type": "string", "format": "uri-reference"},
            "title": TEXT,
            "status": INTEGER,
            "detail": TEXT,
            "errors": {
                "type": "array",
                "items": obj({"field": TEXT, "message": TEXT}, ["field", "message"]),
            },
        },
        ["type", "title", "status", "detail", "errors"],
        closed=False,
    ),
    "Subscriber": obj(
        {
            "id": INTEGER,
            "email": {"type": "string", "format": "email"},
            **PROFILE_PROPERTIES,
            "status": {"type": "string", "enum": list(SUBSCRIBER_STATUSES)},
            "consent": obj({"at": TIME, "source": NULLABLE_TEXT, "detail": NULLABLE_TEXT}),
            "created_at": TIME,
            "updated_at": TIME,
            "status_changed_at": TIME,
        }
    ),
    "SubscriberCreate": obj(
        {
            "email": {"type": "string", "format": "email"},
            **PROFILE_PROPERTIES,
            "status": {
                "type": "string",
                "enum": ["pending", "active"],
                "default": "pending",
                "description": "active needs the import scope and consent_source.",
            },
            "consent_source": {
                "type": "string",
                "maxLength": 200,
                "description": "Where the person's consent comes from (status active only).",
            },
        },
        ["email"],
    ),
    "SubscriberUpdate": obj(
        {
            **PROFILE_PROPERTIES,
            "status": {
                "type": "string",
                "enum": ["unsubscribed"],
                "description": "The only status change the API makes.",
            },
        }
    ),
    "Segment": obj(
        {
            "id": INTEGER,
            "name": TEXT,
            "description": TEXT,
            "language": {"type": ["string", "null"], "enum": ["fr", "en", None]},
            "modes": SLUGS,
            "territories": SLUGS,
        }
    ),
    "SegmentCount": obj({"id": INTEGER, "count": INTEGER}, ["id", "count"]),
    "Newsletter": obj(
        {
            "id": INTEGER,
            "number": INTEGER,
            "subject": TEXT,
            "preheader": TEXT,
            "status": {"type": "string", "enum": list(NEWSLETTER_STATUSES)},
            "segment_id": {"type": ["integer", "null"]},
            "recipients_count": INTEGER,
            "scheduled_at": TIME,
            "send_started_at": TIME,
            "sent_at": TIME,
            "created_at": TIME,
            "updated_at": TIME,
            "deliveries": obj(dict.fromkeys(DELIVERY_STATUSES, INTEGER)),
        }
    ),
    "ActionReport": obj(
        {
            "id": INTEGER,
            "title": TEXT,
            "date": DAY,
            "territory": TEXT,
            "kind": {"type": "string", "enum": list(ACTION_KINDS)},
            "body_md": TEXT,
            "link": TEXT,
            "contact": TEXT,
            "published": {"type": "boolean"},
            "published_at": TIME,
            "created_at": TIME,
            "updated_at": TIME,
        }
    ),
    "ActionReportCreate": obj(
        {
            "title": {"type": "string", "maxLength": 200},
            "date": DAY,
            "territory": {"type": "string", "description": "A département, région or FR."},
            "kind": {"type": "string", "enum": list(ACTION_KINDS), "default": "other"},
            "body_md": {"type": "string", "description": "Markdown."},
            "link": {"type": "string", "format": "uri"},
            "contact": {"type": "string", "maxLength": 200},
        },
        ["title", "date", "territory"],
    ),
    "RoadmapUpdate": obj(
        {
            "id": INTEGER,
            "item_id": INTEGER,
            "item_title": TEXT,
            "date": DAY,
            "body_md": TEXT,
            "new_status": {"type": ["string", "null"], "enum": [*ROADMAP_STATUSES, None]},
            "created_at": TIME,
        }
    ),
    "RoadmapUpdateCreate": obj(
        {
            "item_id": INTEGER,
            "date": DAY,
            "body_md": {"type": "string", "description": "Markdown."},
            "new_status": {"type": ["string", "null"], "enum": [*ROADMAP_STATUSES, None]},
        },
        ["item_id", "date"],
    ),
}

for _name in ("Subscriber", "Segment", "Newsletter", "ActionReport", "RoadmapUpdate"):
    SCHEMAS[f"{_name}List"] = obj(
        {
            "data": {"type": "array", "items": ref(_name)},
            "next": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "The next page; null on the last one.",
            },
        },
        ["data", "next"],
    )

PARAMETERS = {
    "cursor": {
        "name": "cursor",
        "in": "query",
        "description": "Opaque: take it from the `next` link of the previous page.",
        "schema": {"type": "string"},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "description": "Items per page.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
}

PROBLEM_ANSWERS = {
    "400": "The query string or the body cannot be read.",
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token lacks the scope this needs.",
    "404": "Nothing has this id.",
    "409": "Conflicts with what is stored (address already there, one-way door).",
    "415": "The body is not JSON.",
    "422": "A field is not valid; `errors` names it.",
    "429": "Too many calls with this token; wait Retry-After seconds.",
}

RESPONSES = {
    code: {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }
    for code, description in PROBLEM_ANSWERS.items()
}
