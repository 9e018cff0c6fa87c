// A case: the person (tap to call), the plan's goals, the budget, months 1–6 with their
// reports, the payments with their status, and the arrival when the person lands.

import { checkArrival } from "../checks.js";
import { MONTHS } from "../choices.js";
import { addDays, addMonths, today } from "../dates.js";
import { html, useState, useStored } from "../html.js";
import { newEntry, save } from "../outbox.js";
import { ErrorSummary, TextField, personName, problemsByField } from "../ui.js";
import {
  budgetOf,
  findCase,
  loadWorld,
  paymentsOf,
  reportsOf,
  stateOf,
  supportOf,
} from "../views.js";

const STATES = {
  waiting: "record.state.waiting",
  conflict: "record.state.conflict",
  fix: "record.state.fix",
  blocked: "record.state.blocked",
};

// How far a record saved on the phone got; nothing once the tracker has it.
export function StateTag({ i18n, state }) {
  if (!STATES[state]) return null;
  return html`<span class=${`tag ${state}`}>${i18n.t(STATES[state])}</span>`;
}

export function CaseScreen({ session, i18n, route }) {
  const world = useStored(session.store, loadWorld);
  if (!world) return html`<main><h1 tabindex="-1">${i18n.t("case.title")}</h1></main>`;
  const record = findCase(world, route.caseId);
  if (!record) {
    return html`<main>
      <h1 tabindex="-1">${i18n.t("case.title")}</h1>
      <p>${i18n.t("case.not_here")}</p>
    </main>`;
  }
  const support = supportOf(world, record);
  const open = Boolean(support.arrived_on) && !record.removed;
  const phone = record.person?.phone;
  return html`<main aria-labelledby="case-title">
    <h1 id="case-title" tabindex="-1">${personName(record) || record.reference}</h1>
    <p>${record.reference} · ${i18n.answer("case_status", record.status)}</p>
    ${record.removed && html`<p class="notice warning">${i18n.t("case.removed")}</p>`}
    ${phone &&
    html`<a class="button" href=${`tel:${phone.replace(/[^0-9+]/g, "")}`}>
      ${i18n.t("case.call", { phone })}
    </a>`}

    <section aria-labelledby="support-title">
      <h2 id="support-title">${i18n.t("case.support")}</h2>
      ${support.arrived_on
        ? html`<p>
            ${i18n.t("case.window", {
              from: i18n.date(support.arrived_on),
              to: i18n.date(addDays(support.support_ends_on, -1)),
            })}
            ${support.provisional && html` <${StateTag} i18n=${i18n} state="waiting" />`}
          </p>`
        : record.status === "departed"
          ? html`<${ArrivalForm} i18n=${i18n} session=${session} record=${record} />`
          : html`<p>${i18n.t("case.not_arrived")}</p>`}
    </section>

    ${record.plan?.goals &&
    html`<section aria-labelledby="goals-title">
      <h2 id="goals-title">${i18n.t("case.goals")}</h2>
      <p class="prose">${record.plan.goals}</p>
    </section>`}

    <${Budget} i18n=${i18n} lines=${budgetOf(world, record)} />
    <${Months} i18n=${i18n} world=${world} record=${record} support=${support} open=${open} />
    <${Payments} i18n=${i18n} world=${world} record=${record} open=${open} />
  </main>`;
}

function Budget({ i18n, lines }) {
  return html`<section aria-labelledby="budget-title">
    <h2 id="budget-title">${i18n.t("case.budget")}</h2>
    ${lines.length === 0 && html`<p>${i18n.t("case.no_budget")}</p>`}
    ${lines.map(
      (line) =>
        html`<dl class="budget">
          <dt>${i18n.answer("category", line.category)}</dt>
          <dd>${i18n.t("budget.agreed", { amount: i18n.money(line.agreed, line.currency) })}</dd>
          <dd>${i18n.t("budget.disbursed", { amount: i18n.money(line.disbursed, line.currency) })}</dd>
          <dd>${i18n.t("budget.waiting", { amount: i18n.money(line.waiting, line.currency) })}</dd>
          ${line.unsent !== "0.00" &&
          html`<dd>${i18n.t("budget.unsent", { amount: i18n.money(line.unsent, line.currency) })}</dd>`}
          <dd><strong>${i18n.t("budget.left", { amount: i18n.money(line.left, line.currency) })}</strong></dd>
        </dl>`,
    )}
  </section>`;
}

