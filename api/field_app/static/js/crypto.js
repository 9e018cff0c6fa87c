// What a profile keeps is sealed with AES-GCM under a random data key; the data key is
// kept wrapped by a key derived from the worker's PIN. Without the PIN nothing opens.

// PBKDF2-SHA-256 rounds for a new profile (each profile keeps its own count, so it can be
// raised later). Against a 6-digit PIN taken off the phone more rounds buy little; an
// unlock that takes seconds on a cheap phone, many times a day, costs a lot.
export const PIN_ITERATIONS = 310000;
export const MIN_PIN_LENGTH = 6;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function randomBytes(length) {
  return crypto.getRandomValues(new Uint8Array(length));
}

// The key that wraps the data key, from the PIN and the profile's salt.
export async function pinKey(pin, salt, iterations) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

// A new data key, extractable only so that it can be wrapped once.
export function newDataKey() {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, [
    "encrypt",
    "decrypt",
  ]);
}

export async function wrap(dataKey, wrappingKey) {
  const iv = randomBytes(12);
  const key = await crypto.subtle.wrapKey("raw", dataKey, wrappingKey, { name: "AES-GCM", iv });
  return { iv, key };
}

// The data key, not extractable; a wrong PIN fails AES-GCM's check and throws.
export function unwrap(wrapped, wrappingKey) {
  return crypto.subtle.unwrapKey(
    "raw",
    wrapped.key,
    wrappingKey,
    { name: "AES-GCM", iv: wrapped.iv },
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

// Bytes sealed for one place (``context``): a value copied to another place no longer opens.
export async function sealBytes(key, bytes, context) {
  const iv = randomBytes(12);
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
    key,
    bytes,
  );
  return { iv, data };
}

export function openBytes(key, sealed, context) {
  return crypto.subtle.decrypt(
    { name: "AES-GCM", iv: sealed.iv, additionalData: encoder.encode(context) },
    key,
    sealed.data,
  );
}

export function seal(key, value, context) {
  return sealBytes(key, encoder.encode(JSON.stringify(value)), context);
}

export async function open(key, sealed, context) {
  return JSON.parse(decoder.decode(await openBytes(key, sealed, context)));
}
