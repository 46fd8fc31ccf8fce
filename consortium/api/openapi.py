"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from copy import deepcopy

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
_MONEY = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$"}
_NULLABLE_STRING = {"type": ["string", "null"]}


def _page_of(item_ref: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": item_ref}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
        },
    }


SCHEMAS = {
    "Error": _ERROR,
    "Topic": {
        "type": "object",
        "required": ["identifier", "title"],
        "properties": {
            "identifier": {"type": "string"},
            "title": {"type": "string"},
            "deadline": {"type": ["string", "null"], "format": "date"},
            "funding_rate": {"type": ["string", "null"]},
        },
    },
    "Proposal": {
        "type": "object",
        "required": ["id", "acronym", "title", "topic"],
        "properties": {
            "id": {"type": "integer"},
            "acronym": {"type": "string"},
            "title": {"type": "string"},
            "topic": {"$ref": "#/components/schemas/Topic"},
            "territory": {"type": "string"},
            "summary": {"type": "string"},
            "working_language": {"type": "string", "enum": ["en", "fr"]},
            "document_language": {"type": "string", "enum": ["en", "fr"]},
            "subtopics": {"type": "array", "items": {"type": "string"}},
            "duration_months": {"type": "integer"},
            "my_role": {"type": ["string", "null"]},
            "members": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"organisation": {"type": "string"}, "role": {"type": "string"}},
                },
            },
        },
    },
    "Organisation": {
        "type": "object",
        "required": ["id", "name", "type", "country"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "acronym": _NULLABLE_STRING,
            "type": {"type": "string"},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "city": _NULLABLE_STRING,
            "region": _NULLABLE_STRING,
            "pic": {"type": ["string", "null"], "pattern": r"^\d{9}$"},
            "registry_number": {"type": ["string", "null"], "pattern": "^[A-Z0-9]{4,40}$"},
            "website": _NULLABLE_STRING,
            "description": {"type": "string"},
            "themes": {"type": "array", "items": {"type": "string"}},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "natural_person": {"type": "boolean"},
            "email": _NULLABLE_STRING,
            "staff": {"type": ["integer", "null"]},
            "annual_budget_eur": _MONEY,
            "eu_experience": {"type": "string"},
            "notes": {"type": "string"},
            "contacts": {"type": "array", "items": {"type": "object"}},
            "past_projects": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Output": {
        "type": "object",
        "required": ["id", "kind", "text", "workshop"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "subkind": _NULLABLE_STRING,
            "text": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "priority": {"type": ["integer", "null"]},
            "votes": {"type": "integer"},
            "workshop": {"type": "object"},
            "organisations": {"type": "array", "items": {"type": "object"}},
        },
    },
    "FitScore": {
        "type": "object",
        "required": ["org_id", "name", "total", "eligible", "components"],
        "properties": {
            "org_id": {"type": "integer"},
            "name": {"type": "string"},
            "total": {"type": "number", "minimum": 0, "maximum": 100},
            "eligible": {"type": "boolean"},
            "status": {"type": "string"},
            "flags": {"type": "array", "items": {"type": "object"}},
            "components": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "component": {"type": "string"},
                        "score": {"type": "number"},
                        "weight": {"type": "number"},
                        "reasons": {"type": "array"},
                    },
                },
            },
        },
    },
    "Check": {
        "type": "object",
        "required": ["code", "severity"],
        "properties": {"code": {"type": "string"}, "severity": {"type": "string"}},
    },
    "Commitment": {
        "type": "object",
        "required": ["organisation", "role", "status", "costs"],
        "properties": {
            "organisation": {"type": "object"},
            "role": {"type": "string"},
            "status": {"type": "string"},
            "costs": {"type": "object", "additionalProperties": _MONEY},
            "eu_requested": _MONEY,
            "own_cofinancing": _MONEY,
            "other_funding": _MONEY,
            "person_months": {"type": "object", "additionalProperties": {"type": "string"}},
            "confirmed_at": {"type": ["string", "null"]},
        },
    },
}

