// Sends the outbox one record at a time and applies each answer (see outbox.js).

import { NetworkError, unauthorised } from "./api.js";
import { afterAnswer, nextDue, wake } from "./outbox.js";

// What an answer means for the record sent.
export function classify(answer, kind) {
  const { status, body, retryAfter } = answer;
  const problem = body && typeof body === "object" ? { status, ...body } : { status };
  if (status === 200 || status === 201) return { type: "done", record: body };
  if (status === 401) return { type: unauthorised(body) };
  if (status === 408 || status === 429 || status >= 500) {
    return { type: "retry", reason: String(status), retryAfter };
  }
  if (status === 409) return { type: "conflict", problem };
  if (status === 422) return { type: "fix", problem };
  if (status === 413 && kind === "receipt") return { type: "shrink", problem };
  return { type: "blocked", problem };
}

const PATHS = {
  report: (entry) => `/api/v1/cases/${entry.case_id}/reports`,
  payment: (entry) => `/api/v1/cases/${entry.case_id}/payments`,
  arrival: (entry) => `/api/v1/cases/${entry.case_id}/arrival`,
  receipt: () => "/api/v1/attachments",
};

// Where the tracker's own version of a conflicting record is read, and how to find it.
async function serverVersion(api, entry) {
  try {
    if (entry.kind === "arrival") {
      const answer = await api.get(`/api/v1/cases/${entry.case_id}`);
      return answer.status === 200 ? answer.body : null;
    }
    if (entry.kind === "report" || entry.kind === "payment") {
      const answer = await api.get(PATHS[entry.kind](entry));
      return answer.status === 200
        ? answer.body.items.find((item) => item.id === entry.id) || null
        : null;
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
  }
  return null;
}

// The tracker's record, as the phone keeps it, once an entry is acknowledged.
function acknowledged(entry, record) {
  if (entry.kind === "arrival") return [{ kind: "case", id: entry.case_id, value: record }];
  if (entry.kind === "receipt") return [];
  return [{ kind: entry.kind, id: entry.id, value: record }];
}

export function createSender({
  store,
  api,
  shrink,
  onRevoked,
  onExpired,
  now = () => Date.now(),
  random = Math.random,
}) {
  let running = null;
  let again = false;
  let stopped = false;
  let wokenAt = 0;

  async function request(entry) {
    if (entry.kind !== "receipt") return api.post(PATHS[entry.kind](entry), entry.body);
    const form = new FormData();
    form.append("id", entry.id);
    form.append("file", await store.blob(entry.id), "receipt.jpg");
    return api.post(PATHS.receipt(entry), form);
  }

  // Apply an answer to the entry as it is now (the worker may have dropped it meanwhile,
  // or "Sync now" woken it), never to the copy read before sending.
  async function settle(sent, outcome, sentAt) {
    if (outcome.type === "conflict") outcome.server = await serverVersion(api, sent);
    const smaller =
      outcome.type === "shrink" ? await shrink(await store.blob(sent.id), sent.shrink + 1) : null;
    await store.locked(async () => {
      if (outcome.type === "done") {
        await store.write({
          put: acknowledged(sent, outcome.record),
          outbox: { remove: (await store.inOutbox(sent.id)) ? [sent.id] : [] },
          blobs: { remove: sent.kind === "receipt" ? [sent.id] : [] },
        });
        return;
      }
      const entry = await store.outboxEntry(sent.id);
      if (!entry) return;
      if (outcome.type === "shrink") {
        if (!smaller) {
          const blocked = { type: "blocked", problem: outcome.problem };
          await store.write({ outbox: { put: [afterAnswer(entry, blocked, now())] } });
          return;
        }
        await store.write({
          outbox: { put: [afterAnswer(entry, { type: "shrunk" }, now())] },
          blobs: { put: [{ id: entry.id, blob: smaller }] },
        });
        return;
      }
      let next = afterAnswer(entry, outcome, now(), random);
      // "Sync now" while it was on its way: it goes again at once, not after a backoff.
      if (outcome.type === "retry" && wokenAt >= sentAt) next = { ...next, next_at: 0 };
      await store.write({ outbox: { put: [next] } });
    });
  }

  async function drainOnce() {
    while (!stopped) {
      const due = nextDue(await store.outboxSchedule(), now());
      if (!due) return;
      const entry = await store.outboxEntry(due.id);
      const sentAt = Date.now();
      let outcome;
      try {
        outcome = classify(await request(entry), entry.kind);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        // No answer at all: the network is gone, so the others wait for the next try.
        await settle(entry, { type: "retry", reason: "network" }, sentAt);
        return;
      }
      if (stopped) return;
      if (outcome.type === "revoked") return onRevoked();
      if (outcome.type === "expired") return onExpired();
      await settle(entry, outcome, sentAt);
    }
  }

  return {
    // Send what is due; a call while sending makes the sender look again when done.
    drain() {
      if (stopped) return Promise.resolve();
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            await drainOnce();
          } while (again && !stopped);
        } finally {
          running = null;
        }
      })();
      return running;
    },
    // Every waiting entry goes at once, the one on its way too if it fails ("Sync now").
    wake() {
      wokenAt = Date.now();
      return wake(store);
    },
    stop() {
      stopped = true;
    },
  };
}
