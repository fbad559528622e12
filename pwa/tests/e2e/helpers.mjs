// Shared helpers of the browser tests: the server address, a headless
// Chromium (playwright-core, the system's /usr/bin/chromium), pages that
// record console errors and CSP violations, and axe-core checks.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium } from "playwright-core";

export const BASE_URL = process.env.SCHALTER_BASE_URL ?? "";
if (!BASE_URL) {
  throw new Error("SCHALTER_BASE_URL is not set: run the browser tests with `npm run test:e2e`, which starts the server.");
}

export const MOBILE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--no-first-run"],
  });
}

/**
 * A new context and page at the mobile viewport. `problems` collects console
 * errors, page errors and CSP violations; `assertNoProblems()` fails on any.
 */
export async function openPage(browser, { viewport = MOBILE, locale = "de-CH", deviceScaleFactor = 1, serviceWorkers = "block" } = {}) {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor, baseURL: BASE_URL, serviceWorkers });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    else if (/Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return {
    context,
    page,
    problems,
    /** Fails when the page logged errors (ignoring `allow` patterns, e.g. expected offline failures). */
    assertNoProblems(allow = []) {
      const left = problems.filter((p) => !allow.some((re) => re.test(p)));
      assert.deepEqual(left, [], `the page reported problems:\n${left.join("\n")}`);
    },
  };
}

/** Navigates and waits until the routed page has rendered its h1. */
export async function goto(page, path) {
  await page.goto(path);
  await page.locator("main h1").first().waitFor({ timeout: 15_000 });
}

/** The text of the page's h1. */
export async function h1(page) {
  return (await page.locator("main h1").first().innerText()).trim();
}

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Runs axe-core (WCAG 2.0/2.1 A and AA) and fails listing every violation. */
export async function assertAccessible(page, label) {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const lines = result.violations.map(
    (v) => `- ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes
      .slice(0, 5)
      .map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ")}`)
      .join("\n    ")}`,
  );
  assert.equal(result.violations.length, 0, `axe found ${result.violations.length} WCAG violation(s) on ${label}:\n${lines.join("\n")}`);
  assert.ok(result.passes.length > 10, `axe ran too few checks on ${label} (${result.passes.length}); did the page render?`);
}

/** Fails if the document is wider than the viewport (horizontal scrolling). */
export async function assertNoHorizontalScroll(page, label) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${label} scrolls horizontally: content ${scrollWidth}px wide in a ${innerWidth}px viewport`);
}

/** The paths of every response the page's service worker caches hold. */
export async function cachedPaths(page) {
  return page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
}

export async function json(path) {
  const res = await fetch(new URL(path, BASE_URL));
  assert.equal(res.status, 200, `GET ${path} → ${res.status}`);
  return res.json();
}

// --- Mein Konto: mails from Mailpit and codes of an authenticator app -------

export const MAILPIT_URL = process.env.SCHALTER_MAILPIT_URL ?? "";

/** A fresh address for each test run, so mails of earlier runs never match. */
export function uniqueEmail(name) {
  return `${name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.ch`;
}

/**
 * Waits for the newest mail to `to` whose subject (and, with `text`, body)
 * matches, read through Mailpit's REST API (GET /api/v1/messages, then
 * /api/v1/message/{ID}), and returns its subject and text.
 */
export async function waitForMail(to, subject, { text = null, timeout = 15_000 } = {}) {
  assert.ok(MAILPIT_URL, "SCHALTER_MAILPIT_URL is not set: run the browser tests with `npm run test:e2e`, which starts Mailpit.");
  const until = Date.now() + timeout;
  for (;;) {
    const res = await fetch(`${MAILPIT_URL}/api/v1/messages?limit=200`);
    assert.equal(res.status, 200, "Mailpit lists its messages");
    const { messages } = await res.json();
    const hits = messages.filter((m) => m.To.some((a) => a.Address.toLowerCase() === to.toLowerCase()) && subject.test(m.Subject));
    for (const hit of hits) {
      const full = await (await fetch(`${MAILPIT_URL}/api/v1/message/${hit.ID}`)).json();
      if (!text || text.test(full.Text)) return { id: hit.ID, subject: hit.Subject, text: full.Text };
    }
    if (Date.now() > until) assert.fail(`no mail to ${to} with a subject like ${subject} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first link to this server in a mail's text. */
export function linkIn(text) {
  const m = text.match(/https?:\/\/\S+/);
  assert.ok(m, `a link in the mail:\n${text}`);
  return m[0];
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(s) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]/g, "").toUpperCase()) {
    const i = B32.indexOf(ch);
    assert.ok(i >= 0, `base32 character ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as every authenticator app computes it. */
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = h[h.length - 1] & 0x0f;
  return String((h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * An authenticator app for one account. The server accepts each time step
 * once and only newer ones (replay protection), within one step of its
 * clock; code() hands out the next acceptable step, waiting for the clock
 * when the steps around now are used up.
 */
export class Authenticator {
  constructor(secret) {
    this.secret = secret;
    this.last = 0;
  }

  async code() {
    for (;;) {
      const seconds = Date.now() / 1000;
      const now = Math.floor(seconds / 30);
      // The previous step only while this one has 5 s left, so it is still
      // valid when the request arrives.
      const earliest = seconds % 30 < 25 ? now - 1 : now;
      const step = Math.max(this.last + 1, earliest);
      if (step <= now + 1) {
        this.last = step;
        return totp(this.secret, step);
      }
      await new Promise((r) => setTimeout(r, (30 - (seconds % 30)) * 1000 + 200));
    }
  }
}
