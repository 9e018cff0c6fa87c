"""A corpus of hostile input against the three create routes a phone or script hits most:
POST /api/v1/cases/{id}/payments, POST /api/v1/cases/{id}/reports and POST /api/v1/cases.

Every hostile request gets a 4xx RFC 9457 problem (``application/problem+json``), never a
5xx, and the service is healthy afterwards: ``GET /health`` answers 200 and an ordinary
payment is still recorded.

Text that is unusual but legitimate (emoji, right-to-left scripts, combining marks, the
longest allowed narrative) is not hostile where free text belongs: it is accepted and
read back exactly (the last tests).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.api.conftest import Journey, case_body, payment_body, report_body

JSON = {"content-type": "application/json"}
PAYMENTS, REPORTS, CASES = "payments", "reports", "cases"
ALL = (PAYMENTS, REPORTS, CASES)
ON_A_CASE = (PAYMENTS, REPORTS)
DEEP = 10_000

#: Where a kind of value lives in each target's body: target -> field.
Where = dict[str, str]
MONTH: Where = {PAYMENTS: "month", REPORTS: "month"}
NUMBER: Where = {PAYMENTS: "month", REPORTS: "wellbeing", CASES: "dublin_case"}
ID: Where = {PAYMENTS: "id", REPORTS: "id"}
ENUM: Where = {PAYMENTS: "category", REPORTS: "contact", CASES: "residence_status"}
DATE: Where = {PAYMENTS: "paid_on", REPORTS: "visited_on", CASES: "identified_on"}
COUNTRY_OR_CURRENCY: Where = {PAYMENTS: "currency", CASES: "origin_country"}
FREE_TEXT: Where = {PAYMENTS: "note", REPORTS: "narrative"}
AMOUNT: Where = {PAYMENTS: "amount"}

Build = Callable[[str, dict[str, Any]], bytes]


@dataclass(frozen=True)
class Hostile:
    """One hostile request: ``build(target, valid body)`` gives the raw bytes to send."""

    name: str
    build: Build
    targets: tuple[str, ...] = ALL
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    #: Replaces the case id in the path (path-parameter junk).
    case_id: str | None = None
    statuses: tuple[int, ...] = (400, 413, 415, 422)


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def whole(transform: Callable[[bytes], bytes]) -> Build:
    """The valid body, encoded, then transformed."""
    return lambda _, body: transform(dumps(body))


def raw(text: bytes) -> Build:
    return lambda _, __: text


def set_(where: Where, value: Any) -> tuple[Build, tuple[str, ...]]:
    """The valid body with one field (per target) set to ``value``."""
    return (lambda target, body: dumps({**body, where[target]: value})), tuple(where)


def splice(where: Where, raw_value: bytes) -> tuple[Build, tuple[str, ...]]:
    """The valid body with one field's JSON value replaced by raw bytes (``NaN``, ...)."""

    def build(target: str, body: dict[str, Any]) -> bytes:
        encoded = dumps({**body, where[target]: "__HOSTILE__"})
        return encoded.replace(b'"__HOSTILE__"', raw_value)

    return build, tuple(where)


def duplicate(where: Where, first: Any) -> tuple[Build, tuple[str, ...]]:
    """The valid body with a field sent twice: another valid value first, the body's value
    last. A proxy or validator that keeps the first key sees something else than what a
    parser that keeps the last one stores."""

    def build(target: str, body: dict[str, Any]) -> bytes:
        key = where[target]
        return b"{" + dumps(key) + b": " + dumps(first) + b", " + dumps(body)[1:]

    return build, tuple(where)


def row(name: str, built: tuple[Build, tuple[str, ...]], **options: Any) -> Hostile:
    build, targets = built
    return Hostile(name, build, targets, **options)


def once_a_defect(hostile: Hostile, reason: str) -> Any:
    """A row that once showed a defect (``reason``), kept so that it cannot come back."""
    return pytest.param(hostile, id=hostile.name)


