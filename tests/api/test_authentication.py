"""Every /api/v1 route wants a bearer token; tokens can be revoked and can expire."""

from datetime import timedelta

from models.organisations import OrganisationKind, add_organisation, issue_token, revoke_token
from tests.conftest import Member

PROTECTED = "/api/v1/me"


async def test_health_and_readiness_need_no_token(client):
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/ready")).json() == {"status": "ready"}


async def test_request_without_token_is_refused_with_problem_details(client):
    response = await client.get(PROTECTED)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["type"]


async def test_unknown_token_is_refused(client):
    response = await client.get(PROTECTED, headers={"Authorization": "Bearer trk_not-a-token"})
    assert response.status_code == 401


async def test_a_valid_token_identifies_the_caller(client, partner: Member):
    response = await client.get(PROTECTED, headers=partner.headers)
    assert response.status_code == 200
    assert response.json()["organisation_id"] == str(partner.organisation_id)
    assert response.json()["kind"] == "partner"


async def test_revoked_token_is_refused(client, partner: Member):
    assert await revoke_token(partner.token)
    response = await client.get(PROTECTED, headers=partner.headers)
    assert response.status_code == 401
    assert not await revoke_token(partner.token), "a token is revoked once"


async def test_expired_token_is_refused(client, partner: Member):
    token = await issue_token(user_id=await _user_of(partner), valid_for=timedelta(seconds=-1))
    response = await client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_tokens_carry_256_bits_and_are_stored_only_as_hashes(client, partner: Member):
    from models.organisations import ApiToken

    assert len(partner.token.removeprefix("trk_")) >= 43  # 32 bytes in URL-safe base64
    stored = await ApiToken.select(ApiToken.token_hash)
    assert all(partner.token not in str(row) for row in stored)


async def test_organisation_country_must_be_iso_3166(client):
    import pytest

    from models.errors import RuleViolation

    with pytest.raises(RuleViolation) as refused:
        await add_organisation(name="X", kind=OrganisationKind.partner, country="XX")
    assert refused.value.errors[0].field == "country"


async def _user_of(member: Member):
    from models.organisations import User

    return (await User.select(User.id).where(User.organisation == member.organisation_id).first())[
        "id"
    ]
