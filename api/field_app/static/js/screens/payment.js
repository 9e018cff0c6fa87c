// A support payment: month, category, amount (a decimal string, never a float), currency
// from the plan's budget, paid on, recipient, method, note, and a photo of the receipt,
// made small and stripped of its metadata on the phone before it is kept.

import { checkPayment } from "../checks.js";
import { CHOICES, MONTHS } from "../choices.js";
import { supportMonth, today } from "../dates.js";
import { html, useEffect, useState, useStored } from "../html.js";
import { parseAmount } from "../money.js";
import { WAITING, newEntry, save } from "../outbox.js";
import { receiptPhoto } from "../photo.js";
import {
  Choice,
  ErrorSummary,
  Select,
  TextArea,
  TextField,
  answers,
  personName,
  problemsByField,
} from "../ui.js";
import { findCase, loadWorld, overBudget, supportOf } from "../views.js";

export function PaymentScreen({ session, i18n, route }) {
  const world = useStored(session.store, loadWorld);
  const record = world && findCase(world, route.caseId);
  if (!record) return html`<main><h1 tabindex="-1">${i18n.t("payment.title")}</h1></main>`;
  return html`<${PaymentForm} session=${session} i18n=${i18n} world=${world} record=${record} />`;
}

function planned(record) {
  return record.plan?.budget || [];
}

function currencyFor(record, category, current) {
  const lines = planned(record);
  const line = lines.find((item) => item.category === category);
  return line?.currency || current || lines[0]?.currency || "";
}

