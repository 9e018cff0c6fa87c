// Money as the tracker has it: decimal strings with two places, never floats. Sums are
// done in hundredths with BigInt.

// "25000", "25000.5", "25 000,50" (as the worker's language writes it) → "25000.50";
// null when it is not an amount with at most two decimals.
export function parseAmount(text, lang = "en") {
  const decimal = new Intl.NumberFormat(lang).formatToParts(1.5).find((p) => p.type === "decimal")
    ?.value;
  const compact = String(text).trim().replace(/[\s\u00a0\u202f'’]/g, "");
  if (!/^[0-9.,]+$/.test(compact)) return null;
  let whole = compact;
  let fraction = "";
  const last = Math.max(compact.lastIndexOf("."), compact.lastIndexOf(","));
  // A separator is the decimal one when it is the language's, or when one or two digits
  // follow it (a group separator always has three after it).
  if (last >= 0) {
    const after = compact.slice(last + 1);
    if (compact[last] === decimal || after.length <= 2) {
      whole = compact.slice(0, last);
      fraction = after;
    }
  }
  if (!/^\d{0,2}$/.test(fraction)) return null;
  whole = whole.replace(/[.,]/g, "");
  if (!/^\d*$/.test(whole) || whole + fraction === "") return null;
  return `${BigInt(whole || "0")}.${fraction.padEnd(2, "0")}`;
}

// "120000", "120000.5" or "120000.50" → 12000050n
export function toHundredths(amount) {
  const [whole, fraction = ""] = String(amount).split(".");
  const negative = whole.startsWith("-");
  const value = BigInt(whole.replace("-", "") || "0") * 100n + BigInt(fraction.padEnd(2, "0"));
  return negative ? -value : value;
}

export function fromHundredths(value) {
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const text = `${absolute / 100n}.${String(absolute % 100n).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

export function sum(amounts) {
  return fromHundredths(amounts.reduce((total, amount) => total + toHundredths(amount), 0n));
}

export function subtract(a, b) {
  return fromHundredths(toHundredths(a) - toHundredths(b));
}

export function isPositive(amount) {
  return toHundredths(amount) > 0n;
}

export function exceeds(a, b) {
  return toHundredths(a) > toHundredths(b);
}
