// Starts the app. The language and its catalogue are fetched while the modules of the
// lock screen load (index.html preloads them), not after: on a slow network each is a
// round trip.

import { chooseLanguage, loadI18n, loadLanguages } from "./i18n.js";

// The code of an enrolment link (…/app/#enrol=CODE), taken out of the address bar; every
// start is at the lock screen, and after it the tasks.
function codeFromLink() {
  const match = location.hash.match(/^#enrol=([0-9A-Za-z-]+)/);
  if (location.hash) history.replaceState(null, "", location.pathname);
  return match ? match[1] : null;
}

async function start() {
  const code = codeFromLink();
  const app = import("./app.js");
  const languages = await loadLanguages();
  const [first, { App }, { html, render }] = await Promise.all([
    loadI18n(chooseLanguage(languages)),
    app,
    import("./html.js"),
  ]);
  render(html`<${App} languages=${languages} first=${first} link=${code} />`, document.body);
}

start();
