"""A phone app generated from the OpenAPI schema knows what each answer is: receipts,
CSV, printable pages and charts are declared as what they are, not as JSON."""

from __future__ import annotations

import pytest

SCHEMA = "/schema/openapi.json"


@pytest.mark.parametrize(
    ("path", "media_types"),
    [
        ("/api/v1/attachments/{attachment_id}", ["image/jpeg", "image/png", "application/pdf"]),
        ("/api/v1/outcomes", ["application/json", "text/csv"]),
        ("/api/v1/cases/{case_id}/outcome-report", ["application/json", "text/html"]),
        ("/api/v1/outcomes/charts/{chart}", ["image/svg+xml"]),
    ],
)
async def test_answers_that_are_not_only_json_declare_their_media_types(client, path, media_types):
    schema = (await client.get(SCHEMA)).json()
    success = schema["paths"][path]["get"]["responses"]["200"]
    assert list(success["content"]) == media_types


async def test_the_outcome_figures_keep_their_json_schema_beside_the_csv(client):
    schema = (await client.get(SCHEMA)).json()
    content = schema["paths"]["/api/v1/outcomes"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Outcomes"}
    assert content["text/csv"]["schema"]["type"] == "string"


@pytest.mark.parametrize(
    ("path", "view"),
    [
        ("/api/v1/attachments", "AttachmentRead"),
        ("/api/v1/cases/{case_id}/reports", "ReportRead"),
        ("/api/v1/cases/{case_id}/payments", "PaymentRead"),
    ],
)
async def test_a_create_sent_again_declares_the_stored_record_as_its_200(client, path, view):
    schema = (await client.get(SCHEMA)).json()
    responses = schema["paths"][path]["post"]["responses"]
    for status in ("200", "201"):
        content = responses[status]["content"]["application/json"]
        assert content["schema"]["$ref"].endswith(view), (status, content)


async def test_every_operation_has_a_short_unique_name_of_its_own(client):
    """A client generated from the schema names its functions after the operations:
    ``submitReport``, not ``api_v1_cases_case_id_reports_submit_report``."""
    schema = (await client.get(SCHEMA)).json()
    names = [
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    for name in names:
        assert name.isalnum() and name[0].islower() and len(name) <= 30, name
    assert {"submitReport", "recordArrival", "recordPayment", "openCase"} <= set(names)
    assert {"submitOutcomeReport", "reviewOutcomeReport", "listOutcomeReviews"} <= set(names)
