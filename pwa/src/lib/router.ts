// A tiny History API router: route matching and link interception.

export type Route =
  | { name: "home" }
  | { name: "categories" }
  | { name: "category"; slug: string }
  | { name: "service"; slug: string }
  | { name: "offices" }
  | { name: "office"; slug: string }
  | { name: "not-found" };

const SLUG = "([a-z0-9][a-z0-9-]*)";
const table: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/$/, () => ({ name: "home" })],
  [/^\/categories\/?$/, () => ({ name: "categories" })],
  [new RegExp(`^/categories/${SLUG}/?$`), (m) => ({ name: "category", slug: m[1]! })],
  [new RegExp(`^/services/${SLUG}/?$`), (m) => ({ name: "service", slug: m[1]! })],
  [/^\/offices\/?$/, () => ({ name: "offices" })],
  [new RegExp(`^/offices/${SLUG}/?$`), (m) => ({ name: "office", slug: m[1]! })],
];

export function matchRoute(pathname: string): Route {
  let path = pathname;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    /* keep the raw path */
  }
  for (const [re, make] of table) {
    const m = re.exec(path);
    if (m) return make(m);
  }
  return { name: "not-found" };
}

/** Paths the app never handles itself (server endpoints and the API reference). */
export function isServerPath(pathname: string): boolean {
  return /^\/(api|metrics|healthz|readyz)(\/|$)/.test(pathname);
}

/** Returns the URL an anchor click should be routed to, or null to let the browser handle it. */
export function routableLink(event: MouseEvent): URL | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return null;
  }
  const anchor = event.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
  if (!anchor || !anchor.href || anchor.hasAttribute("download")) return null;
  if (anchor.target && anchor.target !== "_self") return null;
  const url = new URL(anchor.href);
  if (url.origin !== location.origin || isServerPath(url.pathname)) return null;
  if (/\.[a-z0-9]+$/i.test(url.pathname)) return null; // files such as icons or the manifest
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return null; // in-page anchor
  return url;
}
