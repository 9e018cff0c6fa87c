// A new profile: the enrolment code (typed, or from the link of the office's QR code),
// then the worker's PIN, and only then the exchange of the code for a token, so the token
// is sealed from its first moment.

import { MIN_PIN_LENGTH } from "../crypto.js";
import {
  BadCode,
  OtherWorker,
  Throttled,
  finishEnrolment,
  normaliseCode,
  rememberCode,
  startProfile,
} from "../enrolment.js";
import { html, useEffect, useState } from "../html.js";
import { wipeProfile } from "../profiles.js";
import { ErrorSummary, TextField } from "../ui.js";

export function Enrol({ i18n, notice, code, resume, canCancel, onCancel, onEnrolled }) {
  const [step, setStep] = useState(resume ? "exchange" : code ? "pin" : "code");
  const [codeText, setCodeText] = useState(code ? normaliseCode(code) : "");
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [made, setMade] = useState(resume);
  const [busy, setBusy] = useState(false);

  useEffect(() => document.querySelector("main h1")?.focus(), [step]);
  useEffect(() => {
    if (resume) exchange(resume);
  }, []);

  async function exchange(profile) {
    setBusy(true);
    setFailure(null);
    try {
      const enrolled = await finishEnrolment(profile.store, profile.profile);
      onEnrolled({ profile: enrolled, store: profile.store });
    } catch (error) {
      if (error instanceof BadCode) {
        setFailure(i18n.t("enrol.bad_code"));
        setStep("code-again");
      } else if (error instanceof OtherWorker) {
        setFailure(i18n.t("enrol.other_worker"));
        setStep("code-again");
      } else if (error instanceof Throttled) {
        const minutes = Math.max(1, Math.ceil((error.seconds || 60) / 60));
        setFailure(i18n.t("enrol.throttled", { count: minutes }));
        setStep("exchange");
      } else {
        console.error(error);
        setFailure(i18n.t("enrol.no_answer"));
        setStep("exchange");
      }
    } finally {
      setBusy(false);
    }
  }

  function codeProblems() {
    const normal = normaliseCode(codeText);
    return normal.replace(/-/g, "").length < 8 ? { code: i18n.t("enrol.code_invalid") } : {};
  }

  async function submitCode(event) {
    event.preventDefault();
    const found = codeProblems();
    setErrors(found);
    if (Object.keys(found).length) return;
    if (step === "code-again") {
      await rememberCode(made.store, codeText);
      await exchange(made);
    } else setStep("pin");
  }

  async function submitPin(event) {
    event.preventDefault();
    const found = {};
    if (!new RegExp(`^[0-9]{${MIN_PIN_LENGTH},}$`).test(pin)) {
      found.pin = i18n.t("enrol.pin_invalid", { count: MIN_PIN_LENGTH });
    } else if (pin !== again) found.pin_again = i18n.t("enrol.pin_mismatch");
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    const created = await startProfile(pin, codeText);
    setPin("");
    setAgain("");
    setMade(created);
    setStep("exchange");
    await exchange(created);
  }

  async function cancel() {
    if (made) {
      made.store.close();
      await wipeProfile(made.profile.id);
    }
    onCancel();
  }

  const cancelButton =
    (canCancel || made) &&
    html`<button type="button" class="secondary" onClick=${cancel}>${i18n.t("form.cancel")}</button>`;

  if (step === "code" || step === "code-again") {
    return html`<main class="enrol">
      <h1 tabindex="-1">${i18n.t("enrol.title")}</h1>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      ${failure && html`<p class="notice warning" role="alert">${failure}</p>`}
      <form onSubmit=${submitCode} novalidate>
        <${ErrorSummary} i18n=${i18n} errors=${errors} />
        <${TextField}
          name="code"
          label=${i18n.t("enrol.code")}
          hint=${i18n.t("enrol.code_hint")}
          error=${errors.code}
          value=${codeText}
          onValue=${setCodeText}
          autocomplete="off"
          autocapitalize="characters"
          spellcheck="false"
        />
        <button type="submit" disabled=${busy}>${i18n.t("form.next")}</button>
        ${cancelButton}
      </form>
    </main>`;
  }
  if (step === "pin") {
    return html`<main class="enrol">
      <h1 tabindex="-1">${i18n.t("enrol.pin_title")}</h1>
      <p class="notice warning">${i18n.t("enrol.pin_warning")}</p>
      <form onSubmit=${submitPin} novalidate>
        <${ErrorSummary} i18n=${i18n} errors=${errors} />
        <${TextField}
          name="pin"
          type="password"
          inputmode="numeric"
          autocomplete="new-password"
          label=${i18n.t("enrol.pin")}
          hint=${i18n.t("enrol.pin_hint", { count: MIN_PIN_LENGTH })}
          error=${errors.pin}
          value=${pin}
          onValue=${setPin}
        />
        <${TextField}
          name="pin_again"
          type="password"
          inputmode="numeric"
          autocomplete="new-password"
          label=${i18n.t("enrol.pin_again")}
          error=${errors.pin_again}
          value=${again}
          onValue=${setAgain}
        />
        <button type="submit" disabled=${busy}>
          ${busy ? i18n.t("enrol.working") : i18n.t("enrol.start")}
        </button>
        ${cancelButton}
      </form>
    </main>`;
  }
  return html`<main class="enrol">
    <h1 tabindex="-1">${i18n.t("enrol.exchange_title")}</h1>
    <p role="status">${busy ? i18n.t("enrol.working") : failure}</p>
    ${!busy &&
    html`<button type="button" onClick=${() => exchange(made)}>${i18n.t("form.try_again")}</button>
      ${cancelButton}`}
  </main>`;
}
