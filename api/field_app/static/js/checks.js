// The tracker's checks of a report, a payment and an arrival, made on the phone before
// saving, so that a worker fixes a mistake while still with the returnee. Each problem
// names the field as the tracker does, with a catalogue key for its message.

import { CHOICES } from "./choices.js";
import { isDate, today } from "./dates.js";
import { isPositive, parseAmount } from "./money.js";

const NOTE_MOST = 4000;
const SHORT_MOST = 2000;
const WHOLE_DIGITS_MOST = 12;

function problems() {
  const found = [];
  const add = (field, key, params = {}) => found.push({ field, key, params });
  return { found, add };
}

// visited_on / paid_on: a date, not in the future, inside [arrived_on, support_ends_on).
function insideWindow(add, field, value, support, now) {
  if (!isDate(value)) return add(field, "check.date");
  if (value > today(now)) return add(field, "check.future");
  if (!support.arrived_on) return add(field, "check.not_arrived");
  if (value < support.arrived_on) add(field, "check.before_arrival");
  else if (support.support_ends_on && value >= support.support_ends_on) {
    add(field, "check.after_support");
  }
}

function month(add, value) {
  if (!(Number.isInteger(value) && value >= 1 && value <= 6)) add("month", "check.month");
}

function oneOf(add, field, value, name, { optional = false } = {}) {
  if (value === null || value === undefined || value === "") {
    if (!optional) add(field, "check.required");
  } else if (!CHOICES[name].includes(String(value))) add(field, "check.choice");
}

function longest(add, field, value, most) {
  if (value && value.length > most) add(field, "check.too_long", { most });
}

// ``support`` is the case's {arrived_on, support_ends_on}.
export function checkReport(report, support, now = new Date()) {
  const { found, add } = problems();
  month(add, report.month);
  insideWindow(add, "visited_on", report.visited_on, support, now);
  oneOf(add, "contact", report.contact, "contact");
  oneOf(add, "housing", report.housing, "housing");
  oneOf(add, "livelihood", report.livelihood, "livelihood");
  oneOf(add, "wellbeing", report.wellbeing, "wellbeing", { optional: true });
  oneOf(add, "retrafficking_risk", report.retrafficking_risk, "retrafficking_risk", {
    optional: true,
  });
  longest(add, "needs", report.needs, SHORT_MOST);
  longest(add, "narrative", report.narrative, NOTE_MOST);
  return found;
}

// ``amountText`` is what the worker typed; the payment's amount is set from it when valid.
export function checkPayment(payment, amountText, support, lang, now = new Date()) {
  const { found, add } = problems();
  month(add, payment.month);
  oneOf(add, "category", payment.category, "category");
  const amount = parseAmount(amountText, lang);
  if (amount === null) add("amount", "check.amount");
  else if (!isPositive(amount)) add("amount", "check.amount_positive");
  else if (amount.split(".")[0].length > WHOLE_DIGITS_MOST) add("amount", "check.amount");
  if (!/^[A-Z]{3}$/.test(payment.currency || "")) add("currency", "check.currency");
  insideWindow(add, "paid_on", payment.paid_on, support, now);
  oneOf(add, "recipient", payment.recipient, "recipient");
  oneOf(add, "method", payment.method, "method");
  if (payment.recipient === "relative") {
    if (!payment.relative_justification?.trim()) add("relative_justification", "check.justify");
    longest(add, "relative_justification", payment.relative_justification, NOTE_MOST);
  }
  longest(add, "note", payment.note, SHORT_MOST);
  return { found, amount };
}

export function checkArrival(arrivedOn, departedOn, now = new Date()) {
  const { found, add } = problems();
  if (!isDate(arrivedOn)) add("arrived_on", "check.date");
  else if (arrivedOn > today(now)) add("arrived_on", "check.future");
  else if (departedOn && arrivedOn < departedOn) add("arrived_on", "check.before_departure");
  return found;
}
