// The app: the lock screen until a profile is unlocked, then its screens; and the offer of
// a new version. Everything a profile keeps stays locked until its PIN.

import { html, useEffect, useState } from "./html.js";
import { loadI18n, saveLanguage } from "./i18n.js";
import { Lock, unlockedApp } from "./screens/lock.js";

const UPDATE_CHECK_MS = 60 * 60 * 1000;

// Registered once the page has loaded, so that its install does not slow the first load.
// A new version is offered, never forced: what the worker is typing could be lost.
function watchForUpdates(offer) {
  if (!("serviceWorker" in navigator)) return;
  const register = () =>
    navigator.serviceWorker.register("./sw.js", { scope: "./" }).then((registration) => {
      const waiting = () =>
        registration.waiting && navigator.serviceWorker.controller && offer(registration.waiting);
      waiting();
      registration.addEventListener("updatefound", () => {
        const installing = registration.installing;
        installing?.addEventListener("statechange", () => installing.state === "installed" && waiting());
      });
      setInterval(() => registration.update().catch(() => {}), UPDATE_CHECK_MS);
    });
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}

function UpdateBanner({ i18n, worker }) {
  function update() {
    navigator.serviceWorker.addEventListener("controllerchange", () => location.reload());
    worker.postMessage({ type: "update" });
  }
  return html`<aside class="update" role="status" aria-live="polite">
    <p>${i18n.t("update.text")}</p>
    <button onClick=${update}>${i18n.t("update.button")}</button>
  </aside>`;
}

export function App({ languages, first, link }) {
  const [i18n, setI18n] = useState(first);
  // The code of the enrolment link is used once.
  const [code, setCode] = useState(link);
  const [session, setSession] = useState(null);
  const [Shell, setShell] = useState(null);
  const [notice, setNotice] = useState(null);
  const [update, setUpdate] = useState(null);
  useEffect(() => watchForUpdates(setUpdate), []);
  useEffect(() => {
    // Once the lock screen shows: the worker types their PIN meanwhile.
    requestIdleCallback(() => unlockedApp().then(([, shell]) => setShell(() => shell.Shell)), {
      timeout: 1000,
    });
  }, []);
  useEffect(() => {
    document.documentElement.lang = i18n.lang;
    document.title = i18n.t("app.name");
  }, [i18n]);

  async function changeLanguage(lang) {
    saveLanguage(lang);
    setI18n(await loadI18n(lang));
  }

  function ended(reason) {
    if (reason === "console") {
      location.assign("/console/");
      return;
    }
    setSession(null);
    setNotice(reason);
    location.hash = "";
  }

  return html`${update && html`<${UpdateBanner} i18n=${i18n} worker=${update} />`}
    ${session && Shell
      ? html`<${Shell}
          session=${session}
          i18n=${i18n}
          languages=${languages}
          changeLanguage=${changeLanguage}
        />`
      : html`<${Lock}
          i18n=${i18n}
          languages=${languages}
          changeLanguage=${changeLanguage}
          code=${code}
          notice=${notice}
          onEnd=${ended}
          onUnlocked=${(started) => {
            setCode(null);
            setNotice(null);
            setSession(started);
          }}
        />`}`;
}
