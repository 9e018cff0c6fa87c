// A profile's encrypted store in IndexedDB: records (cases, reports, payments, tasks, the
// token), the outbox, and receipt photos. Only ids are kept in the clear; every value is
// sealed, bound to its place. A write is one IndexedDB transaction: all of it or none.

import { openDB } from "../vendor/idb.js";
import { open, openBytes, seal, sealBytes } from "./crypto.js";
import { storeName, updateProfile } from "./profiles.js";

export async function openStore(profileId, key) {
  const db = await openDB(storeName(profileId), 1, {
    upgrade(db) {
      db.createObjectStore("items", { keyPath: "key" }).createIndex("kind", "kind");
      db.createObjectStore("outbox", { keyPath: "id" });
      db.createObjectStore("blobs", { keyPath: "id" });
    },
  });
  return new Store(profileId, db, key);
}

const itemKey = (kind, id) => `${kind}:${id}`;

export class Store {
  constructor(profileId, db, key) {
    this.profileId = profileId;
    this.db = db;
    this.key = key;
    this.listeners = new Set();
  }

  close() {
    this.db.close();
    this.key = null;
  }

  // Called after every write, e.g. to show it.
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(kind, id) {
    const row = await this.db.get("items", itemKey(kind, id));
    return row && open(this.key, row, `item:${row.key}`);
  }

  async all(kind) {
    const rows = await this.db.getAllFromIndex("items", "kind", kind);
    return Promise.all(rows.map((row) => open(this.key, row, `item:${row.key}`)));
  }

  // Work on the outbox (read, change, write) that nothing else interleaves with, in this
  // tab or another: the sender settling an answer, "Sync now", the worker's edits.
  locked(work) {
    return navigator.locks.request(`tracker-outbox-${this.profileId}`, work);
  }

  async inOutbox(id) {
    return (await this.db.getKey("outbox", id)) !== undefined;
  }

  async outboxEntry(id) {
    const row = await this.db.get("outbox", id);
    return row && open(this.key, row, `outbox:${id}`);
  }

  // When each outbox entry goes, read without decrypting anything: its order, state, next
  // try and the entries it waits for (ids and times, nothing of the record).
  async outboxSchedule() {
    const rows = await this.db.getAll("outbox");
    return rows.map((row) => ({ id: row.id, ...row.schedule }));
  }

  // The outbox, oldest first.
  async outbox() {
    const rows = await this.db.getAll("outbox");
    const entries = await Promise.all(rows.map((row) => open(this.key, row, `outbox:${row.id}`)));
    return entries.sort((a, b) => a.seq - b.seq);
  }

  async blob(id) {
    const row = await this.db.get("blobs", id);
    return row && new Blob([await openBytes(this.key, row, `blob:${id}`)], { type: row.type });
  }

  // One transaction: ``put``/``remove`` records ({kind, id, value}), outbox entries and
  // blobs ({id, blob}). Everything is sealed first: a transaction cannot wait for crypto.
  async write({ put = [], remove = [], outbox = {}, blobs = {} }) {
    const sealedItems = await Promise.all(
      put.map(async ({ kind, id, value }) => {
        const key = itemKey(kind, id);
        return { key, kind, ...(await seal(this.key, value, `item:${key}`)) };
      }),
    );
    const sealedEntries = await Promise.all(
      (outbox.put || []).map(async (entry) => ({
        id: entry.id,
        schedule: {
          seq: entry.seq,
          state: entry.state,
          next_at: entry.next_at,
          after: entry.after,
        },
        ...(await seal(this.key, entry, `outbox:${entry.id}`)),
      })),
    );
    const sealedBlobs = await Promise.all(
      (blobs.put || []).map(async ({ id, blob }) => ({
        id,
        type: blob.type,
        ...(await sealBytes(this.key, await blob.arrayBuffer(), `blob:${id}`)),
      })),
    );
    const tx = this.db.transaction(["items", "outbox", "blobs"], "readwrite");
    const items = tx.objectStore("items");
    const queue = tx.objectStore("outbox");
    const photos = tx.objectStore("blobs");
    // Removals first: a record removed and put again in one write is kept.
    const requests = [
      ...remove.map(({ kind, id }) => items.delete(itemKey(kind, id))),
      ...(outbox.remove || []).map((id) => queue.delete(id)),
      ...(blobs.remove || []).map((id) => photos.delete(id)),
      ...sealedItems.map((row) => items.put(row)),
      ...sealedEntries.map((row) => queue.put(row)),
      ...sealedBlobs.map((row) => photos.put(row)),
    ];
    const touchesOutbox = sealedEntries.length || (outbox.remove || []).length;
    const waiting = touchesOutbox ? queue.count() : null;
    await Promise.all([...requests, tx.done]);
    if (waiting !== null) {
      // Shown on the lock screen, where nothing can be decrypted.
      await updateProfile(this.profileId, { waiting: await waiting });
    }
    for (const listener of this.listeners) listener();
  }
}