DUPLICATE_KEYS = (
    "defect: a JSON object with a duplicate key is accepted silently (msgspec keeps the "
    "last value) and the record created, 201; a 4xx is required"
)
INVALID_UTF8 = (
    "defect: invalid UTF-8 inside a JSON string makes msgspec raise UnicodeDecodeError, "
    "which api/body.py decode() does not catch (it catches ValidationError and DecodeError "
    "only): 500 instead of 400"
)
TRUNCATED = (
    "defect: unreadable (truncated) JSON whose first key is unknown is a 422 naming that "
    "key, not the 400 the README promises for unreadable JSON (msgspec validates while it "
    "parses, and stops at the unknown key)"
)

CORPUS: list[Any] = [
    # -- numbers
    row("huge integer", set_(NUMBER, 10**30)),
    row("integer beyond int64", set_(NUMBER, 2**63)),
    row("integer of 10,000 digits", splice(NUMBER, b"9" * 10_000)),
    row("negative month", set_(MONTH, -1)),
    row("month as a float", set_(MONTH, 1.0)),
    row("month as an exponent", splice(MONTH, b"1e0")),
    row("number 1e999", splice(NUMBER, b"1e999")),
    row("NaN", splice(NUMBER, b"NaN")),
    row("Infinity", splice(NUMBER, b"Infinity")),
    row("-Infinity", splice(NUMBER, b"-Infinity")),
    row("negative amount", set_(AMOUNT, "-25000.00")),
    row("zero amount", set_(AMOUNT, "0.00")),
    row("amount of 40 digits", set_(AMOUNT, "9" * 40 + ".00")),
    row("exponent amount string", set_(AMOUNT, "2.5e4")),
    row("exponent amount number", splice(AMOUNT, b"2.5e4")),
    row("amount as a float", set_(AMOUNT, 25000.0)),
    row("amount NaN string", set_(AMOUNT, "NaN")),
    row("amount Infinity string", set_(AMOUNT, "Infinity")),
    row("amount with three decimals", set_(AMOUNT, "1.005")),
    row("amount with a thousands comma", set_(AMOUNT, "25,000.00")),
    row("amount with a leading plus", set_(AMOUNT, "+25000.00")),
    # -- text where text is not allowed
    row("emoji in a code", set_(COUNTRY_OR_CURRENCY, "N💰")),
    row("right-to-left override in a code", set_(COUNTRY_OR_CURRENCY, "\u202eGN")),
    row("right-to-left embedding in an enum", set_(ENUM, "\u202bhousing")),
    row("emoji in an enum", set_(ENUM, "housing🏠")),
    row("NUL in an enum", set_(ENUM, "housing\x00")),
    row("NUL in a date", set_(DATE, "2026-01-01\x00")),
    row("NUL in an id", set_(ID, "\x00" * 36)),
    row("raw NUL byte in a key", (whole(lambda b: b.replace(b'{"', b'{"\x00', 1)), ALL)),
    row("NUL byte before the body", (whole(lambda b: b"\x00" + b), ALL)),
    row("id of 10,000 characters", set_(ID, "a" * 10_000)),
    row("free text one over its limit", set_(FREE_TEXT, "a" * 4001)),
    Hostile(
        "given name of 10,000 characters",
        lambda _, b: dumps({**b, "person": {**b["person"], "given_name": "A" * 10_000}}),
        (CASES,),
    ),
    row("a body of 2 MB", set_(FREE_TEXT, "x" * 2_000_000)),
    # -- arrays and nesting
    row("10,000 exploitation items", set_({CASES: "exploitation"}, ["other"] * 10_000)),
    Hostile("a top-level array of 10,000 bodies", lambda _, b: dumps([b] * 10_000)),
    row("an id as an array of 10,000", set_(ID, list(range(10_000)))),
    row("10,000 levels of [", (raw(b"[" * DEEP + b"]" * DEEP), ALL)),
    row("10,000 unclosed [", (raw(b"[" * DEEP), ALL)),
    row("10,000 levels of { in a field", splice(FREE_TEXT, b'{"a":' * DEEP + b"1" + b"}" * DEEP)),
    row("10,000 levels of [ in a field", splice(FREE_TEXT, b"[" * DEEP + b"]" * DEEP)),
    # -- not JSON, or not the JSON asked for
    row("empty body", (raw(b""), ALL)),
    row("JSON null", (raw(b"null"), ALL)),
    row("a JSON string", (raw(b'"payment"'), ALL)),
    row("two objects", (whole(lambda b: b + b" {}"), ALL)),
    row("single quotes", (whole(lambda b: b.replace(b'"', b"'")), ALL)),
    row("a trailing comma", (whole(lambda b: b[:-1] + b",}"), ALL)),
    row("a comment", (whole(lambda b: b"/* hi */" + b), ALL)),
    row("UTF-16", (whole(lambda b: b.decode().encode("utf-16")), ALL)),
    row("a UTF-8 byte order mark", (whole(lambda b: b"\xef\xbb\xbf" + b), ALL)),
    row("a lone surrogate escape", splice(ID, b'"\\ud800"')),
    row("truncated JSON, first key known", (whole(lambda b: b[: len(b) // 2]), ALL)),
    once_a_defect(
        Hostile(
            "truncated JSON, first key unknown", raw(b'{"month_of_support": 1,'), statuses=(400,)
        ),
        TRUNCATED,
    ),
    # -- invalid UTF-8
    row("invalid UTF-8 outside strings", (whole(lambda b: b"\xff" + b), ALL)),
    row("invalid UTF-8 in an id", splice(ID, b'"\xff\xff"')),
    once_a_defect(
        row("invalid UTF-8 in free text", splice(FREE_TEXT, b'"ok \xff\xfe"')), INVALID_UTF8
    ),
    once_a_defect(
        row("overlong UTF-8 in free text", splice(FREE_TEXT, b'"\xc0\xaf"')), INVALID_UTF8
    ),
    once_a_defect(
        row("invalid UTF-8 in a key", (whole(lambda b: b'{"\xff\xfe": 1, ' + b[1:]), ALL)),
        INVALID_UTF8,
    ),
    once_a_defect(
        Hostile(
            "JSON in Latin-1",
            lambda _, b: json.dumps({**b, "note": "café"}, ensure_ascii=False).encode("latin-1"),
            (PAYMENTS,),
            headers={"content-type": "application/json; charset=latin-1"},
        ),
        INVALID_UTF8 + " (a Latin-1 é is invalid UTF-8)",
    ),
    # -- duplicate keys
    once_a_defect(row("duplicate month", duplicate(MONTH, 2)), DUPLICATE_KEYS),
    once_a_defect(row("duplicate amount", duplicate(AMOUNT, "0.01")), DUPLICATE_KEYS),
    once_a_defect(
        row(
            "duplicate residence status", duplicate({CASES: "residence_status"}, "legal_residence")
        ),
        DUPLICATE_KEYS,
    ),
    # -- wrong content types
    Hostile("text/plain", whole(bytes), headers={"content-type": "text/plain"}),
    Hostile("no content type", whole(bytes), headers={}),
    Hostile(
        "form-encoded",
        raw(b"month=1&amount=25000.00"),
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    Hostile(
        "multipart",
        raw(b"--x\r\n\r\n--x--\r\n"),
        headers={"content-type": "multipart/form-data; boundary=x"},
    ),
    Hostile("XML", raw(b"<payment/>"), headers={"content-type": "application/xml"}),
    Hostile(
        "a content type of 10,000 characters",
        whole(bytes),
        headers={"content-type": "application/" + "j" * 10_000},
    ),
]

#: Junk in the case id of POST /api/v1/cases/{id}/payments and /reports.
PATH_JUNK = {
    "not a UUID": "not-a-uuid",
    "the nil UUID": str(uuid.UUID(int=0)),
    "an integer": "1",
    "a NUL": "%00",
    "10,000 characters": "a" * 10_000,
    "dot-dot slashes": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "an emoji": "💰",
    "SQL": "x'%20OR%20'1'='1",
    "a UUID in braces": "{" + str(uuid.UUID(int=0)) + "}",
    "a UUID with a trailing newline": str(uuid.UUID(int=0)) + "%0A",
}


async def _valid_body(target: str, journey: Journey) -> dict[str, Any]:
    if target == PAYMENTS:
        return payment_body(note="paid at the market")
    if target == REPORTS:
        return report_body()
    return case_body(journey.return_org, journey.partner)


def _path(target: str, journey: Journey, case_id: str | None = None) -> str:
    if target == CASES:
        return "/api/v1/cases"
    return f"/api/v1/cases/{case_id or journey.case['id']}/{target}"


def _member(target: str, journey: Journey):
    return journey.opener if target == CASES else journey.partner


async def assert_still_healthy(journey: Journey) -> None:
    client = journey.client
    health = await client.get("/health")
    assert health.status_code == 200, health.text
    ordinary = await client.post(
        f"{journey.path}/payments",
        json=payment_body(amount="10.00"),
        headers=journey.partner.headers,
    )
    assert ordinary.status_code == 201, ordinary.text


def problem_or_none(response: httpx.Response, statuses: tuple[int, ...]) -> str | None:
    """What is wrong with ``response`` as the answer to hostile input, or None."""
    if response.status_code not in statuses:
        return f"{response.status_code} (expected one of {statuses}): {response.text[:300]}"
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return f"content type {response.headers.get('content-type')}"
    problem = response.json()
    if problem.get("status") != response.status_code or not problem.get("title"):
        return f"not a problem: {problem}"
    return None


@pytest.mark.parametrize(
    "hostile",
    [h if not isinstance(h, Hostile) else pytest.param(h, id=h.name) for h in CORPUS],
)
async def test_hostile_input_is_a_4xx_problem(returned: Journey, hostile: Hostile):
    wrong = {}
    for target in hostile.targets:
        body = hostile.build(target, await _valid_body(target, returned))
        response = await returned.client.post(
            _path(target, returned, hostile.case_id),
            content=body,
            headers={**_member(target, returned).headers, **hostile.headers},
        )
        if problem := problem_or_none(response, hostile.statuses):
            wrong[target] = problem
    assert wrong == {}
    await assert_still_healthy(returned)


@pytest.mark.parametrize("junk", PATH_JUNK.values(), ids=PATH_JUNK.keys())
async def test_junk_in_the_path_is_a_4xx_problem(returned: Journey, junk: str):
    wrong = {}
    for target in ON_A_CASE:
        response = await returned.client.post(
            _path(target, returned, junk),
            json=await _valid_body(target, returned),
            headers=returned.partner.headers,
        )
        if problem := problem_or_none(response, (400, 404, 414, 422)):
            wrong[target] = problem
    assert wrong == {}
    await assert_still_healthy(returned)


async def test_a_body_announced_over_the_limit_is_refused_unread(returned: Journey):
    headers = {**returned.partner.headers, **JSON, "content-length": str(10 * 1024 * 1024)}
    request = returned.client.build_request(
        "POST", f"{returned.path}/payments", content=b"{}", headers=headers
    )
    assert problem_or_none(await returned.client.send(request), (413,)) is None
    await assert_still_healthy(returned)


async def test_a_chunked_body_over_the_limit_is_a_413(returned: Journey):
    """No Content-Length: the limit holds for what arrives."""

    async def chunks():
        yield b'{"note": "'
        for _ in range(2 * 1024):
            yield b"x" * 1024
        yield b'"}'

    response = await returned.client.post(
        f"{returned.path}/payments", content=chunks(), headers={**returned.partner.headers, **JSON}
    )
    assert problem_or_none(response, (413,)) is None
    await assert_still_healthy(returned)


UNUSUAL_TEXT = {
    "emoji": "Shop opened 🎉🧵👗 — sells uniforms 👍🏾",
    "right-to-left": "افتتحت متجرا \u202bשלום\u202c and English",
    "combining marks": "Ọ̀kàfọ̀ Z̸̢̛a̴l̶g̷o̵",
    "zero-width and bidi controls": "a\u200bb\u200ec\u2066d\u2069",
    "4,000 characters of 4-byte UTF-8": "𝄞" * 4000,
}


@pytest.mark.parametrize("text", UNUSUAL_TEXT.values(), ids=UNUSUAL_TEXT.keys())
async def test_unusual_but_legitimate_text_is_stored_exactly(returned: Journey, text: str):
    body = report_body(narrative=text, needs=text[:2000])
    created = await returned.client.post(
        f"{returned.path}/reports", json=body, headers=returned.partner.headers
    )
    assert created.status_code == 201, created.text
    listed = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    (stored,) = [r for r in listed.json()["items"] if r["id"] == body["id"]]
    assert (stored["narrative"], stored["needs"]) == (text, text[:2000])
    await assert_still_healthy(returned)


async def test_a_nul_in_free_text_is_stored_exactly_or_refused(returned: Journey):
    """PostgreSQL text cannot hold a NUL; sealed text can. Either way, never a 500."""
    body = payment_body(note="cash\x00handed over")
    response = await returned.client.post(
        f"{returned.path}/payments", json=body, headers=returned.partner.headers
    )
    if response.status_code == 201:
        listed = await returned.client.get(
            f"{returned.path}/payments", headers=returned.partner.headers
        )
        (stored,) = [p for p in listed.json()["items"] if p["id"] == body["id"]]
        assert stored["note"] == "cash\x00handed over"
    else:
        assert problem_or_none(response, (422,)) is None
    await assert_still_healthy(returned)


def _token(position: int, prefix: str = "s1.") -> str:
    """A sync token as the service makes them (base64url of the JSON change number)."""
    return prefix + base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


INT64_OVERFLOW = (
    "defect: a sync token that decodes to an integer outside int64 reaches the database "
    "(change_seq > since): 500 on both engines (OverflowError in sqlite3, asyncpg's "
    "encoder on PostgreSQL); api/pagination.py decode() should bound it (422 on since)"
)
VERSION_OVERFLOW = (
    "defect: ?version= of GET /api/v1/cases/{id}/outcome-report has ge=1 but no upper "
    "bound; beyond the column's integer range it reaches the database: 500 (PostgreSQL "
    "int4 from 2**31, both engines from 2**63) instead of 404 or 422"
)

BOTH = ("sqlite", "postgres")

#: (path with {case}, who asks, engines on which it is a known defect, why)
HOSTILE_QUERIES = {
    "sync token beyond int64": (
        f"/api/v1/sync?since={_token(2**63)}",
        "partner",
        BOTH,
        INT64_OVERFLOW,
    ),
    "sync token below int64": (
        f"/api/v1/sync?since={_token(-(2**70))}",
        "partner",
        BOTH,
        INT64_OVERFLOW,
    ),
    "sync token of a string": (f"/api/v1/sync?since={_token('x')}", "partner", (), ""),
    "sync token not base64": ("/api/v1/sync?since=s1.%%%", "partner", (), ""),
    "limit beyond int64": (f"/api/v1/cases?limit={2**70}", "opener", (), ""),
    "limit negative": ("/api/v1/cases?limit=-1", "opener", (), ""),
    "status not a status": ("/api/v1/cases?status=%00", "opener", (), ""),
    "updated_since junk": ("/api/v1/cases?updated_since=99999-99-99", "opener", (), ""),
    "outcome report version beyond int32": (
        "{case}/outcome-report?version=2147483648",
        "opener",
        ("postgres",),
        VERSION_OVERFLOW,
    ),
    "outcome report version beyond int64": (
        f"{{case}}/outcome-report?version={2**63}",
        "opener",
        BOTH,
        VERSION_OVERFLOW,
    ),
    "outcome report version 0": ("{case}/outcome-report?version=0", "opener", (), ""),
}


@pytest.mark.parametrize("name", HOSTILE_QUERIES)
async def test_hostile_query_parameters_are_a_4xx_problem(
    request: pytest.FixtureRequest, returned: Journey, settings, name: str
):
    path, who, _once_defective_on, _defect = HOSTILE_QUERIES[name]
    member = returned.partner if who == "partner" else returned.opener
    response = await returned.client.get(path.format(case=returned.path), headers=member.headers)
    assert problem_or_none(response, (400, 404, 422)) is None, response.text
    await assert_still_healthy(returned)
