/// <reference lib="webworker" />
// The service worker: precached app shell, navigation fallback to index.html,
// and network-first caching of API reads (kept for offline use). Push
// handling can be added here later.
import { clientsClaim, type WorkboxPlugin } from "workbox-core";
import { CacheableResponsePlugin } from "workbox-cacheable-response";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkFirst, StaleWhileRevalidate } from "workbox-strategies";

declare let self: ServiceWorkerGlobalScope;

/** Origin of the API, same as the app unless built with VITE_API_BASE. */
const API_ORIGIN = new URL(import.meta.env.VITE_API_BASE || self.location.origin).origin;
/** Header marking a response served from this worker's cache (the app shows the offline indicator). */
const OFFLINE_HEADER = "X-Schalter-Offline";

self.skipWaiting();
clientsClaim();

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Deep links (/services/…, /offices/…) get the app shell; server endpoints never do.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [/^\/api(\/|$)/, /^\/metrics(\/|$)/, /^\/healthz(\/|$)/, /^\/readyz(\/|$)/, /^\/widget\//],
  }),
);

const markAsCached: WorkboxPlugin = {
  cachedResponseWillBeUsed: async ({ cachedResponse }) => {
    if (!cachedResponse) return cachedResponse;
    const headers = new Headers(cachedResponse.headers);
    headers.set(OFFLINE_HEADER, "1");
    return new Response(await cachedResponse.blob(), {
      status: cachedResponse.status,
      statusText: cachedResponse.statusText,
      headers,
    });
  },
};

// A response the server marks private or no-store (drafts, cases,
// documents, attachments, anything personal) is never stored, whatever its
// path: the server's Cache-Control decides, not only the list below.
const onlyShareable: WorkboxPlugin = {
  cacheWillUpdate: async ({ response }) => (/\b(no-store|private)\b/i.test(response.headers.get("Cache-Control") ?? "") ? null : response),
};

// API reads: fresh from the network, the last copy when the network fails or
// takes more than 3 s. The full catalogue is stored by the app itself; search
// and favourites are not cached here (see below).
registerRoute(
  ({ url, request }) =>
    request.method === "GET" &&
    url.origin === API_ORIGIN &&
    url.pathname.startsWith("/api/v1/") &&
    url.pathname !== "/api/v1/catalogue" &&
    url.pathname !== "/api/v1/openapi.json" &&
    // Search is answered offline by the app's own search over the stored
    // catalogue (and the synonyms it stores itself); favourites belong to
    // the guest cookie and must never come from a cache, and neither must
    // anything about an account (/api/v1/me…): personal, and it would
    // outlive a logout on a shared device.
    // Drafts and attachments are a person's (or a guest's) answers, and a
    // document's verification must say "revoked" the moment it is: none
    // of them may come from a cache either.
    !url.pathname.startsWith("/api/v1/search") &&
    !url.pathname.startsWith("/api/v1/favourites") &&
    !/^\/api\/v1\/(me|session|accounts|drafts|attachments|documents|office|connector|admin)(\/|$)/.test(url.pathname),
  new NetworkFirst({
    cacheName: "schalter-api-v1",
    networkTimeoutSeconds: 3,
    plugins: [
      new CacheableResponsePlugin({ statuses: [200] }),
      onlyShareable,
      new ExpirationPlugin({ maxEntries: 400, maxAgeSeconds: 60 * 60 * 24 * 30 }),
      markAsCached,
    ],
  }),
);

// Images such as the city logo from the configuration.
registerRoute(
  ({ request, url }) => request.destination === "image" && (url.origin === self.location.origin || url.origin === API_ORIGIN),
  new StaleWhileRevalidate({
    cacheName: "schalter-images-v1",
    plugins: [new CacheableResponsePlugin({ statuses: [200] }), new ExpirationPlugin({ maxEntries: 30 })],
  }),
);

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") void self.skipWaiting();
});
