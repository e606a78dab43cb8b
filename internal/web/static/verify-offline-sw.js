// The service worker of sejour's offline verifier (/verifier/hors-ligne).
//
// It answers the requests of that page from the network, and from the
// cache "sejour-verifier-1" when the network fails. The page itself puts
// into that cache what it needs offline (itself, its script and styles,
// the key set); this worker refreshes those entries whenever the network
// answers, and caches nothing else. Only GET requests of this origin.
'use strict';

const CACHE = 'sejour-verifier-1';

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(networkThenCache(req));
});

async function networkThenCache(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok && (await cache.match(req, { ignoreVary: true }))) {
      await cache.put(req, res.clone());
    }
    return res;
  } catch (err) {
    const saved = await cache.match(req, { ignoreVary: true });
    if (saved) {
      return saved;
    }
    throw err;
  }
}
