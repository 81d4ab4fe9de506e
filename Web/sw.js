// Offline support: the page, its modules, CSS and the engine are cached on the first visit
// and served from the cache from then on, so a reload works with no network. The license
// and analytics API (/api/) always goes to the network: a cached answer there would be a lie.
//
// Cache-first means a new release reaches people only through a new cache name: bump
// VERSION whenever anything in ASSETS changes (the old cache is deleted on activation).
const VERSION = 'vitrine-web-v1';
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

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;  // network only
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    // Navigations (/, /index.html?x) are all the one page.
    const key = request.mode === 'navigate' ? new URL('./', self.location).href : url.href.split('#')[0];
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    return fetch(request);
  })());
});
