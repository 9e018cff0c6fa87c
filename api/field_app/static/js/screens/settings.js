// Settings: the language, locking now, and signing out (which refuses while records wait,
// unless the worker confirms twice).

import { html, useState, useStored } from "../html.js";
import { LanguagePicker } from "../ui.js";
import { countWaiting } from "../views.js";

export function SettingsScreen({ session, i18n, languages, changeLanguage }) {
  const waiting = useStored(session.store, countWaiting);
  const [asked, setAsked] = useState(0);
  const me = session.me;

  function signOut() {
    if (waiting > 0 && asked < 2) setAsked(asked + 1);
    else session.signOut();
  }

  return html`<main aria-labelledby="settings-title">
    <h1 id="settings-title" tabindex="-1">${i18n.t("settings.title")}</h1>
    ${me &&
    html`<p>${i18n.t("settings.who", { name: me.user.name, organisation: me.organisation.name })}</p>`}
    <${LanguagePicker} i18n=${i18n} languages=${languages} changeLanguage=${changeLanguage} />
    <button onClick=${() => session.lock()}>${i18n.t("settings.lock")}</button>
    <section aria-labelledby="sign-out-title">
      <h2 id="sign-out-title">${i18n.t("settings.sign_out")}</h2>
      <p>${i18n.t("settings.sign_out_text")}</p>
      ${asked > 0 &&
      html`<p class="notice warning" role="alert">
        ${i18n.t(asked === 1 ? "settings.sign_out_waiting" : "settings.sign_out_sure", {
          count: waiting,
        })}
      </p>`}
      <button class="danger" onClick=${signOut}>
        ${asked === 0
          ? i18n.t("settings.sign_out")
          : asked === 1
            ? i18n.t("settings.sign_out_confirm")
            : i18n.t("settings.sign_out_final")}
      </button>
    </section>
  </main>`;
}
