"""The parts of the field app that must never lose data, each on its own in the browser:
money as strings, the form checks, the encrypted store, the outbox's state machine and
the sender's reading of every answer, sync, and receipt photos. The tracker here only
serves the files: answers are played by a fake API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.parametrize("tracker", ["sqlite"], indirect=True)

#: A store of its own under a random key, and a fake API answering from a script:
#: ``answers`` maps "METHOD path" to a list of answers ({status, body, retryAfter} or
#: "network"), taken in turn; every request is logged.
SETUP = """
  const { openStore } = await import("/app/js/store.js");
  const outbox = await import("/app/js/outbox.js");
  const { createSender } = await import("/app/js/sender.js");
  const { NetworkError } = await import("/app/js/api.js");
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false,
    ["encrypt", "decrypt"]);
  const store = await openStore(crypto.randomUUID(), key);
  const log = [];
  const fakeApi = (answers) => {
    const answer = (method, path, body) => {
      log.push(`${method} ${path}`);
      const queue = answers[`${method} ${path}`] || [];
      const next = queue.length > 1 ? queue.shift() : queue[0];
      if (!next || next === "network") return Promise.reject(new NetworkError("offline"));
      return Promise.resolve({ retryAfter: null, body: null, ...next,
        body: typeof next.body === "function" ? next.body(body) : next.body });
    };
    return { get: (p) => answer("GET", p), post: (p, b) => answer("POST", p, b),
             delete: (p) => answer("DELETE", p) };
  };
  const report = (id, month = 1) => outbox.newEntry({ kind: "report", id, case_id: "c1",
    body: { id, month, visited_on: "2026-06-02", contact: "in_person" } });
