// A tiny History API router: route matching and link interception.

export type Route =
  | { name: "home" }
  | { name: "categories" }
  | { name: "category"; slug: string }
  | { name: "service"; slug: string }
  | { name: "offices" }
  | { name: "office"; slug: string }
  | { name: "search" }
  | { name: "favourites" }
  | { name: "account"; page: AccountPage }
  | { name: "order"; slug: string }
  | { name: "case"; number: string }
  | { name: "resume-draft" }
  | { name: "verify-document"; id: string }
  | { name: "not-found" };

/**
 * The pages of Mein Konto. verify, reset and email are the paths of the
 * links in the e-mails (internal/account: PublicURL + /account/verify#token,
 * /account/reset#token and /account/email#token).
 */
export const ACCOUNT_PATHS = {
  overview: "/account",
  register: "/account/register",
  "check-inbox": "/account/check-inbox",
  verify: "/account/verify",
  email: "/account/email",
  "change-email": "/account/change-email",
  login: "/account/login",
  "login-code": "/account/login/code",
  "forgot-password": "/account/forgot-password",
  reset: "/account/reset",
  authenticator: "/account/authenticator",
  "recovery-codes": "/account/recovery-codes",
  sessions: "/account/sessions",
  "step-up": "/account/step-up",
  deleted: "/account/deleted",
  passkeys: "/account/passkeys",
  sms: "/account/sms",
  eid: "/account/eid",
  profile: "/account/profile",
  consents: "/account/consents",
  transparency: "/account/transparency",
  drafts: "/account/drafts",
  cases: "/account/cases",
  documents: "/account/documents",
  payments: "/account/payments",
} as const;

/**
 * German paths of account pages (/konto, /konto/anmelden), for links people
 * type or find in German texts; shown under the app's own path.
 */
export const ACCOUNT_ALIASES: Readonly<Record<string, AccountPage>> = {
  "/konto": "overview",
  "/konto/anmelden": "login",
};

export type AccountPage = keyof typeof ACCOUNT_PATHS;

const SLUG = "([a-z0-9][a-z0-9-]*)";
/** A case number such as UST-2026-004711-3 (internal/cases). */
const CASE_NUMBER = "([A-Z]{2,6}-[0-9]{4}-[0-9]{6}-[0-9])";
/** A document's id, as its QR code prints it (internal/documents: /verify/ + id). */
const DOCUMENT_ID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
const table: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/$/, () => ({ name: "home" })],
  [/^\/categories\/?$/, () => ({ name: "categories" })],
  [new RegExp(`^/categories/${SLUG}/?$`), (m) => ({ name: "category", slug: m[1]! })],
  [new RegExp(`^/services/${SLUG}/?$`), (m) => ({ name: "service", slug: m[1]! })],
  [/^\/offices\/?$/, () => ({ name: "offices" })],
  [new RegExp(`^/offices/${SLUG}/?$`), (m) => ({ name: "office", slug: m[1]! })],
  [/^\/search\/?$/, () => ({ name: "search" })],
  [/^\/favourites\/?$/, () => ({ name: "favourites" })],
  [new RegExp(`^/services/${SLUG}/order/?$`), (m) => ({ name: "order", slug: m[1]! })],
  [new RegExp(`^/account/cases/${CASE_NUMBER}/?$`), (m) => ({ name: "case", number: m[1]! })],
  // The continue-later link of the mail (internal/drafts: /drafts/resume#token).
  [/^\/drafts\/resume\/?$/, () => ({ name: "resume-draft" })],
  [new RegExp(`^/verify/${DOCUMENT_ID}/?$`), (m) => ({ name: "verify-document", id: m[1]! })],
  ...Object.entries(ACCOUNT_PATHS).map(
    ([page, path]): [RegExp, () => Route] => [new RegExp(`^${path}/?$`), () => ({ name: "account", page: page as AccountPage })],
  ),
  ...Object.entries(ACCOUNT_ALIASES).map(([path, page]): [RegExp, () => Route] => [new RegExp(`^${path}/?$`), () => ({ name: "account", page })]),
];

/** The app's own path for an alias (/konto/anmelden → /account/login), or null. */
export function canonicalPath(pathname: string): string | null {
  const page = ACCOUNT_ALIASES[pathname.replace(/\/+$/, "")];
  return page ? ACCOUNT_PATHS[page] : null;
}

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

/** Event asking the app shell to navigate (History API); detail: the URL. */
export const NAVIGATE_EVENT = "schalter-navigate";

export interface NavigateDetail {
  url: string;
  /** Replace the history entry instead of adding one. */
  replace?: boolean;
  /** Keep the focus where it is (e.g. on a filter) instead of moving it to the new page's heading. */
  keepFocus?: boolean;
}

/** Navigates within the app from anywhere (components, pages). */
export function navigateTo(url: string, options: Omit<NavigateDetail, "url"> = {}): void {
  window.dispatchEvent(new CustomEvent<NavigateDetail>(NAVIGATE_EVENT, { detail: { url, ...options } }));
}

/** The order form of a service; with a draft, that draft resumed. */
export function orderHref(slug: string, draft?: string): string {
  return draft ? `/services/${slug}/order?draft=${encodeURIComponent(draft)}` : `/services/${slug}/order`;
}

/** The page of one of the person's cases. */
export function caseHref(number: string): string {
  return `/account/cases/${encodeURIComponent(number)}`;
}

/** The URL of the results page for a query and filters. */
export function searchHref(q: string, filters: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `/search?${qs}` : "/search";
}

/** The path and query of the current page, to come back to after a login or step-up. */
export function here(): string {
  return location.pathname + location.search;
}

/**
 * Where to go after a login or step-up: only a path of this app (never
 * another origin, a protocol-relative URL or a server endpoint), else null.
 */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  let url: URL;
  try {
    url = new URL(next, "https://app.invalid");
  } catch {
    return null;
  }
  if (url.origin !== "https://app.invalid" || isServerPath(url.pathname)) return null;
  return url.pathname + url.search;
}

/** The login page, coming back to next afterwards. */
export function loginHref(next?: string | null): string {
  const safe = safeNext(next);
  return safe ? `${ACCOUNT_PATHS.login}?next=${encodeURIComponent(safe)}` : ACCOUNT_PATHS.login;
}

/** What a step-up problem asks for, as the step-up page reads it from its URL. */
export interface StepUpRequest {
  level: string;
  methods: string[];
  maxAge?: number;
  next: string | null;
}

/** The step-up page for a problem, coming back to next afterwards. */
export function stepUpHref(req: StepUpRequest): string {
  const params = new URLSearchParams({ level: req.level, methods: req.methods.join(",") });
  if (req.maxAge) params.set("max_age", String(req.maxAge));
  const safe = safeNext(req.next);
  if (safe) params.set("next", safe);
  return `${ACCOUNT_PATHS["step-up"]}?${params}`;
}

/** Reads the step-up page's URL parameters back. */
export function parseStepUp(query: URLSearchParams): StepUpRequest {
  const maxAge = Number(query.get("max_age"));
  return {
    level: query.get("level") ?? "",
    methods: (query.get("methods") ?? "").split(",").filter(Boolean),
    maxAge: Number.isFinite(maxAge) && maxAge > 0 ? maxAge : undefined,
    next: safeNext(query.get("next")),
  };
}
