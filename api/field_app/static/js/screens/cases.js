// My cases: reference, name, arrival, months reported of six, budget left.

import { html, useStored } from "../html.js";
import { personName } from "../ui.js";
import { budgetLeft, budgetOf, loadWorld, monthsReported, supportOf } from "../views.js";

export function CasesScreen({ session, i18n }) {
  const world = useStored(session.store, loadWorld);
  const cases = (world?.cases || []).slice().sort((a, b) => a.reference.localeCompare(b.reference));
  return html`<main aria-labelledby="cases-title">
    <h1 id="cases-title" tabindex="-1">${i18n.t("cases.title")}</h1>
    ${world && cases.length === 0 && html`<p>${i18n.t("cases.none")}</p>`}
    <ul class="cards" data-testid="cases">
      ${cases.map((record) => {
        const support = supportOf(world, record);
        const left = budgetLeft(budgetOf(world, record));
        return html`<li>
          <a class="card" href=${`#/case/${record.id}`}>
            <span class="card-title">${personName(record)}</span>
            <span>${record.reference}</span>
            <span class="card-field">
              ${support.arrived_on
                ? i18n.t("cases.arrived", { date: i18n.date(support.arrived_on) })
                : i18n.answer("case_status", record.status)}
            </span>
            <span class="card-field">
              ${i18n.t("cases.months", { count: monthsReported(world, record.id).size })}
            </span>
            ${left.map(
              ({ currency, left: amount }) =>
                html`<span class="card-field">
                  ${i18n.t("cases.budget_left", { amount: i18n.money(amount, currency) })}
                </span>`,
            )}
            ${record.removed && html`<span class="tag">${i18n.t("cases.removed")}</span>`}
          </a>
        </li>`;
      })}
    </ul>
  </main>`;
}
