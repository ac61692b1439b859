// The service worker that makes the lab cross-origin isolated on a static host that
// cannot set headers (SharedArrayBuffer needs COOP and COEP): it answers every
// same-origin request of the page itself and adds the two headers, as
// coi-serviceworker and WebVM do. index.html registers it only when the page is not
// isolated already (`kernelkit web` sets the headers itself).

declare const self: { skipWaiting(): Promise<void>; clients: { claim(): Promise<void> }; addEventListener(type: string, listener: (e: never) => void): void; location: { origin: string } };
interface FetchEvent { request: Request; respondWith(r: Promise<Response>): void }
interface ExtendableEvent { waitUntil(p: Promise<unknown>): void }

self.addEventListener('install', () => { void self.skipWaiting(); });
self.addEventListener('activate', (e: ExtendableEvent) => { e.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', (e: FetchEvent) => {
  const r = e.request;
  if (new URL(r.url).origin !== self.location.origin) return;
  if (r.cache === 'only-if-cached' && r.mode !== 'same-origin') return;
  e.respondWith(fetch(r).then((response) => {
    if (response.status === 0) return response;
    const headers = new Headers(response.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }));
});
