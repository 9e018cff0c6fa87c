// The service worker keeps the app's own files so that it opens with no network. It
// handles GET requests for those files only: answers of the API are never kept, and
// nothing a profile stores (IndexedDB) is ever touched, so an update loses nothing.

// Filled in by the server (api/field_app): the app's version and the files it is made of.
const VERSION = "unversioned";
const SHELL = [];

const CACHE = `shell-${VERSION}`;
const SCOPE = new URL("./", self.location).pathname;
let opened = null; // the cache, opened once for every request while the worker lives

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((name) => new Request(name, { cache: "no-cache" })))),
  );
});

// Old versions' files go; the open page is served from now on, so it works offline at once.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith("shell-") && name !== CACHE).map((name) => caches.delete(name))),
      )
      .then(() => self.clients.claim()),
  );
});

// The worker chose to take the new version.
self.addEventListener("message", (event) => {
  if (event.data?.type === "update") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  const name = url.pathname.slice(SCOPE.length);
  const index = request.mode === "navigate" || name === "" || name === "index.html";
  if (!index && !SHELL.includes(name)) return;
  opened = opened || caches.open(CACHE);
  event.respondWith(
    opened.then((cache) => cache.match(index ? "./" : name)).then((cached) => cached || fetch(request)),
  );
});
