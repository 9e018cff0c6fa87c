// The monthly report: every field of the tracker's report, checked as the tracker checks
// it, answers offered as words. Saving keeps it on the phone with its outbox entry.

import { checkReport } from "../checks.js";
import { CHOICES, MONTHS } from "../choices.js";
import { supportMonth, today } from "../dates.js";
import { html, useState, useStored } from "../html.js";
import { newEntry, save, WAITING } from "../outbox.js";
import { Choice, ErrorSummary, Select, TextArea, TextField, answers, personName, problemsByField } from "../ui.js";
import { findCase, loadWorld, supportOf } from "../views.js";

export function ReportScreen({ session, i18n, route }) {
  const world = useStored(session.store, loadWorld);
  const record = world && findCase(world, route.caseId);
  if (!record) return html`<main><h1 tabindex="-1">${i18n.t("report.title")}</h1></main>`;
  return html`<${ReportForm}
    session=${session}
    i18n=${i18n}
    world=${world}
    record=${record}
    initial=${{ month: Number(route.params.month) || null }}
  />`;
}

function blank(support, month) {
  const day = today();
  return {
    month: month || (support.arrived_on && supportMonth(support.arrived_on, day)) || 1,
    visited_on: day,
    contact: null,
    housing: "unknown",
    livelihood: "unknown",
    children_in_school: null,
    wellbeing: null,
    safety_concern: null,
    retrafficking_risk: null,
    needs: "",
    narrative: "",
  };
}

// ``entry``: the outbox entry being fixed (sent again with its id) or, in conflict,
// turned into a new record that takes its place.
export function ReportForm({ session, i18n, world, record, initial = {}, entry = null }) {
  const support = supportOf(world, record);
  const [report, setReport] = useState(() => ({
    ...blank(support, initial.month),
    ...(entry ? { ...entry.body, wellbeing: entry.body.wellbeing?.toString() ?? null } : {}),
  }));
  const [errors, setErrors] = useState(() =>
    problemsByField(i18n, [], entry?.state === "fix" ? entry.problem?.errors || [] : []),
  );
  const set = (field) => (value) => setReport((current) => ({ ...current, [field]: value }));
  const yesNo = [
    { value: true, label: i18n.t("answer.yes") },
    { value: false, label: i18n.t("answer.no") },
  ];

  async function submit(event) {
    event.preventDefault();
    const found = problemsByField(i18n, checkReport(report, support));
    setErrors(found);
    if (Object.keys(found).length) {
      document.querySelector(".error-summary")?.focus();
      return;
    }
    const keepsId = entry?.state === "fix";
    const id = keepsId ? entry.id : crypto.randomUUID();
    const body = {
      id,
      month: Number(report.month),
      visited_on: report.visited_on,
      contact: report.contact,
      housing: report.housing,
      livelihood: report.livelihood,
      children_in_school: report.children_in_school,
      wellbeing: report.wellbeing === null ? null : Number(report.wellbeing),
      safety_concern: report.safety_concern,
      retrafficking_risk: report.retrafficking_risk,
      needs: report.needs?.trim() || null,
      narrative: report.narrative?.trim() || null,
    };
    const queued = keepsId
      ? { ...entry, body, state: WAITING, attempts: 0, next_at: 0, problem: null }
      : newEntry({ kind: "report", id, case_id: record.id, body });
    await save(session.store, {
      records: [{ kind: "report", id, value: { ...body, case_id: record.id } }],
      entries: [queued],
      replaces: entry,
    });
    session.run();
    location.hash = `#/case/${record.id}`;
  }

  return html`<main aria-labelledby="report-title">
    <h1 id="report-title" tabindex="-1">${i18n.t("report.title")}</h1>
    <p>${record.reference} · ${personName(record)}</p>
    <form onSubmit=${submit} novalidate>
      <${ErrorSummary} i18n=${i18n} errors=${errors} />
      <${Select}
        name="month"
        label=${i18n.t("report.month.label")}
        error=${errors.month}
        value=${report.month}
        onValue=${(value) => set("month")(Number(value))}
        options=${MONTHS.map((month) => ({ value: month, label: i18n.t("case.month", { month: i18n.number(month) }) }))}
      />
      <${TextField}
        name="visited_on"
        type="date"
        label=${i18n.t("report.visited_on.label")}
        hint=${i18n.t("report.visited_on.hint")}
        error=${errors.visited_on}
        value=${report.visited_on}
        onValue=${set("visited_on")}
        min=${support.arrived_on || undefined}
        max=${today()}
      />
      <${Choice}
        name="contact"
        label=${i18n.t("report.contact.label")}
        error=${errors.contact}
        value=${report.contact}
        onValue=${set("contact")}
        options=${answers(i18n, "contact", CHOICES.contact)}
      />
      <${Choice}
        name="housing"
        label=${i18n.t("report.housing.label")}
        error=${errors.housing}
        value=${report.housing}
        onValue=${set("housing")}
        options=${answers(i18n, "housing", CHOICES.housing)}
      />
      <${Choice}
        name="livelihood"
        label=${i18n.t("report.livelihood.label")}
        error=${errors.livelihood}
        value=${report.livelihood}
        onValue=${set("livelihood")}
        options=${answers(i18n, "livelihood", CHOICES.livelihood)}
      />
      <${Choice}
        name="children_in_school"
        label=${i18n.t("report.children_in_school.label")}
        error=${errors.children_in_school}
        value=${report.children_in_school}
        onValue=${set("children_in_school")}
        options=${[...yesNo, { value: null, label: i18n.t("report.children_in_school.none") }]}
      />
      <${Choice}
        name="wellbeing"
        label=${i18n.t("report.wellbeing.label")}
        hint=${i18n.t("report.wellbeing.hint")}
        error=${errors.wellbeing}
        value=${report.wellbeing}
        onValue=${set("wellbeing")}
        options=${[...answers(i18n, "wellbeing", CHOICES.wellbeing), { value: null, label: i18n.t("answer.not_asked") }]}
      />
      <${Choice}
        name="safety_concern"
        label=${i18n.t("report.safety_concern.label")}
        error=${errors.safety_concern}
        value=${report.safety_concern}
        onValue=${set("safety_concern")}
        options=${[...yesNo, { value: null, label: i18n.t("answer.not_asked") }]}
      />
      <${Choice}
        name="retrafficking_risk"
        label=${i18n.t("report.retrafficking_risk.label")}
        error=${errors.retrafficking_risk}
        value=${report.retrafficking_risk}
        onValue=${set("retrafficking_risk")}
        options=${[...answers(i18n, "retrafficking_risk", CHOICES.retrafficking_risk), { value: null, label: i18n.t("answer.not_assessed") }]}
      />
      <${TextArea}
        name="needs"
        label=${i18n.t("report.needs.label")}
        error=${errors.needs}
        value=${report.needs}
        onValue=${set("needs")}
        maxLength="2000"
      />
      <${TextArea}
        name="narrative"
        label=${i18n.t("report.narrative.label")}
        error=${errors.narrative}
        value=${report.narrative}
        onValue=${set("narrative")}
        maxLength="4000"
      />
      <button type="submit">${i18n.t("form.save")}</button>
      <p class="hint">${i18n.t("form.saved_offline")}</p>
    </form>
  </main>`;
}
