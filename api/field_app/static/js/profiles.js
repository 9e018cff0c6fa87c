// The profiles of this phone: one a worker, each with its own PIN and encrypted store.
// The list holds nothing personal about returnees: the worker's name, the wrapped data
// key, the count of wrong PINs and how many records wait to be sent (shown while locked).

import { deleteDB, openDB } from "../vendor/idb.js";
import { PIN_ITERATIONS, newDataKey, pinKey, randomBytes, unwrap, wrap } from "./crypto.js";

export const MAX_WRONG_PINS = 10;
const REGISTRY = "tracker-profiles";

export class WrongPin extends Error {
  constructor(remaining) {
    super("wrong PIN");
    this.remaining = remaining;
  }
}

export class Wiped extends Error {
  constructor() {
    super("the profile was wiped");
  }
}

let opened = null; // one connection for the app's life: the sender counts after each answer

function registry() {
  opened =
    opened ||
    openDB(REGISTRY, 1, {
      upgrade(db) {
        db.createObjectStore("profiles", { keyPath: "id" });
      },
      terminated() {
        opened = null;
      },
    });
  return opened;
}

async function change(work) {
  return work(await registry());
}

export function storeName(profileId) {
  return `tracker-profile-${profileId}`;
}

export async function listProfiles() {
  const profiles = await change((db) => db.getAll("profiles"));
  return profiles.sort((a, b) => a.created_at - b.created_at);
}

export function getProfile(id) {
  return change((db) => db.get("profiles", id));
}

export async function updateProfile(id, changes) {
  return change(async (db) => {
    const tx = db.transaction("profiles", "readwrite");
    const profile = await tx.store.get(id);
    if (!profile) return undefined;
    Object.assign(profile, changes);
    await tx.store.put(profile);
    await tx.done;
    return profile;
  });
}

// A new profile under ``pin``: its id and the data key, ready to seal with.
export async function createProfile(pin) {
  const salt = randomBytes(16);
  const dataKey = await newDataKey();
  const wrapping = await pinKey(pin, salt, PIN_ITERATIONS);
  const wrapped = await wrap(dataKey, wrapping);
  const profile = {
    id: crypto.randomUUID(),
    label: "",
    salt,
    iterations: PIN_ITERATIONS,
    wrapped,
    wrong_pins: 0,
    waiting: 0,
    state: "enrolling",
    created_at: Date.now(),
  };
  await change((db) => db.put("profiles", profile));
  // Used from now on as after an unlock: the extractable original is dropped.
  return { profile, key: await unwrap(wrapped, wrapping) };
}

// Everything the profile keeps is deleted: its store, then its entry.
export async function wipeProfile(id) {
  await deleteDB(storeName(id));
  await change((db) => db.delete("profiles", id));
}

// The data key, or WrongPin; the tenth wrong PIN wipes the profile (Wiped). The attempt
// is counted before the PIN is tried, so stopping the app midway does not reset the count.
export async function unlockProfile(id, pin) {
  const profile = await getProfile(id);
  if (!profile) throw new Wiped();
  if (profile.wrong_pins >= MAX_WRONG_PINS) {
    await wipeProfile(id);
    throw new Wiped();
  }
  await updateProfile(id, { wrong_pins: profile.wrong_pins + 1 });
  let key;
  try {
    key = await unwrap(profile.wrapped, await pinKey(pin, profile.salt, profile.iterations));
  } catch {
    const wrong = profile.wrong_pins + 1;
    if (wrong >= MAX_WRONG_PINS) {
      await wipeProfile(id);
      throw new Wiped();
    }
    throw new WrongPin(MAX_WRONG_PINS - wrong);
  }
  await updateProfile(id, { wrong_pins: 0 });
  return { profile: { ...profile, wrong_pins: 0 }, key };
}