// ``entry``: the outbox entry being fixed (same id) or replaced by a new record (conflict).
export function PaymentForm({ session, i18n, world, record, entry = null }) {
  const support = supportOf(world, record);
  const [payment, setPayment] = useState(() => {
    const category = planned(record)[0]?.category || "housing";
    const start = {
      month: (support.arrived_on && supportMonth(support.arrived_on, today())) || 1,
      category,
      currency: currencyFor(record, category, ""),
      paid_on: today(),
      recipient: "returnee",
      method: null,
      note: "",
      relative_justification: "",
      receipt_id: null,
    };
    return entry ? { ...start, ...entry.body, note: entry.body.note || "" } : start;
  });
  const [amountText, setAmountText] = useState(entry ? entry.body.amount : "");
  const [photo, setPhoto] = useState(null);
  const [preview, setPreview] = useState(null);
  const [errors, setErrors] = useState(() =>
    problemsByField(i18n, [], entry?.state === "fix" ? entry.problem?.errors || [] : []),
  );
  useEffect(() => () => preview && URL.revokeObjectURL(preview), [preview]);

  const set = (field) => (value) => setPayment((current) => ({ ...current, [field]: value }));
  const currencies = [...new Set(planned(record).map((line) => line.currency))];
  const categories = [
    ...new Set([...planned(record).map((line) => line.category), ...CHOICES.category]),
  ];
  const amount = parseAmount(amountText, i18n.lang);
  const over =
    amount &&
    payment.currency &&
    overBudget(world, record, payment.category, payment.currency, amount, entry?.id);

  async function takePhoto(event) {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    const smaller = await receiptPhoto(file);
    setPhoto(smaller);
    setPreview(URL.createObjectURL(smaller));
  }

  async function submit(event) {
    event.preventDefault();
    const checked = checkPayment(payment, amountText, support, i18n.lang);
    const found = problemsByField(i18n, checked.found);
    setErrors(found);
    if (Object.keys(found).length) {
      document.querySelector(".error-summary")?.focus();
      return;
    }
    const keepsId = entry?.state === "fix";
    const id = keepsId ? entry.id : crypto.randomUUID();
    const entries = [];
    const blobs = [];
    let receiptId = payment.receipt_id || null;
    if (photo) {
      // The receipt goes first: the payment names it.
      receiptId = crypto.randomUUID();
      entries.push(newEntry({ kind: "receipt", id: receiptId, case_id: record.id, body: { id: receiptId } }));
      blobs.push({ id: receiptId, blob: photo });
    }
    const body = {
      id,
      month: Number(payment.month),
      category: payment.category,
      amount: checked.amount,
      currency: payment.currency,
      paid_on: payment.paid_on,
      recipient: payment.recipient,
      method: payment.method,
      receipt_id: receiptId,
      note: payment.note?.trim() || null,
      relative_justification:
        payment.recipient === "relative" ? payment.relative_justification.trim() : null,
    };
    const after = photo ? [receiptId] : entry?.after || [];
    entries.push(
      keepsId
        ? { ...entry, body, after, state: WAITING, attempts: 0, next_at: 0, problem: null }
        : newEntry({ kind: "payment", id, case_id: record.id, body, after }),
    );
    await save(session.store, {
      records: [{ kind: "payment", id, value: { ...body, case_id: record.id } }],
      entries,
      blobs,
      replaces: entry,
    });
    session.run();
    location.hash = `#/case/${record.id}`;
  }

  return html`<main aria-labelledby="payment-title">
    <h1 id="payment-title" tabindex="-1">${i18n.t("payment.title")}</h1>
    <p>${record.reference} · ${personName(record)}</p>
    <form onSubmit=${submit} novalidate>
      <${ErrorSummary} i18n=${i18n} errors=${errors} />
      <${Select}
        name="month"
        label=${i18n.t("payment.month.label")}
        error=${errors.month}
        value=${payment.month}
        onValue=${(value) => set("month")(Number(value))}
        options=${MONTHS.map((month) => ({ value: month, label: i18n.t("case.month", { month: i18n.number(month) }) }))}
      />
      <${Select}
        name="category"
        label=${i18n.t("payment.category.label")}
        error=${errors.category}
        value=${payment.category}
        onValue=${(category) =>
          setPayment((current) => ({
            ...current,
            category,
            currency: currencyFor(record, category, current.currency),
          }))}
        options=${answers(i18n, "category", categories)}
      />
      <${TextField}
        name="amount"
        inputmode="decimal"
        autocomplete="off"
        label=${i18n.t("payment.amount.label")}
        hint=${i18n.t("payment.amount.hint")}
        error=${errors.amount}
        value=${amountText}
        onValue=${setAmountText}
      />
      ${currencies.length
        ? html`<${Select}
            name="currency"
            label=${i18n.t("payment.currency.label")}
            error=${errors.currency}
            value=${payment.currency}
            onValue=${set("currency")}
            options=${currencies.map((code) => ({ value: code, label: code }))}
          />`
        : html`<${TextField}
            name="currency"
            label=${i18n.t("payment.currency.label")}
            hint=${i18n.t("payment.currency.hint")}
            error=${errors.currency}
            value=${payment.currency}
            onValue=${(value) => set("currency")(value.toUpperCase())}
            maxlength="3"
            autocapitalize="characters"
          />`}
      ${over &&
      html`<p class="notice warning" role="status" data-testid="over-budget">
        ${i18n.t("payment.over_budget", {
          category: i18n.answer("category", payment.category),
          left: i18n.money(over.left, payment.currency),
        })}
      </p>`}
      <${TextField}
        name="paid_on"
        type="date"
        label=${i18n.t("payment.paid_on.label")}
        error=${errors.paid_on}
        value=${payment.paid_on}
        onValue=${set("paid_on")}
        min=${support.arrived_on || undefined}
        max=${today()}
      />
      <${Choice}
        name="recipient"
        label=${i18n.t("payment.recipient.label")}
        error=${errors.recipient}
        value=${payment.recipient}
        onValue=${set("recipient")}
        options=${answers(i18n, "recipient", CHOICES.recipient)}
      />
      ${payment.recipient === "relative" &&
      html`<p class="notice" role="status">${i18n.t("payment.needs_approval")}</p>
        <${TextArea}
          name="relative_justification"
          label=${i18n.t("payment.relative_justification.label")}
          hint=${i18n.t("payment.relative_justification.hint")}
          error=${errors.relative_justification}
          value=${payment.relative_justification}
          onValue=${set("relative_justification")}
          maxLength="4000"
        />`}
      <${Choice}
        name="method"
        label=${i18n.t("payment.method.label")}
        error=${errors.method}
        value=${payment.method}
        onValue=${set("method")}
        options=${answers(i18n, "method", CHOICES.method)}
      />
      <${TextArea}
        name="note"
        label=${i18n.t("payment.note.label")}
        error=${errors.note}
        value=${payment.note}
        onValue=${set("note")}
        maxLength="2000"
      />
      <div class=${`field${errors.receipt_id ? " has-error" : ""}`}>
        <label for="field-receipt_id">${i18n.t("payment.receipt.label")}</label>
        <p class="hint" id="hint-receipt">${i18n.t("payment.receipt.hint")}</p>
        ${errors.receipt_id && html`<p class="field-error">${errors.receipt_id}</p>`}
        <input
          id="field-receipt_id"
          type="file"
          accept="image/*"
          capture="environment"
          aria-describedby="hint-receipt"
          onChange=${takePhoto}
        />
        ${preview && html`<img class="receipt" src=${preview} alt=${i18n.t("payment.receipt.preview")} />`}
        ${!photo && payment.receipt_id && html`<p class="hint">${i18n.t("payment.receipt.kept")}</p>`}
      </div>
      <button type="submit">${i18n.t("form.save")}</button>
      <p class="hint">${i18n.t("form.saved_offline")}</p>
    </form>
  </main>`;
}
