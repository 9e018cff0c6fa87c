// The unlocked app: a header with the sync state, the screen the address names, and the
// navigation at the bottom, within reach of a thumb.

import { BadCode, OtherWorker, finishEnrolment, rememberCode } from "../enrolment.js";
import { html, useEffect, useState, useStored } from "../html.js";
import { ErrorSummary, TextField } from "../ui.js";
import { countWaiting } from "../views.js";
import { CaseScreen } from "./case.js";
import { CasesScreen } from "./cases.js";
import { EditScreen } from "./edit.js";
import { OutboxScreen } from "./outbox.js";
import { PaymentScreen } from "./payment.js";
import { ReportScreen } from "./report.js";
import { SettingsScreen } from "./settings.js";
import { TasksScreen } from "./tasks.js";

export function parseRoute(hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = Object.fromEntries(new URLSearchParams(query));
  if (parts[0] === "case" && parts[1]) {
    if (parts[2] === "report") return { name: "report", caseId: parts[1], params };
    if (parts[2] === "payment") return { name: "payment", caseId: parts[1], params };
    return { name: "case", caseId: parts[1], params };
  }
  if (parts[0] === "edit" && parts[1]) return { name: "edit", entryId: parts[1], params };
  if (["cases", "outbox", "settings"].includes(parts[0])) return { name: parts[0], params };
  return { name: "tasks", params };
}

function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const follow = () => setHash(location.hash);
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  return parseRoute(hash);
}

function useStatus(session) {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((n) => n + 1)), [session]);
  return session.status;
}

const SCREENS = {
  tasks: TasksScreen,
  cases: CasesScreen,
  case: CaseScreen,
  report: ReportScreen,
  payment: PaymentScreen,
  edit: EditScreen,
  outbox: OutboxScreen,
  settings: SettingsScreen,
};

export function Shell({ session, i18n, languages, changeLanguage }) {
  const route = useRoute();
  const status = useStatus(session);
  const waiting = useStored(session.store, countWaiting);
  useEffect(() => document.querySelector("main h1")?.focus(), [route.name, route.caseId]);
  const Screen = SCREENS[route.name];
  const section = route.name === "case" || route.name === "report" || route.name === "payment"
    ? "cases"
    : route.name === "edit"
      ? "outbox"
      : route.name;
  return html`<div class="shell">
    <header class="bar">
      <span class="bar-title">${session.profile.label}</span>
      <span class="bar-state" role="status" aria-live="polite">
        ${status.busy
          ? i18n.t("status.syncing")
          : status.offline
            ? i18n.t("status.offline")
            : status.error
              ? i18n.t("status.error")
              : ""}
      </span>
    </header>
    ${status.expired && html`<${Renew} i18n=${i18n} session=${session} />`}
    <${Screen}
      session=${session}
      i18n=${i18n}
      route=${route}
      languages=${languages}
      changeLanguage=${changeLanguage}
    />
    <nav class="tabs" aria-label=${i18n.t("nav.label")}>
      ${[
        ["tasks", "#/tasks", "nav.tasks"],
        ["cases", "#/cases", "nav.cases"],
        ["outbox", "#/outbox", "nav.outbox"],
        ["settings", "#/settings", "nav.settings"],
      ].map(
        ([name, href, key]) =>
          html`<a href=${href} aria-current=${section === name ? "page" : undefined}>
            ${i18n.t(key)}
            ${name === "outbox" && waiting > 0 && html` <span class="badge">${i18n.number(waiting)}</span>`}
          </a>`,
      )}
    </nav>
  </div>`;
}

// The token expired: the same worker enters a new code; everything stays on the phone.
function Renew({ i18n, session }) {
  const [code, setCode] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await rememberCode(session.store, code);
      await finishEnrolment(session.store, session.profile);
      await session.renewed();
    } catch (failure) {
      setError(
        i18n.t(
          failure instanceof BadCode
            ? "enrol.bad_code"
            : failure instanceof OtherWorker
              ? "enrol.other_worker"
              : "enrol.no_answer",
        ),
      );
    } finally {
      setBusy(false);
    }
  }
  return html`<section class="notice warning" aria-labelledby="renew-title">
    <h2 id="renew-title">${i18n.t("renew.title")}</h2>
    <p>${i18n.t("renew.text")}</p>
    <form onSubmit=${submit} novalidate>
      <${ErrorSummary} i18n=${i18n} errors=${error ? { code: error } : {}} />
      <${TextField}
        name="code"
        label=${i18n.t("enrol.code")}
        value=${code}
        onValue=${setCode}
        autocomplete="off"
        autocapitalize="characters"
      />
      <button type="submit" disabled=${busy}>${i18n.t("renew.submit")}</button>
    </form>
  </section>`;
}
