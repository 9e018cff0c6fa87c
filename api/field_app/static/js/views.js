// What the screens show, worked out from the store: the tracker's records as last synced,
// with what the phone saved and has not sent yet.

import { addMonths, supportEndsOn, today } from "./dates.js";
import { sum, subtract, toHundredths } from "./money.js";

export async function loadWorld(store) {
  const [cases, reports, payments, tasks, entries, sync] = await Promise.all([
    store.all("case"),
    store.all("report"),
    store.all("payment"),
    store.all("task"),
    store.outbox(),
    store.get("meta", "sync"),
  ]);
  return world(cases, reports, payments, tasks, entries, sync);
}

// What the outbox shows: its entries and the cases they are for, nothing more (it is read
// again after every answer while the outbox drains).
export async function loadOutbox(store) {
  const [cases, entries, sync] = await Promise.all([
    store.all("case"),
    store.outbox(),
    store.get("meta", "sync"),
  ]);
  return world(cases, [], [], [], entries, sync);
}

// How many records wait, without decrypting them.
export function countWaiting(store) {
  return store.outboxSchedule().then((schedule) => schedule.length);
}

function world(cases, reports, payments, tasks, entries, sync) {
  return { cases, reports, payments, tasks, entries, sync, entry: new Map(entries.map((e) => [e.id, e])) };
}

export function findCase(world, caseId) {
  return world.cases.find((record) => record.id === caseId);
}

// The support window, at once from an arrival saved on the phone; the tracker's once synced.
export function supportOf(world, record) {
  if (record?.arrived_on) {
    return { arrived_on: record.arrived_on, support_ends_on: record.support_ends_on };
  }
  const arrival = world.entries.find((e) => e.kind === "arrival" && e.case_id === record?.id);
  if (!arrival) return { arrived_on: null, support_ends_on: null };
  const arrivedOn = arrival.body.arrived_on;
  return { arrived_on: arrivedOn, support_ends_on: supportEndsOn(arrivedOn), provisional: true };
}

// "sent", or the state of its outbox entry: waiting, conflict, fix, blocked.
export function stateOf(world, record) {
  return world.entry.get(record.id)?.state ?? "sent";
}

export function reportsOf(world, caseId) {
  return world.reports
    .filter((report) => report.case_id === caseId)
    .sort((a, b) => a.month - b.month || a.visited_on.localeCompare(b.visited_on));
}

export function paymentsOf(world, caseId) {
  return world.payments
    .filter((payment) => payment.case_id === caseId)
    .sort((a, b) => a.paid_on.localeCompare(b.paid_on));
}

export function monthsReported(world, caseId) {
  return new Set(reportsOf(world, caseId).map((report) => report.month));
}

// Per category and currency: agreed in the plan, disbursed (recorded or approved),
// waiting for approval, and saved on the phone but not sent.
export function budgetOf(world, record) {
  const lines = new Map();
  const line = (category, currency) => {
    const key = `${category} ${currency}`;
    if (!lines.has(key)) {
      lines.set(key, { category, currency, agreed: [], disbursed: [], waiting: [], unsent: [] });
    }
    return lines.get(key);
  };
  for (const item of record?.plan?.budget || []) line(item.category, item.currency).agreed.push(item.amount);
  for (const payment of paymentsOf(world, record.id)) {
    const target = line(payment.category, payment.currency);
    if (stateOf(world, payment) !== "sent") target.unsent.push(payment.amount);
    else if (payment.status === "recorded" || payment.status === "approved") {
      target.disbursed.push(payment.amount);
    } else if (payment.status === "pending_approval") target.waiting.push(payment.amount);
  }
  return [...lines.values()].map((item) => {
    const agreed = sum(item.agreed);
    const spent = sum([...item.disbursed, ...item.waiting, ...item.unsent]);
    return {
      category: item.category,
      currency: item.currency,
      agreed,
      disbursed: sum(item.disbursed),
      waiting: sum(item.waiting),
      unsent: sum(item.unsent),
      spent,
      left: subtract(agreed, spent),
    };
  });
}

// What is left to pay, by currency.
export function budgetLeft(lines) {
  const byCurrency = new Map();
  for (const line of lines) {
    byCurrency.set(line.currency, [...(byCurrency.get(line.currency) || []), line.left]);
  }
  return [...byCurrency].map(([currency, amounts]) => ({ currency, left: sum(amounts) }));
}

// Would ``amount`` take its category over the plan's budget? The line, or null.
export function overBudget(world, record, category, currency, amount, ignoring = null) {
  const lines = budgetOf(
    ignoring ? { ...world, payments: world.payments.filter((p) => p.id !== ignoring) } : world,
    record,
  );
  const line = lines.find((item) => item.category === category && item.currency === currency) || {
    agreed: "0.00",
    spent: "0.00",
    left: "0.00",
  };
  return toHundredths(line.spent) + toHundredths(amount) > toHundredths(line.agreed) ? line : null;
}

// The open tasks to show: other kinds first, then monthly reports whose month has begun,
// soonest due first; a report saved on the phone for the month marks it as done here.
export function tasksToShow(world, now = new Date()) {
  const day = today(now);
  const shown = [];
  for (const task of world.tasks) {
    const record = findCase(world, task.case_id);
    if (task.kind === "monthly_report") {
      const arrived = supportOf(world, record).arrived_on;
      if (arrived && addMonths(arrived, task.month - 1) > day) continue;
      if (reportsOf(world, task.case_id).some((report) => report.month === task.month)) continue;
    }
    shown.push({ task, record });
  }
  const order = ({ task }) => (task.kind === "monthly_report" ? 1 : 0);
  return shown.sort(
    (a, b) => order(a) - order(b) || (a.task.due_on || "").localeCompare(b.task.due_on || ""),
  );
}
