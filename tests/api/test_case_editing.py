"""Editing a case needs the ETag of the copy the editor read; consent changes are recorded."""

from models.cases.tables import ConsentChange
from tests.api.conftest import Journey


async def _read(journey: Journey, member=None):
    member = member or journey.opener
    response = await journey.client.get(journey.path, headers=member.headers)
    assert response.status_code == 200
    return response


async def test_reading_a_case_gives_an_etag_and_304_when_unchanged(journey: Journey):
    await journey.open()
    first = await _read(journey)
    again = await journey.client.get(
        journey.path, headers={**journey.opener.headers, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_an_edit_without_if_match_is_refused_with_428(journey: Journey):
    await journey.open()
    response = await journey.client.patch(
        journey.path, json={"phone": "+234 801 000 0000"}, headers=journey.opener.headers
    )
    assert response.status_code == 428


async def test_an_edit_from_a_stale_copy_is_refused_with_412(journey: Journey):
    await journey.open()
    stale = (await _read(journey)).headers["etag"]
    fresh = await journey.client.patch(
        journey.path,
        json={"phone": "+234 801 000 0001"},
        headers={**journey.opener.headers, "If-Match": stale},
    )
    assert fresh.status_code == 200
    assert fresh.json()["person"]["phone"] == "+234 801 000 0001"

    late = await journey.client.patch(
        journey.path,
        json={"phone": "+234 801 000 0002"},
        headers={**journey.opener.headers, "If-Match": stale},
    )
    assert late.status_code == 412
    assert (await _read(journey)).json()["person"]["phone"] == "+234 801 000 0001"


async def test_consent_changes_are_recorded_with_their_date(journey: Journey):
    case = await journey.open()
    etag = (await _read(journey)).headers["etag"]
    response = await journey.client.patch(
        journey.path,
        json={"consent": {"story_use": False}},
        headers={**journey.opener.headers, "If-Match": etag},
    )
    assert response.json()["consent"] == {"data_sharing": True, "story_use": False}
    changes = (
        await ConsentChange.select(
            ConsentChange.consent, ConsentChange.given, ConsentChange.changed_at
        )
        .where(ConsentChange.case == case["id"])
        .order_by(ConsentChange.changed_at)
    )
    assert [(c["consent"], c["given"]) for c in changes][-1] == ("story_use", False)
    assert all(c["changed_at"] is not None for c in changes)


async def test_the_return_org_may_set_a_representative_and_clear_it(journey: Journey):
    await journey.open()
    etag = (await _read(journey, journey.return_org)).headers["etag"]
    headers = {**journey.return_org.headers, "If-Match": etag}
    response = await journey.client.patch(
        journey.path,
        json={"representative": {"name": "Grace Obi", "role": "custodian"}},
        headers=headers,
    )
    assert response.json()["representative"] == {"name": "Grace Obi", "role": "custodian"}
    headers["If-Match"] = response.headers["etag"]
    cleared = await journey.client.patch(
        journey.path, json={"representative": None}, headers=headers
    )
    assert "representative" not in cleared.json()


async def test_a_partner_may_not_edit_the_case(journey: Journey):
    await journey.open()
    etag = (await _read(journey, journey.partner)).headers["etag"]
    response = await journey.client.patch(
        journey.path,
        json={"phone": "+234 801 000 0003"},
        headers={**journey.partner.headers, "If-Match": etag},
    )
    assert response.status_code == 403


async def test_each_organisation_sees_only_what_its_role_needs(journey: Journey):
    await journey.open(representative={"name": "Grace Obi", "role": "personal_representative"})
    opener = (await _read(journey)).json()
    return_org = (await _read(journey, journey.return_org)).json()
    partner = (await _read(journey, journey.partner)).json()

    assert set(opener["person"]) == {
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "nationality",
        "phone",
    }
    assert "phone" not in return_org["person"]
    assert return_org["person"]["family_name"] == "Okafor"
    assert set(partner["person"]) == {"given_name", "family_name", "sex", "phone"}
    assert "reflection_extensions" not in partner
