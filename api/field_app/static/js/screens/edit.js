// Editing a record from the outbox: one that needs a fix goes again with its own id; one
// in conflict becomes a new record that takes its place.

import { html, useStored } from "../html.js";
import { findCase, loadWorld } from "../views.js";
import { PaymentForm } from "./payment.js";
import { ReportForm } from "./report.js";

export function EditScreen({ session, i18n, route }) {
  const world = useStored(session.store, loadWorld);
  const entry = world?.entry.get(route.entryId);
  const record = entry && findCase(world, entry.case_id);
  if (!entry || !record) {
    return html`<main>
      <h1 tabindex="-1">${i18n.t("edit.title")}</h1>
      <p>${world ? i18n.t("edit.gone") : ""}</p>
    </main>`;
  }
  const Form = entry.kind === "payment" ? PaymentForm : ReportForm;
  return html`<${Form}
    key=${entry.id}
    session=${session}
    i18n=${i18n}
    world=${world}
    record=${record}
    entry=${entry}
  />`;
}
