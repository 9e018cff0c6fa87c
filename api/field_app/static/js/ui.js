// Small shared pieces of the screens: form fields with their label, hint and error, an
// error summary, choices shown as words. Touch targets are at least 44 px (app.css).

import { html } from "./html.js";

// Problems of a form by field: the phone's checks (catalogue keys) and the tracker's own
// 422 messages, which are shown as the tracker wrote them.
export function problemsByField(i18n, local = [], server = []) {
  const byField = {};
  for (const problem of local) byField[problem.field] ??= i18n.t(problem.key, problem.params);
  for (const problem of server) byField[problem.field] ??= problem.message;
  return byField;
}

export function ErrorSummary({ i18n, errors }) {
  const fields = Object.keys(errors);
  if (!fields.length) return null;
  return html`<div class="error-summary" role="alert" tabindex="-1">
    <h2>${i18n.t("form.errors.title")}</h2>
    <ul>
      ${fields.map(
        (field) =>
          html`<li><a href="#" onClick=${(event) => focusField(event, field)}>${errors[field]}</a></li>`,
      )}
    </ul>
  </div>`;
}

function focusField(event, field) {
  event.preventDefault();
  document.getElementById(`field-${field}`)?.focus();
}

function Described({ name, hint, error, children }) {
  return html`${hint && html`<p class="hint" id=${`hint-${name}`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`error-${name}`}>${error}</p>`} ${children}`;
}

function describedBy(name, hint, error) {
  return [hint && `hint-${name}`, error && `error-${name}`].filter(Boolean).join(" ") || undefined;
}

export function TextField({ name, label, hint, error, value, onValue, type = "text", ...rest }) {
  return html`<div class=${`field${error ? " has-error" : ""}`}>
    <label for=${`field-${name}`}>${label}</label>
    <${Described} name=${name} hint=${hint} error=${error}>
      <input
        id=${`field-${name}`}
        name=${name}
        type=${type}
        value=${value ?? ""}
        aria-invalid=${error ? "true" : undefined}
        aria-describedby=${describedBy(name, hint, error)}
        onInput=${(event) => onValue(event.currentTarget.value)}
        ...${rest}
      />
    <//>
  </div>`;
}

export function TextArea({ name, label, hint, error, value, onValue, maxLength }) {
  return html`<div class=${`field${error ? " has-error" : ""}`}>
    <label for=${`field-${name}`}>${label}</label>
    <${Described} name=${name} hint=${hint} error=${error}>
      <textarea
        id=${`field-${name}`}
        name=${name}
        rows="4"
        maxlength=${maxLength}
        aria-invalid=${error ? "true" : undefined}
        aria-describedby=${describedBy(name, hint, error)}
        onInput=${(event) => onValue(event.currentTarget.value)}
      >${value ?? ""}</textarea>
    <//>
  </div>`;
}

// ``options``: [{value, label}]
export function Select({ name, label, hint, error, value, onValue, options }) {
  return html`<div class=${`field${error ? " has-error" : ""}`}>
    <label for=${`field-${name}`}>${label}</label>
    <${Described} name=${name} hint=${hint} error=${error}>
      <select
        id=${`field-${name}`}
        name=${name}
        aria-invalid=${error ? "true" : undefined}
        aria-describedby=${describedBy(name, hint, error)}
        onChange=${(event) => onValue(event.currentTarget.value)}
      >
        ${options.map(
          (option) =>
            html`<option value=${option.value} selected=${String(option.value) === String(value)}>
              ${option.label}
            </option>`,
        )}
      </select>
    <//>
  </div>`;
}

// One answer of a few, as radio buttons; ``options``: [{value, label}], a value may be null.
export function Choice({ name, label, hint, error, value, onValue, options }) {
  return html`<fieldset
    class=${`field choice${error ? " has-error" : ""}`}
    id=${`field-${name}`}
    tabindex="-1"
    aria-describedby=${describedBy(name, hint, error)}
  >
    <legend>${label}</legend>
    <${Described} name=${name} hint=${hint} error=${error}>
      ${options.map(
        (option) =>
          html`<label class="option">
            <input
              type="radio"
              name=${name}
              value=${String(option.value)}
              checked=${option.value === value}
              onChange=${() => onValue(option.value)}
            />
            <span>${option.label}</span>
          </label>`,
      )}
    <//>
  </fieldset>`;
}

// Options of one of the app's choices, as words.
export function answers(i18n, name, values) {
  return values.map((value) => ({ value, label: i18n.answer(name, value) }));
}

export function personName(record) {
  const person = record?.person;
  return person ? [person.given_name, person.family_name].filter(Boolean).join(" ") : "";
}

export function LanguagePicker({ i18n, languages, changeLanguage }) {
  return html`<${Select}
    name="language"
    label=${i18n.t("settings.language")}
    value=${i18n.lang}
    onValue=${changeLanguage}
    options=${Object.entries(languages).map(([code, name]) => ({ value: code, label: name }))}
  />`;
}
