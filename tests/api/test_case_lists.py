"""Lists of cases: filters, and cursors that stay stable while cases are opened."""

from tests.api.conftest import case_body

CASES = "/api/v1/cases"


async def _open(client, opener, return_org, partner, **changes):
    response = await client.post(
        CASES, json=case_body(return_org, partner, **changes), headers=opener.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_pages_follow_each_other_without_gaps_while_cases_are_opened(
    client, authority, return_org, partner
):
    opened = [await _open(client, authority, return_org, partner) for _ in range(5)]
    first = (await client.get(f"{CASES}?limit=2", headers=authority.headers)).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]

    opened += [await _open(client, authority, return_org, partner) for _ in range(2)]

    seen = [case["id"] for case in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (
            await client.get(f"{CASES}?limit=2&cursor={cursor}", headers=authority.headers)
        ).json()
        seen += [case["id"] for case in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [case["id"] for case in opened]


async def test_filters_narrow_the_list(client, authority, return_org, partner):
    nigeria = await _open(client, authority, return_org, partner)
    await _open(client, authority, return_org, partner, origin_country="TH")
    listed = (await client.get(f"{CASES}?origin_country=NG", headers=authority.headers)).json()
    assert [case["id"] for case in listed["items"]] == [nigeria["id"]]
    assert (await client.get(f"{CASES}?status=planned", headers=authority.headers)).json()[
        "items"
    ] == []


async def test_updated_since_returns_recently_changed_cases(client, authority, return_org, partner):
    case = await _open(client, authority, return_org, partner)
    since = case["updated_at"]
    listed = (
        await client.get(CASES, params={"updated_since": since}, headers=authority.headers)
    ).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    later = "2999-01-01T00:00:00+00:00"
    assert (
        await client.get(CASES, params={"updated_since": later}, headers=authority.headers)
    ).json()["items"] == []


async def test_a_list_has_an_etag_too(client, authority, return_org, partner):
    await _open(client, authority, return_org, partner)
    first = await client.get(CASES, headers=authority.headers)
    again = await client.get(
        CASES, headers={**authority.headers, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


async def test_a_forged_cursor_is_refused(client, authority):
    response = await client.get(f"{CASES}?cursor=bm9wZQ", headers=authority.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"
