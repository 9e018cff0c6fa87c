// The outbox: records saved on the phone that the tracker has not acknowledged yet. An
// entry is a small state machine (after Enketo's records queue):
//
//   waiting --201/200--> (done: removed, the tracker's record kept)
//   waiting --network, 408, 429, 5xx--> waiting, after its own backoff, never given up
//   waiting --413 (a receipt)--> waiting, the photo compressed further
//   waiting --409--> conflict: the worker drops the phone's copy or edits it into a new record
//   waiting --422--> fix: the worker edits it; it goes again with the same id
//   waiting --403/404--> blocked (cannot be sent): kept until the worker drops it
//
// Entries go one at a time, oldest first; one that waits out its backoff does not hold
// back the ones behind it, except that a payment waits for its receipt.

export const WAITING = "waiting";
export const CONFLICT = "conflict";
export const FIX = "fix";
export const BLOCKED = "blocked";

export const FIRST_RETRY_MS = 5000;
export const LONGEST_RETRY_MS = 30 * 60 * 1000;

let saved = 0;

export function newEntry({ kind, id, case_id, body, after = [] }, now = Date.now()) {
  saved = (saved + 1) % 1000;
  return {
    id,
    kind,
    case_id,
    body,
    after,
    state: WAITING,
    attempts: 0,
    next_at: 0,
    shrink: 0,
    seq: now * 1000 + saved,
    saved_at: now,
  };
}

// The next entry to send, or null: the oldest waiting one whose time has come and whose
// prerequisites are no longer in the outbox. Entries, or their schedules, in any order.
export function nextDue(entries, now) {
  const present = new Set(entries.map((entry) => entry.id));
  return (
    [...entries].sort((a, b) => a.seq - b.seq).find(
      (entry) =>
        entry.state === WAITING &&
        entry.next_at <= now &&
        entry.after.every((id) => !present.has(id)),
    ) || null
  );
}

// Exponential, capped, with jitter so that phones back from a shared outage spread out.
export function backoff(attempts, random = Math.random) {
  const ceiling = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// The entry after the tracker's answer (an outcome of sender.classify), or null when done.
export function afterAnswer(entry, outcome, now, random = Math.random) {
  switch (outcome.type) {
    case "done":
      return null;
    case "retry": {
      const attempts = entry.attempts + 1;
      const wait = Math.max(backoff(attempts, random), (outcome.retryAfter || 0) * 1000);
      return { ...entry, attempts, next_at: now + wait, last_error: outcome.reason };
    }
    case "shrunk":
      return { ...entry, shrink: entry.shrink + 1, next_at: now };
    case "conflict":
      return { ...entry, state: CONFLICT, problem: outcome.problem, server: outcome.server };
    case "fix":
      return { ...entry, state: FIX, problem: outcome.problem };
    case "blocked":
      return { ...entry, state: BLOCKED, problem: outcome.problem };
    default:
      throw new Error(`unknown outcome ${outcome.type}`);
  }
}

// Every waiting entry goes at once ("Sync now").
export function wake(store) {
  return store.locked(async () => {
    const entries = await store.outbox();
    const sleeping = entries.filter((entry) => entry.state === WAITING && entry.next_at > 0);
    if (sleeping.length) {
      await store.write({ outbox: { put: sleeping.map((entry) => ({ ...entry, next_at: 0 })) } });
    }
  });
}

// Save records made on the phone with their outbox entries (and a receipt's photo), in
// one transaction; ``replaces`` is an entry they take the place of (an edit).
export function save(store, { records = [], entries = [], blobs = [], replaces = null }) {
  const changes = {
    put: records,
    outbox: { put: entries, remove: [] },
    blobs: { put: blobs },
    remove: [],
  };
  if (replaces && !entries.some((entry) => entry.id === replaces.id)) {
    changes.outbox.remove.push(replaces.id);
    changes.remove.push({ kind: replaces.kind, id: replaces.id });
  }
  return store.locked(() => store.write(changes));
}

// The worker drops an entry (a conflict, or one that cannot be sent): its local record
// goes too. A payment that waited for a dropped receipt goes without one. A case that
// left the worker's reach is forgotten with its last waiting record.
export function drop(store, entry) {
  return store.locked(() => dropNow(store, entry));
}

async function dropNow(store, entry) {
  const entries = await store.outbox();
  const changes = {
    outbox: { put: [], remove: [entry.id] },
    remove: [{ kind: entry.kind, id: entry.id }],
    blobs: { remove: entry.kind === "receipt" ? [entry.id] : [] },
    put: [],
  };
  for (const other of entries) {
    if (other.after.includes(entry.id)) {
      const body = { ...other.body, receipt_id: null };
      changes.outbox.put.push({ ...other, body, after: other.after.filter((id) => id !== entry.id) });
      const record = await store.get(other.kind, other.id);
      if (record) changes.put.push({ kind: other.kind, id: other.id, value: { ...record, ...body } });
    }
  }
  const rest = entries.filter((other) => other.id !== entry.id && other.case_id === entry.case_id);
  const known = await store.get("case", entry.case_id);
  if (known?.removed && rest.length === 0) {
    changes.remove.push(...(await forgetCase(store, entry.case_id)));
  }
  await store.write(changes);
}

// The records of a case to delete when the phone forgets it.
export async function forgetCase(store, caseId) {
  const records = [{ kind: "case", id: caseId }];
  for (const kind of ["report", "payment", "task"]) {
    for (const value of await store.all(kind)) {
      if (value.case_id === caseId) records.push({ kind, id: value.id });
    }
  }
  return records;
}
