// An unlocked profile: its store, its token, the outbox sender and what makes them run
// (unlock, the network coming back, the app shown again, a timer, "Sync now"); and what
// ends it: locking (asked, or 5 idle minutes), signing out, or a wipe.

import { NetworkError, createApi } from "./api.js";
import { FIELD_KINDS } from "./enrolment.js";
import { shrink } from "./photo.js";
import { getProfile, updateProfile, wipeProfile } from "./profiles.js";
import { createSender } from "./sender.js";
import { openStore } from "./store.js";
import { SyncStopped, pull } from "./sync.js";

export const IDLE_LOCK_MS = 5 * 60 * 1000;
const SEND_EVERY_MS = 30 * 1000;
const PULL_EVERY_MS = 5 * 60 * 1000;
const ACTIVITY = ["pointerdown", "keydown", "input", "scroll", "touchstart"];

// ``onEnd(reason)`` is told when the session ends: "locked", "wiped", "revoked",
// "signed_out" or "console" (the worker's organisation uses the office console).
export async function startSession({ profile, key, store = null, onEnd }) {
  store = store || (await openStore(profile.id, key));
  let token = (await store.get("meta", "token"))?.token;
  const me = await store.get("meta", "me");
  const api = createApi({ token: () => token });
  const listeners = new Set();
  const status = { busy: false, offline: false, error: null, expired: profile.state === "expired" };
  let ended = false;
  let lastActive = Date.now();
  let lastPull = 0;

  const changed = () => listeners.forEach((listener) => listener());

  async function end(reason) {
    if (ended) return;
    ended = true;
    sender.stop();
    clearInterval(timer);
    ACTIVITY.forEach((name) => removeEventListener(name, active, true));
    removeEventListener("online", online);
    document.removeEventListener("visibilitychange", visible);
    store.close();
    token = null;
    if (reason === "revoked" || reason === "signed_out" || reason === "console") {
      await wipeProfile(profile.id);
    }
    onEnd(reason);
  }

  async function expire() {
    status.expired = true;
    await updateProfile(profile.id, { state: "expired" });
    changed();
  }

  const sender = createSender({
    store,
    api,
    shrink,
    onRevoked: () => end("revoked"),
    onExpired: expire,
  });

  // Send what waits, then read what changed. A call while this runs makes it go round
  // once more, so "Sync now" always ends with a round that began after it.
  let running = null;
  let again = null;

  async function round({ pullNow }) {
    status.error = null;
    try {
      await sender.drain();
      if (ended || status.expired) return;
      if (pullNow || Date.now() - lastPull > PULL_EVERY_MS) {
        await pull(store, api);
        lastPull = Date.now();
      }
      status.offline = false;
    } catch (error) {
      if (error instanceof NetworkError) status.offline = true;
      else if (error instanceof SyncStopped && error.reason === "revoked") await end("revoked");
      else if (error instanceof SyncStopped && error.reason === "expired") await expire();
      else {
        status.error = String(error.reason ?? error.message);
        console.error(error);
      }
    }
  }

  function run({ pullNow = false } = {}) {
    if (ended || status.expired) return Promise.resolve();
    if (running) {
      again = { pullNow: pullNow || Boolean(again?.pullNow) };
      return running;
    }
    running = (async () => {
      status.busy = true;
      changed();
      let next = { pullNow };
      try {
        while (next && !ended && !status.expired) {
          again = null;
          await round(next);
          next = again;
        }
      } finally {
        running = null;
        status.busy = false;
        if (!ended) changed();
      }
    })();
    return running;
  }

  const online = () => run({ pullNow: true });

  function active() {
    lastActive = Date.now();
  }

  function idleCheck() {
    if (Date.now() - lastActive >= IDLE_LOCK_MS) {
      end("locked");
      return true;
    }
    return false;
  }

  function visible() {
    if (document.visibilityState === "visible" && !idleCheck()) run({ pullNow: true });
  }

  const timer = setInterval(() => {
    if (!idleCheck()) run();
  }, SEND_EVERY_MS);
  ACTIVITY.forEach((name) => addEventListener(name, active, { capture: true, passive: true }));
  addEventListener("online", online);
  document.addEventListener("visibilitychange", visible);

  const session = {
    profile,
    store,
    me,
    status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lock: () => end("locked"),
    async syncNow() {
      await sender.wake();
      await run({ pullNow: true });
    },
    // Signing out forgets the token on the tracker too (when it can be reached).
    async signOut() {
      await api.delete("/api/v1/me/token").catch(() => null);
      await end("signed_out");
    },
    // After a new enrolment code: the same worker's token, and sending resumes.
    async renewed() {
      token = (await store.get("meta", "token"))?.token;
      session.profile = await getProfile(profile.id);
      status.expired = false;
      changed();
      await run({ pullNow: true });
    },
    run,
  };

  if (me && !FIELD_KINDS.includes(me.organisation.kind)) {
    await api.delete("/api/v1/me/token").catch(() => null);
    await end("console");
    return null;
  }
  run({ pullNow: true });
  return session;
}
