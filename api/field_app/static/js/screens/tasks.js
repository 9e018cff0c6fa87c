// Tasks: monthly reports due and overdue, soonest first, and any other kind of task the
// tracker sends (a correction asked for in an outcome review), in the catalogue's words.

import { html, useStored } from "../html.js";
import { personName } from "../ui.js";
import { loadWorld, tasksToShow } from "../views.js";

// Fields of a task shown under its title, in this order, with their labels.
const FIELDS = [
  ["month", "task.field.month"],
  ["due_on", "task.field.due_on"],
  ["version", "task.field.version"],
  ["returned_at", "task.field.returned_at"],
  ["comment", "task.field.comment"],
];

function taskLink(task) {
  return task.kind === "monthly_report"
    ? `#/case/${task.case_id}/report?month=${task.month}`
    : `#/case/${task.case_id}`;
}

function fieldValue(i18n, name, value) {
  if (name === "due_on") return i18n.date(value);
  if (name === "returned_at") return i18n.moment(value);
  if (name === "month" || name === "version") return i18n.number(value);
  return String(value);
}

export function TasksScreen({ session, i18n }) {
  const world = useStored(session.store, loadWorld);
  if (!world) return html`<main><h1 tabindex="-1">${i18n.t("tasks.title")}</h1></main>`;
  const shown = tasksToShow(world);
  return html`<main aria-labelledby="tasks-title">
    <h1 id="tasks-title" tabindex="-1">${i18n.t("tasks.title")}</h1>
    ${!world.sync && html`<p class="notice">${i18n.t("tasks.never_synced")}</p>`}
    ${world.sync && shown.length === 0 && html`<p>${i18n.t("tasks.none")}</p>`}
    <ul class="cards" data-testid="tasks">
      ${shown.map(
        ({ task, record }) =>
          html`<li>
            <a class=${`card${task.overdue ? " overdue" : ""}`} href=${taskLink(task)}>
              <span class="card-title">
                ${i18n.t(i18n.has(`task.kind.${task.kind}`) ? `task.kind.${task.kind}` : "task.kind.other")}
              </span>
              <span>${record ? `${record.reference} · ${personName(record)}` : task.case_reference || ""}</span>
              ${FIELDS.filter(([name]) => task[name] !== undefined && task[name] !== null).map(
                ([name, key]) =>
                  html`<span class="card-field">
                    ${i18n.t(key)}: ${fieldValue(i18n, name, task[name])}
                  </span>`,
              )}
              ${task.overdue && html`<span class="tag overdue">${i18n.t("tasks.overdue")}</span>`}
            </a>
          </li>`,
      )}
    </ul>
  </main>`;
}