function Months({ i18n, world, record, support, open }) {
  const reports = reportsOf(world, record.id);
  const day = today();
  return html`<section aria-labelledby="months-title">
    <h2 id="months-title">${i18n.t("case.months")}</h2>
    <ol class="months">
      ${MONTHS.map((month) => {
        const mine = reports.filter((report) => report.month === month);
        const started = support.arrived_on && addMonths(support.arrived_on, month - 1) <= day;
        return html`<li>
          <h3>${i18n.t("case.month", { month: i18n.number(month) })}</h3>
          ${mine.map(
            (report) =>
              html`<p>
                ${i18n.t("case.report_line", {
                  date: i18n.date(report.visited_on),
                  contact: i18n.answer("contact", report.contact),
                })}
                <${StateTag} i18n=${i18n} state=${stateOf(world, report)} />
              </p>`,
          )}
          ${mine.length === 0 && html`<p class="muted">${i18n.t("case.no_report")}</p>`}
          ${open &&
          started &&
          mine.length === 0 &&
          html`<a class="button secondary" href=${`#/case/${record.id}/report?month=${month}`}>
            ${i18n.t("case.file_report")}
          </a>`}
        </li>`;
      })}
    </ol>
  </section>`;
}

function Payments({ i18n, world, record, open }) {
  const payments = paymentsOf(world, record.id);
  return html`<section aria-labelledby="payments-title">
    <h2 id="payments-title">${i18n.t("case.payments")}</h2>
    ${payments.length === 0 && html`<p class="muted">${i18n.t("case.no_payments")}</p>`}
    <ul class="payments">
      ${payments.map((payment) => {
        const state = stateOf(world, payment);
        return html`<li>
          <span>${i18n.date(payment.paid_on)} · ${i18n.answer("category", payment.category)}</span>
          <span class="money">${i18n.money(payment.amount, payment.currency)}</span>
          ${state === "sent"
            ? html`<span class=${`tag ${payment.status}`}>
                ${i18n.answer("payment_status", payment.status)}
              </span>`
            : html`<${StateTag} i18n=${i18n} state=${state} />`}
          ${payment.status === "rejected" &&
          payment.rejection_reason &&
          html`<span class="reason">${i18n.t("case.rejected_because", { reason: payment.rejection_reason })}</span>`}
        </li>`;
      })}
    </ul>
    ${open &&
    html`<a class="button" href=${`#/case/${record.id}/payment`}>${i18n.t("case.record_payment")}</a>`}
  </section>`;
}

// The person landed: the arrival is saved on the phone and the window shown at once.
function ArrivalForm({ i18n, session, record }) {
  const [arrivedOn, setArrivedOn] = useState(today());
  const [errors, setErrors] = useState({});
  async function submit(event) {
    event.preventDefault();
    const found = problemsByField(i18n, checkArrival(arrivedOn, record.departed_on));
    setErrors(found);
    if (Object.keys(found).length) return;
    const entry = newEntry({
      kind: "arrival",
      id: crypto.randomUUID(),
      case_id: record.id,
      body: { arrived_on: arrivedOn },
    });
    await save(session.store, { entries: [entry] });
    session.run();
  }
  return html`<form onSubmit=${submit} novalidate>
    <${ErrorSummary} i18n=${i18n} errors=${errors} />
    <${TextField}
      name="arrived_on"
      type="date"
      label=${i18n.t("case.arrived_on")}
      hint=${i18n.t("case.arrived_hint")}
      error=${errors.arrived_on}
      value=${arrivedOn}
      onValue=${setArrivedOn}
      max=${today()}
    />
    <button type="submit">${i18n.t("case.record_arrival")}</button>
  </form>`;
}
