// The lock screen: the phone's profiles, each opened with its own PIN. Nothing of a
// profile can be read here but how many of its records wait to be sent.

import { html, useEffect, useState } from "../html.js";
import { MAX_WRONG_PINS, Wiped, WrongPin, listProfiles, unlockProfile } from "../profiles.js";
import { openStore } from "../store.js";
import { LanguagePicker, TextField } from "../ui.js";
import { Enrol } from "./enrol.js";

// The rest of the app is fetched while the worker types their PIN, not before the lock
// screen shows: on a slow network every module is a round trip.
export const unlockedApp = () => Promise.all([import("../session.js"), import("./shell.js")]);

async function startSession(options) {
  const [{ startSession: start }] = await unlockedApp();
  return start(options);
}

const NOTICES = {
  wiped: "lock.notice.wiped",
  revoked: "lock.notice.revoked",
  signed_out: "lock.notice.signed_out",
  locked: "lock.notice.locked",
};

export function Lock({ i18n, languages, changeLanguage, code, notice, onUnlocked, onEnd }) {
  const [profiles, setProfiles] = useState(null);
  const [chosen, setChosen] = useState(null);
  const [adding, setAdding] = useState(Boolean(code));
  const [shown, setShown] = useState(notice);
  // A profile whose enrolment did not finish: {profile, key, store}.
  const [enrolling, setEnrolling] = useState(null);

  const refresh = () => listProfiles().then(setProfiles);
  useEffect(() => {
    refresh();
  }, []);

  async function unlocked({ profile, key }) {
    if (profile.state === "enrolling") {
      setEnrolling({ profile, key, store: await openStore(profile.id, key) });
      return;
    }
    const session = await startSession({ profile, key, onEnd });
    if (session) onUnlocked(session);
  }

  if (profiles === null) return null;
  if (adding || enrolling || profiles.length === 0) {
    return html`<${Enrol}
      i18n=${i18n}
      notice=${shown && NOTICES[shown] && i18n.t(NOTICES[shown])}
      code=${code}
      resume=${enrolling}
      canCancel=${profiles.length > 0}
      onCancel=${() => {
        setAdding(false);
        setEnrolling(null);
        refresh();
      }}
      onEnrolled=${async ({ profile, store }) => {
        const session = await startSession({ profile, store, onEnd });
        if (session) onUnlocked(session);
      }}
    />`;
  }
  return html`<main class="lock" aria-labelledby="lock-title">
    <h1 id="lock-title" tabindex="-1">${i18n.t("app.name")}</h1>
    ${shown && NOTICES[shown] && html`<p class="notice" role="status">${i18n.t(NOTICES[shown])}</p>`}
    ${chosen
      ? html`<${PinForm}
          i18n=${i18n}
          profile=${chosen}
          onBack=${() => setChosen(null)}
          onUnlocked=${unlocked}
          onWiped=${() => {
            setChosen(null);
            setShown("wiped");
            refresh();
          }}
        />`
      : html`<h2>${i18n.t("lock.choose")}</h2>
          <ul class="profiles">
            ${profiles.map(
              (profile) =>
                html`<li>
                  <button class="profile" onClick=${() => setChosen(profile)}>
                    <span class="profile-name">${profile.label || i18n.t("lock.unnamed")}</span>
                    <span class="profile-waiting">
                      ${i18n.t("lock.waiting", { count: profile.waiting })}
                    </span>
                  </button>
                </li>`,
            )}
          </ul>
          <button class="secondary" onClick=${() => setAdding(true)}>${i18n.t("lock.add")}</button>`}
    <${LanguagePicker} i18n=${i18n} languages=${languages} changeLanguage=${changeLanguage} />
  </main>`;
}

function PinForm({ i18n, profile, onBack, onUnlocked, onWiped }) {
  const [pin, setPin] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => document.getElementById("field-pin")?.focus(), []);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    try {
      const opened = await unlockProfile(profile.id, pin);
      await onUnlocked(opened);
    } catch (failure) {
      setPin("");
      if (failure instanceof Wiped) onWiped();
      else if (failure instanceof WrongPin) {
        setError(i18n.t("lock.wrong_pin", { count: failure.remaining }));
      } else throw failure;
    } finally {
      setBusy(false);
    }
  }

  return html`<form onSubmit=${submit} class="pin-form">
    <${TextField}
      name="pin"
      type="password"
      inputmode="numeric"
      autocomplete="off"
      label=${i18n.t("lock.pin", { name: profile.label || i18n.t("lock.unnamed") })}
      hint=${i18n.t("lock.pin_hint", { count: MAX_WRONG_PINS })}
      error=${error}
      value=${pin}
      onValue=${setPin}
    />
    <button type="submit" disabled=${busy}>
      ${busy ? i18n.t("lock.unlocking") : i18n.t("lock.unlock")}
    </button>
    <button type="button" class="secondary" onClick=${onBack}>${i18n.t("form.back")}</button>
  </form>`;
}
