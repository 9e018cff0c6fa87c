// Every visible text comes from a catalogue: one JSON file a language in i18n/, keys named
// by where the text appears. Dates, numbers and amounts go through Intl in the language.

const SAVED = "tracker.language";

export async function loadLanguages() {
  return (await fetch("./i18n/languages.json")).json();
}

// The worker's choice, else the first of the phone's languages the app speaks, else English.
export function chooseLanguage(available, wanted = navigator.languages || []) {
  const saved = localStorage.getItem(SAVED);
  if (saved && available[saved]) return saved;
  for (const tag of wanted) {
    const base = tag.toLowerCase().split("-")[0];
    if (available[base]) return base;
  }
  return "en";
}

export function saveLanguage(lang) {
  localStorage.setItem(SAVED, lang);
}

export async function loadI18n(lang) {
  const catalogue = await (await fetch(`./i18n/${lang}.json`)).json();
  return createI18n(lang, catalogue);
}

function utcDate(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}

export function createI18n(lang, catalogue) {
  const plurals = new Intl.PluralRules(lang);
  const dates = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
  const moments = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  const numbers = new Intl.NumberFormat(lang);

  function t(key, params = {}) {
    let text = catalogue[key];
    if (text && typeof text === "object") {
      text = text[plurals.select(params.count ?? 0)] ?? text.other;
    }
    if (typeof text !== "string") {
      console.error(`missing text ${key} in ${lang}`);
      return key;
    }
    return text.replace(/\{(\w+)\}/g, (_, name) =>
      name === "count" ? numbers.format(params.count) : String(params[name] ?? ""),
    );
  }

  return {
    lang,
    t,
    has: (key) => typeof catalogue[key] === "string",
    // An answer shown in words: answer.<name>.<value>.
    answer: (name, value) => t(`answer.${name}.${value}`),
    date: (iso) => (iso ? dates.format(utcDate(iso)) : ""),
    moment: (timestamp) => (timestamp ? moments.format(new Date(timestamp)) : ""),
    number: (value) => numbers.format(value),
    // Intl formats the decimal string as it is: no float on the way.
    money: (amount, currency) =>
      new Intl.NumberFormat(lang, { style: "currency", currency }).format(amount),
  };
}
