// A phone becomes a worker's by exchanging a one-time code for a token of its own. The
// profile (and its PIN) exists first, so the token is sealed from its first moment; the
// code and the phone's key wait sealed too, so the exchange can be tried again safely.

import { NetworkError, createApi } from "./api.js";
import { backoff } from "./outbox.js";
import { createProfile, updateProfile } from "./profiles.js";
import { openStore } from "./store.js";

// The kinds of organisation whose workers use the app; others are sent to the console.
export const FIELD_KINDS = ["partner", "return_org"];
const TRIES = 4;

export class BadCode extends Error {}
export class Throttled extends Error {
  constructor(seconds) {
    super("too many codes tried");
    this.seconds = seconds;
  }
}
export class EnrolmentFailed extends Error {}
// The code is another worker's: this profile keeps its own worker's records only.
export class OtherWorker extends Error {}

// What a worker types, as the office printed it: "k7qm 4xtp 9whc" → "K7QM-4XTP-9WHC".
export function normaliseCode(text) {
  const compact = String(text).toUpperCase().replace(/[^0-9A-Z]/g, "");
  return compact.match(/.{1,4}/g)?.join("-") ?? "";
}

export async function deviceName() {
  try {
    const hints = await navigator.userAgentData?.getHighEntropyValues(["model", "platform"]);
    if (hints?.model) return hints.model.slice(0, 100);
    if (hints?.platform) return hints.platform.slice(0, 100);
  } catch {
    // not told: the office sees a generic name
  }
  return navigator.platform?.slice(0, 100) || "phone";
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// POST /api/v1/enrolment; a lost answer is retried with the same code and device_key.
export async function exchange(pending, { wait = pause, api = createApi() } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    let answer = null;
    try {
      answer = await api.post("/api/v1/enrolment", pending);
    } catch (error) {
      if (!(error instanceof NetworkError) || attempt >= TRIES) throw error;
    }
    if (answer?.status === 201) return answer.body;
    if (answer?.status === 404 || answer?.status === 422) throw new BadCode();
    if (answer?.status === 429) throw new Throttled(answer.retryAfter);
    if (answer && !(answer.status === 408 || answer.status >= 500)) {
      throw new EnrolmentFailed(String(answer.status));
    }
    if (attempt >= TRIES) throw new EnrolmentFailed(String(answer.status));
    await wait(backoff(attempt));
  }
}

// A new profile under ``pin``, holding the code to exchange: {profile, key, store}.
export async function startProfile(pin, code) {
  const { profile, key } = await createProfile(pin);
  const store = await openStore(profile.id, key);
  await rememberCode(store, code);
  return { profile, key, store };
}

export async function rememberCode(store, code) {
  const pending = (await store.get("meta", "enrolment")) || {};
  await store.write({
    put: [
      {
        kind: "meta",
        id: "enrolment",
        value: {
          code: normaliseCode(code),
          // A new code is a new exchange; the same code keeps its key for a safe retry.
          device_key: pending.code === normaliseCode(code) ? pending.device_key : crypto.randomUUID(),
          device: pending.device || (await deviceName()),
        },
      },
    ],
  });
}

// Exchange the waiting code; the token, the worker and their organisation are sealed.
// A profile enrolled before may only take a code of the same worker.
export async function finishEnrolment(store, profile, options = {}) {
  const pending = await store.get("meta", "enrolment");
  const enrolled = await exchange(pending, options);
  const before = await store.get("meta", "me");
  if (before && before.user.id !== enrolled.user.id) {
    await createApi({ token: () => enrolled.token }).delete("/api/v1/me/token").catch(() => {});
    throw new OtherWorker();
  }
  await store.write({
    put: [
      { kind: "meta", id: "token", value: { token: enrolled.token } },
      {
        kind: "meta",
        id: "me",
        value: {
          user: enrolled.user,
          organisation: enrolled.organisation,
          device_id: enrolled.device_id,
        },
      },
    ],
    remove: [{ kind: "meta", id: "enrolment" }],
  });
  return updateProfile(profile.id, { label: enrolled.user.name, state: "ready" });
}
