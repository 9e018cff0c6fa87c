"""Webhooks cannot be turned against the tracker's own network or its other users: they
reach public addresses only, checked again at every delivery; their failures are told in
coarse words; one slow receiver delays no other organisation; a removed webhook is never
called again; an organisation keeps a bounded number of them; and a delivery that cannot
be signed is a recorded, failed attempt."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from jobs import webhooks as delivery_job
from models import clock
from models.events import addresses, deliveries
from models.events.tables import Delivery, DeliveryAttempt, Webhook
from models.events.webhooks import MAX_PER_ORGANISATION
from models.vault import Vault
from tests.api.conftest import Journey, report_body
from tests.jobs.conftest import PUBLIC
from tests.reliability.server import free_port

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

SECRET = "a-long-shared-secret-0123456789"
LOCAL = frozenset({"127.0.0.1"})


async def _register(journey: Journey, member, url: str, events=("report.submitted",)):
    return await journey.client.post(
        "/api/v1/webhooks",
        json={"url": url, "events": list(events), "secret": SECRET},
        headers=member.headers,
    )


async def _subscribe(journey: Journey, member, url: str, events=("report.submitted",)) -> dict:
    response = await _register(journey, member, url, events)
    assert response.status_code == 201, response.text
    return response.json()


async def _report(journey: Journey) -> None:
    response = await journey.client.post(
        f"{journey.path}/reports", json=report_body(), headers=journey.partner.headers
    )
    assert response.status_code == 201, response.text


async def _attempts(journey: Journey, member, hook: dict) -> list[dict]:
    listed = await journey.client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", headers=member.headers
    )
    assert listed.status_code == 200, listed.text
    return [attempt for d in listed.json()["items"] for attempt in d["attempts"]]


# --- Public addresses only -------------------------------------------------------------------

INTERNAL = [
    "https://127.0.0.2/hook",
    "https://127.1.2.3:8443/hook",
    "https://localhost/hook",
    "https://[::1]/hook",
    "https://10.0.0.5/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/hook",
    "https://[fc00::1]/hook",
    "https://224.0.0.251/hook",
    "https://[ff02::1]/hook",
    "https://0.0.0.0/hook",
    "https://[::]/hook",
    "https://240.0.0.1/hook",
    "https://100.64.0.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.5]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://2130706433/hook",
    "https://0x7f.1/hook",
    "https://intranet.ngo.example/hook",
    "https://split.ngo.example/hook",
    "https://nowhere.invalid/hook",
]


async def test_webhooks_to_internal_addresses_are_refused_naming_the_url(returned: Journey, dns):
    dns.point("intranet.ngo.example", "10.1.2.3")
    dns.point("split.ngo.example", PUBLIC, "192.168.0.7")
    answers = set()
    for url in INTERNAL:
        response = await _register(returned, returned.partner, url)
        assert response.status_code == 422, (url, response.text)
        answers.add(tuple((e["field"], e["message"]) for e in response.json()["errors"]))
    assert answers == {(("url", addresses.NOT_PUBLIC),)}, "one answer, whatever the address"
    assert await Webhook.count() == 0

    dns.point("hooks.ngo.example", PUBLIC, "2606:4700::1111")
    await _subscribe(returned, returned.partner, "https://hooks.ngo.example/hook")
    # A host the operator trusts (TRACKER_WEBHOOK_HTTP_HOSTS) is exempt, plain http:// too.
    await _subscribe(returned, returned.partner, "http://127.0.0.1:8080/relay")


async def test_a_name_pointed_inward_after_registration_is_not_called(
    returned: Journey, receiver, dns
):
    port = receiver.url.split(":")[2].split("/")[0]
    dns.point("hooks.ngo.example", PUBLIC)
    hook = await _subscribe(returned, returned.partner, f"https://hooks.ngo.example:{port}/hook")
    dns.point("hooks.ngo.example", "127.0.0.1")
    await _report(returned)

    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 0
    assert receiver.requests == []
    assert [a["error"] for a in await _attempts(returned, returned.partner, hook)] == [
        delivery_job.NOT_PUBLIC
    ]


async def test_a_delivery_connects_to_the_address_it_checked_keeping_the_name(
    returned: Journey, dns
):
    dns.point("hooks.ngo.example", PUBLIC)
    await _subscribe(returned, returned.partner, "https://hooks.ngo.example:8443/hook")
    await _report(returned)
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 1
    (request,) = sent
    assert (request.url.host, request.url.port, request.url.path) == (PUBLIC, 8443, "/hook")
    assert request.headers["host"] == "hooks.ngo.example:8443"
    assert request.extensions["sni_hostname"] == "hooks.ngo.example"


# --- Coarse errors ---------------------------------------------------------------------------


async def test_receivers_are_told_failures_in_coarse_words_only(
    returned: Journey, receiver, silent, monkeypatch
):
    monkeypatch.setattr(delivery_job, "ATTEMPT_DEADLINE", 1.0)
    failing = [
        (returned.partner, f"http://127.0.0.1:{free_port()}/hook", delivery_job.REFUSED),
        (returned.return_org, receiver.url.replace("http://", "https://"), delivery_job.TLS_FAILED),
        (returned.opener, silent.url, delivery_job.TIMEOUT_ERROR),
    ]
    hooks = [(member, await _subscribe(returned, member, url)) for member, url, _ in failing]
    await _report(returned)

    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 0
    for (member, hook), (_, _, error) in zip(hooks, failing, strict=True):
        assert [a.get("error") for a in await _attempts(returned, member, hook)] == [error]
    stored = {row["error"] for row in await DeliveryAttempt.select(DeliveryAttempt.error)}
    assert stored == {error for _, _, error in failing}, "nothing but the coarse words is kept"


# --- One slow receiver -----------------------------------------------------------------------


async def test_a_receiver_that_never_answers_delays_no_other_organisation(
    returned: Journey, receiver, silent, monkeypatch
):
    deadline = 2.0
    monkeypatch.setattr(delivery_job, "ATTEMPT_DEADLINE", deadline)
    await _subscribe(returned, returned.partner, silent.url)
    for _ in range(3):
        await _report(returned)
    await deliveries.plan_deliveries()  # the silent receiver's deliveries are due first
    await _subscribe(returned, returned.return_org, receiver.url)
    await _report(returned)

    started = time.perf_counter()
    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 1
    finished = time.perf_counter() - started
    (delivered,) = receiver.requests
    assert delivered["at"] - started < deadline / 2, "delivered without waiting for the other"
    assert finished < 2 * deadline + 1, "the silent receiver's four, two at a time"
    errors = [row["error"] for row in await DeliveryAttempt.select(DeliveryAttempt.error)]
    assert sorted(errors, key=str) == [None] + [delivery_job.TIMEOUT_ERROR] * 4


async def test_an_organisation_keeps_a_bounded_number_of_webhooks(returned: Journey, receiver):
    hooks = [
        await _subscribe(returned, returned.partner, f"{receiver.url}/{n}")
        for n in range(MAX_PER_ORGANISATION)
    ]
    refused = await _register(returned, returned.partner, f"{receiver.url}/one-more")
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["url"]
    others = await _register(returned, returned.return_org, receiver.url)
    assert others.status_code == 201, "the bound is per organisation"

    removed = await returned.client.delete(
        f"/api/v1/webhooks/{hooks[0]['id']}", headers=returned.partner.headers
    )
    assert removed.status_code == 204
    await _subscribe(returned, returned.partner, f"{receiver.url}/one-more")


async def test_concurrent_registrations_do_not_pass_the_bound(returned: Journey, receiver):
    answers = await asyncio.gather(
        *(
            _register(returned, returned.partner, f"{receiver.url}/{n}")
            for n in range(MAX_PER_ORGANISATION + 5)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] * MAX_PER_ORGANISATION + [422] * 5


# --- A removed webhook -----------------------------------------------------------------------


async def test_a_removed_webhook_is_never_called_again(returned: Journey, receiver):
    hook = await _subscribe(returned, returned.partner, receiver.url)
    receiver.statuses = [503]
    await _report(returned)
    async with delivery_job.shared_client() as client:
        await delivery_job.deliver_due(client, trusted_hosts=LOCAL)
        assert len(receiver.requests) == 1, "failed once, to be retried"

        removed = await returned.client.delete(
            f"/api/v1/webhooks/{hook['id']}", headers=returned.partner.headers
        )
        assert removed.status_code == 204
        await Delivery.update({Delivery.next_attempt_at: clock.now()}, force=True)
        await delivery_job.deliver_due(client, trusted_hosts=LOCAL)
    assert len(receiver.requests) == 1
    assert [d["status"] for d in await Delivery.select(Delivery.status)] == ["cancelled"]


# --- A delivery that cannot be signed --------------------------------------------------------


async def test_a_delivery_that_cannot_be_signed_is_a_recorded_failed_attempt(
    returned: Journey, receiver
):
    hook = await _subscribe(returned, returned.partner, receiver.url)
    foreign = Vault([bytes(32)]).seal(SECRET, context=f"webhook.secret:{hook['id']}")
    await Webhook.update({Webhook.secret: foreign}).where(Webhook.id == hook["id"])
    await _report(returned)

    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 0
    assert receiver.requests == []
    (delivery,) = await Delivery.select()
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["next_attempt_at"] > clock.now(), "retried later, like any failure"
    assert [a["error"] for a in await _attempts(returned, returned.partner, hook)] == [
        delivery_job.UNSIGNED
    ]
