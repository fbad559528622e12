// Helpers of the Mein Konto browser tests (account.test.mjs and
// account-more.test.mjs): accounts made through the API, the login form,
// focus checks, screenshots with example data, codes from the SMS dev sink,
// and Chromium's virtual authenticator for passkeys.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BASE_URL, goto, linkIn, uniqueEmail, waitForMail } from "./helpers.mjs";

export const PASSWORD = "grüne Velos fahren leise";
/** Refusals the account flows provoke on purpose show up as failed loads in the console. */
export const EXPECTED = [/Failed to load resource: the server responded with a status of (401|403|409|422)/];
export const screenshots = resolve(import.meta.dirname, "../../../docs/screenshots");

/** An account registered and verified through the API (for tests about something else). */
export async function newAccount(name) {
  const email = uniqueEmail(name);
  const res = await fetch(`${BASE_URL}/api/v1/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(res.status, 202, "registration accepted");
  const token = new URL(linkIn((await waitForMail(email, /bestätigen/)).text)).hash.slice(1);
  const verified = await fetch(`${BASE_URL}/api/v1/accounts/verify`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  assert.equal(verified.status, 204, "address verified");
  return { email, password: PASSWORD, app: null, recovery: [] };
}

export const form = (page) => page.locator("main form.account-form");
/** The input with this label (a section named like the field does not count). */
export const input = (page, label) => page.locator("input").and(page.getByLabel(label, { exact: true }));

/** Fills and sends the login form (the page must show it). */
export async function submitLogin(page, acc, password = acc.password) {
  await page.getByLabel("E-Mail-Adresse").fill(acc.email);
  await input(page, "Passwort").fill(password);
  await form(page).getByRole("button", { name: "Anmelden" }).click();
}

export async function login(page, acc) {
  await goto(page, "/account/login");
  await submitLogin(page, acc);
  if (acc.app) {
    await page.locator("main h1", { hasText: "Code eingeben" }).waitFor();
    await page.getByLabel("Code aus der Authenticator-App").fill(await acc.app.code());
    await form(page).getByRole("button", { name: "Anmelden" }).click();
  }
  await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
}

export async function focused(page) {
  return page.evaluate(() => ({
    id: document.activeElement?.id ?? "",
    tag: document.activeElement?.tagName ?? "",
    cls: document.activeElement?.className ?? "",
    text: document.activeElement?.textContent?.trim() ?? "",
  }));
}

export async function waitForFocus(page, predicate, what) {
  try {
    await page.waitForFunction(predicate, undefined, { timeout: 5000 });
  } catch {
    assert.fail(`the focus should be on ${what}, it is on ${JSON.stringify(await focused(page))}`);
  }
}

export const headingFocused = (page) => waitForFocus(page, () => document.activeElement?.tagName === "H1", "the page's h1");
export const summaryFocused = (page) => waitForFocus(page, () => document.activeElement?.classList.contains("error-summary"), "the error summary");

/**
 * The overview for the documentation, with an example address and time in
 * place of this run's, so the committed file only changes when the page does.
 */
export async function screenshotWithExampleData(page, email, file) {
  await page.evaluate((email) => {
    const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      n.textContent = n.textContent
        .replace(email, "anna.muster@example.ch")
        .replace(/\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/g, "23.11.2026, 09:41")
        .replace(/\d{2}\.\d{2}\.\d{4}/g, "23.11.2026");
    }
  }, email);
  await page.evaluate(() => document.fonts?.ready);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: resolve(screenshots, file), animations: "disabled", caret: "hide" });
}


// --- Codes by SMS: the server's dev sink writes every message as one JSON
// line ({to, text, sent_at}) to $SCHALTER_DATA_DIR/sms-outbox.jsonl.

const SMS_OUTBOX = process.env.SCHALTER_SMS_OUTBOX ?? "";

/** A mobile number nobody else uses in this run: "079 xxx xx xx" as typed, and its E.164 form. */
export function uniqueMobile() {
  const digits = String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
  return { typed: `079 ${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5)}`, e164: `+4179${digits}` };
}

/** The newest SMS to this number (E.164) sent at or after since (ms): its code and when it was sent. */
export async function waitForSMS(e164, since, timeout = 10_000) {
  assert.ok(SMS_OUTBOX, "SCHALTER_SMS_OUTBOX is not set: run the browser tests with `npm run test:e2e`.");
  const until = Date.now() + timeout;
  for (;;) {
    let lines = [];
    try {
      lines = readFileSync(SMS_OUTBOX, "utf8").trim().split("\n");
    } catch {
      /* not written yet */
    }
    const hits = lines
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((m) => m.to === e164 && Date.parse(m.sent_at) >= since - 1000);
    const last = hits.at(-1);
    if (last) {
      const code = last.text.match(/\b(\d{6})\b/)?.[1];
      assert.ok(code, `a six-digit code in the SMS: ${last.text}`);
      return { code, sentAt: Date.parse(last.sent_at), text: last.text };
    }
    if (Date.now() > until) assert.fail(`no SMS to ${e164} in ${SMS_OUTBOX} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Waits until the server sends this account an SMS again: one a minute (internal/account SMSResendAfter). */
export async function smsAllowedAgain(lastSentAt) {
  const wait = lastSentAt + 61_000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

// --- A client outside the browser with a session cookie (set-up steps that
// are not what a test is about).

/** Logs in through the API; returns a function for further calls with the session, and the cookie. */
export async function apiLogin(acc) {
  let cookie = "";
  const call = async (method, path, body) => {
    const res = await fetch(`${BASE_URL}${path}`, {
      method,
      headers: { "Content-Type": "application/json", ...(cookie ? { Cookie: cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith("schalter_session="));
    if (set) cookie = set.split(";")[0];
    return res;
  };
  const res = await call("POST", "/api/v1/session", { email: acc.email, password: acc.password });
  assert.equal(res.status, 200, "logged in through the API");
  return { call, cookie: () => cookie };
}

/** Gives a browser context the session of an API client. */
export async function useSession(context, cookie) {
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, domain: new URL(BASE_URL).hostname, path: "/", httpOnly: true, secure: true, sameSite: "Lax" }]);
}

// --- Passkeys: Chromium's virtual authenticator (CDP WebAuthn domain), a
// platform authenticator with discoverable credentials and user
// verification that answers by itself, as a phone with a fingerprint would.

export async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    async credentials() {
      return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    },
  };
}
