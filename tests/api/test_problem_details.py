"""Bad input always gets a clear problem response naming the field, never a 500."""

import json

import pytest

from models.cases.tables import Person
from models.vault import Vault
from tests.api.conftest import case_body

CASES = "/api/v1/cases"


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] and problem["title"]
    return problem


async def test_unreadable_json_is_a_400(client, authority):
    response = await client.post(
        CASES,
        content=b'{"person": ',
        headers={**authority.headers, "content-type": "application/json"},
    )
    problem_of(response, 400)


async def test_a_body_over_the_limit_is_a_413(client, authority):
    response = await client.post(
        CASES,
        content=b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}',
        headers={**authority.headers, "content-type": "application/json"},
    )
    problem_of(response, 413)


async def test_an_unknown_field_is_named(client, authority, return_org, partner):
    body = case_body(return_org, partner)
    body["person"]["favourite_colour"] = "blue"
    problem = problem_of(await client.post(CASES, json=body, headers=authority.headers), 422)
    assert problem["errors"][0]["field"] == "person.favourite_colour"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"residence_status": "tourist"}, "residence_status"),
        ({"exploitation": ["begging"]}, "exploitation[0]"),
        ({"exploitation": []}, "exploitation"),
        ({"identified_on": "10/01/2026"}, "identified_on"),
        ({"dublin_case": "false"}, "dublin_case"),
        ({"origin_country": "nga"}, "origin_country"),
    ],
)
async def test_a_wrong_value_is_a_422_naming_the_field(
    client, authority, return_org, partner, change, field
):
    body = case_body(return_org, partner, **change)
    problem = problem_of(await client.post(CASES, json=body, headers=authority.headers), 422)
    assert [e["field"] for e in problem["errors"]] == [field]


async def test_a_missing_field_is_named(client, authority, return_org, partner):
    body = case_body(return_org, partner)
    del body["person"]["family_name"]
    problem = problem_of(await client.post(CASES, json=body, headers=authority.headers), 422)
    assert problem["errors"][0]["field"] == "person.family_name"


async def test_validation_errors_do_not_echo_personal_values(
    client, authority, return_org, partner
):
    body = case_body(return_org, partner)
    body["person"]["sex"] = "Blessing-Okafor-secret"
    body["person"]["date_of_birth"] = "02/04/1999-secret"
    response = await client.post(CASES, json=body, headers=authority.headers)
    problem_of(response, 422)
    assert "secret" not in response.text


async def test_a_body_that_is_not_json_is_refused(client, authority, return_org, partner):
    response = await client.post(
        CASES,
        content=json.dumps(case_body(return_org, partner)),
        headers={**authority.headers, "content-type": "text/plain"},
    )
    problem_of(response, 415)


async def test_a_bad_query_parameter_is_a_422_naming_it(client, authority):
    problem = problem_of(await client.get(f"{CASES}?limit=501", headers=authority.headers), 422)
    assert [e["field"] for e in problem["errors"]] == ["limit"]
    problem = problem_of(await client.get(f"{CASES}?status=lost", headers=authority.headers), 422)
    assert [e["field"] for e in problem["errors"]] == ["status"]


async def test_path_junk_is_a_404_problem(client, authority):
    problem_of(await client.get(f"{CASES}/not-a-uuid", headers=authority.headers), 404)
    problem_of(await client.get("/api/v1/nowhere", headers=authority.headers), 404)


async def test_nothing_is_half_written_when_a_rule_refuses(client, authority, return_org, partner):
    body = case_body(return_org, partner, origin_country="XX")
    await client.post(CASES, json=body, headers=authority.headers)
    listed = await client.get(CASES, headers=authority.headers)
    assert listed.json()["items"] == []


async def test_a_sealed_value_the_server_cannot_open_is_a_problem_naming_no_key(journey):
    """Data sealed with a key this server lacks (a rotation half done, a wrong key) is a
    503 problem; which key it names goes to the log only."""
    await journey.open()
    foreign = Vault([bytes(32)])
    sealed = foreign.seal("Blessing", context="whatever")
    await Person.update({Person.given_name: sealed}, force=True)
    response = await journey.client.get(journey.path, headers=journey.opener.headers)
    problem = problem_of(response, 503)
    assert foreign.primary_id not in response.text
    assert "Blessing" not in response.text
    assert problem["detail"]
