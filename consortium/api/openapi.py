"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from copy import deepcopy

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "integer"}, "message": {"type": "string"},
                   "details": {"type": "object"}}}}}
_MONEY = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$"}
_NULLABLE_STRING = {"type": ["string", "null"]}


def _page_of(item_ref: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": {"$ref": item_ref}},
                           "page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
                           "total": {"type": "integer", "minimum": 0}}}


SCHEMAS = {
    "Error": _ERROR,
    "Topic": {"type": "object", "required": ["identifier", "title"], "properties": {
        "identifier": {"type": "string"}, "title": {"type": "string"},
        "deadline": {"type": ["string", "null"], "format": "date"},
        "funding_rate": {"type": ["string", "null"]}}},
    "Proposal": {"type": "object", "required": ["id", "acronym", "title", "topic"],
                 "properties": {
                     "id": {"type": "integer"}, "acronym": {"type": "string"},
                     "title": {"type": "string"}, "topic": {"$ref": "#/components/schemas/Topic"},
                     "territory": {"type": "string"}, "summary": {"type": "string"},
                     "working_language": {"type": "string", "enum": ["en", "fr"]},
                     "document_language": {"type": "string", "enum": ["en", "fr"]},
                     "subtopics": {"type": "array", "items": {"type": "string"}},
                     "duration_months": {"type": "integer"},
                     "my_role": {"type": ["string", "null"]},
                     "members": {"type": "array", "items": {"type": "object", "properties": {
                         "organisation": {"type": "string"}, "role": {"type": "string"}}}}}},
    "Organisation": {"type": "object", "required": ["id", "name", "type", "country"],
                     "properties": {
                         "id": {"type": "integer"}, "name": {"type": "string"},
                         "acronym": _NULLABLE_STRING, "type": {"type": "string"},
                         "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                         "city": _NULLABLE_STRING, "region": _NULLABLE_STRING,
                         "pic": {"type": ["string", "null"], "pattern": r"^\d{9}$"},
                         "website": _NULLABLE_STRING, "description": {"type": "string"},
                         "themes": {"type": "array", "items": {"type": "string"}},
                         "keywords": {"type": "array", "items": {"type": "string"}},
                         "natural_person": {"type": "boolean"},
                         "email": _NULLABLE_STRING, "staff": {"type": ["integer", "null"]},
                         "annual_budget_eur": _MONEY, "eu_experience": {"type": "string"},
                         "notes": {"type": "string"},
                         "contacts": {"type": "array", "items": {"type": "object"}},
                         "past_projects": {"type": "array", "items": {"type": "object"}}}},
    "Output": {"type": "object", "required": ["id", "kind", "text", "workshop"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "subkind": _NULLABLE_STRING,
        "text": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
        "priority": {"type": ["integer", "null"]}, "votes": {"type": "integer"},
        "workshop": {"type": "object"},
        "organisations": {"type": "array", "items": {"type": "object"}}}},
    "Commitment": {"type": "object", "required": ["organisation", "role", "status", "costs"],
                   "properties": {
                       "organisation": {"type": "object"}, "role": {"type": "string"},
                       "status": {"type": "string"},
                       "costs": {"type": "object", "additionalProperties": _MONEY},
                       "eu_requested": _MONEY, "own_cofinancing": _MONEY,
                       "other_funding": _MONEY,
                       "person_months": {"type": "object",
                                         "additionalProperties": {"type": "string"}},
                       "confirmed_at": {"type": ["string", "null"]}}},
}

_PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                   "maximum": 200}},
]
_PROPOSAL_ID = {"name": "proposal_id", "in": "path", "required": True,
                "schema": {"type": "integer"}}


def _responses(ok_schema: dict, *extra: int) -> dict:
    responses = {"200": {"description": "OK",
                         "content": {"application/json": {"schema": ok_schema}}},
                 "401": {"description": "Missing or invalid token",
                         "content": {"application/json": {"schema": {
                             "$ref": "#/components/schemas/Error"}}}}}
    for code in extra:
        responses[str(code)] = {"description": "Error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
    return responses


PATHS = {
    "/health": {"get": {"summary": "Health check for the reverse proxy", "security": [],
                        "responses": {"200": {"description": "Database answers"},
                                      "503": {"description": "Database down"}}}},
    "/proposals": {"get": {"summary": "Proposals I have a role on", "parameters": _PAGE_PARAMS,
                           "responses": _responses(_page_of("#/components/schemas/Proposal"),
                                                   400)}},
    "/proposals/{proposal_id}": {"get": {
        "summary": "One proposal", "parameters": [_PROPOSAL_ID],
        "responses": _responses({"$ref": "#/components/schemas/Proposal"}, 403, 404)}},
    "/proposals/{proposal_id}/outputs": {"get": {
        "summary": "Workshop outputs of a proposal", "parameters": [_PROPOSAL_ID, *_PAGE_PARAMS],
        "responses": _responses(_page_of("#/components/schemas/Output"), 400, 403, 404)}},
    "/proposals/{proposal_id}/commitments": {"get": {
        "summary": "Commitments visible to me (a partner sees only its own)",
        "parameters": [_PROPOSAL_ID, *_PAGE_PARAMS],
        "responses": _responses(_page_of("#/components/schemas/Commitment"), 400, 403, 404)}},
    "/organisations": {"get": {
        "summary": "The directory as my role allows",
        "parameters": [*_PAGE_PARAMS, {"name": "q", "in": "query",
                                       "schema": {"type": "string", "maxLength": 100}}],
        "responses": _responses(_page_of("#/components/schemas/Organisation"), 400, 403)}},
    "/organisations/{organisation_id}": {"get": {
        "summary": "One organisation", "parameters": [{"name": "organisation_id", "in": "path",
                                                       "required": True,
                                                       "schema": {"type": "integer"}}],
        "responses": _responses({"$ref": "#/components/schemas/Organisation"}, 404)}},
}


def openapi_document() -> dict:
    return deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "consortium API", "version": "1",
                 "description": "Read (and where tools need it, write) the data of the "
                                "proposals you have a role on. Create a token on your "
                                "account page and send it as a bearer token."},
        "servers": [{"url": "/api/v1"}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
        "paths": PATHS,
    })
