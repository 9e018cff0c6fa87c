// The outbox: when the phone last synced, what waits to be sent, conflicts, records that
// need a fix and records that cannot be sent, and "Sync now".

import { html, useEffect, useState, useStored } from "../html.js";
import { BLOCKED, CONFLICT, FIX, WAITING, drop } from "../outbox.js";
import { personName } from "../ui.js";
import { findCase, loadOutbox } from "../views.js";

function describe(i18n, world, entry) {
  const record = findCase(world, entry.case_id);
  const who = record ? `${record.reference} · ${personName(record)}` : "";
  const body = entry.body;
  const what = {
    report: () => i18n.t("outbox.what.report", { month: i18n.number(body.month) }),
    payment: () => i18n.t("outbox.what.payment", { amount: i18n.money(body.amount, body.currency) }),
    receipt: () => i18n.t("outbox.what.receipt"),
    arrival: () => i18n.t("outbox.what.arrival", { date: i18n.date(body.arrived_on) }),
  }[entry.kind]();
  return { who, what };
}

// What the tracker holds, for a conflict.
function ServerVersion({ i18n, entry }) {
  const server = entry.server;
  if (!server) return null;
  const facts =
    entry.kind === "arrival"
      ? [i18n.t("outbox.server.arrived", { date: i18n.date(server.arrived_on) })]
      : entry.kind === "report"
        ? [
            i18n.t("outbox.server.report", {
              month: i18n.number(server.month),
              date: i18n.date(server.visited_on),
            }),
          ]
        : [
            i18n.t("outbox.server.payment", {
              amount: i18n.money(server.amount, server.currency),
              date: i18n.date(server.paid_on),
            }),
          ];
  return html`<p class="server"><strong>${i18n.t("outbox.server.title")}</strong> ${facts.join(" · ")}</p>`;
}

function Entry({ i18n, world, entry, session }) {
  const { who, what } = describe(i18n, world, entry);
  const [confirming, setConfirming] = useState(false);
  const problem = entry.problem;
  return html`<li class=${`entry ${entry.state}`} data-testid=${`entry-${entry.state}`}>
    <span class="card-title">${what}</span>
    <span>${who}</span>
    ${entry.state === WAITING &&
    entry.attempts > 0 &&
    html`<span class="card-field">
      ${i18n.t("outbox.retrying", { count: entry.attempts, time: i18n.moment(entry.next_at) })}
    </span>`}
    ${problem?.detail && entry.state !== WAITING && html`<span class="card-field">${problem.detail}</span>`}
    ${entry.state === FIX &&
    (problem?.errors || []).map(
      (error) => html`<span class="card-field field-error">${error.field}: ${error.message}</span>`,
    )}
    ${entry.state === CONFLICT && html`<${ServerVersion} i18n=${i18n} entry=${entry} />`}
    <div class="actions">
      ${entry.state === FIX &&
      html`<a class="button" href=${`#/edit/${entry.id}`}>${i18n.t("outbox.fix")}</a>`}
      ${entry.state === CONFLICT &&
      (entry.kind === "report" || entry.kind === "payment") &&
      html`<a class="button" href=${`#/edit/${entry.id}`}>${i18n.t("outbox.edit_as_new")}</a>`}
      ${(entry.state === CONFLICT || entry.state === BLOCKED) &&
      (confirming
        ? html`<button class="danger" onClick=${() => drop(session.store, entry)}>
            ${i18n.t("outbox.drop_confirm")}
          </button>`
        : html`<button class="secondary" onClick=${() => setConfirming(true)}>
            ${i18n.t("outbox.drop")}
          </button>`)}
    </div>
  </li>`;
}

export function OutboxScreen({ session, i18n }) {
  const world = useStored(session.store, loadOutbox);
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((n) => n + 1)), [session]);
  if (!world) return html`<main><h1 tabindex="-1">${i18n.t("outbox.title")}</h1></main>`;
  const groups = [
    [CONFLICT, "outbox.conflicts"],
    [FIX, "outbox.fixes"],
    [BLOCKED, "outbox.blocked"],
    [WAITING, "outbox.waiting_list"],
  ];
  return html`<main aria-labelledby="outbox-title">
    <h1 id="outbox-title" tabindex="-1">${i18n.t("outbox.title")}</h1>
    <p data-testid="last-sync" data-at=${world.sync?.at || ""}>
      ${world.sync?.at
        ? i18n.t("outbox.last_sync", { time: i18n.moment(world.sync.at) })
        : i18n.t("outbox.never_synced")}
    </p>
    <p data-testid="waiting-count">${i18n.t("outbox.count", { count: world.entries.length })}</p>
    <button onClick=${() => session.syncNow()}>${i18n.t("outbox.sync_now")}</button>
    ${groups.map(([state, title]) => {
      const entries = world.entries.filter((entry) => entry.state === state);
      return (
        entries.length > 0 &&
        html`<section aria-labelledby=${`group-${state}`}>
          <h2 id=${`group-${state}`}>${i18n.t(title)}</h2>
          <ul class="cards">
            ${entries.map(
              (entry) =>
                html`<${Entry} key=${entry.id} i18n=${i18n} world=${world} entry=${entry} session=${session} />`,
            )}
          </ul>
        </section>`
      );
    })}
  </main>`;
}
