// Calendar dates as the tracker writes them (YYYY-MM-DD), computed without time zones.

export const SUPPORT_MONTHS = 6;

function parts(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return { year, month, day };
}

function daysIn(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

// The phone's own date today.
export function today(now = new Date()) {
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// The same day ``months`` later, or the month's last day when it is shorter (as the tracker).
export function addMonths(iso, months) {
  const { year, month, day } = parts(iso);
  const index = month - 1 + months;
  const y = year + Math.floor(index / 12);
  const m = (index % 12) + 1;
  return `${pad(y, 4)}-${pad(m)}-${pad(Math.min(day, daysIn(y, m)))}`;
}

export function addDays(iso, days) {
  const { year, month, day } = parts(iso);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

export function supportEndsOn(arrivedOn) {
  return addMonths(arrivedOn, SUPPORT_MONTHS);
}

// The month of support (1–6) a date falls in, or null outside the window.
export function supportMonth(arrivedOn, iso) {
  for (let month = 1; month <= SUPPORT_MONTHS; month += 1) {
    if (iso >= addMonths(arrivedOn, month - 1) && iso < addMonths(arrivedOn, month)) return month;
  }
  return null;
}

export function isDate(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value || "")) return false;
  const { year, month, day } = parts(value);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}