_PAGE_PARAMS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]
_PROPOSAL_ID = {
    "name": "proposal_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def _responses(ok_schema: dict, *extra: int) -> dict:
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ok_schema}}},
        "401": {
            "description": "Missing or invalid token",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    }
    for code in extra:
        responses[str(code)] = {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


PATHS = {
    "/health": {
        "get": {
            "summary": "Health check for the reverse proxy",
            "security": [],
            "responses": {
                "200": {"description": "Database answers"},
                "503": {"description": "Database down"},
            },
        }
    },
    "/proposals": {
        "get": {
            "summary": "Proposals I have a role on",
            "parameters": _PAGE_PARAMS,
            "responses": _responses(_page_of("#/components/schemas/Proposal"), 400),
        }
    },
    "/proposals/{proposal_id}": {
        "get": {
            "summary": "One proposal",
            "parameters": [_PROPOSAL_ID],
            "responses": _responses({"$ref": "#/components/schemas/Proposal"}, 403, 404),
        }
    },
    "/proposals/{proposal_id}/outputs": {
        "get": {
            "summary": "Workshop outputs of a proposal",
            "parameters": [_PROPOSAL_ID, *_PAGE_PARAMS],
            "responses": _responses(_page_of("#/components/schemas/Output"), 400, 403, 404),
        },
        "post": {
            "summary": "Record a workshop output (leads and administrators)",
            "parameters": [_PROPOSAL_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["workshop_id", "kind", "text"],
                            "properties": {
                                "workshop_id": {"type": "integer"},
                                "kind": {"type": "string"},
                                "text": {"type": "string"},
                                "subkind": {"type": "string"},
                                "raised": {"type": "string"},
                                "carries": {"type": "string"},
                                "tags": {"type": "string"},
                                "priority": {"type": ["integer", "null"]},
                                "votes": {"type": ["integer", "null"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Created",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **{k: v for k, v in _responses({}, 400, 403, 404, 422).items() if k != "200"},
            },
        },
    },
    "/proposals/{proposal_id}/commitments": {
        "get": {
            "summary": "Commitments visible to me (a partner sees only its own)",
            "parameters": [_PROPOSAL_ID, *_PAGE_PARAMS],
            "responses": _responses(_page_of("#/components/schemas/Commitment"), 400, 403, 404),
        }
    },
    "/proposals/{proposal_id}/fit": {
        "get": {
            "summary": "Fit ranking with each organisation's components and reasons",
            "parameters": [
                _PROPOSAL_ID,
                *_PAGE_PARAMS,
                {
                    "name": "eligible_only",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["0", "1"]},
                },
                {
                    "name": "not_in_consortium",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["0", "1"]},
                },
            ],
            "responses": _responses(_page_of("#/components/schemas/FitScore"), 400, 403, 404),
        }
    },
    "/proposals/{proposal_id}/checks": {
        "get": {
            "summary": "Consortium checks against the topic's rules",
            "parameters": [_PROPOSAL_ID],
            "responses": _responses(
                {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}}
                    },
                },
                403,
                404,
            ),
        }
    },
    "/proposals/{proposal_id}/dossier.docx": {
        "get": {
            "summary": "The Word dossier (Part B draft)",
            "parameters": [
                _PROPOSAL_ID,
                {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["en", "fr"]}},
            ],
            "responses": {
                "200": {
                    "description": "DOCX file",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                },
                **{k: v for k, v in _responses({}, 400, 403, 404).items() if k != "200"},
            },
        }
    },
    "/ties": {
        "post": {
            "summary": "Declare a cooperation tie (leads and administrators)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["organisation_a", "organisation_b", "kind"],
                            "properties": {
                                "organisation_a": {"type": "integer"},
                                "organisation_b": {"type": "integer"},
                                "kind": {
                                    "type": "string",
                                    "enum": [
                                        "past_project",
                                        "formal_agreement",
                                        "supplier_client",
                                        "same_network",
                                        "informal",
                                        "other",
                                    ],
                                },
                                "year": {"type": ["integer", "null"]},
                                "note": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Created",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **{k: v for k, v in _responses({}, 400, 403, 422).items() if k != "200"},
            },
        }
    },
    "/organisations": {
        "post": {
            "summary": "Add an organisation (leads and administrators)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["name", "country"],
                            "properties": {
                                "name": {"type": "string"},
                                "acronym": {"type": "string"},
                                "type": {"type": "string"},
                                "country": {"type": "string"},
                                "city": {"type": "string"},
                                "pic": {"type": "string"},
                                "registry_number": {"type": "string"},
                                "website": {"type": "string"},
                                "description": {"type": "string"},
                                "themes": {"type": "string"},
                                "keywords": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Created",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Organisation"}
                        }
                    },
                },
                **{k: v for k, v in _responses({}, 400, 403, 422).items() if k != "200"},
            },
        },
        "get": {
            "summary": "The directory as my role allows",
            "parameters": [
                *_PAGE_PARAMS,
                {
                    "name": "q",
                    "in": "query",
                    "description": "Words that must all appear in the organisation's name, "
                    "acronym, city, registry number, description or keywords (accents and "
                    "case ignored).",
                    "schema": {"type": "string", "maxLength": 100},
                },
            ],
            "responses": _responses(_page_of("#/components/schemas/Organisation"), 400, 403),
        },
    },
    "/organisations/{organisation_id}": {
        "get": {
            "summary": "One organisation",
            "parameters": [
                {
                    "name": "organisation_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": _responses({"$ref": "#/components/schemas/Organisation"}, 404),
        }
    },
}


def openapi_document() -> dict:
    return deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "consortium API",
                "version": "1",
                "description": "Read (and where tools need it, write) the data of the "
                "proposals you have a role on. Create a token on your "
                "account page and send it as a bearer token.",
            },
            "servers": [{"url": "/api/v1"}],
            "components": {
                "schemas": SCHEMAS,
                "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"token": []}],
            "paths": PATHS,
        }
    )
