// Offline support: the page, its modules, CSS and the engine are cached on the first visit
// and served from the cache from then on, so a reload works with no network. The license
// and analytics API (/api/) and anything else on the server always go to the network: a
// cached answer there would be a lie.
//
// Cache-first means a new release reaches people only through a new cache name: bump
// VERSION whenever anything in ASSETS changes (the old cache is deleted on activation).
const VERSION = 'vitrine-web-v2';
const ASSETS = [
  './',
  'index.html',
  'app.css',
  'vitrine.js',
  'vitrine.wasm',
  'app/main.js',
  'app/worker.js',
  'app/viewer.js',
  'app/license.js',
  'app/consent.js',
  'app/geometry.js',
  'app/threemf.js',
  'app/zip.js',
];

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache, so the set stored is one consistent release.
  event.waitUntil(
    caches.open(VERSION)
      .then((cache) => cache.addAll(ASSETS.map((path) => new Request(path, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== VERSION) await caches.delete(name);
    // Take over the page that installed us, so its first reload is already offline-proof.
    await self.clients.claim();
  })());
});

const scope = new URL('./', self.location);
const OWN = new Set(ASSETS.map((path) => new URL(path, scope).pathname));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // Only this page's own files come from the cache. Everything else the server has (the API,
  // other pages as they are added) goes to the network untouched.
  if (!OWN.has(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    // "/" and "/index.html" (with any query) are the one page.
    const page = url.pathname === scope.pathname || url.pathname === `${scope.pathname}index.html`;
    const hit = await cache.match(page ? scope.href : url.origin + url.pathname);
    return hit ?? fetch(request);
  })());
});
