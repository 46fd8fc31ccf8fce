"""Schema-driven fuzzing of the JSON API: no 500, no response that breaks its schema.

CONSORTIUM_FUZZ_EXAMPLES raises the number of examples per operation for long runs.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from consortium.auth.services import create_api_token
from consortium.demo.load import load_demo
from consortium.extensions import db
from tests import factories

FUZZ_EXAMPLES = int(os.environ.get("CONSORTIUM_FUZZ_EXAMPLES", "6"))


@pytest.fixture
def fuzz_target(make_app):
    app = make_app()
    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        lead = db.session.query(factories.User).filter_by(email="lead@example.org").one()
        token = create_api_token(lead, name="fuzz")
        db.session.commit()
    return app, token


def test_api_conforms_to_its_openapi_description(fuzz_target):
    app, token = fuzz_target
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for operation in schema.get_all_operations():
        operation = operation.ok()
        if operation.path.endswith("dossier.docx"):
            continue  # a binary download; exercised in tests/test_api.py

        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code))
            case.validate_response(
                response,
                checks=(
                    schemathesis.checks.not_a_server_error,
                    schemathesis.checks.response_schema_conformance,
                    schemathesis.checks.content_type_conformance,
                ),
            )

        operation.as_strategy()  # fails early if the description is broken
        from hypothesis import given

        given(case=operation.as_strategy())(check)()
    assert failures == []
