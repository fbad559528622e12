// The typed API client (openapi-fetch over the generated schema).
import createClient from "openapi-fetch";
import type { paths } from "./schema";

/**
 * Origin of the API. Empty (the default) means the app's own origin; set
 * VITE_API_BASE at build time (e.g. https://schalter.example.ch) to run the
 * app as a separate static site talking to an API on another origin.
 */
export const API_BASE: string = (import.meta.env.VITE_API_BASE ?? "").replace(/\/+$/, "");

/** Absolute URL of an API path such as "/api/v1/catalogue". */
export function apiUrl(path: string): string {
  return new URL(path, API_BASE || location.origin).href;
}

/** Header the service worker adds to API responses it served from its cache. */
export const OFFLINE_HEADER = "X-Schalter-Offline";

/** Cookies (guest, session) go with API calls; across origins (VITE_API_BASE) they must be included explicitly. */
export const credentials: RequestCredentials = API_BASE ? "include" : "same-origin";

export const api = createClient<paths>({ baseUrl: API_BASE || location.origin });
