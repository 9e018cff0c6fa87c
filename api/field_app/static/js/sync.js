// Reads what changed on the tracker since the last sync (``/api/v1/sync?since=``, page
// after page until ``more`` is false) into the phone's store, then the open tasks.

import { allPages, unauthorised } from "./api.js";
import { forgetCase } from "./outbox.js";

const PAGE = 200;

export class SyncStopped extends Error {
  constructor(reason) {
    super(`sync stopped: ${reason}`);
    this.reason = reason; // "revoked", "expired" or the HTTP status
  }
}

export function taskId(task, index = 0) {
  return `${task.case_id}:${task.kind}:${task.month ?? task.version ?? index}`;
}

function stopped(answer) {
  return new SyncStopped(answer.status === 401 ? unauthorised(answer.body) : answer.status);
}

function taskRecords(tasks) {
  return tasks.map((task, index) => ({
    kind: "task",
    id: taskId(task, index),
    value: { ...task, id: taskId(task, index) },
  }));
}

// Under the outbox's lock: whether a removed case is kept depends on what waits for it.
function applyPage(store, page) {
  return store.locked(() => applyPageNow(store, page));
}

async function applyPageNow(store, page) {
  const changes = { put: [], remove: [] };
  const waitingFor = new Set((await store.outbox()).map((entry) => entry.case_id));
  for (const record of page.cases) changes.put.push({ kind: "case", id: record.id, value: record });
  for (const record of page.reports) {
    changes.put.push({ kind: "report", id: record.id, value: record });
  }
  for (const record of page.payments) {
    changes.put.push({ kind: "payment", id: record.id, value: record });
  }
  // The tasks of every case the page speaks of are replaced by the page's.
  const spokenOf = new Set([...page.cases, ...page.reports].map((r) => r.case_id ?? r.id));
  for (const task of await store.all("task")) {
    if (spokenOf.has(task.case_id)) changes.remove.push({ kind: "task", id: task.id });
  }
  changes.put.push(...taskRecords(page.tasks));
  for (const caseId of page.removed) {
    if (waitingFor.has(caseId)) {
      // Its waiting records stay, shown as they are answered; the case with them.
      const known = await store.get("case", caseId);
      if (known) changes.put.push({ kind: "case", id: caseId, value: { ...known, removed: true } });
    } else {
      changes.remove.push(...(await forgetCase(store, caseId)));
    }
  }
  await store.write(changes);
}

// Pull every change; throws SyncStopped when the tracker refuses, NetworkError offline.
export async function pull(store, api) {
  const position = (await store.get("meta", "sync")) || { next: null, at: null };
  let more = true;
  while (more) {
    const since = position.next ? `&since=${encodeURIComponent(position.next)}` : "";
    const answer = await api.get(`/api/v1/sync?limit=${PAGE}${since}`);
    if (answer.status !== 200) throw stopped(answer);
    await applyPage(store, answer.body);
    position.next = answer.body.next;
    more = answer.body.more;
    await store.write({ put: [{ kind: "meta", id: "sync", value: { ...position } }] });
  }
  // Overdue flags move with the calendar, not with changes: the task list is read whole.
  const tasks = await allPages(api, `/api/v1/tasks?limit=500`);
  if (tasks.status !== 200) throw stopped(tasks);
  const old = await store.all("task");
  position.at = new Date().toISOString();
  await store.write({
    remove: old.map((task) => ({ kind: "task", id: task.id })),
    put: [...taskRecords(tasks.items), { kind: "meta", id: "sync", value: position }],
  });
}