"""


def run(phone, body: str, argument=None):
    phone.open()
    return phone.page.evaluate(f"async (argument) => {{ {SETUP} {body} }}", argument)


def test_amounts_are_decimal_strings_in_the_workers_language(phone):
    parsed = run(
        phone,
        """
        const { parseAmount, sum, subtract } = await import("/app/js/money.js");
        return {
          en: ["25000", "25,000.5", "25 000.50", "0.1", "25000.555", "abc", "-5", ""]
            .map((t) => parseAmount(t, "en")),
          fr: ["25 000,50", "25000,5", "1.234", "25000.50"].map((t) => parseAmount(t, "fr")),
          sum: sum(["0.10", "0.20", "999999999999.99"]),
          left: subtract("120000.00", "25000.50"),
        };
        """,
    )
    assert parsed["en"] == ["25000.00", "25000.50", "25000.50", "0.10", None, None, None, None]
    assert parsed["fr"] == ["25000.50", "25000.50", "1234.00", "25000.50"]
    assert parsed["sum"] == "1000000000000.29"  # a float would say ...000.2899
    assert parsed["left"] == "94999.50"


def test_the_phone_checks_a_report_and_a_payment_as_the_tracker_does(phone):
    found = run(
        phone,
        """
        const { checkReport, checkPayment } = await import("/app/js/checks.js");
        const support = { arrived_on: "2026-03-10", support_ends_on: "2026-09-10" };
        const now = new Date("2026-06-15T12:00:00");
        const fields = (problems) => problems.map((p) => `${p.field}:${p.key}`);
        return {
          fine: fields(checkReport({ month: 3, visited_on: "2026-06-01", contact: "phone",
            housing: "stable", livelihood: "none", wellbeing: "5" }, support, now)),
          wrong: fields(checkReport({ month: 7, visited_on: "2026-03-09", contact: null,
            housing: "palace", livelihood: "none", wellbeing: "6" }, support, now)),
          future: fields(checkReport({ month: 1, visited_on: "2026-06-16", contact: "phone",
            housing: "stable", livelihood: "none" }, support, now)),
          payment: fields(checkPayment({ month: 2, category: "housing", currency: "NGN",
            paid_on: "2026-09-10", recipient: "relative", method: "cash",
            relative_justification: " " }, "12.345", support, "en", now).found),
        };
        """,
    )
    assert found["fine"] == []
    assert found["wrong"] == [
        "month:check.month",
        "visited_on:check.before_arrival",
        "contact:check.required",
        "housing:check.choice",
        "wellbeing:check.choice",
    ]
    assert found["future"] == ["visited_on:check.future"]
    assert found["payment"] == [
        "amount:check.amount",
        "paid_on:check.future",
        "relative_justification:check.justify",
    ]


def test_the_store_keeps_only_sealed_values_bound_to_their_place(phone):
    result = run(
        phone,
        """
        await store.write({ put: [{ kind: "case", id: "a", value: { name: "Blessing Okafor" } },
                                  { kind: "case", id: "b", value: { name: "Grace" } }] });
        const raw = await store.db.get("items", "case:a");
        const text = new TextDecoder("latin1").decode(raw.data);
        // A value copied to another record's place does not open.
        await store.db.put("items", { ...raw, key: "case:b" });
        let moved = "opened";
        try { await store.get("case", "b"); } catch { moved = "refused"; }
        return { plain: text.includes("Blessing"), read: (await store.get("case", "a")).name,
                 moved };
        """,
    )
    assert result == {"plain": False, "read": "Blessing Okafor", "moved": "refused"}


def test_entries_go_oldest_first_a_payment_after_its_receipt_and_a_failing_one_waits_alone(phone):
    order = run(
        phone,
        """
        const receipt = outbox.newEntry({ kind: "receipt", id: "r1", case_id: "c1", body: {} });
        const payment = outbox.newEntry({ kind: "payment", id: "p1", case_id: "c1", body: {},
          after: ["r1"] });
        const later = report("later");
        const now = Date.now();
        const failing = outbox.afterAnswer(receipt, { type: "retry", reason: "500" }, now,
          () => 0.5);
        const backoffs = [1, 2, 3, 4, 10, 20].map((n) => outbox.backoff(n, () => 1));
        return {
          first: outbox.nextDue([receipt, payment, later], now).id,
          whileReceiptWaits: outbox.nextDue([failing, payment, later], now).id,
          afterReceipt: outbox.nextDue([payment, later], now).id,
          nextTry: failing.next_at - now,
          backoffs,
        };
        """,
    )
    assert order["first"] == "r1"
    assert order["whileReceiptWaits"] == "later"  # the payment waits for its receipt
    assert order["afterReceipt"] == "p1"
    assert 2500 <= order["nextTry"] <= 5000
    assert order["backoffs"] == [5000, 10000, 20000, 40000, 1800000, 1800000]


def test_the_sender_reads_every_answer(phone):
    states = run(
        phone,
        """
        const entries = ["created", "retried", "busy", "broken", "throttled",
          "conflict", "fix", "gone", "forbidden", "offline"].map((id) => report(id));
        await store.write({ outbox: { put: entries } });
        const problem = (status, extra = {}) => ({ status, body: { status, detail: "x", ...extra } });
        const api = fakeApi({
          "POST /api/v1/cases/c1/reports": [],
          "GET /api/v1/cases/c1/reports": [{ status: 200, body: { items: [
            { id: "conflict", month: 2, visited_on: "2026-06-01" }] } }],
        });
        const answers = {
          created: { status: 201, body: (b) => ({ ...b, submitted_at: "t" }) },
          retried: { status: 200, body: (b) => ({ ...b, submitted_at: "t" }) },
          offline: "network", busy: { status: 503 }, broken: { status: 500 },
          throttled: { status: 429, retryAfter: 600 },
          conflict: problem(409, { stored_id: "conflict" }),
          fix: problem(422, { errors: [{ field: "visited_on", message: "must not be before arrived_on" }] }),
          gone: problem(404), forbidden: problem(403),
        };
        api.post = (path, body) => {
          log.push(body.id);
          const next = answers[body.id];
          return next === "network" ? Promise.reject(new NetworkError("offline"))
            : Promise.resolve({ retryAfter: null, ...next,
                body: typeof next.body === "function" ? next.body(body) : next.body });
        };
        const sender = createSender({ store, api, shrink: null, onRevoked() {}, onExpired() {} });
        const started = Date.now();
        await sender.drain();
        const left = Object.fromEntries((await store.outbox()).map((e) => [e.id, e]));
        return {
          sentOnce: log.join(","),
          gone: ["created", "retried"].filter((id) => !left[id]),
          stored: (await store.all("report")).map((r) => r.id).sort(),
          states: Object.fromEntries(Object.entries(left).map(([id, e]) => [id, e.state])),
          retriedLater: ["offline", "busy", "broken"].every((id) => left[id].next_at > started),
          throttledFor: Math.round((left.throttled.next_at - started) / 1000),
          server: left.conflict.server,
          errors: left.fix.problem.errors,
        };
        """,
    )
    assert states["sentOnce"] == (
        "created,retried,busy,broken,throttled,conflict,"
        "GET /api/v1/cases/c1/reports,fix,gone,forbidden,offline"
    )
    assert states["gone"] == ["created", "retried"]
    assert states["stored"] == ["created", "retried"]
    assert states["states"] == {
        "offline": "waiting",
        "busy": "waiting",
        "broken": "waiting",
        "throttled": "waiting",
        "conflict": "conflict",
        "fix": "fix",
        "gone": "blocked",
        "forbidden": "blocked",
    }
    assert states["retriedLater"]
    assert 599 <= states["throttledFor"] <= 601
    assert states["server"] == {"id": "conflict", "month": 2, "visited_on": "2026-06-01"}
    assert states["errors"] == [{"field": "visited_on", "message": "must not be before arrived_on"}]


def test_with_no_network_the_others_wait_for_the_next_try_and_then_go(phone):
    sent = run(
        phone,
        """
        await store.write({ outbox: { put: [report("first"), report("second")] } });
        const answers = { first: ["network", { status: 201, body: {} }], second: [{ status: 201, body: {} }] };
        const api = fakeApi({});
        api.post = (path, body) => {
          log.push(body.id);
          const next = answers[body.id].shift();
          return next === "network" ? Promise.reject(new NetworkError("offline"))
            : Promise.resolve({ retryAfter: null, ...next });
        };
        const sender = createSender({ store, api, shrink: null, onRevoked() {}, onExpired() {} });
        await sender.drain();
        const after = log.join(",");
        await sender.drain();
        return { first: after, then: log.join(","), left: (await store.outbox()).map((e) => e.id) };
        """,
    )
    # The first one waits out its backoff; the second goes on the next try.
    assert sent == {"first": "first", "then": "first,second", "left": ["first"]}


def test_a_receipt_too_large_is_made_smaller_and_sent_again(phone):
    sent = run(
        phone,
        """
        const { receiptPhoto, shrink } = await import("/app/js/photo.js");
        const canvas = Object.assign(document.createElement("canvas"), { width: 3000, height: 2000 });
        canvas.getContext("2d").fillRect(0, 0, 10, 10);
        const camera = await new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.95));
        const photo = await receiptPhoto(camera);
        const entry = outbox.newEntry({ kind: "receipt", id: "r1", case_id: "c1", body: { id: "r1" } });
        await store.write({ outbox: { put: [entry] }, blobs: { put: [{ id: "r1", blob: photo }] } });
        const sizes = [];
        const api = fakeApi({});
        api.post = async (path, form) => {
          const file = form.get("file");
          const bitmap = await createImageBitmap(file);
          sizes.push([file.type, bitmap.width, bitmap.height]);
          return sizes.length < 3 ? { status: 413, body: { status: 413 } } : { status: 201, body: {} };
        };
        const sender = createSender({ store, api, shrink, onRevoked() {}, onExpired() {} });
        await sender.drain();
        return { sizes, left: (await store.outbox()).length, blob: await store.blob("r1") ?? null };
        """,
    )
    assert sent["sizes"] == [
        ["image/jpeg", 1600, 1067],
        ["image/jpeg", 1280, 854],
        ["image/jpeg", 1024, 683],
    ]
    assert sent["left"] == 0
    assert sent["blob"] is None  # the tracker has it; the phone keeps no copy


@pytest.mark.parametrize(
    ("problem_type", "told"),
    [("/token-revoked", "revoked"), ("/token-expired", "expired"), ("", "expired")],
)
def test_an_unauthorised_answer_stops_the_sender_and_says_why(phone, problem_type, told):
    result = run(
        phone,
        """
        await store.write({ outbox: { put: [report("a"), report("b")] } });
        const api = fakeApi({ "POST /api/v1/cases/c1/reports": [{ status: 401,
          body: { type: `https://tracker.example/problems${argument}`, status: 401 } }] });
        const told = [];
        const sender = createSender({ store, api, shrink: null,
          onRevoked: () => told.push("revoked"), onExpired: () => told.push("expired") });
        await sender.drain();
        return { told, sent: log.length, kept: (await store.outbox()).length };
        """,
        problem_type,
    )
    assert result == {"told": [told], "sent": 1, "kept": 2}


def test_an_entry_dropped_while_it_is_sent_is_not_put_back(phone):
    result = run(
        phone,
        """
        await store.write({ outbox: { put: [report("a")] } });
        const api = fakeApi({});
        api.post = async () => {
          await outbox.drop(store, (await store.outbox())[0]);
          return { status: 503, body: null, retryAfter: null };
        };
        await createSender({ store, api, shrink: null, onRevoked() {}, onExpired() {} }).drain();
        return (await store.outbox()).length;
        """,
    )
    assert result == 0


def test_edits_replace_a_conflict_with_a_new_record_and_a_dropped_receipt_frees_its_payment(phone):
    result = run(
        phone,
        """
        const old = { ...report("old"), state: "conflict" };
        await outbox.save(store, { records: [{ kind: "report", id: "old", value: { id: "old" } }],
                                   entries: [old] });
        await outbox.save(store, { records: [{ kind: "report", id: "new", value: { id: "new" } }],
                                   entries: [report("new")], replaces: old });
        const receipt = outbox.newEntry({ kind: "receipt", id: "r1", case_id: "c1", body: {} });
        const payment = outbox.newEntry({ kind: "payment", id: "p1", case_id: "c1",
          body: { id: "p1", receipt_id: "r1" }, after: ["r1"] });
        await outbox.save(store, { entries: [receipt, payment],
          records: [{ kind: "payment", id: "p1", value: { id: "p1", receipt_id: "r1" } }] });
        await outbox.drop(store, { ...receipt, state: "blocked" });
        const left = await store.outbox();
        return {
          entries: left.map((e) => e.id),
          reports: (await store.all("report")).map((r) => r.id),
          payment: left.find((e) => e.id === "p1"),
        };
        """,
    )
    assert result["entries"] == ["new", "p1"]
    assert result["reports"] == ["new"]
    assert result["payment"]["after"] == []
    assert result["payment"]["body"]["receipt_id"] is None


def test_sync_reads_every_page_and_forgets_a_removed_case_unless_records_wait_for_it(phone):
    result = run(
        phone,
        """
        const { pull } = await import("/app/js/sync.js");
        const kase = (id) => ({ id, reference: id, status: "reintegration" });
        const page = (extra) => ({ cases: [], reports: [], payments: [], tasks: [], removed: [],
          more: false, ...extra });
        const task = { kind: "monthly_report", case_id: "kept", month: 2, due_on: "2026-06-30" };
        const api = fakeApi({
          "GET /api/v1/sync?limit=200": [{ status: 200, body: page({
            cases: [kase("kept"), kase("gone")], tasks: [task], next: "s1.5", more: true }) }],
          "GET /api/v1/sync?limit=200&since=s1.5": [{ status: 200, body: page({
            removed: ["kept", "gone"], next: "s1.9" }) }],
          "GET /api/v1/tasks?limit=500": [{ status: 200, body: { items: [task], next_cursor: null } }],
        });
        await store.write({ outbox: { put: [{ ...report("waiting"), case_id: "kept" }] } });
        await pull(store, api);
        return {
          asked: log,
          cases: (await store.all("case")).map((c) => [c.id, Boolean(c.removed)]),
          tasks: (await store.all("task")).map((t) => t.id),
          next: (await store.get("meta", "sync")).next,
        };
        """,
    )
    assert result["asked"] == [
        "GET /api/v1/sync?limit=200",
        "GET /api/v1/sync?limit=200&since=s1.5",
        "GET /api/v1/tasks?limit=500",
    ]
    assert result["cases"] == [["kept", True]]
    assert result["tasks"] == ["kept:monthly_report:2"]
    assert result["next"] == "s1.9"
