"""The field app on a phone, driven as a worker would: by the labels and buttons they see."""

from __future__ import annotations

import base64
import re

from playwright.sync_api import Page, expect

from tests.browser.tracker import Tracker

PIN = "246810"

#: Everything the app's IndexedDB databases hold, as stored: every value walked, bytes
#: read as Latin-1 so that any plaintext in them would show.
RAW_STORAGE = """async () => {
  const text = [];
  const walk = (value) => {
    if (value instanceof ArrayBuffer) value = new Uint8Array(value);
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      text.push(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
    } else if (value instanceof Blob) {
      text.push("[blob]");
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) { text.push(key); walk(inner); }
    } else text.push(String(value));
  };
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok, ko) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => ok(request.result);
      });
      text.push(`${name}/${store}`);
      rows.forEach(walk);
    }
    db.close();
  }
  return text.join("\\n");
}"""

#: Blobs are read too (a receipt photo is one): their bytes as Latin-1.
RAW_BLOBS = """async () => {
  const texts = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok) => { const o = indexedDB.open(name); o.onsuccess = () => ok(o.result); });
    if (db.objectStoreNames.contains("blobs")) {
      const rows = await new Promise((ok) => {
        const request = db.transaction("blobs").objectStore("blobs").getAll();
        request.onsuccess = () => ok(request.result);
      });
      for (const row of rows) {
        const bytes = new Uint8Array(row.data);
        texts.push(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
      }
    }
    db.close();
  }
  return texts.join("\\n");
}"""


class Phone:
    def __init__(self, page: Page, tracker: Tracker) -> None:
        self.page = page
        self.tracker = tracker

    # --- getting in -------------------------------------------------------------------

    def open(self, path: str = "/app/") -> None:
        self.page.goto(path)
        expect(self.page.locator("main h1")).to_be_visible()

    def choose_pin(self, pin: str = PIN) -> None:
        expect(self.page.get_by_text("Nobody can recover a forgotten PIN")).to_be_visible()
        self.page.get_by_label("PIN", exact=True).fill(pin)
        self.page.get_by_label("The same PIN again").fill(pin)
        self.page.get_by_role("button", name="Start").click()

    def enrol(self, code: str, pin: str = PIN) -> None:
        """Open the enrolment link, choose a PIN; the code is exchanged and the phone syncs."""
        self.open(f"/app/#enrol={code}")
        self.choose_pin(pin)
        self.wait_for_screen("Tasks")
        self.wait_synced()
        self.wait_offline_ready()

    def wait_offline_ready(self) -> None:
        """Until the service worker keeps the app and serves this page."""
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    def add_worker(self, code: str, pin: str = PIN) -> None:
        """Another worker on the same phone types their code."""
        self.page.get_by_role("button", name="Add a worker to this phone").click()
        self.page.get_by_label("Enrolment code").fill(code)
        self.page.get_by_role("button", name="Next").click()
        self.choose_pin(pin)
        self.wait_for_screen("Tasks")
        self.wait_synced()

    def unlock(self, name: str, pin: str = PIN) -> None:
        self.page.get_by_role("button", name=re.compile(re.escape(name))).click()
        self.page.get_by_label(f"PIN of {name}").fill(pin)
        self.page.get_by_role("button", name="Unlock").click()

    def lock(self) -> None:
        self.go("Settings")
        self.page.get_by_role("button", name="Lock now").click()
        expect(self.page.get_by_role("heading", name="Who is using the phone?")).to_be_visible()

    # --- moving around ----------------------------------------------------------------

    def wait_for_screen(self, title: str) -> None:
        expect(self.page.locator("main h1")).to_have_text(title, timeout=30_000)

    def go(self, tab: str) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name=re.compile(tab)).click()
        self.wait_for_screen(tab)

    def open_case(self, name: str) -> None:
        self.go("My cases")
        self.page.get_by_role("link", name=re.compile(name)).click()
        expect(self.page.locator("main h1")).to_contain_text(name)

    def wait_synced(self) -> None:
        """Until the phone has synced once and is not sending."""
        expect(self.page.get_by_text("This phone has not synced yet")).to_have_count(0)
        expect(self.page.locator(".bar-state")).to_have_text("", timeout=30_000)

    def sync_now(self) -> None:
        """ "Sync now", and wait until the phone has sent what it could and read the tracker."""
        self.go("Outbox")
        last = self.page.get_by_test_id("last-sync")
        before = last.get_attribute("data-at")
        self.page.get_by_role("button", name="Sync now").click()
        expect(last).not_to_have_attribute("data-at", before or "", timeout=30_000)
        expect(self.page.locator(".bar-state")).to_have_text("", timeout=30_000)

    def waiting(self) -> str:
        self.go("Outbox")
        return self.page.get_by_test_id("waiting-count").text_content()

    def offline(self, cut: bool = True) -> None:
        """The network goes (the service worker's requests too) or comes back."""
        self.page.context.set_offline(cut)

    # --- what the phone keeps ---------------------------------------------------------

    def raw_storage(self) -> str:
        return self.page.evaluate(RAW_STORAGE) + self.page.evaluate(RAW_BLOBS)

    def jpeg(self, width: int, height: int) -> bytes:
        """A photo as a phone's camera makes it (drawn in the browser: no image library)."""
        data = self.page.evaluate(
            """async ([width, height]) => {
              const canvas = document.createElement("canvas");
              canvas.width = width; canvas.height = height;
              const g = canvas.getContext("2d");
              g.fillStyle = "#f4efe1"; g.fillRect(0, 0, width, height);
              g.fillStyle = "#222"; g.font = `${height / 12}px sans-serif`;
              g.fillText("RECEIPT 25,000 NGN", width / 10, height / 3);
              const blob = await new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.9));
              const bytes = new Uint8Array(await blob.arrayBuffer());
              let text = ""; for (const b of bytes) text += String.fromCharCode(b);
              return btoa(text);
            }""",
            [width, height],
        )
        return base64.b64decode(data)
